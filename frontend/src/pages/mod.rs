//! One file per page of the UI.

mod account;
mod alert;
mod alerts;
mod dashboard;
mod dashboard_edit;
mod dashboards;
mod explore;
mod graph_link;
mod login;
mod logs;
mod not_found;
mod overview;

pub use account::AccountPage;
pub use alert::AlertPage;
pub use alerts::AlertsPage;
pub use dashboard::DashboardPage;
pub use dashboards::DashboardsPage;
pub use explore::ExplorePage;
pub use graph_link::GraphLinkPage;
pub use login::{LoginPage, UserMenu};
pub use logs::LogsPage;
pub use not_found::NotFoundPage;
pub use overview::OverviewPage;
