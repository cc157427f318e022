//! The URL and host:port checks Alertmanager applies while reading the config (`parseURL`, `HostPort`).

use super::ConfigError;
use crate::labels::go_quote;

/// `parseURL`: the scheme must be http or https and there must be a host.
pub(super) fn check_url(s: &str) -> Result<(), ConfigError> {
    // A secret placeholder is accepted as written (`SecretURL`).
    if s == "<secret>" {
        return Ok(());
    }
    let (scheme, rest) = match s.split_once(':') {
        Some((scheme, rest))
            if scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            (scheme.to_ascii_lowercase(), rest)
        }
        _ => (String::new(), s),
    };
    if scheme != "http" && scheme != "https" {
        return Err(ConfigError::Invalid(format!("unsupported scheme {} for URL", go_quote(&scheme))));
    }
    let host = rest.strip_prefix("//").map(|r| {
        let authority = r.split(['/', '?', '#']).next().unwrap_or("");
        authority.rsplit_once('@').map_or(authority, |(_, h)| h)
    });
    if host.is_none_or(str::is_empty) {
        return Err(ConfigError::Invalid("missing host for URL".to_string()));
    }
    Ok(())
}

/// `HostPort`: `net.SplitHostPort` plus a non-empty port.
pub(super) fn check_host_port(s: &str) -> Result<(), ConfigError> {
    if s.is_empty() {
        return Ok(());
    }
    let err = |why: &str| Err(ConfigError::Invalid(format!("address {s}: {why}")));
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else { return err("missing ']' in address") };
        match after.strip_prefix(':') {
            Some(port) => (host, port),
            None if after.is_empty() => return err("missing port in address"),
            None => return err("missing port in address"),
        }
    } else {
        let Some((host, port)) = s.rsplit_once(':') else { return err("missing port in address") };
        (host, port)
    };
    if host.contains(':') && !s.starts_with('[') {
        return err("too many colons in address");
    }
    if port.is_empty() {
        return Err(ConfigError::Invalid(format!("address {}: port cannot be empty", go_quote(s))));
    }
    Ok(())
}
