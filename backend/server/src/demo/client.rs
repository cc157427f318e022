//! A minimal HTTP/1.1 client for the demo's simulated services, which deliver to Lookout only
//! through its public HTTP API, as any outside agent would.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Where the demo's services send to, and how they sign in.
#[derive(Debug, Clone)]
pub struct Target {
    pub address: SocketAddr,
    /// The `Authorization` header's value, with sign-in on.
    pub authorization: Option<String>,
    /// With TLS on: a client that trusts the server's own certificate.
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

/// POSTs `body` and returns the status code and response body.
pub async fn post(target: &Target, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<(u16, String), String> {
    let address = target.address;
    let mut head =
        format!("POST {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if let Some(authorization) = &target.authorization {
        head.push_str(&format!("Authorization: {authorization}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let exchange = async {
        let stream = TcpStream::connect(address).await.map_err(|e| e.to_string())?;
        match &target.tls {
            Some(config) => {
                // The name is not checked: the client trusts one certificate, whatever it names.
                let name = rustls::pki_types::ServerName::from(address.ip());
                let tls = tokio_rustls::TlsConnector::from(config.clone())
                    .connect(name, stream)
                    .await
                    .map_err(|e| e.to_string())?;
                exchange(tls, head.as_bytes(), body).await
            }
            None => exchange(stream, head.as_bytes(), body).await,
        }
    };
    let response = tokio::time::timeout(TIMEOUT, exchange).await.map_err(|_| "timed out".to_string())??;
    let text = String::from_utf8_lossy(&response);
    let status =
        text.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("malformed response: {text:.80}"))?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

/// Writes the request and reads the whole answer (the server closes the connection).
async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    head: &[u8],
    body: &[u8],
) -> Result<Vec<u8>, String> {
    stream.write_all(head).await.map_err(|e| e.to_string())?;
    stream.write_all(body).await.map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    // A TLS peer may close without close_notify once it has sent everything; keep what came.
    match stream.read_to_end(&mut response).await {
        Ok(_) => Ok(response),
        Err(_) if !response.is_empty() => Ok(response),
        Err(e) => Err(e.to_string()),
    }
}
