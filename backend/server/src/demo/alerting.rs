//! The demo's notifier configuration, used when the config file has no `alertmanager:` section:
//! critical alerts page (PagerDuty), post to Slack and mail the on-call; high ones go to Slack and
//! mail; medium ones only to mail; an exhausted connection pool inhibits the symptoms it causes;
//! an unacknowledged critical group escalates after five minutes. Every receiver is a stand-in
//! from [`super::inbox`], reached over real HTTP and SMTP.

use std::net::SocketAddr;

/// Where the stand-ins listen: the HTTP stand-ins' address and the SMTP stand-in's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoEndpoints {
    pub http: SocketAddr,
    pub smtp: SocketAddr,
}

/// The demo's `alertmanager.yml`, with the stand-ins' addresses filled in.
pub fn config_text(at: DemoEndpoints) -> String {
    let inbox = format!("http://{}", at.http);
    let email = |to: &str| {
        format!(
            "    email_configs:\n      - to: '{to}'\n        from: 'lookout@payments.example'\n        smarthost: '{}'\n        require_tls: false\n        send_resolved: true\n",
            at.smtp
        )
    };
    let slack = |channel: &str| {
        format!(
            "    slack_configs:\n      - api_url: '{inbox}/slack'\n        channel: '{channel}'\n        send_resolved: true\n"
        )
    };
    let pagerduty = format!(
        "    pagerduty_configs:\n      - routing_key: demo-payments-service\n        url: '{inbox}/pagerduty'\n"
    );
    let receivers = [
        ("oncall", [pagerduty.as_str(), &slack("#payments-oncall"), &email("oncall@payments.example")].concat()),
        ("team", [slack("#payments"), email("payments-team@payments.example")].concat()),
        ("mail", email("payments-team@payments.example")),
        ("sre-lead", email("sre-lead@payments.example")),
    ]
    .iter()
    .map(|(name, integrations)| format!("  - name: {name}\n{integrations}"))
    .collect::<String>();
    format!(
        "route:
  receiver: mail
  group_by: [alertname, service]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 1h
  routes:
    - matchers: ['severity=\"critical\"']
      receiver: oncall
      escalate:
        - after: 5m
          receiver: sre-lead
    - matchers: ['severity=\"high\"']
      receiver: team
    - matchers: ['severity=\"medium\"']
      receiver: mail
inhibit_rules:
  - source_matchers: ['alertname=\"DatabaseConnectionsHigh\"']
    target_matchers: ['alertname=~\"PaymentSuccessRateLow|HighErrorRate|GatewaySlow\"']
receivers:
{receivers}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_routes_by_severity_and_inhibits_symptoms() {
        let at = DemoEndpoints { http: "127.0.0.1:3000".parse().unwrap(), smtp: "127.0.0.1:2525".parse().unwrap() };
        let config = lookout_alertmanager::config::load(&config_text(at)).unwrap_or_else(|e| panic!("{e}"));
        let route = |severity: &str| {
            let labels = lookout_alertmanager::labels::label_set([("alertname", "X"), ("severity", severity)]);
            config.route.receivers(&labels)
        };
        assert_eq!(route("critical"), ["oncall"]);
        assert_eq!(route("high"), ["team"]);
        assert_eq!(route("medium"), ["mail"]);
        assert_eq!(route("low"), ["mail"]);
        let kinds: Vec<&str> = config.receiver("oncall").unwrap().integrations.iter().map(|i| i.kind()).collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        assert!(kinds.contains(&"pagerduty") && kinds.contains(&"slack") && kinds.contains(&"email"));
        assert_eq!(config.inhibit_rules.len(), 1);
        // What /api/v2/status shows: no secrets, and nothing amtool's strict loader would refuse.
        assert!(config.original.contains("routing_key: <secret>"), "{}", config.original);
        assert!(!config.original.contains("escalate"), "{}", config.original);
    }
}
