import { Counter, Gauge, type Registry } from "@fediflow/runtime";
import { hostStates } from "@fediflow/contracts";
import type { HostStandings } from "@fediflow/host-view";
import type { FanOutSummary } from "./fan-out";

export function fanOutMetrics(registry: Registry, hosts: HostStandings) {
  const inboxes = new Counter({
    name: "fediflow_fanout_inboxes_total",
    help: "Target inboxes expanded by fan-out, by what happened to them",
    labelNames: ["disposition"],
    registers: [registry],
  });
  const messages = new Counter({
    name: "fediflow_fanout_messages_total",
    help: "Per-host delivery messages published",
    registers: [registry],
  });
  const activities = new Counter({
    name: "fediflow_fanout_activities_total",
    help: "Activities whose fan-out completed",
    registers: [registry],
  });
  new Gauge({
    name: "fediflow_fanout_hosts",
    help: "Hosts by state in this process's host view",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      for (const state of hostStates) if (state !== "healthy") this.set({ state }, hosts.count(state));
    },
  });
  return {
    recordFanOut(summary: FanOutSummary) {
      activities.inc();
      messages.inc(summary.messages);
      inboxes.inc({ disposition: "queued" }, summary.inboxes - summary.blocked - summary.parked);
      inboxes.inc({ disposition: "blocked" }, summary.blocked);
      inboxes.inc({ disposition: "parked" }, summary.parked);
    },
  };
}
