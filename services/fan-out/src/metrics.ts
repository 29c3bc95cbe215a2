import { Counter, Gauge, type Registry } from "@fediflow/runtime";
import { hostStates } from "@fediflow/contracts";
import type { HostStandings } from "@fediflow/host-view";
import type { ActorCache } from "./actor-cache";
import type { FanOutSummary } from "./fan-out";

export function fanOutMetrics(registry: Registry, hosts: HostStandings, actors: ActorCache) {
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
    help: "Activities whose fan-out completed, by whether it resumed after a checkpoint",
    labelNames: ["resumed"],
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
  new Counter({
    name: "fediflow_fanout_actor_lookups_total",
    help: "Remote actors looked up by fan-out: answered from the Redis cache, or fetched",
    labelNames: ["source"],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ source: "cache" }, actors.hits);
      this.inc({ source: "fetch" }, actors.fetched);
    },
  });
  return {
    recordFanOut(summary: FanOutSummary) {
      activities.inc({ resumed: String(summary.resumed) });
      messages.inc(summary.messages);
      inboxes.inc({ disposition: "queued" }, summary.queued);
      inboxes.inc({ disposition: "blocked" }, summary.blocked);
      inboxes.inc({ disposition: "parked" }, summary.parked);
    },
  };
}
