import type { Logger } from "@fediflow/logging";
import { Rounds } from "@fediflow/runtime";
import type { Pool } from "@fediflow/postgres";
import type { HostBook } from "./host-book";
import { recordProbe, type HealthPolicy } from "./host-state";

/** Dead hosts whose probe is due, most overdue first (the partial index hosts_probe_due). */
export const dueProbesSql =
  "SELECT host FROM hosts WHERE state = 'dead' AND next_probe_at <= to_timestamp($1 / 1000.0) ORDER BY next_probe_at LIMIT $2";

export interface ProberOptions {
  /** How often due probes are looked for, ms. */
  roundMs: number;
  /** Probes in flight at once. */
  concurrency: number;
  /** Probes one host; true when it answered. */
  probe(host: string): Promise<boolean>;
}

/**
 * Probes every dead host whose probe is due, forever: a good answer revives it, a bad one
 * doubles the interval up to the cap (host-state's recordProbe).
 */
export class Prober {
  private readonly rounds: Rounds;
  readonly counts = { good: 0, bad: 0 };

  constructor(
    private readonly pool: Pool,
    private readonly book: HostBook,
    private readonly policy: HealthPolicy,
    private readonly options: ProberOptions,
    private readonly logger: Logger,
    private readonly clock: () => number,
  ) {
    this.rounds = new Rounds(
      () => this.round(),
      this.options.roundMs,
      (error: unknown) => this.logger.warn({ err: error }, "probing dead hosts failed; trying again"),
    );
  }

  start(): void {
    this.rounds.start();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  async round(): Promise<void> {
    const started = this.clock();
    const due = await this.pool.query<{ host: string }>(dueProbesSql, [started, 500]);
    const hosts = due.rows.map((row) => row.host);
    const next = () => hosts.shift();
    const worker = async () => {
      for (let host = next(); host !== undefined; host = next()) await this.probe(host, started);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, hosts.length) }, worker));
  }

  private async probe(host: string, started: number): Promise<void> {
    const good = await this.options.probe(host);
    if (good) this.counts.good += 1;
    else this.counts.bad += 1;
    const now = this.clock();
    // Another replica may have probed the host meanwhile: only a probe that was due counts.
    const result = await this.book.change(
      [host],
      (record) =>
        record.state === "dead" && record.nextProbeAt !== null && record.nextProbeAt <= started
          ? recordProbe(record, good, now, this.policy)
          : { record, transition: null },
      now,
    );
    const outcome = result.get(host);
    if (outcome?.transition) this.logger.info({ host, reason: outcome.transition.reason }, "dead host revived");
    else this.logger.debug({ host, good, nextProbeAt: outcome?.record.nextProbeAt }, "dead host probed");
  }
}
