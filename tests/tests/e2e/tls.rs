//! HTTPS through the real binary: `--tls-cert`/`--tls-key` with a certificate made by openssl,
//! read by curl that trusts only that certificate; session cookies marked Secure; and the demo's
//! agents pushing over TLS to their own server with the demo's token.

use std::time::Duration;

use lookout_e2e::{Lookout, TempDir, eventually};

/// Runs curl with `args`; its exit success and standard output (headers included with `-i`).
async fn curl(args: &[&str]) -> (bool, String) {
    let output =
        tokio::process::Command::new("curl").args(["-sS", "--max-time", "10"]).args(args).output().await.expect("curl");
    (output.status.success(), String::from_utf8_lossy(&output.stdout).into_owned())
}

#[tokio::test]
async fn lookout_serves_https_with_the_given_certificate() {
    let dir = TempDir::new("tls");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"])
        .args(["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl (make test installs it)");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let lookout = Lookout::start_env(
        &["--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()],
        &[("LOOKOUT_AUTH", "on"), ("LOOKOUT_ADMIN_PASSWORD", "tls admin password")],
    )
    .await;
    assert!(lookout.url.starts_with("https://127.0.0.1:"), "{}", lookout.url);
    let cacert = cert.to_str().unwrap();

    let (ok, body) = curl(&["--cacert", cacert, &format!("{}/-/ready", lookout.url)]).await;
    assert!(ok, "{body}");
    // Plain HTTP on the same port gets no answer.
    let plain = lookout.url.replace("https://", "http://");
    assert!(!curl(&[&format!("{plain}/-/ready")]).await.0);

    // Signing in over TLS sets Secure cookies.
    let login = r#"{"user":"admin","password":"tls admin password"}"#;
    let url = format!("{}/api/lookout/login", lookout.url);
    let (ok, answer) =
        curl(&["--cacert", cacert, "-i", "-H", "Content-Type: application/json", "-d", login, &url]).await;
    assert!(ok, "{answer}");
    let cookies: Vec<&str> = answer.lines().filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:")).collect();
    assert_eq!(cookies.len(), 2, "{answer}");
    assert!(cookies.iter().all(|c| c.contains("; Secure")), "{cookies:?}");

    // The demo's services reach their server over TLS (pinned to its certificate) and push
    // with their ingest token: their samples are there.
    let query = format!("{}/api/v1/query?query=count(payment_requests_total)", lookout.url);
    eventually(Duration::from_secs(30), "the demo's samples over TLS", || async {
        let (ok, body) = curl(&["--cacert", cacert, "-u", "admin:tls admin password", &query]).await;
        if ok && body.contains("\"result\":[{") { Ok(()) } else { Err(body) }
    })
    .await;
}
