//! Where notifications may not go: link-local addresses (169.254.0.0/16 and fe80::/10, where
//! cloud metadata services answer with credentials) and Lookout's own listening address (a
//! webhook aimed at Lookout's API would act with the notifier's reach), unless the
//! configuration allows them. Every HTTP send and SMTP connection resolves its target first
//! and is refused, without a retry, if any address it resolves to is forbidden.

use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Guard {
    /// The addresses Lookout itself listens on.
    pub own: Vec<SocketAddr>,
    pub allow_self: bool,
    pub allow_link_local: bool,
}

impl Guard {
    /// Why `addr` is refused, if it is.
    pub fn refusal(&self, addr: SocketAddr) -> Option<String> {
        let ip = addr.ip().to_canonical();
        let link_local = match ip {
            IpAddr::V4(v4) => v4.is_link_local(),
            IpAddr::V6(v6) => v6.segments()[0] & 0xffc0 == 0xfe80,
        };
        if link_local && !self.allow_link_local {
            return Some(format!(
                "{addr} is a link-local address (cloud metadata services answer there); outbound.allow_link_local allows it"
            ));
        }
        // A wildcard listener (0.0.0.0, ::) answers on loopback too; other local addresses of
        // the host are not known here.
        let is_own = self.own.iter().any(|own| {
            own.port() == addr.port()
                && (own.ip().to_canonical() == ip || (own.ip().is_unspecified() && ip.is_loopback()))
        });
        if is_own && !self.allow_self {
            return Some(format!("{addr} is Lookout's own address; outbound.allow_self allows it"));
        }
        None
    }

    /// Resolves `host:port` and refuses it if any of its addresses is forbidden; an address that
    /// does not resolve is left for the connection to report.
    pub async fn check(&self, host: &str, port: u16) -> Result<(), String> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let Ok(addrs) = tokio::net::lookup_host((host, port)).await else { return Ok(()) };
        for addr in addrs {
            if let Some(why) = self.refusal(addr) {
                return Err(format!("refused to send to {host}:{port}: {why}"));
            }
        }
        Ok(())
    }

    /// [`Guard::check`] for a URL's host and port.
    pub async fn check_url(&self, url: &str) -> Result<(), String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("invalid URL: {e}"))?;
        let (Some(host), Some(port)) = (parsed.host_str(), parsed.port_or_known_default()) else { return Ok(()) };
        self.check(host, port).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn metadata_and_own_addresses_are_refused_unless_allowed() {
        let own: SocketAddr = "0.0.0.0:3000".parse().unwrap();
        let guard = Guard { own: vec![own], ..Guard::default() };
        for url in
            ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]:80/", "http://127.0.0.1:3000/api/v2/alerts"]
        {
            assert!(guard.check_url(url).await.is_err(), "{url} passed");
        }
        // Lookout's other ports, other hosts and names that do not resolve are fine.
        for url in ["http://127.0.0.1:3001/hook", "http://192.0.2.1/hook", "http://no-such-host.invalid/"] {
            assert_eq!(guard.check_url(url).await, Ok(()), "{url}");
        }
        let open = Guard { own: vec![own], allow_self: true, allow_link_local: true };
        assert_eq!(open.check_url("http://169.254.169.254/").await, Ok(()));
        assert_eq!(open.check_url("http://localhost:3000/").await, Ok(()));
        assert!(guard.check_url("http://localhost:3000/").await.unwrap_err().contains("Lookout's own address"));
    }
}
