//! Each service's request rate, error ratio and p99 latency, found by the naming conventions of
//! the instrumentation people use: OpenTelemetry's semantic conventions as Prometheus names them,
//! Prometheus client libraries, Spring's Micrometer and gRPC's interceptors. The result is PromQL
//! per figure, grouped by the label that names the service; the caller evaluates it.

use std::collections::{BTreeMap, BTreeSet};

use crate::names;

/// The metrics present: name to the label names its series carry.
pub type Catalog = BTreeMap<String, BTreeSet<String>>;

/// What one convention found: the request counter, its status label and latency histogram, and
/// the label that names the service.
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    pub convention: &'static str,
    pub service_label: String,
    pub requests_metric: String,
    pub status_label: Option<String>,
    pub buckets: Option<String>,
    /// Seconds per unit of the histogram.
    pub scale: f64,
}

/// The PromQL of each figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Queries {
    pub requests: String,
    pub error_ratio: Option<String>,
    pub p99: Option<String>,
}

impl Signals {
    /// Every service's figures at once, grouped by the service label.
    pub fn grouped(&self) -> Queries {
        self.queries(None)
    }

    /// One service's figures, for a person to open.
    pub fn for_service(&self, service: &str) -> Queries {
        self.queries(Some(service))
    }

    fn queries(&self, service: Option<&str>) -> Queries {
        let by = &self.service_label;
        let only = |extra: Option<String>| {
            let mut matchers: Vec<String> =
                service.map(|s| format!("{by}={}", crate::promql::quote(s))).into_iter().collect();
            matchers.extend(extra);
            if matchers.is_empty() { String::new() } else { format!("{{{}}}", matchers.join(",")) }
        };
        let (group, group_le) = match service {
            Some(_) => ("sum".to_string(), "sum by (le)".to_string()),
            None => (format!("sum by ({by})"), format!("sum by ({by}, le)")),
        };
        let requests = &self.requests_metric;
        let rate = |extra: Option<String>| format!("{group} (rate({requests}{}[5m]))", only(extra));
        let error_ratio = self.status_label.as_ref().map(|label| {
            let regex = crate::promql::quote(names::error_regex(label));
            format!("{} / {}", rate(Some(format!("{label}=~{regex}"))), rate(None))
        });
        let p99 = self.buckets.as_ref().map(|b| {
            let quantile = format!("histogram_quantile(0.99, {group_le} (rate({b}{}[5m])))", only(None));
            if self.scale == 1.0 { quantile } else { format!("{quantile} * {}", self.scale) }
        });
        Queries { requests: rate(None), error_ratio, p99 }
    }
}

/// One convention: the request counter, its status label, the latency histogram, the unit.
struct Convention {
    name: &'static str,
    requests: &'static str,
    status: &'static [&'static str],
    buckets: &'static str,
    /// Seconds per unit of the histogram.
    scale: f64,
}

const CONVENTIONS: &[Convention] = &[
    Convention {
        name: "opentelemetry_http",
        requests: "http_server_request_duration_seconds_count",
        status: &["http_response_status_code"],
        buckets: "http_server_request_duration_seconds_bucket",
        scale: 1.0,
    },
    Convention {
        name: "opentelemetry_http",
        requests: "http_server_duration_milliseconds_count",
        status: &["http_status_code"],
        buckets: "http_server_duration_milliseconds_bucket",
        scale: 0.001,
    },
    Convention {
        name: "opentelemetry_rpc",
        requests: "rpc_server_duration_milliseconds_count",
        status: &["rpc_grpc_status_code"],
        buckets: "rpc_server_duration_milliseconds_bucket",
        scale: 0.001,
    },
    Convention {
        name: "micrometer",
        requests: "http_server_requests_seconds_count",
        status: &["status", "outcome"],
        buckets: "http_server_requests_seconds_bucket",
        scale: 1.0,
    },
    Convention {
        name: "grpc",
        requests: "grpc_server_handled_total",
        status: &["grpc_code"],
        buckets: "grpc_server_handling_seconds_bucket",
        scale: 1.0,
    },
    Convention {
        name: "prometheus_client",
        requests: "http_requests_total",
        status: &["code", "status", "status_code"],
        buckets: "http_request_duration_seconds_bucket",
        scale: 1.0,
    },
];

