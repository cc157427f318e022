//! The demo's log records: JSON objects shaped as Python's logging with a JSON formatter writes them.

use serde_json::{Map, Value, json};

use crate::timefmt::rfc3339_millis;

/// Where in the (simulated) code a line was logged.
pub struct Origin {
    pub logger: &'static str,
    pub module: &'static str,
    pub function: &'static str,
    pub line: u32,
}

/// One log record of one service.
#[derive(Debug, Clone)]
pub struct LogRecord {
    pub service: &'static str,
    pub t: i64,
    pub fields: Map<String, Value>,
}

impl LogRecord {
    /// Builds a record with the standard fields; `extra` adds the service-specific ones.
    pub fn new(
        service: &'static str,
        instance: &str,
        t: i64,
        level: &str,
        origin: &Origin,
        message: String,
        extra: Value,
    ) -> Self {
        let mut fields = Map::new();
        fields.insert("timestamp".into(), json!(rfc3339_millis(t)));
        fields.insert("level".into(), json!(level));
        fields.insert("logger".into(), json!(origin.logger));
        fields.insert("message".into(), json!(message));
        fields.insert("module".into(), json!(origin.module));
        fields.insert("function".into(), json!(origin.function));
        fields.insert("line".into(), json!(origin.line));
        fields.insert("service".into(), json!(service));
        fields.insert("host".into(), json!(instance));
        if let Value::Object(extra) = extra {
            fields.extend(extra);
        }
        LogRecord { service, t, fields }
    }

    pub fn level(&self) -> &str {
        self.str_field("level").unwrap_or("INFO")
    }

    pub fn str_field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }
}

/// A Python traceback for a connection-pool timeout, as the payment service would log it.
pub fn pool_timeout_traceback(wait_s: f64) -> String {
    format!(
        "Traceback (most recent call last):\n  File \"/app/payment/processor.py\", line 142, in process_payment\n    \
         conn = await self.pool.acquire(timeout={wait_s:.1})\n  File \"/app/payment/db/pool.py\", line 87, in acquire\n    \
         raise PoolTimeoutError(f\"Timed out after {{timeout}}s waiting for a connection ({{self.size}}/{{self.size}} in use)\")\n\
         payment.db.pool.PoolTimeoutError: Timed out after {wait_s:.1}s waiting for a connection (20/20 in use)"
    )
}

/// A Python traceback for a gateway error.
pub fn gateway_traceback(gateway: &str, code: &str) -> String {
    format!(
        "Traceback (most recent call last):\n  File \"/app/payment/processor.py\", line 156, in process_payment\n    \
         result = await gateway.charge(order, amount)\n  File \"/app/payment/gateways/{gateway}.py\", line 64, in charge\n    \
         raise GatewayError(code, response.text)\npayment.gateways.GatewayError: {code}: the gateway refused the charge"
    )
}
