import { Counter, Gauge, Histogram, type Registry } from "@fediflow/runtime";
import type { DeliveryReport } from "@fediflow/contracts";
import type { HostLimiter } from "./host-limiter";
import type { InboxSender } from "./inbox-sender";
import type { ScheduleStore } from "./schedule-store";

export function deliveryMetrics(registry: Registry, sources: { limiter: HostLimiter; schedule: ScheduleStore; sender: InboxSender }) {
  const outcomes = new Counter({
    name: "fediflow_deliveries_total",
    help: "Delivery outcomes by class (one per inbox per attempt; blocked and parked without an attempt)",
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
      this.set(sources.limiter.inFlight);
    },
  });
  new Gauge({
    name: "fediflow_delivery_waiting",
    help: "Deliveries waiting in the schedule (all processes), by why they wait",
    labelNames: ["reason"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [reason, rows] of await sources.schedule.waiting()) this.set({ reason }, rows);
    },
  });
  new Counter({
    name: "fediflow_delivery_second_knocks_total",
    help: "Requests signed again with the other scheme after a 400/401, by whether it was accepted",
    labelNames: ["accepted"],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ accepted: "true" }, sources.sender.secondKnocksAccepted);
      this.inc({ accepted: "false" }, sources.sender.secondKnocks - sources.sender.secondKnocksAccepted);
    },
  });
  const coalesced = new Counter({
    name: "fediflow_coalesced_total",
    help: "Requests saved by coalescing: inboxes that a newer activity about the same object replaced or cancelled, by rule",
    labelNames: ["rule"],
    registers: [registry],
  });
  return {
    recordCoalesced(rule: string, inboxes: number) {
      coalesced.inc({ rule }, inboxes);
    },
    recordReport(report: DeliveryReport) {
      for (const outcome of report.outcomes) {
        outcomes.inc({ outcome: outcome.outcome });
        if (report.attempt > 0 && outcome.durationMs > 0) duration.observe({ outcome: outcome.outcome }, outcome.durationMs / 1000);
      }
    },
  };
}
