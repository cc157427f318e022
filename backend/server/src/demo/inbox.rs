//! Where the demo's notifications land: stand-ins for Slack, PagerDuty and a mail server, so the
//! demo's alerts are delivered over real HTTP and real SMTP on loopback and the notification log
//! shows real deliveries. HTTP bodies arrive at `POST /{kind}` on a loopback port of their own
//! (like any outside receiver, apart from Lookout's listener, its sign-in and its TLS); mail at a
//! minimal SMTP server (EHLO, MAIL, RCPT, DATA, QUIT, no TLS) on another.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::timefmt::now_ms;

/// Messages kept; the oldest go first.
const KEPT: usize = 200;
/// The largest mail or request body kept, so a runaway sender cannot fill memory.
const MAX_MESSAGE: usize = 1 << 20;
/// SMTP lines are at most 1000 bytes (RFC 5321); a longer one ends the session.
const MAX_LINE: u64 = 1000;
/// A session that has not finished by then is dropped.
const SESSION: std::time::Duration = std::time::Duration::from_secs(60);

/// One delivered notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivered {
    pub at_ms: i64,
    /// `slack`, `pagerduty`, `webhook` or `email`.
    pub kind: String,
    pub body: String,
}

/// What the stand-ins received. Cheap to clone.
#[derive(Clone, Default)]
pub struct Inbox {
    messages: Arc<Mutex<VecDeque<Delivered>>>,
}

impl Inbox {
    pub fn put(&self, kind: &str, mut body: String) {
        if body.len() > MAX_MESSAGE {
            let mut end = MAX_MESSAGE;
            while !body.is_char_boundary(end) {
                end -= 1;
            }
            body.truncate(end);
        }
        let mut messages = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        messages.push_back(Delivered { at_ms: now_ms(), kind: kind.to_string(), body });
        if messages.len() > KEPT {
            messages.pop_front();
        }
    }

    /// Newest first.
    pub fn list(&self) -> Vec<Delivered> {
        self.messages.lock().unwrap_or_else(|e| e.into_inner()).iter().rev().cloned().collect()
    }

    /// Starts the Slack, PagerDuty and webhook stand-ins on a loopback port; its address.
    pub async fn start_http(&self, mut shutdown: watch::Receiver<bool>) -> std::io::Result<SocketAddr> {
        use axum::extract::{Path, State};
        use axum::http::StatusCode;
        async fn put(State(inbox): State<Inbox>, Path(kind): Path<String>, body: String) -> StatusCode {
            if !["slack", "pagerduty", "webhook"].contains(&kind.as_str()) {
                return StatusCode::NOT_FOUND;
            }
            inbox.put(&kind, body);
            // PagerDuty answers 202 to an accepted event; Slack and webhooks 200.
            if kind == "pagerduty" { StatusCode::ACCEPTED } else { StatusCode::OK }
        }
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let app = axum::Router::new()
            .route("/{kind}", axum::routing::post(put))
            .layer(axum::extract::DefaultBodyLimit::max(MAX_MESSAGE))
            .with_state(self.clone());
        tokio::spawn(async move {
            let stopped = async move {
                let _ = shutdown.changed().await;
            };
            if let Err(err) = axum::serve(listener, app).with_graceful_shutdown(stopped).await {
                tracing::warn!(%err, "the demo's HTTP stand-ins stopped");
            }
        });
        Ok(address)
    }

    /// Starts the SMTP stand-in on a loopback port; its address.
    pub async fn start_smtp(&self, mut shutdown: watch::Receiver<bool>) -> std::io::Result<SocketAddr> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let inbox = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((socket, _)) = accepted {
                            tokio::spawn(tokio::time::timeout(SESSION, serve_smtp(socket, inbox.clone())));
                        }
                    }
                    _ = shutdown.changed() => return,
                }
            }
        });
        Ok(address)
    }
}

/// One SMTP session: enough of RFC 5321 for a client to hand over a message.
async fn serve_smtp(socket: tokio::net::TcpStream, inbox: Inbox) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 lookout-demo ESMTP ready\r\n").await?;
    let mut line = String::new();
    loop {
        if !read_line(&mut lines, &mut line).await? {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = match command.split(' ').next().unwrap_or("") {
            "EHLO" => b"250-lookout-demo\r\n250 8BITMIME\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "DATA" => {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let mut message = String::new();
                loop {
                    if !read_line(&mut lines, &mut line).await? {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    if message.len() < MAX_MESSAGE {
                        // Dot-stuffing: a leading dot was doubled by the sender.
                        message.push_str(line.strip_prefix('.').unwrap_or(&line));
                    }
                }
                inbox.put("email", message);
                b"250 2.0.0 Ok: queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 Command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// Reads one line of at most [`MAX_LINE`] bytes into `line`; false at the end of the session,
/// which a line too long (or not UTF-8) also is.
async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R, line: &mut String) -> std::io::Result<bool> {
    use tokio::io::AsyncReadExt;
    line.clear();
    let read = reader.take(MAX_LINE).read_line(line).await;
    Ok(matches!(read, Ok(n) if n > 0 && line.ends_with('\n')))
}
