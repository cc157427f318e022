//! The Logs page in Chromium: a search from the URL with its histogram by level, a line expanded
//! to its fields and traceback (as text, never HTML), the lines around it, one request followed
//! across services in one click, the live tail, a parse error marked in the editor, and the
//! Overview's link into a request.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fantoccini::Locator;
use fantoccini::elements::Element;
use lookout_e2e::{Browser, Lookout, eventually, http_delete, http_get, http_post, url_encode};

const REQUEST: &str = "req-e2e-42";

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// One NDJSON line `ago_s` seconds before `now`.
fn line(now: i64, ago_s: i64, service: &str, level: &str, message: &str, extra: &str) -> String {
    format!(
        r#"{{"timestamp":{},"service":"{service}","level":"{level}","logger":"app","message":"{message}"{extra}}}"#,
        now - ago_s * 1000
    )
}

async fn post_logs(url: &str, body: &str) {
    let headers = [("Content-Type", "application/x-ndjson")];
    let response = http_post(&format!("{url}/api/v1/logs"), &headers, body.as_bytes()).await.unwrap();
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(response.body.contains(r#""rejected":[]"#), "{}", response.body);
}

async fn texts(elements: Vec<Element>) -> Vec<String> {
    let mut out = Vec::new();
    for e in elements {
        out.push(e.text().await.unwrap());
    }
    out
}

async fn row_texts(browser: &Browser, css: &str) -> Vec<String> {
    texts(browser.client.find_all(Locator::Css(css)).await.unwrap()).await
}

#[tokio::test]
async fn logs_page_searches_expands_and_follows_a_request_across_services() {
    let lookout = Lookout::start(&["--no-demo"]).await;
    let now = now_ms();
    let id = format!(r#","request_id":"{REQUEST}""#);
    let traceback = r#","exception":"Traceback (most recent call last):\n  File \"pay.py\", line 7, in charge\nTimeoutError: no connection within 20 s""#;
    let body = [
        line(now, 60, "api-gateway", "INFO", "POST /api/v1/payments accepted", &id),
        line(now, 50, "order-service", "INFO", "Order created", &format!(r#"{id},"order_id":"ord-7""#)),
        line(
            now,
            40,
            "payment-service",
            "WARNING",
            "Connection pool exhausted! Waiting for available connection...",
            &id,
        ),
        line(now, 30, "payment-service", "ERROR", "Payment timed out <b>bold</b>", &format!("{id}{traceback}")),
        line(now, 20, "payment-service", "INFO", "Health check ok", r#","request_id":"req-other""#),
        line(now, 10, "api-gateway", "INFO", "GET /health 200", ""),
    ]
    .join("\n");
    post_logs(&lookout.url, &body).await;

    let browser = Browser::start().await;
    let query = url_encode(r#"{service=~".+"}"#);
    browser.client.goto(&format!("{}/logs?query={query}&from=now-1h&to=now", lookout.url)).await.unwrap();

    // Every line, newest first, and a histogram whose legend counts them by level.
    browser.wait_for_text("[data-testid=log-count]", Duration::from_secs(20), |t| t.starts_with("6 lines")).await;
    let rows = row_texts(&browser, "[data-testid=log-row]").await;
    assert!(rows[0].contains("GET /health 200") && rows[5].contains("POST /api/v1/payments"), "{rows:?}");
    let legend =
        browser.wait_for_text("[data-testid=log-histogram]", Duration::from_secs(10), |t| t.contains("ERROR 1")).await;
    assert!(legend.contains("WARNING 1") && legend.contains("INFO 4"), "{legend}");

    // The error line expanded: its fields, its traceback, and markup in it shown as text.
    let error_row = "[data-testid=log-row][data-level=ERROR] .log-summary";
    browser.client.find(Locator::Css(error_row)).await.unwrap().click().await.unwrap();
    let details =
        browser.wait_for_text("[data-testid=log-details]", Duration::from_secs(5), |t| t.contains("Traceback")).await;
    assert!(details.contains("TimeoutError: no connection within 20 s"), "{details}");
    assert!(details.contains("<b>bold</b>"), "{details}");
    assert!(browser.client.find_all(Locator::Css("[data-testid=log-details] b")).await.unwrap().is_empty());

    // Its context: the lines just before and after it in the same service.
    browser.client.find(Locator::Css("[data-testid=context-button]")).await.unwrap().click().await.unwrap();
    let context = browser
        .wait_for_text("[data-testid=context-lines]", Duration::from_secs(10), |t| t.contains("Health check ok"))
        .await;
    assert!(context.contains("Connection pool exhausted!"), "{context}");
    assert!(!context.contains("GET /health"), "another service's line in the context: {context}");

    // One click on its request_id: that request through every service, oldest first.
    browser
        .client
        .find(Locator::Css("[data-testid=log-details] [data-testid=field-link]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for_text("[data-testid=log-count]", Duration::from_secs(10), |t| t.starts_with("4 lines")).await;
    let url = browser.client.current_url().await.unwrap();
    assert!(url.as_str().contains("request_id"), "{url}");
    let services = row_texts(&browser, "[data-testid=log-row] .log-service").await;
    assert_eq!(services, ["api-gateway", "order-service", "payment-service", "payment-service"]);
    let editor = browser.client.find(Locator::Css("[data-testid=query-input]")).await.unwrap();
    assert_eq!(editor.prop("value").await.unwrap().unwrap(), format!(r#"{{request_id="{REQUEST}"}}"#));

    // The live tail of that request: a new line from another service arrives without a reload.
    browser.client.find(Locator::Css("[data-testid=live-toggle]")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("[data-testid=live-status]", Duration::from_secs(10), |t| t.starts_with("Live")).await;
    let refund = line(now_ms(), 0, "refund-service", "INFO", "Refund issued", &id);
    post_logs(&lookout.url, &refund).await;
    browser.wait_for_text("[data-testid=log-count]", Duration::from_secs(5), |t| t.starts_with("5 lines")).await;
    let services = row_texts(&browser, "[data-testid=log-row] .log-service").await;
    assert_eq!(services.last().map(String::as_str), Some("refund-service"), "{services:?}");

    // A broken query: Loki's error with its position, and the place marked in the editor.
    editor.clear().await.unwrap();
    editor.send_keys("{service=\"payment-service\"} |= \n").await.unwrap();
    let error = browser
        .wait_for_text("[data-testid=query-error]", Duration::from_secs(10), |t| t.contains("parse error"))
        .await;
    assert!(error.contains("line 1, col"), "{error}");
    assert!(browser.client.find(Locator::Css("[data-testid=query-error-mark] mark")).await.is_ok());
    browser.close().await;
}

#[tokio::test]
async fn an_overview_error_links_to_every_line_of_its_request() {
    let lookout = Lookout::start(&["--no-demo"]).await;
    let now = now_ms();
    let id = format!(r#","request_id":"{REQUEST}""#);
    let body = [
        line(now, 30, "api-gateway", "INFO", "POST /api/v1/payments accepted", &id),
        line(now, 20, "payment-service", "ERROR", "Payment timed out after 20000 ms", &id),
        // The gateway logs the request's end after the error, as a slow request would.
        line(now, -20, "api-gateway", "ERROR", "POST /api/v1/payments 504", &id),
    ]
    .join("\n");
    post_logs(&lookout.url, &body).await;

    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/", lookout.url)).await.unwrap();
    browser
        .wait_for_text("[data-testid=error-groups]", Duration::from_secs(20), |t| t.contains("Payment timed out"))
        .await;
    let link = browser
        .client
        .find(Locator::XPath("//li[contains(., 'Payment timed out')]//a[@data-testid='follow-request']"))
        .await
        .unwrap();
    assert_eq!(link.text().await.unwrap(), REQUEST);
    link.click().await.unwrap();
    browser.wait_for_text("[data-testid=log-count]", Duration::from_secs(10), |t| t.starts_with("3 lines")).await;
    let messages = row_texts(&browser, "[data-testid=log-row] .log-message").await;
    assert_eq!(
        messages,
        ["POST /api/v1/payments accepted", "Payment timed out after 20000 ms", "POST /api/v1/payments 504"]
    );
    browser.close().await;
}

#[tokio::test]
async fn a_share_link_shows_the_same_view_in_a_fresh_browser() {
    let lookout = Lookout::start(&["--no-demo"]).await;
    let now = now_ms();
    let body = [
        line(now, 50, "payment-service", "ERROR", "Connection pool exhausted", ""),
        line(now, 40, "payment-service", "INFO", "Payment processed", ""),
        line(now, 30, "order-service", "INFO", "Order paid", ""),
    ]
    .join("\n");
    post_logs(&lookout.url, &body).await;
    let browser = Browser::start().await;
    let query = url_encode(r#"{service="payment-service"}"#);
    browser
        .client
        .goto(&format!("{}/logs?query={query}&from=now-1h&to=now&direction=forward", lookout.url))
        .await
        .unwrap();
    browser.wait_for_text("[data-testid=log-count]", Duration::from_secs(20), |t| t.starts_with("2 lines")).await;
    browser.client.find(Locator::Css("[data-testid=share]")).await.unwrap().click().await.unwrap();
    let short = eventually(Duration::from_secs(10), "the short link", || async {
        let input = browser.client.find(Locator::Css("[data-testid=share-link]")).await.map_err(|e| e.to_string())?;
        input.prop("value").await.map_err(|e| e.to_string())?.filter(|v| v.contains("/s/")).ok_or("empty".to_string())
    })
    .await;
    browser.close().await;

    // Someone else, in a fresh browser, later: the same lines, the same query, the times fixed.
    let other = Browser::start().await;
    other.client.goto(&short).await.unwrap();
    other.wait_for_text("[data-testid=log-count]", Duration::from_secs(20), |t| t.starts_with("2 lines")).await;
    let url = other.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/logs");
    let params: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let from: i64 = params["from"].parse().expect("from is absolute");
    let to: i64 = params["to"].parse().expect("to is absolute");
    assert!((to - now).abs() < 60_000 && to - from == 3_600_000, "{from} {to}");
    assert_eq!(params["direction"], "forward");
    let editor = other.client.find(Locator::Css("[data-testid=query-input]")).await.unwrap();
    assert_eq!(editor.prop("value").await.unwrap().unwrap(), r#"{service="payment-service"}"#);
    other.close().await;

    // Kept until deleted.
    let id = short.rsplit('/').next().unwrap();
    let links = http_get(&format!("{}/api/lookout/links", lookout.url)).await.unwrap();
    assert!(links.body.contains(id), "{}", links.body);
    let deleted = http_delete(&format!("{}/api/lookout/links/{id}", lookout.url)).await.unwrap();
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let gone = http_get(&format!("{}/s/{id}", lookout.url)).await.unwrap();
    assert_eq!(gone.status, 404);
}
