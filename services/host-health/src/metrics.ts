import { hostStates } from "@fediflow/contracts";
import type { Pool } from "@fediflow/postgres";
import { Counter, Gauge, type Registry } from "@fediflow/runtime";
import type { ParkedStore } from "./parked-store";
import type { Prober } from "./prober";
import type { Replayer } from "./replayer";

export function hostHealthMetrics(
  registry: Registry,
  readPool: Pool,
  park: ParkedStore,
  prober: Prober,
  replayer: Replayer,
  coalesced: ReadonlyMap<string, number>,
): void {
  new Counter({
    name: "fediflow_coalesced_total",
    help: "Requests saved by coalescing: parked deliveries that a newer parked one replaced or cancelled, by rule",
    labelNames: ["rule"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [rule, n] of coalesced) this.inc({ rule }, n);
    },
  });
  new Gauge({
    name: "fediflow_hosts",
    help: "Remote hosts FediFlow knows, by state (hosts never heard of are not counted)",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const result = await readPool.query<{ state: string; n: string }>("SELECT state, count(*) AS n FROM hosts GROUP BY state");
      const counts = new Map(result.rows.map((row) => [row.state, Number(row.n)]));
      for (const state of hostStates) this.set({ state }, counts.get(state) ?? 0);
    },
  });
  new Gauge({
    name: "fediflow_parked_deliveries",
    help: "Deliveries (one per inbox) parked for dead hosts, waiting for a revival",
    registers: [registry],
    async collect() {
      this.set(await park.count());
    },
  });
  new Counter({
    name: "fediflow_host_probes_total",
    help: "Probes of dead hosts by this process, by result (good revives the host)",
    labelNames: ["result"],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: "good" }, prober.counts.good);
      this.inc({ result: "bad" }, prober.counts.bad);
    },
  });
  new Counter({
    name: "fediflow_parked_replayed_total",
    help: "Parked deliveries of revived hosts by this process: sent again, or failed for being parked too long",
    labelNames: ["result"],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: "sent" }, replayer.counts.replayed);
      this.inc({ result: "expired" }, replayer.counts.expired);
    },
  });
}
