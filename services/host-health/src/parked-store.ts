import { inTransaction, type Pool } from "@fediflow/postgres";
import type { ParkedDelivery, ParkedJob } from "./parked";

interface ParkedRow {
  activity_id: string;
  inbox: string;
  host: string;
  job: ParkedJob;
  parked_at: Date;
  seq: string;
}

const fromRow = (row: ParkedRow): ParkedDelivery => ({
  activityId: row.activity_id,
  inbox: row.inbox,
  host: row.host,
  job: row.job,
  parkedAt: row.parked_at.getTime(),
});

/**
 * Hosts with parked deliveries that are neither dead nor blocked: revived ones, and ones whose
 * deliveries were parked by a service that had not yet heard of the revival. PostgreSQL has no
 * skip scan, so the distinct hosts come from a recursive loose index scan, one probe per host.
 */
export const replayableHostsSql = `WITH RECURSIVE parked_hosts(host) AS (
    (SELECT host FROM parked_deliveries ORDER BY host LIMIT 1)
    UNION ALL
    SELECT (SELECT p.host FROM parked_deliveries p WHERE p.host > parked_hosts.host ORDER BY p.host LIMIT 1)
      FROM parked_hosts WHERE parked_hosts.host IS NOT NULL)
  SELECT ph.host FROM parked_hosts ph LEFT JOIN hosts h ON h.host = ph.host
   WHERE ph.host IS NOT NULL AND coalesce(h.state, 'healthy') IN ('healthy', 'failing')
   LIMIT $1`;

/**
 * Deletes and returns a host's first rows (arrival order) parked since ($2, "fresh") or before
 * ($2, "stale") a time. SKIP LOCKED lets replicas share the work without taking a row twice;
 * the rows are deleted by ctid (a TID scan), which cannot change while the subquery holds their
 * locks. RETURNING has no order: callers sort by seq.
 */
const claim = (where: string, order: string, limit: string) => `DELETE FROM parked_deliveries
   WHERE ctid = ANY(ARRAY(SELECT ctid FROM parked_deliveries WHERE ${where}
                           ORDER BY ${order} LIMIT ${limit} FOR UPDATE SKIP LOCKED))
  RETURNING activity_id, inbox, host, job, parked_at, seq`;
export const claimFreshSql = claim("host = $1 AND parked_at >= $2::timestamptz", "seq", "$3");
export const claimStaleSql = claim("host = $1 AND parked_at < $2::timestamptz", "seq", "$3");
/** The rows parked longest, before $1, whatever their host. */
export const expireSql = claim("parked_at < $1::timestamptz", "parked_at", "$2");

const inArrivalOrder = (rows: ParkedRow[]): ParkedDelivery[] =>
  [...rows].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)).map(fromRow);

/** The durable park: deliveries held for dead hosts until they are revived. */
export class ParkedStore {
  constructor(private readonly pool: Pool) {}

  /** Parks deliveries; one already parked keeps its first time, so its age counts from then. */
  async park(deliveries: ParkedDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.pool.query(
      `INSERT INTO parked_deliveries (activity_id, inbox, host, job, parked_at)
       SELECT a, i, h, j, to_timestamp(t / 1000.0)
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::float8[]) AS x(a, i, h, j, t)
       ON CONFLICT (activity_id, inbox) DO NOTHING`,
      [
        deliveries.map((d) => d.activityId),
        deliveries.map((d) => d.inbox),
        deliveries.map((d) => d.host),
        deliveries.map((d) => JSON.stringify(d.job)),
        deliveries.map((d) => d.parkedAt),
      ],
    );
  }

  async replayableHosts(limit: number): Promise<string[]> {
    const result = await this.pool.query<{ host: string }>(replayableHostsSql, [limit]);
    return result.rows.map((row) => row.host);
  }

  /**
   * Takes up to `fresh` of a host's parked deliveries younger than `cutoff` and up to `stale`
   * older ones, hands them to `send` and deletes them when it succeeds: each goes out once per
   * revival. A crash after `send` and before the commit sends them again (at least once).
   */
  async replay(
    host: string,
    cutoff: number,
    limits: { fresh: number; stale: number },
    send: (deliveries: ParkedDelivery[]) => Promise<void>,
  ): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const cutoffIso = new Date(cutoff).toISOString();
      // The stale first, so the fresh claim's walk in arrival order does not step over them.
      const stale = await client.query<ParkedRow>(claimStaleSql, [host, cutoffIso, limits.stale]);
      const fresh = await client.query<ParkedRow>(claimFreshSql, [host, cutoffIso, limits.fresh]);
      const deliveries = inArrivalOrder([...stale.rows, ...fresh.rows]);
      if (deliveries.length > 0) await send(deliveries);
      return deliveries.length;
    });
  }

  /**
   * Takes up to `limit` deliveries parked before `cutoff`, whatever their host's state, hands
   * them to `settle` and deletes them: a host dead for months keeps no park forever.
   */
  async expire(cutoff: number, limit: number, settle: (deliveries: ParkedDelivery[]) => Promise<void>): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const stale = await client.query<ParkedRow>(expireSql, [new Date(cutoff).toISOString(), limit]);
      if (stale.rows.length > 0) await settle(inArrivalOrder(stale.rows));
      return stale.rows.length;
    });
  }

  /** Every parked delivery, for metrics (an exact count: the park is small next to outcomes). */
  async count(): Promise<number> {
    const result = await this.pool.query<{ n: string }>("SELECT count(*) AS n FROM parked_deliveries");
    return Number(result.rows[0]?.n ?? 0);
  }
}
