//! Limit pairs of exporters people run, each a row: the used metric (with the label values that
//! mark "in use"), the limit metric, and whether the used metric counts what is left instead.
//! The used side is summed over the series that carry the limit's labels, so per-database
//! `pg_stat_activity_count` adds up against the server's `max_connections`.

use super::{Pair, Side};

/// One row of the catalog.
struct Row {
    rule: &'static str,
    what: &'static str,
    used: (&'static str, &'static [(&'static str, &'static str)]),
    limit: (&'static str, &'static [(&'static str, &'static str)]),
    remaining: bool,
}

const fn row(
    rule: &'static str,
    what: &'static str,
    used: (&'static str, &'static [(&'static str, &'static str)]),
    limit: (&'static str, &'static [(&'static str, &'static str)]),
) -> Row {
    Row { rule, what, used, limit, remaining: false }
}

const fn left(
    rule: &'static str,
    what: &'static str,
    used: (&'static str, &'static [(&'static str, &'static str)]),
    limit: (&'static str, &'static [(&'static str, &'static str)]),
) -> Row {
    Row { rule, what, used, limit, remaining: true }
}

const ROWS: &[Row] = &[
    row("postgres_exporter", "connections", ("pg_stat_activity_count", &[]), ("pg_settings_max_connections", &[])),
    // OpenTelemetry's database client pool, before and after the semantic conventions' rename.
    row(
        "opentelemetry_db_pool",
        "connections",
        ("db_client_connections_usage", &[("state", "used")]),
        ("db_client_connections_max", &[]),
    ),
    row(
        "opentelemetry_db_pool",
        "connections",
        ("db_client_connection_count", &[("db_client_connection_state", "used")]),
        ("db_client_connection_max", &[]),
    ),
    row(
        "opentelemetry_db_pool",
        "connections",
        ("db_client_connection_count", &[("state", "used")]),
        ("db_client_connection_max", &[]),
    ),
    row("hikaricp", "connections", ("hikaricp_connections_active", &[]), ("hikaricp_connections_max", &[])),
    row(
        "pgbouncer_exporter",
        "client connections",
        ("pgbouncer_pools_client_active_connections", &[]),
        ("pgbouncer_config_max_client_connections", &[]),
    ),
    row(
        "mysqld_exporter",
        "connections",
        ("mysql_global_status_threads_connected", &[]),
        ("mysql_global_variables_max_connections", &[]),
    ),
    row("redis_exporter", "clients", ("redis_connected_clients", &[]), ("redis_config_maxclients", &[])),
    row("redis_exporter", "memory", ("redis_memory_used_bytes", &[]), ("redis_memory_max_bytes", &[])),
    left("node_exporter", "disk space", ("node_filesystem_avail_bytes", &[]), ("node_filesystem_size_bytes", &[])),
    left("node_exporter", "memory", ("node_memory_MemAvailable_bytes", &[]), ("node_memory_MemTotal_bytes", &[])),
    row("process", "file descriptors", ("process_open_fds", &[]), ("process_max_fds", &[])),
    row("go_runtime", "heap", ("go_memstats_heap_alloc_bytes", &[]), ("go_gc_gomemlimit_bytes", &[])),
    row(
        "jvm_micrometer",
        "heap",
        ("jvm_memory_used_bytes", &[("area", "heap")]),
        ("jvm_memory_max_bytes", &[("area", "heap")]),
    ),
    row(
        "jvm_opentelemetry",
        "heap",
        ("jvm_memory_used_bytes", &[("jvm_memory_type", "heap")]),
        ("jvm_memory_limit_bytes", &[("jvm_memory_type", "heap")]),
    ),
    row("cadvisor", "memory", ("container_memory_working_set_bytes", &[]), ("container_spec_memory_limit_bytes", &[])),
];

/// Every catalog pair.
pub fn pairs() -> Vec<Pair> {
    ROWS.iter()
        .map(|r| Pair {
            rule: r.rule.into(),
            what: r.what.into(),
            used: Side::new(r.used.0, r.used.1),
            limit: Side::new(r.limit.0, r.limit.1),
            remaining: r.remaining,
        })
        .collect()
}

