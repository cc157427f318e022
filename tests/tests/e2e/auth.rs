//! Sign-in through the real binary: the first admin's password printed once, Prometheus's
//! remote_write and amtool authenticating the usual way (bearer token, basic auth), and a person
//! signing in in the browser, acknowledging an alert under their own name, and signing out.

use std::time::Duration;

use base64::Engine as _;
use fantoccini::Locator;
use lookout_e2e::{Browser, Lookout, TempDir, eventually, http_post, url_encode};

const ADMIN_PASSWORD: &str = "e2e admin password";

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// Lookout with sign-in on and `admin` / [`ADMIN_PASSWORD`], the given flags.
async fn start(args: &[&str]) -> Lookout {
    Lookout::start_env(args, &[("LOOKOUT_AUTH", "on"), ("LOOKOUT_ADMIN_PASSWORD", ADMIN_PASSWORD)]).await
}

/// A GET with an `Authorization` header: status and body.
async fn get_as(url: &str, authorization: &str) -> (u16, String) {
    let response = lookout_e2e::http_get_with(url, &[("Authorization", authorization)]).await.unwrap();
    (response.status, response.body)
}

async fn post_as(url: &str, authorization: &str, body: &str) -> serde_json::Value {
    let headers = [("Authorization", authorization), ("Content-Type", "application/json")];
    let response = http_post(url, &headers, body.as_bytes()).await.unwrap();
    assert!((200..300).contains(&response.status), "{url}: {} {}", response.status, response.body);
    serde_json::from_str(&response.body).unwrap_or(serde_json::Value::Null)
}

#[tokio::test]
async fn the_first_start_prints_the_admin_password_once() {
    let data = TempDir::new("auth-first");
    let lookout = Lookout::start_in_env(data.path(), &["--no-demo"], &[("LOOKOUT_AUTH", "on")], None).await;
    let line = lookout.startup.iter().find(|l| l.contains("the user admin's password")).expect("the password line");
    let password = line.rsplit(' ').next().unwrap().to_string();
    let query = format!("{}/api/v1/labels", lookout.url);
    assert_eq!(get_as(&query, &basic("admin", &password)).await.0, 200);
    let anonymous = lookout_e2e::http_get(&query).await.unwrap();
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("www-authenticate"), Some("Basic realm=\"Lookout\""));
    assert_eq!(lookout_e2e::http_get(&format!("{}/-/ready", lookout.url)).await.unwrap().status, 200);
    lookout.terminate().await;

    let again = Lookout::start_in_env(data.path(), &["--no-demo"], &[("LOOKOUT_AUTH", "on")], None).await;
    assert!(!again.startup.iter().any(|l| l.contains("password")), "{:?}", again.startup);
    assert_eq!(get_as(&format!("{}/api/v1/labels", again.url), &basic("admin", &password)).await.0, 200);
    again.terminate().await;

    // Lost it? --reset-admin-password sets a new one.
    let env = [("LOOKOUT_AUTH", "on"), ("LOOKOUT_ADMIN_PASSWORD", "reset to this")];
    let reset = Lookout::start_in_env(data.path(), &["--no-demo", "--reset-admin-password"], &env, None).await;
    let labels = format!("{}/api/v1/labels", reset.url);
    assert_eq!(get_as(&labels, &basic("admin", "reset to this")).await.0, 200);
    assert_eq!(get_as(&labels, &basic("admin", &password)).await.0, 401);
}

#[tokio::test]
async fn prometheus_remote_write_and_amtool_sign_in_the_usual_way() {
    let dir = TempDir::new("auth-tools");
    let config = dir.path().join("lookout.yml");
    std::fs::write(&config, "alertmanager:\n  route:\n    receiver: team\n  receivers:\n    - name: team\n").unwrap();
    let lookout = start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    let admin = basic("admin", ADMIN_PASSWORD);
    let token =
        post_as(&format!("{}/api/lookout/tokens", lookout.url), &admin, r#"{"name":"prometheus","scopes":["ingest"]}"#)
            .await;
    let secret = token["secret"].as_str().unwrap().to_string();
    post_as(
        &format!("{}/api/lookout/users", lookout.url),
        &admin,
        r#"{"name":"rita","role":"responder","password":"rita password"}"#,
    )
    .await;

    // Prometheus scrapes itself and remote-writes with the ingest token.
    let port = lookout_e2e::free_port();
    std::fs::write(
        dir.path().join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n\
             remote_write:\n  - url: {}/api/v1/write\n    authorization:\n      credentials: {secret}\n",
            lookout.url
        ),
    )
    .unwrap();
    let _prometheus = tokio::process::Command::new("/usr/bin/prometheus")
        .arg(format!("--config.file={}", dir.path().join("prometheus.yml").display()))
        .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("Debian's prometheus (make test installs it)");
    let query = format!("{}/api/v1/query?query={}", lookout.url, url_encode("up{job=\"self\"}"));
    eventually(Duration::from_secs(40), "Prometheus's samples in Lookout", || async {
        let (status, body) = get_as(&query, &basic("rita", "rita password")).await;
        if status == 200 && body.contains("\"job\":\"self\"") { Ok(()) } else { Err(format!("{status} {body}")) }
    })
    .await;
    // The ingest token pushes but cannot read.
    assert_eq!(get_as(&query, &format!("Bearer {secret}")).await.0, 403);

    // amtool with basic auth in its HTTP config: the silence is recorded as rita's, whatever
    // account amtool runs under.
    let http_config = dir.path().join("amtool-http.yml");
    std::fs::write(&http_config, "basic_auth:\n  username: rita\n  password: rita password\n").unwrap();
    let amtool = |args: Vec<String>| async move {
        tokio::process::Command::new("/usr/bin/amtool").args(args).output().await.expect("amtool")
    };
    let url_flag = format!("--alertmanager.url={}", lookout.url);
    let added = amtool(vec![
        url_flag.clone(),
        format!("--http.config.file={}", http_config.display()),
        "silence".into(),
        "add".into(),
        "alertname=Maintenance".into(),
        "--comment=planned".into(),
    ])
    .await;
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let (_, silences) = get_as(&format!("{}/api/v2/silences", lookout.url), &admin).await;
    let silences: serde_json::Value = serde_json::from_str(&silences).unwrap();
    assert_eq!(silences[0]["createdBy"], "rita", "{silences}");
    let refused = amtool(vec![url_flag, "silence".into(), "query".into()]).await;
    assert!(!refused.status.success(), "amtool without credentials is refused");
}

