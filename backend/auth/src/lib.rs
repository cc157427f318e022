//! Who may do what in Lookout: users with roles, browser sessions, API tokens with scopes, and
//! limits on failed sign-ins. No HTTP here: the server's `auth` module maps requests onto it.

mod limiter;
pub mod password;
mod role;
mod secret;
mod store;

pub use limiter::{MAX_FAILURES, WINDOW_MS};
pub use role::{Role, Scope, Scopes};
pub use store::{AuthError, Principal, SESSION_IDLE_MS, SESSION_MAX_MS, Store, TOKEN_PREFIX, TokenInfo, UserInfo, Via};
