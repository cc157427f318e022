//! The HTTP side shared by webhook, Slack and PagerDuty: the `http_config` credentials, one JSON
//! POST, and the status classification of Alertmanager's `notify.Retrier`.

use lookout_alertmanager::config::raw::RawHttpConfig;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, USER_AGENT};

use crate::Guard;
use crate::error::{DeliveryError, Failure, Sent};

/// Sent with every request; receivers see who calls them.
const AGENT: &str = concat!("Lookout/", env!("CARGO_PKG_VERSION"));

/// The most of a refusal's body kept for the error text.
const MAX_ERROR_BODY: usize = 1024;

/// The `Authorization` header an `http_config` asks for, if any (the server's other HTTP clients
/// read their credentials through it too).
pub fn authorization(config: &RawHttpConfig) -> Result<Option<String>, DeliveryError> {
    if config.oauth2.is_some() || config.proxy_url.is_some() || config.tls_config.is_some() {
        return Err(DeliveryError::Config(
            "http_config: oauth2, proxy_url and tls_config are not supported by Lookout's notifier".to_string(),
        ));
    }
    if let Some(basic) = &config.basic_auth {
        let user = secret(&basic.username, &basic.username_file)?;
        let password = secret(&basic.password, &basic.password_file)?;
        return Ok(Some(format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))));
    }
    if let Some(auth) = &config.authorization {
        let kind = auth.kind.as_deref().filter(|k| !k.is_empty()).unwrap_or("Bearer");
        return Ok(Some(format!("{kind} {}", secret(&auth.credentials, &auth.credentials_file)?)));
    }
    if config.bearer_token.is_some() || config.bearer_token_file.is_some() {
        return Ok(Some(format!("Bearer {}", secret(&config.bearer_token, &config.bearer_token_file)?)));
    }
    Ok(None)
}

/// A secret given inline or in a file (whose surrounding whitespace does not count).
pub(crate) fn secret(inline: &Option<String>, file: &Option<String>) -> Result<String, DeliveryError> {
    match file.as_deref().filter(|f| !f.is_empty()) {
        Some(path) => std::fs::read_to_string(path)
            .map(|s| s.trim().to_string())
            .map_err(|e| DeliveryError::Config(format!("read {path}: {e}"))),
        None => Ok(inline.clone().unwrap_or_default()),
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The HTTP client with the [`Guard`] every request passes first.
#[derive(Debug, Clone)]
pub(crate) struct Outbound {
    pub client: reqwest::Client,
    pub guard: Guard,
}

/// Which statuses besides 5xx are worth another attempt, and how a refusal is described.
pub(crate) struct Retrier {
    pub retry_codes: &'static [u16],
    /// Extra words for the error text from the URL, the status and the body, if the integration
    /// has any.
    pub details: fn(&str, u16, &str) -> Option<String>,
}

/// POSTs a JSON body and classifies the answer: 2xx succeeds, 5xx and the retrier's codes are
/// retryable, anything else fails. Transport errors are retryable.
pub(crate) async fn post_json(
    outbound: &Outbound,
    url: &str,
    auth: Option<&str>,
    body: Vec<u8>,
    retrier: &Retrier,
) -> Result<Sent, Failure> {
    outbound.guard.check_url(url).await.map_err(Failure::permanent)?;
    let mut request =
        outbound.client.post(url).header(CONTENT_TYPE, "application/json").header(USER_AGENT, AGENT).body(body);
    if let Some(auth) = auth {
        request = request.header(AUTHORIZATION, auth);
    }
    // The error text of reqwest can carry the URL, which for Slack is a secret; keep it out.
    let response = request.send().await.map_err(|e| Failure::retryable(describe(&e.without_url())))?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Ok(Sent { http_status: Some(status), smtp_reply: None });
    }
    let body = response.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    let body = String::from_utf8_lossy(&body[..body.len().min(MAX_ERROR_BODY)]).into_owned();
    let message = match (retrier.details)(url, status, &body) {
        Some(details) => format!("unexpected status code {status}: {details}"),
        None => format!("unexpected status code {status}"),
    };
    Err(Failure {
        retryable: status >= 500 || retrier.retry_codes.contains(&status),
        message,
        http_status: Some(status),
        smtp_reply: None,
    })
}

/// A reqwest error with its causes, which its own `Display` leaves out.
fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads() {
        for (input, expected) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("user:pass", "dXNlcjpwYXNz")]
        {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}
