//! The HTTP surface: one router per concern, merged by [`crate::app`].

mod error;
mod health;
mod lookout;

pub use error::ApiError;
pub use health::router as health_router;
pub use lookout::router as lookout_router;
