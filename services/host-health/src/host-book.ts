import type { HostEvent, HostStateName } from "@fediflow/contracts";
import { inTransaction, type Pool } from "@fediflow/postgres";
import type { Redis } from "@fediflow/redis";
import { newHost, type HostRecord, type Transition } from "./host-state";

export type HostChange = (record: HostRecord) => { record: HostRecord; transition: Transition | null };

interface HostRow {
  host: string;
  state: HostStateName;
  failures: number;
  first_failure_at: Date | null;
  last_failure_at: Date | null;
  last_success_at: Date | null;
  next_probe_at: Date | null;
  probe_interval_ms: number | null;
  paused_until: Date | null;
  trips: number;
}

const ms = (date: Date | null): number | null => (date ? date.getTime() : null);
const iso = (time: number | null): string | null => (time === null ? null : new Date(time).toISOString());

function fromRow(row: HostRow): HostRecord {
  return {
    host: row.host,
    state: row.state,
    failures: row.failures,
    firstFailureAt: ms(row.first_failure_at),
    lastFailureAt: ms(row.last_failure_at),
    lastSuccessAt: ms(row.last_success_at),
    nextProbeAt: ms(row.next_probe_at),
    probeIntervalMs: row.probe_interval_ms,
    pausedUntil: ms(row.paused_until),
    trips: row.trips,
  };
}

export function hostEvent(record: HostRecord, changedAt: number): HostEvent {
  return {
    host: record.host,
    state: record.state,
    failures: record.failures,
    firstFailureAt: iso(record.firstFailureAt),
    lastSuccessAt: iso(record.lastSuccessAt),
    nextProbeAt: iso(record.nextProbeAt),
    pausedUntil: iso(record.pausedUntil),
    changedAt: new Date(changedAt).toISOString(),
  };
}

/** What the other services act on; a change in anything else is not worth an event. */
const visible = (record: HostRecord) => `${record.state}|${record.pausedUntil}|${record.nextProbeAt}`;

const cacheKey = (host: string) => `host:${host}`;

/**
 * The book of every host: PostgreSQL is the durable record (changes are made under row locks,
 * so the outcome consumer and operator calls on any replica never lose each other's updates),
 * Redis the hot copy that lookups read and that is rebuilt from PostgreSQL after a flush.
 */
export class HostBook {
  constructor(
    private readonly pool: Pool,
    private readonly redis: Redis,
    /** Publishes state changes (host-events topic) before they commit; a retry republishes. */
    private readonly publish: (events: HostEvent[]) => Promise<void>,
    /** Where operator listings read: a replica when FEDIFLOW_DATABASE_READ_URL is set. */
    private readonly readPool: Pool = pool,
    /** Announces state transitions (webhook events) before they commit; a retry announces again. */
    private readonly announce: (changes: Array<{ record: HostRecord; transition: Transition }>, now: number) => Promise<void> = async () => {},
  ) {}

  async change(
    hosts: string[],
    change: HostChange,
    now: number,
  ): Promise<Map<string, { record: HostRecord; transition: Transition | null }>> {
    const results = new Map<string, { record: HostRecord; transition: Transition | null }>();
    if (hosts.length === 0) return results;
    const sorted = [...new Set(hosts)].sort();
    const changed = await inTransaction(this.pool, async (client) => {
      const existing = await client.query<HostRow>("SELECT * FROM hosts WHERE host = ANY($1::text[]) ORDER BY host FOR UPDATE", [sorted]);
      const byHost = new Map(existing.rows.map((row) => [row.host, fromRow(row)]));
      const writes: HostRecord[] = [];
      const events: HostEvent[] = [];
      const history: Array<{ host: string; transition: Transition }> = [];
      for (const host of sorted) {
        const before = byHost.get(host);
        const result = change(before ?? newHost(host));
        results.set(host, result);
        if (!before || JSON.stringify(before) !== JSON.stringify(result.record)) writes.push(result.record);
        if (!before ? result.record.state !== "healthy" || result.transition !== null : visible(before) !== visible(result.record)) {
          events.push(hostEvent(result.record, now));
        }
        if (result.transition) history.push({ host, transition: result.transition });
      }
      if (writes.length > 0) {
        await client.query(
          `INSERT INTO hosts (host, state, failures, first_failure_at, last_failure_at, last_success_at, next_probe_at,
                              probe_interval_ms, paused_until, trips, updated_at)
           SELECT h, s, f, to_timestamp(ff / 1000.0), to_timestamp(lf / 1000.0), to_timestamp(ls / 1000.0),
                  to_timestamp(np / 1000.0), pi, to_timestamp(pu / 1000.0), t, now()
             FROM unnest($1::text[], $2::text[], $3::int[], $4::float8[], $5::float8[], $6::float8[], $7::float8[],
                         $8::bigint[], $9::float8[], $10::int[]) AS x(h, s, f, ff, lf, ls, np, pi, pu, t)
           ON CONFLICT (host) DO UPDATE SET
             state = excluded.state, failures = excluded.failures, first_failure_at = excluded.first_failure_at,
             last_failure_at = excluded.last_failure_at, last_success_at = excluded.last_success_at,
             next_probe_at = excluded.next_probe_at, probe_interval_ms = excluded.probe_interval_ms,
             paused_until = excluded.paused_until, trips = excluded.trips, updated_at = now()`,
          [
            writes.map((r) => r.host),
            writes.map((r) => r.state),
            writes.map((r) => r.failures),
            writes.map((r) => r.firstFailureAt),
            writes.map((r) => r.lastFailureAt),
            writes.map((r) => r.lastSuccessAt),
            writes.map((r) => r.nextProbeAt),
            writes.map((r) => r.probeIntervalMs),
            writes.map((r) => r.pausedUntil),
            writes.map((r) => r.trips),
          ],
        );
      }
      if (history.length > 0) {
        await client.query(
          "INSERT INTO host_history (host, from_state, to_state, reason) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])",
          [
            history.map((h) => h.host),
            history.map((h) => h.transition.from),
            history.map((h) => h.transition.to),
            history.map((h) => h.transition.reason),
          ],
        );
      }
      await this.publish(events);
      if (history.length > 0) await this.announce(history.map(({ host, transition }) => ({ record: results.get(host)!.record, transition })), now);
      return writes;
    });
    if (changed.length > 0) {
      const pipeline = this.redis.pipeline();
      for (const record of changed) pipeline.set(cacheKey(record.host), JSON.stringify(record));
      await pipeline.exec();
    }
    return results;
  }

  /** One host from the hot copy, falling back to PostgreSQL (and refilling the copy). */
  async get(host: string): Promise<HostRecord | null> {
    const cached = await this.redis.get(cacheKey(host));
    if (cached) return JSON.parse(cached) as HostRecord;
    const result = await this.pool.query<HostRow>("SELECT * FROM hosts WHERE host = $1", [host]);
    const row = result.rows[0];
    if (!row) return null;
    const record = fromRow(row);
    await this.redis.set(cacheKey(host), JSON.stringify(record));
    return record;
  }

  /** Hosts in host-name order, optionally one state, after a host name (keyset paging). */
  async list(state: HostStateName | null, limit: number, after: string): Promise<HostRecord[]> {
    const result = await this.readPool.query<HostRow>(
      `SELECT * FROM hosts WHERE ($1::text IS NULL OR state = $1) AND host > $2 ORDER BY host LIMIT $3`,
      [state, after, limit],
    );
    return result.rows.map(fromRow);
  }
}