/// The signals every convention finds among `metrics`: the fixed ones above, then any other
/// `*_requests_total` split by a status label, with a `*_duration_seconds` histogram of the same
/// prefix when there is one.
pub fn find(metrics: &Catalog) -> Vec<Signals> {
    let mut out = Vec::new();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for c in CONVENTIONS {
        if let Some(signals) = signals(metrics, c.name, c.requests, c.status, Some(c.buckets), c.scale) {
            used.insert(c.requests);
            out.push(signals);
        }
    }
    for name in metrics.keys() {
        let Some(prefix) = name.strip_suffix("_requests_total") else { continue };
        if used.contains(name.as_str()) {
            continue;
        }
        let histograms = [
            format!("{prefix}_request_duration_seconds_bucket"),
            format!("{prefix}_requests_duration_seconds_bucket"),
            format!("{prefix}_duration_seconds_bucket"),
        ];
        let buckets = histograms.iter().find(|h| metrics.contains_key(h.as_str())).map(String::as_str);
        if let Some(signals) = signals(metrics, "prometheus_client", name, &names::STATUS_LABELS, buckets, 1.0) {
            out.push(signals);
        }
    }
    out
}

fn signals(
    metrics: &Catalog,
    convention: &'static str,
    requests: &str,
    status: &[&str],
    buckets: Option<&str>,
    scale: f64,
) -> Option<Signals> {
    let labels = metrics.get(requests)?;
    let service_label = names::SERVICE_LABELS.iter().find(|l| labels.contains(**l))?.to_string();
    Some(Signals {
        convention,
        requests_metric: requests.to_string(),
        status_label: status.iter().find(|l| labels.contains(**l)).map(|l| l.to_string()),
        buckets: buckets.filter(|b| metrics.get(*b).is_some_and(|l| l.contains(&service_label))).map(str::to_string),
        service_label,
        scale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(entries: &[(&str, &[&str])]) -> Catalog {
        entries.iter().map(|(n, l)| (n.to_string(), l.iter().map(|s| s.to_string()).collect())).collect()
    }

    #[test]
    fn every_convention_on_its_names() {
        struct Case {
            metrics: Vec<(&'static str, &'static [&'static str])>,
            expected: (&'static str, &'static str, Option<&'static str>, Option<&'static str>),
        }
        let cases = [
            Case {
                metrics: vec![
                    ("http_server_request_duration_seconds_count", &["job", "http_response_status_code", "http_route"]),
                    ("http_server_request_duration_seconds_bucket", &["job", "http_response_status_code", "le"]),
                ],
                expected: (
                    "opentelemetry_http",
                    "sum by (job) (rate(http_server_request_duration_seconds_count[5m]))",
                    Some(
                        r#"sum by (job) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5..|5xx|(?i:error|errors|failed|failure|fail|server_error|exception|timeout|timed_out)"}[5m])) / sum by (job) (rate(http_server_request_duration_seconds_count[5m]))"#,
                    ),
                    Some(
                        "histogram_quantile(0.99, sum by (job, le) (rate(http_server_request_duration_seconds_bucket[5m])))",
                    ),
                ),
            },
            Case {
                metrics: vec![
                    ("rpc_server_duration_milliseconds_count", &["service_name", "rpc_grpc_status_code"]),
                    ("rpc_server_duration_milliseconds_bucket", &["service_name", "le"]),
                ],
                expected: (
                    "opentelemetry_rpc",
                    "sum by (service_name) (rate(rpc_server_duration_milliseconds_count[5m]))",
                    Some(
                        r#"sum by (service_name) (rate(rpc_server_duration_milliseconds_count{rpc_grpc_status_code=~"Unknown|DeadlineExceeded|Unimplemented|Internal|Unavailable|DataLoss|2|4|12|13|14|15"}[5m])) / sum by (service_name) (rate(rpc_server_duration_milliseconds_count[5m]))"#,
                    ),
                    Some(
                        "histogram_quantile(0.99, sum by (service_name, le) (rate(rpc_server_duration_milliseconds_bucket[5m]))) * 0.001",
                    ),
                ),
            },
            Case {
                metrics: vec![("http_server_requests_seconds_count", &["application", "job", "status", "uri"])],
                expected: (
                    "micrometer",
                    "sum by (job) (rate(http_server_requests_seconds_count[5m]))",
                    Some("status"),
                    None,
                ),
            },
            Case {
                metrics: vec![
                    ("grpc_server_handled_total", &["job", "grpc_code", "grpc_method"]),
                    ("grpc_server_handling_seconds_bucket", &["job", "le"]),
                ],
                expected: (
                    "grpc",
                    "sum by (job) (rate(grpc_server_handled_total[5m]))",
                    Some("grpc_code"),
                    Some("grpc_server_handling_seconds_bucket"),
                ),
            },
            Case {
                metrics: vec![("http_requests_total", &["job", "code", "handler"])],
                expected: ("prometheus_client", "sum by (job) (rate(http_requests_total[5m]))", Some("code"), None),
            },
            // The seed's own names: any `*_requests_total` with a status, and its histogram.
            Case {
                metrics: vec![
                    ("payment_requests_total", &["job", "instance", "status", "gateway"]),
                    ("payment_duration_seconds_bucket", &["job", "instance", "gateway", "le"]),
                ],
                expected: (
                    "prometheus_client",
                    "sum by (job) (rate(payment_requests_total[5m]))",
                    Some("status"),
                    Some("payment_duration_seconds_bucket"),
                ),
            },
        ];
        for case in cases {
            let found = find(&catalog(&case.metrics));
            assert_eq!(found.len(), 1, "{found:?}");
            let q = found[0].grouped();
            let s = &q;
            let (convention, requests, errors, p99) = case.expected;
            assert_eq!((found[0].convention, s.requests.as_str()), (convention, requests));
            match errors {
                Some(e) if e.contains(' ') => assert_eq!(s.error_ratio.as_deref(), Some(e)),
                Some(label) => {
                    assert!(s.error_ratio.as_deref().is_some_and(|q| q.contains(&format!("{label}=~"))), "{s:?}")
                }
                None => assert_eq!(s.error_ratio, None),
            }
            match p99 {
                Some(p) if p.contains(' ') => assert_eq!(s.p99.as_deref(), Some(p)),
                Some(bucket) => assert!(s.p99.as_deref().is_some_and(|q| q.contains(bucket)), "{s:?}"),
                None => assert_eq!(s.p99, None),
            }
        }
    }

    #[test]
    fn one_service_alone() {
        let found = find(&catalog(&[
            ("http_requests_total", &["job", "code"]),
            ("http_request_duration_seconds_bucket", &["job", "le"]),
        ]));
        let q = found[0].for_service("check\"out");
        assert_eq!(q.requests, r#"sum (rate(http_requests_total{job="check\"out"}[5m]))"#);
        assert_eq!(
            q.p99.as_deref(),
            Some(
                r#"histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="check\"out"}[5m])))"#
            )
        );
    }

    #[test]
    fn nothing_without_a_service_label_or_a_known_name() {
        assert!(find(&catalog(&[("http_requests_total", &["code"])])).is_empty());
        assert!(find(&catalog(&[("queue_depth", &["job"])])).is_empty());
        assert!(find(&Catalog::new()).is_empty());
    }
}
