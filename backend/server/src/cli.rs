//! Command-line flags of the `lookout` binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use std::time::Duration;

use clap::Parser;

fn parse_retention(text: &str) -> Result<Duration, String> {
    let d = crate::timefmt::parse_duration(text)?;
    if d < Duration::from_secs(60 * 60) { Err("retention must be at least 1h".into()) } else { Ok(d) }
}

/// Lookout: metrics, logs and alerts in one binary, one page.
#[derive(Debug, Clone, Parser)]
#[command(name = "lookout", version, about = "Lookout: metrics, logs and alerts in one binary, one page.", long_about = None)]
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

    /// How long to keep metric samples, e.g. `15d`, `12h`.
    #[arg(long, default_value = "15d", value_name = "DURATION", value_parser = parse_retention)]
    pub retention: Duration,

    /// The URL Lookout is reached at, for links in alerts (`$externalURL`, generator URLs);
    /// `http://` and the listen address when not set.
    #[arg(long = "web.external-url", value_name = "URL")]
    pub external_url: Option<String>,

    /// Give the user `admin` the admin role and a new password (`LOOKOUT_ADMIN_PASSWORD`, or one
    /// generated and printed), creating it if it is gone; then start as usual.
    #[arg(long)]
    pub reset_admin_password: bool,

    /// PEM file with the TLS certificate chain: with `--tls-key`, Lookout serves HTTPS only.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// PEM file with the certificate's private key.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Minutes between the demo's simulated incidents (overrides the config file).
    #[arg(long, value_name = "MINUTES")]
    pub demo_incident_every: Option<u64>,
}