#[tokio::test]
async fn signing_in_in_the_browser_and_acknowledging_as_oneself() {
    let dir = TempDir::new("auth-browser");
    let config = dir.path().join("lookout.yml");
    std::fs::write(&config, "alertmanager:\n  route:\n    receiver: team\n  receivers:\n    - name: team\n").unwrap();
    let lookout = start(&["--no-demo", "--config", config.to_str().unwrap()]).await;
    let admin = basic("admin", ADMIN_PASSWORD);
    post_as(
        &format!("{}/api/lookout/users", lookout.url),
        &admin,
        r#"{"name":"rita","role":"responder","password":"rita password"}"#,
    )
    .await;
    post_as(
        &format!("{}/api/v2/alerts", lookout.url),
        &admin,
        r#"[{"labels":{"alertname":"PoolExhausted","severity":"critical"}}]"#,
    )
    .await;

    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/alerts", lookout.url)).await.unwrap();
    browser.wait_for_text("[data-testid=login-page]", Duration::from_secs(20), |t| t.contains("Sign in")).await;
    let sign_in = |password: &'static str| {
        let client = browser.client.clone();
        async move {
            for (id, value) in [("login-user", "rita"), ("login-password", password)] {
                let field = client.find(Locator::Id(id)).await.unwrap();
                field.clear().await.unwrap();
                field.send_keys(value).await.unwrap();
            }
            client.find(Locator::Id("login-submit")).await.unwrap().click().await.unwrap();
        }
    };
    sign_in("not rita's").await;
    let error = browser.wait_for_text("[data-testid=login-error]", Duration::from_secs(10), |t| !t.is_empty()).await;
    assert!(error.contains("wrong user name or password"), "{error}");
    sign_in("rita password").await;

    // Back on the page the URL named, signed in, with no "acting as" box: the server knows who.
    let card = "[data-testid=alert][data-state=firing]";
    browser.wait_for_text(card, Duration::from_secs(20), |t| t.contains("PoolExhausted")).await;
    let menu = browser.wait_for_text("[data-testid=user-menu]", Duration::from_secs(5), |t| !t.is_empty()).await;
    assert!(menu.contains("rita (responder)"), "{menu}");
    assert!(browser.client.find(Locator::Css("[data-testid=acting-as]")).await.is_err());
    browser.client.find(Locator::Css(&format!("{card} [data-testid=ack]"))).await.unwrap().click().await.unwrap();
    browser
        .wait_for_text("[data-testid=alert][data-acked=true] [data-testid=ack-note]", Duration::from_secs(10), |t| {
            t.starts_with("Acknowledged by rita")
        })
        .await;
    let (_, alerts) = get_as(&format!("{}/api/lookout/alerts", lookout.url), &admin).await;
    let alerts: serde_json::Value = serde_json::from_str(&alerts).unwrap();
    assert_eq!(alerts[0]["acknowledged"]["by"], "rita", "{alerts}");

    // A responder sees no user management; signing out brings the form back.
    browser.client.goto(&format!("{}/account", lookout.url)).await.unwrap();
    browser.wait_for_text("[data-testid=account-page]", Duration::from_secs(10), |t| t.contains("Your password")).await;
    assert!(browser.client.find(Locator::Css("[data-testid=users]")).await.is_err());
    browser.client.find(Locator::Css("[data-testid=sign-out]")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("[data-testid=login-page]", Duration::from_secs(10), |t| t.contains("Sign in")).await;
    browser.close().await;
}
