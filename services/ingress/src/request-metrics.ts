import type { RequestHandler } from "express";
import { Counter, Histogram, type Registry } from "@fediflow/runtime";

/**
 * RED metrics of the API: requests, errors (by status code) and latency per route. The route is
 * the matched pattern ("/v1/activities/:id"), never the path, so ids and hosts make no series.
 * Mounted first in a router, so it also counts what auth and rate limits refuse there.
 */
export function requestMetrics(registry: Registry): RequestHandler {
  const labelNames = ["method", "route", "status_code"] as const;
  const requests = new Counter({
    name: "fediflow_http_server_requests_total",
    help: "API requests answered, by method, route pattern and status code",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "fediflow_http_server_request_duration_seconds",
    help: "Time to answer an API request, by method, route pattern and status code",
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // Express restores baseUrl when the router is left (before an error handler answers): keep
    // the mount point this middleware was reached through.
    const base = req.baseUrl;
    res.once("finish", () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const labels = {
        method: req.method,
        route: typeof pattern === "string" ? `${base}${pattern}` : "unmatched",
        status_code: String(res.statusCode),
      };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
