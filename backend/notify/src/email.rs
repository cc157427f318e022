//! The email integration (`notify/email/email.go`): the rendered message as multipart/alternative,
//! sent over SMTP with STARTTLS (required by default), implicit TLS on port 465, and AUTH.

use std::collections::BTreeMap;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Mailboxes, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lookout_alertmanager::config::EmailConfig;
use lookout_alertmanager::config::raw::RawTlsConfig;
use lookout_alertmanager::labels::go_quote;
use tokio::time::Instant;

use crate::Guard;
use crate::error::{DeliveryError, Failure, Sent};
use crate::http::secret;
use crate::render::Renderer;

/// Port on which Alertmanager speaks TLS from the first byte (SMTPS).
const IMPLICIT_TLS_PORT: u16 = 465;

/// Everything an attempt needs, rendered and checked once.
pub(crate) struct Prepared {
    smarthost: String,
    host: String,
    port: u16,
    hello: ClientId,
    require_tls: bool,
    tls: TlsSettings,
    credentials: Option<Credentials>,
    envelope: Envelope,
    message: Vec<u8>,
}

struct TlsSettings {
    server_name: String,
    ca_pem: Option<Vec<u8>>,
    insecure_skip_verify: bool,
}

fn config_err(message: impl Into<String>) -> DeliveryError {
    DeliveryError::Config(message.into())
}

/// `host:port`, with IPv6 hosts in brackets.
fn split_host_port(smarthost: &str) -> Result<(String, u16), DeliveryError> {
    let (host, port) = smarthost
        .rsplit_once(':')
        .ok_or_else(|| config_err(format!("address {smarthost}: missing port in address")))?;
    let port = port.parse().map_err(|_| config_err(format!("address {smarthost}: invalid port {port:?}")))?;
    Ok((host.trim_start_matches('[').trim_end_matches(']').to_string(), port))
}

fn tls_settings(host: &str, tls: &RawTlsConfig) -> Result<TlsSettings, DeliveryError> {
    let ca_pem = match (&tls.ca_file, &tls.ca) {
        (Some(file), _) if !file.is_empty() => {
            Some(std::fs::read(file).map_err(|e| config_err(format!("read CA file {file}: {e}")))?)
        }
        (_, Some(ca)) if !ca.is_empty() => Some(ca.clone().into_bytes()),
        _ => None,
    };
    if tls.cert.is_some() || tls.cert_file.is_some() || tls.key.is_some() || tls.key_file.is_some() {
        return Err(config_err("email tls_config: client certificates are not supported by Lookout's notifier"));
    }
    Ok(TlsSettings {
        server_name: tls.server_name.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| host.to_string()),
        ca_pem,
        insecure_skip_verify: tls.insecure_skip_verify.unwrap_or(false),
    })
}

fn addresses(field: &str, text: &str) -> Result<Mailboxes, DeliveryError> {
    text.parse::<Mailboxes>().map_err(|e| config_err(format!("parse '{field}' addresses: {e}")))
}

/// Renders the headers, parts and addresses of the message.
pub(crate) fn prepare(config: &EmailConfig, r: &Renderer<'_>) -> Result<Prepared, DeliveryError> {
    let (host, port) = split_host_port(&config.smarthost)?;
    let from = addresses("from", &r.text("from", &config.from)?)?;
    let from: Vec<Mailbox> = from.into_iter().collect();
    let [from] = <[Mailbox; 1]>::try_from(from)
        .map_err(|all| config_err(format!("must be exactly one 'from' address (got: {})", all.len())))?;
    let to: Vec<Mailbox> = addresses("to", &r.text("to", &config.to)?)?.into_iter().collect();
    let envelope = Envelope::new(Some(from.email.clone()), to.iter().map(|m| m.email.clone()).collect())
        .map_err(|e| config_err(format!("parse 'to' addresses: {e}")))?;

    let mut headers = config.headers.clone();
    for (name, default) in [
        ("Subject", "{{ template \"email.default.subject\" . }}"),
        ("To", config.to.as_str()),
        ("From", config.from.as_str()),
    ] {
        headers.entry(name.to_string()).or_insert_with(|| default.to_string());
    }
    let headers: BTreeMap<String, String> = headers
        .iter()
        .map(|(name, text)| Ok((name.clone(), r.text(&format!("{name:?} header"), text)?)))
        .collect::<Result<_, DeliveryError>>()?;
    // The typed From satisfies lettre's check for an originator; the rendered header replaces it.
    let mut builder = lettre::Message::builder().from(from).envelope(envelope.clone());
    for (name, value) in &headers {
        let header = HeaderName::new_from_ascii(name.clone())
            .map_err(|_| config_err(format!("invalid header name {name:?}")))?;
        builder = builder.raw_header(HeaderValue::new(header, value.clone()));
    }
    if !headers.contains_key("Message-Id") {
        builder = builder.message_id(None);
    }
    let text = r.text("text", &config.text)?;
    let html = r.text("html", &config.html)?;
    let part = |content_type: ContentType, body: String| {
        SinglePart::builder().header(content_type).header(ContentTransferEncoding::QuotedPrintable).body(body)
    };
    // The plain text first: RFC 2046 puts the preferred alternative, HTML, last.
    let mut body = MultiPart::alternative().build();
    if !text.is_empty() {
        body = body.singlepart(part(ContentType::TEXT_PLAIN, text));
    }
    if !html.is_empty() {
        body = body.singlepart(part(ContentType::TEXT_HTML, html));
    }
    let message = builder.multipart(body).map_err(|e| config_err(format!("build message: {e}")))?;

    let credentials = if config.auth_username.is_empty() {
        None
    } else {
        let password = secret(&Some(config.auth_password.clone()), &Some(config.auth_password_file.clone()))?;
        Some(Credentials::new(config.auth_username.clone(), password))
    };
    Ok(Prepared {
        smarthost: config.smarthost.clone(),
        tls: tls_settings(&host, &config.tls_config)?,
        host,
        port,
        hello: ClientId::Domain(config.hello.clone()),
        require_tls: config.require_tls,
        credentials,
        envelope,
        message: message.formatted(),
    })
}

