//! The simulated payment platform: services, their metrics and their logs, advanced in steps.
//!
//! Each simulated instance owns a metrics [`Registry`] exactly as a real service would own its
//! client library's; [`Simulation::step`] moves time on, updates the metrics and returns the log
//! records written meanwhile. Incidents come from the [`Schedule`]: the payment pool fills up to
//! its limit, payments wait for connections and time out after 20 seconds, then it recovers.

use serde_json::json;

use super::logs::{LogRecord, Origin, gateway_traceback, pool_timeout_traceback};
use super::rng::Rng;
use super::schedule::Schedule;
use crate::telemetry::registry::{Counter, Gauge, Histogram, Registry};

/// Size of each payment instance's database pool.
pub const POOL_SIZE: f64 = 20.0;
/// How long a payment waits for a pool connection before it fails.
pub const POOL_TIMEOUT_S: f64 = 20.0;
/// Payments per second each payment instance handles.
const PAYMENTS_PER_SECOND: f64 = 8.0;
const HEAP_MAX_BYTES: f64 = 2.0 * 1024.0 * 1024.0 * 1024.0;

const GATEWAYS: [(&str, f64); 3] = [("stripe", 0.5), ("paypal", 0.3), ("adyen", 0.2)];
const TIERS: [(&str, f64); 3] = [("free", 0.6), ("premium", 0.3), ("enterprise", 0.1)];

const PROCESS: Origin =
    Origin { logger: "payment.processor", module: "processor", function: "process_payment", line: 131 };
const POOL: Origin = Origin { logger: "payment.db.pool", module: "pool", function: "acquire", line: 79 };
const GATEWAY_HTTP: Origin =
    Origin { logger: "gateway.access", module: "middleware", function: "log_request", line: 44 };
const ORDERS: Origin = Origin { logger: "orders.events", module: "handlers", function: "on_payment_result", line: 212 };

/// Metrics every simulated process exports.
struct ProcessMetrics {
    memory: Gauge,
    cpu: Gauge,
    errors: Counter,
}

impl ProcessMetrics {
    fn register(registry: &Registry) -> Self {
        ProcessMetrics {
            memory: registry.gauge("memory_usage_bytes", "Memory use of the process by type.", &["type"]),
            cpu: registry.gauge("cpu_usage_percent", "CPU use per core in percent.", &["core"]),
            errors: registry.counter(
                "errors_total",
                "Errors by service, type and severity.",
                &["service", "error_type", "severity"],
            ),
        }
    }
}

/// Metrics only the payment service exports.
struct PaymentMetrics {
    requests: Counter,
    duration: Histogram,
    amount: Histogram,
    connections_active: Gauge,
    connections_max: Gauge,
}

impl PaymentMetrics {
    fn register(registry: &Registry) -> Self {
        PaymentMetrics {
            requests: registry.counter(
                "payment_requests_total",
                "Payment requests by outcome, gateway and user tier.",
                &["status", "gateway", "user_tier"],
            ),
            duration: registry.histogram(
                "payment_duration_seconds",
                "Time to process a payment, from request to gateway answer.",
                &["gateway"],
                &[0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
            ),
            amount: registry.histogram(
                "payment_amount_usd",
                "Amount of each payment in US dollars.",
                &[],
                &[5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0],
            ),
            connections_active: registry.gauge(
                "database_connections_active",
                "Connections of the pool currently checked out.",
                &["database", "pool"],
            ),
            connections_max: registry.gauge(
                "database_connections_max",
                "Size of the connection pool.",
                &["database", "pool"],
            ),
        }
    }
}

/// One simulated process: what Prometheus would scrape as one target.
pub struct Instance {
    pub job: &'static str,
    pub instance: String,
    pub registry: Registry,
    process: ProcessMetrics,
    payment: Option<PaymentMetrics>,
    /// Smoothed pool usage, for payment instances.
    pool_in_use: f64,
    heap_used: f64,
}

impl Instance {
    fn new(job: &'static str, instance: &str, payment: bool) -> Self {
        let registry = Registry::new();
        let process = ProcessMetrics::register(&registry);
        let payment = payment.then(|| PaymentMetrics::register(&registry));
        if let Some(p) = &payment {
            p.connections_max.set(&["postgres", "payments"], POOL_SIZE);
        }
        Instance {
            job,
            instance: instance.to_string(),
            registry,
            process,
            payment,
            pool_in_use: 6.0,
            heap_used: 0.55 * HEAP_MAX_BYTES,
        }
    }
}

pub struct Simulation {
    rng: Rng,
    schedule: Schedule,
    started_ms: i64,
    last_ms: i64,
    pub instances: Vec<Instance>,
}

impl Simulation {
    pub fn new(seed: u64, schedule: Schedule, started_ms: i64) -> Self {
        let instances = vec![
            Instance::new("payment-service", "payment-1:8000", true),
            Instance::new("payment-service", "payment-2:8000", true),
            Instance::new("order-service", "order-1:8000", false),
            Instance::new("api-gateway", "gateway-1:8080", false),
        ];
        Simulation { rng: Rng::new(seed), schedule, started_ms, last_ms: started_ms, instances }
    }

