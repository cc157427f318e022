//! The naming conventions every heuristic shares: what a metric name says about its type, which
//! series are the monitoring system watching itself, which label names a service or a status,
//! which status values are failures, and how to name what a series measures in a few words.

use lookout_tsdb::Labels;

/// Labels that name the service a series or a log stream belongs to, most specific first.
pub const SERVICE_LABELS: [&str; 4] = ["service", "service_name", "app", "job"];

/// Labels that split requests by outcome.
pub const STATUS_LABELS: [&str; 11] = [
    "http_response_status_code",
    "http_status_code",
    "status_code",
    "code",
    "status",
    "http_status",
    "grpc_code",
    "rpc_grpc_status_code",
    "grpc_status",
    "outcome",
    "result",
];

/// Labels that best name what a series is about, in the order a person would reach for them.
const SUBJECT_LABELS: [&str; 16] = [
    "pool_name",
    "pool",
    "db_client_connection_pool_name",
    "datname",
    "database",
    "db",
    "mountpoint",
    "container",
    "pod",
    "server",
    "service",
    "service_name",
    "app",
    "job",
    "instance",
    "name",
];

/// Whether a metric of this name counts up (its rate is what moves).
pub fn is_counter(name: &str) -> bool {
    name.ends_with("_total") || name.ends_with("_count") || name.ends_with("_sum")
}

/// Parts of a histogram or summary that are not a figure of their own.
pub fn is_histogram_part(name: &str) -> bool {
    name.ends_with("_bucket")
}

/// Series whose value is a time, a version or a constant description, never a level that moves.
pub fn is_not_a_level(name: &str) -> bool {
    name.ends_with("_info")
        || name.ends_with("_created")
        || name.ends_with("_timestamp")
        || name.ends_with("_timestamp_seconds")
        || name.ends_with("_time_seconds")
        || name == "target_info"
}

/// The monitoring system watching itself: Prometheus's per-scrape series, Lookout's own, and the
/// alert series rules write. `up` is here too; a target that is down is a finding of its own.
pub fn is_self_monitoring(name: &str) -> bool {
    name == "up"
        || name.starts_with("scrape_")
        || name.starts_with("lookout_")
        || name.starts_with("prometheus_")
        || name == "ALERTS"
        || name == "ALERTS_FOR_STATE"
}

/// The service a series or stream belongs to, from its labels.
pub fn service(labels: &Labels) -> Option<&str> {
    SERVICE_LABELS.iter().find_map(|name| labels.get(name))
}

/// The label value naming what a series is about (`orders-db`, `db:5432`), if it has one.
pub fn subject_label(labels: &Labels) -> Option<&str> {
    SUBJECT_LABELS.iter().find_map(|name| labels.get(name))
}

/// What a series is about: its subject label, or its metric name when it has none.
pub fn subject(labels: &Labels) -> String {
    subject_label(labels).or(labels.metric_name()).unwrap_or("").to_string()
}

/// Whether a value of the status label `label` is a failure of the service: 5xx HTTP codes,
/// gRPC codes that mean the server failed, and the words clients use for a failed outcome.
pub fn is_error_status(label: &str, value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if label.contains("grpc") {
        return matches!(
            lower.as_str(),
            "unknown"
                | "deadlineexceeded"
                | "deadline_exceeded"
                | "unimplemented"
                | "internal"
                | "unavailable"
                | "dataloss"
                | "data_loss"
                | "2"
                | "4"
                | "12"
                | "13"
                | "14"
                | "15"
        );
    }
    if lower.len() == 3 && lower.starts_with('5') && lower[1..].bytes().all(|b| b.is_ascii_digit() || b == b'x') {
        return true;
    }
    matches!(
        lower.as_str(),
        "error" | "errors" | "failed" | "failure" | "fail" | "server_error" | "exception" | "timeout" | "timed_out"
    )
}

/// A PromQL regular expression matching the failure values of the status label `label`, as
/// [`is_error_status`] judges them.
pub fn error_regex(label: &str) -> &'static str {
    if label.contains("grpc") {
        "Unknown|DeadlineExceeded|Unimplemented|Internal|Unavailable|DataLoss|2|4|12|13|14|15"
    } else {
        "5..|5xx|(?i:error|errors|failed|failure|fail|server_error|exception|timeout|timed_out)"
    }
}

/// Splits a metric name into its `_`-separated words.
pub fn words(name: &str) -> Vec<&str> {
    name.split('_').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_by_convention() {
        let check = |label, value, expected| assert_eq!(is_error_status(label, value), expected, "{label}={value}");
        check("code", "500", true);
        check("code", "503", true);
        check("status", "5xx", true);
        check("http_response_status_code", "404", false);
        check("code", "200", false);
        check("status", "success", false);
        check("status", "failed", true);
        check("outcome", "SERVER_ERROR", true);
        check("outcome", "CLIENT_ERROR", false);
        check("grpc_code", "Unavailable", true);
        check("grpc_code", "NotFound", false);
        check("grpc_code", "OK", false);
        check("rpc_grpc_status_code", "14", true);
        check("rpc_grpc_status_code", "0", false);
    }

    #[test]
    fn subjects_and_services() {
        let labels = |pairs: &[(&str, &str)]| Labels::from_pairs(pairs.iter().copied());
        assert_eq!(
            subject(&labels(&[("__name__", "x"), ("pool_name", "orders-db"), ("job", "checkout")])),
            "orders-db"
        );
        assert_eq!(subject(&labels(&[("__name__", "x"), ("instance", "db:9187"), ("job", "postgres")])), "postgres");
        assert_eq!(subject(&labels(&[("__name__", "x")])), "x");
        assert_eq!(service(&labels(&[("job", "checkout"), ("service_name", "checkout-api")])), Some("checkout-api"));
        assert!(is_self_monitoring("scrape_series_added") && is_self_monitoring("up"));
        assert!(!is_self_monitoring("http_requests_total"));
    }
}
