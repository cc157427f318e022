"""A checkout service on a real psycopg pool, for Lookout's end-to-end tests.

It serves /metrics with OpenTelemetry's database pool metrics as Prometheus names them
(db_client_connections_usage{pool_name, state}, db_client_connections_max{pool_name},
db_client_connections_pending_requests{pool_name}) and the Prometheus client's request counter
(http_requests_total{code}); it logs JSON lines to Lookout through the real python-logging-loki
client. Traffic threads check out continuously; POST /reports starts slow report queries that
hold every connection of the pool, so checkouts fail with psycopg_pool's own timeout error.
"""

import argparse
import json
import logging
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import logging_loki
import psycopg_pool
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily


class JsonFormatter(logging.Formatter):
    """The structured line Lookout reads: time, level, logger, message, place, request."""

    def format(self, record):
        line = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + ".%03dZ" % int(record.msecs),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "module": record.module,
            "function": record.funcName,
            "line": record.lineno,
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            line["request_id"] = request_id
        return json.dumps(line)


class PoolCollector:
    """The pool's state each scrape, under OpenTelemetry's metric names."""

    def __init__(self, pool, name):
        self.pool, self.name = pool, name

    def collect(self):
        stats = self.pool.get_stats()
        size, available = stats.get("pool_size", 0), stats.get("pool_available", 0)
        usage = GaugeMetricFamily(
            "db_client_connections_usage", "Connections by state.", labels=["pool_name", "state"]
        )
        usage.add_metric([self.name, "used"], size - available)
        usage.add_metric([self.name, "idle"], available)
        yield usage
        limit = GaugeMetricFamily("db_client_connections_max", "Largest pool size.", labels=["pool_name"])
        limit.add_metric([self.name], self.pool.max_size)
        yield limit
        pending = GaugeMetricFamily(
            "db_client_connections_pending_requests", "Requests waiting for a connection.", labels=["pool_name"]
        )
        pending.add_metric([self.name], stats.get("requests_waiting", 0))
        yield pending


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loki", required=True, help="Lookout's base URL")
    parser.add_argument("--pool-size", type=int, default=20)
    parser.add_argument("--workers", type=int, default=6)
    args = parser.parse_args()

    logger = logging.getLogger("checkout.payments")
    logger.setLevel(logging.INFO)
    handler = logging_loki.LokiHandler(
        url=args.loki + "/loki/api/v1/push", tags={"service": "checkout"}, version="1"
    )
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)

    pool = psycopg_pool.ConnectionPool(
        args.dsn, min_size=args.pool_size, max_size=args.pool_size, timeout=2.0, name="orders-db", open=True
    )
    pool.wait(timeout=30)
    registry = CollectorRegistry()
    registry.register(PoolCollector(pool, "orders-db"))
    requests = Counter("http_requests", "Checkout requests by status code.", ["code", "handler"], registry=registry)

    def checkout():
        while True:
            request_id = uuid.uuid4().hex[:12]
            try:
                with pool.connection(timeout=2.0) as conn:
                    conn.execute("SELECT 1")
                requests.labels("200", "/checkout").inc()
            except psycopg_pool.PoolTimeout as error:
                requests.labels("500", "/checkout").inc()
                logger.error(str(error), extra={"request_id": request_id})
            time.sleep(0.05)

    def report():
        with pool.connection(timeout=30) as conn:
            conn.execute("SELECT pg_sleep(600)")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/metrics":
                self.send_error(404)
                return
            body = generate_latest(registry)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            if self.path != "/reports":
                self.send_error(404)
                return
            logger.warning("monthly report started", extra={"request_id": uuid.uuid4().hex[:12]})
            for _ in range(args.pool_size):
                threading.Thread(target=report, daemon=True).start()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_):
            pass

    for _ in range(args.workers):
        threading.Thread(target=checkout, daemon=True).start()
    logger.info("checkout started")
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
