//! Email against a real SMTP server: aiosmtpd (Debian's python3-aiosmtpd) running
//! `tests/smtp_sink.py`, which records each message it receives as JSON.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant as StdInstant};

use lookout_notify::{DeliveryError, Outcome};
use serde_json::Value;

use crate::support::{deliver, group, integration};

const INSTALL_HINT: &str = "the email tests need aiosmtpd: apt-get install -y python3-aiosmtpd";

/// The SMTP server, stopped when dropped.
struct SmtpSink {
    child: Child,
    dir: PathBuf,
    port: u16,
}

/// A Python that can import aiosmtpd; Debian's package installs it for the system interpreter.
fn python() -> &'static str {
    ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|p| Command::new(p).args(["-c", "import aiosmtpd"]).output().is_ok_and(|o| o.status.success()))
        .unwrap_or_else(|| panic!("{INSTALL_HINT}"))
}

impl SmtpSink {
    fn start(auth: Option<&str>) -> SmtpSink {
        SmtpSink::start_with(auth, None)
    }

    /// With `tls` (certificate and key files), the server offers and requires STARTTLS.
    fn start_with(auth: Option<&str>, tls: Option<&TestCerts>) -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("lookout-notify-smtp-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp_sink.py");
        let mut command = Command::new(python());
        command.arg(script).arg(&dir).arg(port.to_string()).stdout(Stdio::piped());
        if auth.is_some() || tls.is_some() {
            command.arg(auth.unwrap_or("-"));
        }
        if let Some(certs) = tls {
            command.arg(certs.dir.join("leaf.pem")).arg(certs.dir.join("leaf.key"));
        }
        let mut child = command.spawn().unwrap_or_else(|e| panic!("start {script}: {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "READY", "smtp_sink.py did not start ({INSTALL_HINT})");
        SmtpSink { child, dir, port }
    }

    fn smarthost(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The messages received so far, in order.
    fn messages(&self) -> Vec<Value> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths.iter().map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A throwaway certificate authority and a server certificate for 127.0.0.1 it signed, made by
/// the `openssl` command; removed when dropped.
struct TestCerts {
    dir: PathBuf,
}

impl TestCerts {
    fn new() -> TestCerts {
        let dir = std::env::temp_dir().join(format!("lookout-notify-certs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap_or_else(|e| panic!("openssl (apt-get install -y openssl): {e}"));
            assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"];
        openssl(
            &[&["req", "-x509"], &key[..], &["-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=lookout-test-ca"]]
                .concat(),
        );
        openssl(
            &[
                &["req", "-x509"],
                &key[..],
                &["-keyout", "leaf.key", "-out", "leaf.pem", "-subj", "/CN=127.0.0.1"],
                &["-addext", "subjectAltName=IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE"],
                &["-CA", "ca.pem", "-CAkey", "ca.key"],
            ]
            .concat(),
        );
        TestCerts { dir }
    }
}

impl Drop for TestCerts {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn email(sink: &SmtpSink, extra: &str) -> lookout_alertmanager::config::Integration {
    integration(&format!(
        "  email_configs:\n  - from: 'Lookout <lookout@example.com>'\n    smarthost: {}\n    hello: lookout.test\n{extra}",
        sink.smarthost()
    ))
}

fn header<'a>(message: &'a Value, name: &str) -> &'a str {
    let headers = message["headers"].as_object().unwrap();
    let (_, value) = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).unwrap_or_else(|| panic!("no {name}"));
    value.as_str().unwrap()
}

#[tokio::test]
async fn email_is_sent_as_multipart_alternative() {
    let sink = SmtpSink::start(None);
    let extra = concat!(
        "    to: 'ops@example.com, On Call <oncall@example.com>'\n    require_tls: false\n",
        "    text: 'plain {{ .Status }}'\n    headers:\n      X-Team: '{{ .GroupLabels.alertname }} é'\n",
    );
    let (result, attempts) = deliver(&email(&sink, extra), &group("mail", false), Duration::from_secs(30)).await;
    assert_eq!(result, Ok(()));
    assert_eq!(attempts.len(), 1);
    assert_eq!((attempts[0].outcome, attempts[0].integration), (Outcome::Success, "email"));
    assert_eq!(attempts[0].smtp_reply.as_deref(), Some("250 2.0.0 Message accepted"));

    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m["mail_from"], "lookout@example.com");
    assert_eq!(m["rcpt_tos"], serde_json::json!(["ops@example.com", "oncall@example.com"]));
    assert_eq!(header(m, "Subject"), "[FIRING:2] HighErrorRate (critical)");
    assert_eq!(header(m, "From"), "Lookout <lookout@example.com>");
    assert_eq!(header(m, "To"), "ops@example.com, On Call <oncall@example.com>");
    assert_eq!(header(m, "X-Team"), "HighErrorRate é");
    assert!(header(m, "Message-Id").starts_with('<'));
    assert!(!header(m, "Date").is_empty());
    assert_eq!(m["content_type"], "multipart/alternative");
    let parts = m["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(
        (parts[0]["content_type"].as_str(), parts[1]["content_type"].as_str()),
        (Some("text/plain"), Some("text/html"))
    );
    assert!(parts.iter().all(|p| p["transfer_encoding"] == "quoted-printable"));
    assert_eq!(parts[0]["body"].as_str().unwrap().trim_end(), "plain firing");
    let html = parts[1]["body"].as_str().unwrap();
    assert!(html.contains("<h1>2 alerts for alertname=HighErrorRate</h1>"), "{html}");
    assert!(html.contains("<h2>Firing (2)</h2>"), "{html}");
}

#[tokio::test]
async fn require_tls_refuses_a_server_without_starttls_until_the_deadline() {
    let sink = SmtpSink::start(None);
    let started = StdInstant::now();
    let within = Duration::from_millis(1200);
    let (result, attempts) = deliver(&email(&sink, "    to: ops@example.com\n"), &group("mail", false), within).await;
    // Not retried past the deadline; the slack is for a busy machine.
    assert!(started.elapsed() < Duration::from_millis(2200), "{:?}", started.elapsed());
    let expected = format!(
        "'require_tls' is true (default) but \"{}\" does not advertise the STARTTLS extension",
        sink.smarthost()
    );
    // The last try may be cut short by the deadline itself on a busy machine; the tries that
    // finished all say why, and the first one always finishes.
    let deadline = "context deadline exceeded";
    let Err(DeliveryError::DeadlineExceeded { attempts: tries, last }) = &result else {
        panic!("expected the deadline to end it: {result:?}")
    };
    assert_eq!(*tries as usize, attempts.len());
    assert!(*last == expected || last == deadline, "{last}");
    assert_eq!(attempts[0].error.as_deref(), Some(expected.as_str()));
    assert!(attempts.iter().all(|a| {
        a.outcome == Outcome::Retryable && [expected.as_str(), deadline].contains(&a.error.as_deref().unwrap_or(""))
    }));
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn transient_smtp_replies_are_retried_and_permanent_ones_are_not() {
    let sink = SmtpSink::start(None);
    let config = email(&sink, "    to: tempfail@example.com\n    require_tls: false\n");
    let (result, attempts) = deliver(&config, &group("mail", false), Duration::from_millis(900)).await;
    assert!(matches!(result, Err(DeliveryError::DeadlineExceeded { .. })), "{result:?}");
    assert_eq!(attempts[0].outcome, Outcome::Retryable);
    assert_eq!(attempts[0].smtp_reply.as_deref(), Some("451 4.3.0 Try again later"));

    let config = email(&sink, "    to: nouser@example.com\n    require_tls: false\n");
    let (result, attempts) = deliver(&config, &group("mail", false), Duration::from_secs(30)).await;
    assert!(matches!(result, Err(DeliveryError::Rejected(_))), "{result:?}");
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].outcome, Outcome::Failed);
    assert_eq!(attempts[0].smtp_reply.as_deref(), Some("550 5.1.1 No such user"));
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn auth_plain_logs_in_when_a_username_is_set() {
    let sink = SmtpSink::start(Some("alerts:s3cret"));
    let config = email(
        &sink,
        "    to: ops@example.com\n    require_tls: false\n    auth_username: alerts\n    auth_password: s3cret\n",
    );
    let (result, _) = deliver(&config, &group("mail", false), Duration::from_secs(30)).await;
    assert_eq!(result, Ok(()));
    assert_eq!(sink.messages()[0]["auth_user"], "alerts");
}

#[tokio::test]
async fn starttls_with_auth_verifies_the_server_against_ca_file() {
    let certs = TestCerts::new();
    let sink = SmtpSink::start_with(Some("alerts:s3cret"), Some(&certs));
    // require_tls is left at its default, true.
    let config = email(
        &sink,
        &format!(
            "    to: ops@example.com\n    auth_username: alerts\n    auth_password: s3cret\n    tls_config:\n      ca_file: {}\n",
            certs.dir.join("ca.pem").display()
        ),
    );
    let (result, attempts) = deliver(&config, &group("mail", false), Duration::from_secs(30)).await;
    assert_eq!(result, Ok(()), "{attempts:?}");
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["tls"], true, "sent over STARTTLS");
    assert_eq!(messages[0]["auth_user"], "alerts", "logged in after STARTTLS");
}

#[tokio::test]
async fn starttls_refuses_a_server_certificate_it_cannot_verify() {
    let certs = TestCerts::new();
    let sink = SmtpSink::start_with(None, Some(&certs));
    // Without ca_file the test authority is unknown: nothing may be sent in the clear instead.
    let config = email(&sink, "    to: ops@example.com\n");
    let (result, attempts) = deliver(&config, &group("mail", false), Duration::from_secs(3)).await;
    assert!(result.is_err(), "delivered over an unverified TLS session");
    let error = attempts[0].error.clone().unwrap_or_default();
    assert!(error.to_lowercase().contains("certificate"), "{error}");
    assert!(attempts.iter().all(|a| a.outcome != Outcome::Success));
    assert!(sink.messages().is_empty());

    // insecure_skip_verify is the documented way round it, as in Alertmanager.
    let config = email(&sink, "    to: ops@example.com\n    tls_config:\n      insecure_skip_verify: true\n");
    let (result, _) = deliver(&config, &group("mail", false), Duration::from_secs(30)).await;
    assert_eq!(result, Ok(()));
    assert_eq!(sink.messages()[0]["tls"], true);
}