    /// How bad things are at `now_ms`: 0 healthy, 1 pool exhausted.
    pub fn severity(&self, now_ms: i64) -> f64 {
        self.schedule.severity(now_ms - self.started_ms)
    }

    /// Advances the simulation to `now_ms` and returns the log records written meanwhile.
    pub fn step(&mut self, now_ms: i64) -> Vec<LogRecord> {
        let dt_s = ((now_ms - self.last_ms) as f64 / 1000.0).clamp(0.0, 60.0);
        let from_ms = self.last_ms;
        self.last_ms = now_ms;
        let severity = self.severity(now_ms);
        let mut logs = Vec::new();
        let Simulation { rng, instances, .. } = self;
        let (payments, others) = instances.split_at_mut(2);
        for payment in payments.iter_mut() {
            simulate_payments(rng, payment, others, severity, from_ms, dt_s, &mut logs);
        }
        for instance in instances.iter_mut() {
            simulate_process(rng, instance, severity);
        }
        logs.sort_by_key(|r| r.t);
        logs
    }
}

fn simulate_process(rng: &mut Rng, instance: &mut Instance, severity: f64) {
    // Waiting payments pile up in memory: the payment service's heap climbs during an incident.
    let pressure = if instance.payment.is_some() { severity } else { 0.0 };
    let target = (0.55 + 0.35 * pressure) * HEAP_MAX_BYTES;
    instance.heap_used += (target - instance.heap_used) * 0.2 + rng.normal() * 0.005 * HEAP_MAX_BYTES;
    instance.heap_used = instance.heap_used.clamp(0.1 * HEAP_MAX_BYTES, 0.98 * HEAP_MAX_BYTES);
    let m = &instance.process;
    m.memory.set(&["heap_used"], instance.heap_used.round());
    m.memory.set(&["heap_max"], HEAP_MAX_BYTES);
    m.memory.set(&["rss"], (instance.heap_used * 1.18).round());
    for core in ["0", "1"] {
        let base = if pressure > 0.5 { 18.0 } else { 35.0 };
        m.cpu.set(&[core], (base + rng.normal() * 6.0).clamp(1.0, 100.0));
    }
}

fn simulate_payments(
    rng: &mut Rng,
    payment: &mut Instance,
    others: &[Instance],
    severity: f64,
    from_ms: i64,
    dt_s: f64,
    logs: &mut Vec<LogRecord>,
) {
    if payment.payment.is_none() {
        return;
    }
    let pool_target = 6.0 + rng.range(0.0, 3.0) + (POOL_SIZE - 6.0) * (severity * 1.2).min(1.0);
    payment.pool_in_use += (pool_target - payment.pool_in_use) * 0.5;
    payment.pool_in_use = payment.pool_in_use.clamp(0.0, POOL_SIZE);
    let in_use = payment.pool_in_use.round();
    let payment = &*payment;
    let Some(metrics) = &payment.payment else {
        return;
    };
    let host = payment.instance.clone();
    metrics.connections_active.set(&["postgres", "payments"], in_use);

    let success_chance = 0.955 - 0.835 * severity.powf(1.5);
    let count = rng.count(PAYMENTS_PER_SECOND * dt_s);
    let mut pool_warning_logged = false;
    for _ in 0..count {
        let t = from_ms + (rng.unit() * dt_s * 1000.0) as i64;
        let gateway = *rng.weighted(&GATEWAYS);
        let tier = *rng.weighted(&TIERS);
        let amount = (rng.log_normal(45.0, 0.9) * 100.0).round() / 100.0;
        let request_id = format!("req-{}", rng.hex(12));
        let user_id = format!("user_{}", 1000 + rng.next_u64() % 9000);
        let order_id = format!("ord-{}", 100_000 + rng.next_u64() % 900_000);
        let base = json!({ "request_id": request_id, "user_id": user_id, "order_id": order_id });

        let (status, duration_s) = if rng.chance(success_chance) {
            ("success", rng.log_normal(0.32, 0.45) + 2.5 * severity * rng.unit())
        } else if rng.chance(severity) {
            ("timeout", POOL_TIMEOUT_S)
        } else {
            ("failed", rng.log_normal(0.5, 0.5))
        };
        metrics.requests.inc(&[status, gateway, tier]);
        metrics.duration.observe(&[gateway], duration_s);
        metrics.amount.observe(&[], amount);
        let ms = (duration_s * 1000.0).round();
        let extra = |more: serde_json::Value| {
            let mut fields = base.clone();
            if let (Some(fields), serde_json::Value::Object(more)) = (fields.as_object_mut(), more) {
                fields.extend(more);
            }
            fields
        };
        match status {
            "success" => logs.push(LogRecord::new(
                "payment-service",
                &host,
                t,
                "INFO",
                &PROCESS,
                "Payment processed successfully".into(),
                extra(json!({ "amount": amount, "currency": "USD", "gateway": gateway, "user_tier": tier,
                              "processing_time_ms": ms })),
            )),
            "timeout" => {
                if !pool_warning_logged {
                    pool_warning_logged = true;
                    logs.push(LogRecord::new(
                        "payment-service",
                        &host,
                        t,
                        "ERROR",
                        &POOL,
                        "Connection pool exhausted! Waiting for available connection...".into(),
                        extra(json!({ "pool": "payments", "database": "postgres", "pool_size": POOL_SIZE,
                                      "in_use": in_use, "waiting": rng.count(12.0 * severity) + 1 })),
                    ));
                }
                metrics_error(payment, "db_pool_timeout", "high");
                logs.push(LogRecord::new(
                    "payment-service",
                    &host,
                    t,
                    "ERROR",
                    &PROCESS,
                    format!("Payment timed out after {} ms waiting for a database connection", ms),
                    extra(json!({ "amount": amount, "currency": "USD", "gateway": gateway, "user_tier": tier,
                                  "processing_time_ms": ms, "error_code": "DB_POOL_TIMEOUT",
                                  "exception": pool_timeout_traceback(POOL_TIMEOUT_S) })),
                ));
            }
            _ => {
                let (code, severity_label) = *rng.weighted(&[
                    (("CARD_DECLINED", "low"), 0.6),
                    (("INSUFFICIENT_FUNDS", "low"), 0.25),
                    (("GATEWAY_ERROR", "medium"), 0.15),
                ]);
                metrics_error(payment, &code.to_ascii_lowercase(), severity_label);
                let exception = (code == "GATEWAY_ERROR").then(|| gateway_traceback(gateway, code));
                logs.push(LogRecord::new(
                    "payment-service",
                    &host,
                    t,
                    if code == "GATEWAY_ERROR" { "ERROR" } else { "WARNING" },
                    &PROCESS,
                    format!("Payment failed: {}", code.to_ascii_lowercase().replace('_', " ")),
                    extra(json!({ "amount": amount, "currency": "USD", "gateway": gateway, "user_tier": tier,
                                  "processing_time_ms": ms, "error_code": code, "exception": exception })),
                ));
            }
        }
        // The same request as the gateway and the order service saw it, for following it across services.
        let http_status = match status {
            "success" => 200,
            "timeout" => 504,
            _ => 402,
        };
        if let Some(gateway_instance) = others.iter().find(|i| i.job == "api-gateway") {
            logs.push(LogRecord::new(
                "api-gateway",
                &gateway_instance.instance,
                t + ms as i64 + 2,
                if http_status == 504 { "ERROR" } else { "INFO" },
                &GATEWAY_HTTP,
                format!("POST /api/v1/payments {http_status} in {ms} ms"),
                extra(json!({ "method": "POST", "path": "/api/v1/payments", "status_code": http_status,
                              "upstream": host.as_str(), "processing_time_ms": ms + 2.0 })),
            ));
            if http_status == 504 {
                metrics_error(gateway_instance, "upstream_timeout", "high");
            }
        }
        if let Some(orders) = others.iter().find(|i| i.job == "order-service") {
            let (level, message) = if status == "success" {
                ("INFO", "Order marked as paid")
            } else {
                ("WARNING", "Order payment failed; order kept pending")
            };
            logs.push(LogRecord::new(
                "order-service",
                &orders.instance,
                t + ms as i64 + 5,
                level,
                &ORDERS,
                message.into(),
                extra(json!({ "payment_status": status })),
            ));
        }
    }
}

fn metrics_error(instance: &Instance, error_type: &str, severity: &str) {
    instance.process.errors.inc(&[instance.job, error_type, severity]);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::DemoConfig;

    fn simulation() -> Simulation {
        let config = DemoConfig {
            incident_every: Duration::from_secs(600),
            first_incident_after: Duration::from_secs(60),
            incident_duration: Duration::from_secs(120),
        };
        Simulation::new(42, Schedule::new(&config), 0)
    }

    fn sample(sim: &Simulation, name: &str, filter: &[(&str, &str)]) -> f64 {
        sim.instances
            .iter()
            .flat_map(|i| i.registry.collect())
            .flat_map(|f| f.samples)
            .filter(|s| s.name == name)
            .filter(|s| filter.iter().all(|(k, v)| s.labels.iter().any(|(lk, lv)| lk == k && lv == v)))
            .map(|s| s.value)
            .sum()
    }

    /// Runs `seconds` of simulated time, returning the success ratio and the logs of that span.
    fn run(sim: &mut Simulation, from_s: i64, seconds: i64) -> (f64, Vec<LogRecord>) {
        let before = (
            sample(sim, "payment_requests_total", &[("status", "success")]),
            sample(sim, "payment_requests_total", &[]),
        );
        let mut logs = Vec::new();
        for s in from_s + 1..=from_s + seconds {
            logs.extend(sim.step(s * 1000));
        }
        let ok = sample(sim, "payment_requests_total", &[("status", "success")]) - before.0;
        let all = sample(sim, "payment_requests_total", &[]) - before.1;
        (ok / all, logs)
    }

    #[test]
    fn healthy_then_exhausted_then_recovered() {
        let mut sim = simulation();
        let (healthy, logs) = run(&mut sim, 0, 60);
        assert!((0.9..=0.99).contains(&healthy), "healthy success ratio {healthy}");
        assert!(!logs.iter().any(|r| { r.str_field("message").unwrap_or("").contains("pool exhausted") }));
        let pool = sample(&sim, "database_connections_active", &[]);
        assert!(pool < 2.0 * 12.0, "pool use while healthy: {pool}");

        // Ramp (40 s), then the hold: the pool sits at its limit and most payments time out.
        run(&mut sim, 60, 50);
        let (incident, logs) = run(&mut sim, 110, 60);
        assert!((0.05..=0.2).contains(&incident), "incident success ratio {incident}");
        let pools: Vec<f64> =
            sim.instances.iter().filter_map(|i| i.payment.as_ref().map(|_| i.pool_in_use.round())).collect();
        assert_eq!(pools, [POOL_SIZE, POOL_SIZE]);
        let exhausted = logs
            .iter()
            .filter(|r| {
                r.str_field("message") == Some("Connection pool exhausted! Waiting for available connection...")
            })
            .count();
        assert!(exhausted > 10, "{exhausted} pool-exhausted lines");
        let timeout = logs.iter().find(|r| r.str_field("error_code") == Some("DB_POOL_TIMEOUT")).unwrap();
        assert_eq!(timeout.level(), "ERROR");
        assert!(timeout.str_field("exception").unwrap().starts_with("Traceback (most recent call last):"));
        assert_eq!(timeout.fields["processing_time_ms"], json!(20000.0));
        assert!(sample(&sim, "errors_total", &[("severity", "high")]) > 0.0);

        // After the recovery the service is healthy again.
        run(&mut sim, 170, 80);
        let (recovered, _) = run(&mut sim, 250, 60);
        assert!(recovered > 0.9, "recovered success ratio {recovered}");
    }

    #[test]
    fn every_record_has_the_standard_fields_and_requests_cross_services() {
        let mut sim = simulation();
        let (_, logs) = run(&mut sim, 0, 10);
        for record in &logs {
            for field in
                ["timestamp", "level", "logger", "message", "module", "function", "line", "request_id", "user_id"]
            {
                assert!(record.fields.contains_key(field), "{field} missing in {:?}", record.fields);
            }
        }
        let first = logs.iter().find(|r| r.service == "payment-service").unwrap();
        let id = first.str_field("request_id").unwrap();
        let services: std::collections::BTreeSet<&str> =
            logs.iter().filter(|r| r.str_field("request_id") == Some(id)).map(|r| r.service).collect();
        assert_eq!(services.into_iter().collect::<Vec<_>>(), ["api-gateway", "order-service", "payment-service"]);
    }
}
