import { Counter, Gauge, type Registry } from "@fediflow/runtime";
import type { OutboxRelay } from "./relay";

export function outboxMetrics(registry: Registry, relay: OutboxRelay): void {
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
}
