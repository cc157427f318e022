//! A minimal HTTP/1.1 client for the demo's simulated services, which deliver to Lookout only
//! through its public HTTP API, as any outside agent would.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Where the demo's services send to, and how they sign in.
#[derive(Debug, Clone)]
pub struct Target {
    pub address: SocketAddr,
    /// The `Authorization` header's value, with sign-in on.
    pub authorization: Option<String>,
}

/// POSTs `body` and returns the status code and response body.
pub async fn post(target: &Target, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Result<(u16, String), String> {
    let address = target.address;
    let exchange = async {
        let mut stream = TcpStream::connect(address).await.map_err(|e| e.to_string())?;
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        if let Some(authorization) = &target.authorization {
            head.push_str(&format!("Authorization: {authorization}\r\n"));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.map_err(|e| e.to_string())?;
        stream.write_all(body).await.map_err(|e| e.to_string())?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.map_err(|e| e.to_string())?;
        Ok::<_, String>(response)
    };
    let response = tokio::time::timeout(TIMEOUT, exchange).await.map_err(|_| "timed out".to_string())??;
    let text = String::from_utf8_lossy(&response);
    let status =
        text.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("malformed response: {text:.80}"))?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}