/// Whether a rule name is one of the catalog's (a generic rule yields to it).
pub fn is_catalog(rule: &str) -> bool {
    ROWS.iter().any(|r| r.rule == rule)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{NOW, every_15s, series, summary};
    use super::super::{FULL, find};

    /// The limit pair the catalog finds in each exporter's series (names and labels as the
    /// exporters write them), and that nothing is found a little below [`FULL`].
    /// A used series: its metric, labels and value.
    type UsedSeries = (&'static str, Vec<(&'static str, &'static str)>, f64);

    #[test]
    fn every_row_on_its_exporters_names() {
        struct Case {
            rule: &'static str,
            used: Vec<UsedSeries>,
            limit: (&'static str, Vec<(&'static str, &'static str)>, f64),
            subject: &'static str,
            expected_used: f64,
        }
        let pg = vec![("instance", "db:9187"), ("job", "postgres"), ("server", "127.0.0.1:5432")];
        let with = |base: &Vec<(&'static str, &'static str)>, more: &[(&'static str, &'static str)]| {
            let mut all = base.clone();
            all.extend_from_slice(more);
            all
        };
        let cases = vec![
            Case {
                rule: "postgres_exporter",
                used: vec![
                    ("pg_stat_activity_count", with(&pg, &[("datname", "orders"), ("state", "active")]), 60.0),
                    ("pg_stat_activity_count", with(&pg, &[("datname", "orders"), ("state", "idle")]), 25.0),
                    ("pg_stat_activity_count", with(&pg, &[("datname", "postgres"), ("state", "idle")]), 5.0),
                ],
                limit: ("pg_settings_max_connections", pg.clone(), 100.0),
                subject: "127.0.0.1:5432",
                expected_used: 90.0,
            },
            Case {
                rule: "opentelemetry_db_pool",
                used: vec![
                    ("db_client_connections_usage", vec![("pool_name", "orders-db"), ("state", "used")], 20.0),
                    ("db_client_connections_usage", vec![("pool_name", "orders-db"), ("state", "idle")], 0.0),
                ],
                limit: ("db_client_connections_max", vec![("pool_name", "orders-db")], 20.0),
                subject: "orders-db",
                expected_used: 20.0,
            },
            Case {
                rule: "opentelemetry_db_pool",
                used: vec![(
                    "db_client_connection_count",
                    vec![("db_client_connection_pool_name", "p"), ("db_client_connection_state", "used")],
                    9.0,
                )],
                limit: ("db_client_connection_max", vec![("db_client_connection_pool_name", "p")], 10.0),
                subject: "p",
                expected_used: 9.0,
            },
            Case {
                rule: "hikaricp",
                used: vec![("hikaricp_connections_active", vec![("pool", "HikariPool-1")], 10.0)],
                limit: ("hikaricp_connections_max", vec![("pool", "HikariPool-1")], 10.0),
                subject: "HikariPool-1",
                expected_used: 10.0,
            },
            Case {
                rule: "pgbouncer_exporter",
                used: vec![
                    (
                        "pgbouncer_pools_client_active_connections",
                        vec![("database", "a"), ("user", "u"), ("job", "pgb")],
                        50.0,
                    ),
                    (
                        "pgbouncer_pools_client_active_connections",
                        vec![("database", "b"), ("user", "u"), ("job", "pgb")],
                        45.0,
                    ),
                ],
                limit: ("pgbouncer_config_max_client_connections", vec![("job", "pgb")], 100.0),
                subject: "pgb",
                expected_used: 95.0,
            },
            Case {
                rule: "mysqld_exporter",
                used: vec![(
                    "mysql_global_status_threads_connected",
                    vec![("instance", "m:9104"), ("job", "mysql")],
                    151.0,
                )],
                limit: (
                    "mysql_global_variables_max_connections",
                    vec![("instance", "m:9104"), ("job", "mysql")],
                    151.0,
                ),
                subject: "mysql",
                expected_used: 151.0,
            },
            Case {
                rule: "redis_exporter",
                used: vec![("redis_connected_clients", vec![("instance", "r:9121")], 9_000.0)],
                limit: ("redis_config_maxclients", vec![("instance", "r:9121")], 10_000.0),
                subject: "r:9121",
                expected_used: 9_000.0,
            },
            Case {
                rule: "node_exporter",
                used: vec![(
                    "node_filesystem_avail_bytes",
                    vec![("device", "/dev/vda1"), ("fstype", "ext4"), ("mountpoint", "/var")],
                    5e9,
                )],
                limit: (
                    "node_filesystem_size_bytes",
                    vec![("device", "/dev/vda1"), ("fstype", "ext4"), ("mountpoint", "/var")],
                    100e9,
                ),
                subject: "/var",
                expected_used: 95e9,
            },
            Case {
                rule: "node_exporter",
                used: vec![("node_memory_MemAvailable_bytes", vec![("instance", "n:9100")], 1e9)],
                limit: ("node_memory_MemTotal_bytes", vec![("instance", "n:9100")], 16e9),
                subject: "n:9100",
                expected_used: 15e9,
            },
            Case {
                rule: "process",
                used: vec![("process_open_fds", vec![("job", "api")], 1000.0)],
                limit: ("process_max_fds", vec![("job", "api")], 1024.0),
                subject: "api",
                expected_used: 1000.0,
            },
            Case {
                rule: "go_runtime",
                used: vec![("go_memstats_heap_alloc_bytes", vec![("job", "api")], 900e6)],
                limit: ("go_gc_gomemlimit_bytes", vec![("job", "api")], 1e9),
                subject: "api",
                expected_used: 900e6,
            },
            Case {
                rule: "jvm_micrometer",
                used: vec![(
                    "jvm_memory_used_bytes",
                    vec![("area", "heap"), ("id", "G1 Old Gen"), ("job", "shop")],
                    950e6,
                )],
                limit: ("jvm_memory_max_bytes", vec![("area", "heap"), ("id", "G1 Old Gen"), ("job", "shop")], 1e9),
                subject: "shop",
                expected_used: 950e6,
            },
            Case {
                rule: "jvm_opentelemetry",
                used: vec![(
                    "jvm_memory_used_bytes",
                    vec![("jvm_memory_type", "heap"), ("jvm_memory_pool_name", "G1 Old Gen"), ("job", "shop")],
                    950e6,
                )],
                limit: (
                    "jvm_memory_limit_bytes",
                    vec![("jvm_memory_type", "heap"), ("jvm_memory_pool_name", "G1 Old Gen"), ("job", "shop")],
                    1e9,
                ),
                subject: "shop",
                expected_used: 950e6,
            },
            Case {
                rule: "cadvisor",
                used: vec![("container_memory_working_set_bytes", vec![("container", "api"), ("pod", "api-1")], 500e6)],
                limit: ("container_spec_memory_limit_bytes", vec![("container", "api"), ("pod", "api-1")], 512e6),
                subject: "api",
                expected_used: 500e6,
            },
        ];
        for case in cases {
            let build = |scale: f64| {
                let mut all: Vec<_> =
                    case.used.iter().map(|(name, labels, v)| series(name, labels, every_15s(|_| *v * scale))).collect();
                all.push(series(case.limit.0, &case.limit.1, every_15s(|_| case.limit.2)));
                all
            };
            let found = find(&build(1.0), NOW);
            let got = summary(&found);
            assert_eq!(
                got,
                [(
                    case.rule.into(),
                    case.subject.into(),
                    case.expected_used,
                    Some(case.limit.2),
                    Some(NOW - 119 * 15_000)
                )],
                "{}",
                case.rule
            );
            // Well below the threshold, nothing (for "what is left" rules, scaling the used side
            // down makes it fuller, so those are checked with a large remainder instead).
            let low = if case.rule == "node_exporter" { build(40.0) } else { build(FULL * 0.5) };
            let low_found: Vec<_> = find(&low, NOW).into_iter().filter(|s| s.rule == case.rule).collect();
            assert!(low_found.is_empty(), "{}: {low_found:?}", case.rule);
        }
    }
}
