//! Command-line flags of the `lookout` binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Lookout: metrics, logs and alerts in one binary, one page.
#[derive(Debug, Parser)]
#[command(name = "lookout", version, about, long_about = None)]
pub struct Cli {
    /// Address to serve the UI and the APIs on.
    #[arg(long, default_value = "127.0.0.1:3000", value_name = "ADDR")]
    pub listen: SocketAddr,

    /// Directory for stored data; created if missing.
    #[arg(long, default_value = "./data", value_name = "DIR")]
    pub data_dir: PathBuf,

    /// YAML configuration file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Do not run the built-in payment-service demo.
    #[arg(long)]
    pub no_demo: bool,

    /// Minutes between the demo's simulated incidents (overrides the config file).
    #[arg(long, value_name = "MINUTES")]
    pub demo_incident_every: Option<u64>,
}
