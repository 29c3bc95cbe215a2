import { Counter, Gauge, Histogram, type Registry } from "@fediflow/runtime";
import type { DeliveryReport } from "@fediflow/contracts";
import type { HostLimiter } from "./host-limiter";

export function deliveryMetrics(registry: Registry, limiter: HostLimiter) {
  const outcomes = new Counter({
    name: "fediflow_deliveries_total",
    help: "Delivery attempts by outcome class",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "fediflow_delivery_duration_seconds",
    help: "Time from sending a request to its outcome",
    labelNames: ["outcome"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: "fediflow_delivery_in_flight",
    help: "HTTP requests in flight from this process",
    registers: [registry],
    collect() {
      this.set(limiter.inFlight);
    },
  });
  return {
    recordReport(report: DeliveryReport) {
      for (const outcome of report.outcomes) {
        outcomes.inc({ outcome: outcome.outcome });
        if (report.attempt > 0 && outcome.durationMs > 0) duration.observe({ outcome: outcome.outcome }, outcome.durationMs / 1000);
      }
    },
  };
}
