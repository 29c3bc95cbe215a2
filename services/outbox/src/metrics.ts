import { Counter, Gauge, type Registry } from "@fediflow/runtime";
import type { OutboxRelay } from "./relay";
import type { Retention } from "./retention";

export function outboxMetrics(registry: Registry, relay: OutboxRelay, retention: Retention): void {
  new Gauge({
    name: "fediflow_outbox_relay_backlog",
    help: "Accepted activities not yet published to Kafka",
    registers: [registry],
    async collect() {
      this.set(await relay.backlog());
    },
  });
  new Counter({
    name: "fediflow_outbox_relay_published_total",
    help: "Outbox rows published to Kafka by this process",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(relay.published);
    },
  });
  new Counter({
    name: "fediflow_retention_removed_total",
    help: "Rows removed by retention, by table",
    labelNames: ["table"],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ table: "activities" }, retention.removedActivities);
      this.inc({ table: "delivery_outcomes" }, retention.removedOutcomes);
      this.inc({ table: "quarantined_messages" }, retention.removedQuarantined);
    },
  });
}
