//! What a person sees in Chromium: the live Overview through the demo incident, the navigation,
//! and a clear state when the server goes away.

use std::time::Duration;

use fantoccini::Locator;
use lookout_e2e::{Browser, Lookout, TempDir};

fn percent(text: &str) -> Option<f64> {
    text.strip_suffix(" %")?.parse().ok()
}

fn pool(text: &str) -> Option<(f64, f64)> {
    let (used, limit) = text.split_once(" / ")?;
    Some((used.parse().ok()?, limit.parse().ok()?))
}

#[tokio::test]
async fn overview_shows_live_figures_through_the_incident() {
    let dir = TempDir::new("browser-config");
    let config = dir.path().join("lookout.yml");
    // The incident starts 25 s after launch and holds, so the test sees healthy, then exhausted.
    std::fs::write(&config, "demo:\n  first_incident_after: 25s\n  incident_duration: 10m\n").unwrap();
    let lookout = Lookout::start(&["--config", config.to_str().unwrap()]).await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/", lookout.url)).await.unwrap();

    // Healthy first: the figures arrive without a reload once two scrapes exist.
    let rate = browser
        .wait_for_text("[data-testid=value-payment_success_rate]", Duration::from_secs(30), |t| percent(t).is_some())
        .await;
    assert!(percent(&rate).unwrap() > 80.0, "healthy success rate {rate}");
    let healthy_pool =
        browser.wait_for_text("[data-testid=value-db_pool_usage]", Duration::from_secs(5), |t| pool(t).is_some()).await;
    let (used, limit) = pool(&healthy_pool).unwrap();
    assert!(used < 15.0 && limit == 20.0, "healthy pool {healthy_pool}");
    browser.wait_for_text("[data-testid=connection]", Duration::from_secs(5), |t| t.starts_with("Live")).await;

    // Then the incident: the pool reaches its limit and the card turns critical, on the same page.
    browser.wait_for_text("[data-testid=value-db_pool_usage]", Duration::from_secs(90), |t| t == "20 / 20").await;
    let card = browser.client.find(Locator::Css("[data-key=db_pool_usage]")).await.unwrap();
    assert!(card.attr("class").await.unwrap().unwrap().contains("health-critical"));
    browser
        .wait_for_text("[data-testid=value-payment_success_rate]", Duration::from_secs(30), |t| {
            percent(t).is_some_and(|v| v < 60.0)
        })
        .await;
    browser
        .wait_for_text("[data-testid=error-groups]", Duration::from_secs(10), |t| {
            t.contains("Connection pool exhausted! Waiting for available connection...")
        })
        .await;
    // Found without knowing the metric: the pool's gauge beside its `_max`, at capacity, named
    // by its pool; one click charts it.
    let full = browser
        .wait_for_text("[data-testid=at-capacity]", Duration::from_secs(10), |t| {
            t.contains("database_connections_active") && t.contains("20 of 20 (100 %) database connections")
        })
        .await;
    assert!(full.contains(r#"pool="payments""#), "{full}");
    let link = browser.client.find(Locator::Css("[data-testid=at-capacity] a")).await.unwrap();
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    assert!(href.starts_with("/explore?query=") && href.contains("database_connections_active"), "{href}");

    // The navigation reaches every page without a reload.
    for (link, heading) in
        [("Explore", "Explore"), ("Logs", "Logs"), ("Alerts", "Alerts"), ("Dashboards", "Dashboards")]
    {
        browser.client.find(Locator::LinkText(link)).await.unwrap().click().await.unwrap();
        browser.wait_for_text("main h1", Duration::from_secs(5), |t| t == heading).await;
        assert!(browser.client.current_url().await.unwrap().path().ends_with(&link.to_lowercase()));
    }
    browser.close().await;
}

#[tokio::test]
async fn a_dead_server_is_shown_not_a_blank_page() {
    let mut lookout = Lookout::start(&[]).await;
    let browser = Browser::start().await;
    browser.client.goto(&format!("{}/", lookout.url)).await.unwrap();
    browser.wait_for_text("[data-testid=connection]", Duration::from_secs(20), |t| t.starts_with("Live")).await;
    lookout.kill().await;
    let banner = browser
        .wait_for_text("[data-testid=connection]", Duration::from_secs(20), |t| {
            t.contains("cannot reach the Lookout server")
        })
        .await;
    assert!(banner.contains("Retrying every 2 s"), "{banner}");
    // The figures last seen stay on screen, marked as stale.
    assert!(banner.contains("The figures below are from"), "{banner}");
    assert!(browser.client.find(Locator::Css("[data-key=payment_success_rate]")).await.is_ok());
    browser.close().await;
}

#[tokio::test]
async fn explore_charts_a_query_from_the_url_and_underlines_errors() {
    let lookout = Lookout::start(&[]).await;
    // Two demo deliveries, five seconds apart, give rate() something to work with; wait until a
    // payment has also failed or timed out, so the chart has more than one status to show.
    lookout_e2e::eventually(Duration::from_secs(60), "demo samples with a failed payment", || async {
        let query = lookout_e2e::url_encode(r#"sum(rate(payment_requests_total{status!="success"}[1m])) > 0"#);
        let r = lookout_e2e::http_get(&format!("{}/api/v1/query?query={query}", lookout.url)).await?;
        if r.body.contains(r#""result":[{"#) { Ok(()) } else { Err(r.body) }
    })
    .await;
    let browser = Browser::start().await;
    let query = "sum%20by%20(status)%20(rate(payment_requests_total%5B1m%5D))";
    browser.client.goto(&format!("{}/explore?query={query}&from=now-5m&to=now", lookout.url)).await.unwrap();

    // The chart's legend lists one series per status, straight from the URL's query.
    let legend = browser
        .wait_for_text("[data-testid=legend]", Duration::from_secs(30), |t| t.contains(r#"{status="success"}"#))
        .await;
    assert!(legend.contains(r#"{status="failed"}"#) || legend.contains(r#"{status="timeout"}"#), "{legend}");
    let editor = browser.client.find(Locator::Css("[data-testid=query-input]")).await.unwrap();
    assert_eq!(editor.prop("value").await.unwrap().unwrap(), "sum by (status) (rate(payment_requests_total[1m]))");

    // The table view of the same query, chosen by a click, lands in the URL.
    browser.client.find(Locator::XPath("//button[text()='Table']")).await.unwrap().click().await.unwrap();
    browser.wait_for_text("[data-testid=result-table]", Duration::from_secs(10), |t| t.contains("status")).await;
    assert!(browser.client.current_url().await.unwrap().as_str().contains("view=table"));

    // A broken query: the error names the position and the editor marks the place.
    editor.clear().await.unwrap();
    editor.send_keys("sum(rate(payment_requests_total[5m]) by (status)\n").await.unwrap();
    let error = browser
        .wait_for_text("[data-testid=query-error]", Duration::from_secs(10), |t| t.contains("parse error"))
        .await;
    assert!(error.contains("1:38"), "{error}");
    let mark = browser.client.find(Locator::Css("[data-testid=query-error-mark] mark")).await.unwrap();
    assert_eq!(mark.text().await.unwrap(), "by");
    browser.close().await;
}