fn tls_parameters(settings: &TlsSettings) -> Result<TlsParameters, Failure> {
    let mut builder = TlsParameters::builder(settings.server_name.clone())
        .dangerous_accept_invalid_certs(settings.insecure_skip_verify);
    if let Some(pem) = &settings.ca_pem {
        let ca = Certificate::from_pem(pem).map_err(|e| Failure::permanent(format!("parse TLS configuration: {e}")))?;
        builder = builder.add_root_certificate(ca);
    }
    builder.build().map_err(|e| Failure::permanent(format!("parse TLS configuration: {e}")))
}

/// Classifies an SMTP error: a 4xx reply is transient and retried, a 5xx reply is permanent;
/// connection, TLS and protocol troubles are retried, as Alertmanager retries them.
fn smtp_failure(context: &str, e: &lettre::transport::smtp::Error) -> Failure {
    let detail = std::error::Error::source(e).map(ToString::to_string).unwrap_or_default();
    let smtp_reply = e.status().map(|code| format!("{code} {detail}").trim_end().to_string());
    Failure { retryable: !e.is_permanent(), message: format!("{context}: {e}"), http_status: None, smtp_reply }
}

/// One SMTP session: connect, EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA, QUIT.
pub(crate) async fn send(p: &Prepared, guard: &Guard, deadline: Instant) -> Result<Sent, Failure> {
    guard.check(&p.host, p.port).await.map_err(Failure::permanent)?;
    let implicit = p.port == IMPLICIT_TLS_PORT;
    let tls = if implicit { Some(tls_parameters(&p.tls)?) } else { None };
    let timeout = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
    let mut conn = AsyncSmtpConnection::connect_tokio1((p.host.as_str(), p.port), Some(timeout), &p.hello, tls, None)
        .await
        .map_err(|e| smtp_failure("establish connection to server", &e))?;
    if p.require_tls && !implicit {
        if !conn.can_starttls() {
            let _ = conn.quit().await;
            return Err(Failure::retryable(format!(
                "'require_tls' is true (default) but {} does not advertise the STARTTLS extension",
                go_quote(&p.smarthost)
            )));
        }
        // No QUIT after a failed handshake: lettre is left without a stream to write it to.
        conn.starttls(tls_parameters(&p.tls)?, &p.hello)
            .await
            .map_err(|e| smtp_failure("send STARTTLS command", &e))?;
    }
    let result = session(&mut conn, p).await;
    // Quitting politely is best effort; the outcome is already decided.
    let _ = conn.quit().await;
    result
}

async fn session(conn: &mut AsyncSmtpConnection, p: &Prepared) -> Result<Sent, Failure> {
    // Alertmanager authenticates only when the server offers AUTH; PLAIN is preferred to LOGIN.
    let mechanisms = [Mechanism::Plain, Mechanism::Login];
    if let Some(credentials) = &p.credentials
        && mechanisms.iter().any(|m| conn.server_info().supports_auth_mechanism(*m))
    {
        conn.auth(&mechanisms, credentials).await.map_err(|e| smtp_failure("authenticate", &e))?;
    }
    let response = conn.send(&p.envelope, &p.message).await.map_err(|e| smtp_failure("send message", &e))?;
    let reply = format!("{} {}", response.code(), response.message().collect::<Vec<_>>().join(" "));
    Ok(Sent { http_status: None, smtp_reply: Some(reply.trim_end().to_string()) })
}
