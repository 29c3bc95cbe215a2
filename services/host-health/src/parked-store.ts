import { inTransaction, type Pool } from "@fediflow/postgres";
import type { DeliveryReport } from "@fediflow/contracts";
import type { ParkedDelivery, ParkedJob } from "./parked";
import { prunePark, supersededReports, type PrunedParked } from "./park-coalescing";

interface ParkedRow {
  activity_id: string;
  inbox: string;
  host: string;
  job: ParkedJob;
  parked_at: Date;
  seq: string;
  attempted: boolean;
}

const fromRow = (row: ParkedRow): ParkedDelivery => ({
  activityId: row.activity_id,
  inbox: row.inbox,
  host: row.host,
  job: row.job,
  parkedAt: row.parked_at.getTime(),
  attempted: row.attempted,
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
  RETURNING activity_id, inbox, host, job, parked_at, seq, attempted`;
export const claimFreshSql = claim("host = $1 AND parked_at >= $2::timestamptz", "seq", "$3");
export const claimStaleSql = claim("host = $1 AND parked_at < $2::timestamptz", "seq", "$3");
/** The rows parked longest, before $1, whatever their host. */
export const expireSql = claim("parked_at < $1::timestamptz", "parked_at", "$2");

/** All of a host's parked rows, first claimed in arrival order. */
export const claimHostSql = claim("host = $1", "seq", "$2");

/** One keyset page of a host's parked deliveries in arrival order (the index on (host, seq)). */
export const parkedPageSql = `SELECT activity_id, inbox, parked_at, seq FROM parked_deliveries
   WHERE host = $1 AND seq > $2 ORDER BY seq LIMIT $3`;

/** Every parked row of some (host, object, inbox) lanes, locked against a replay taking them meanwhile. */
export const laneRowsSql = `SELECT p.activity_id, p.inbox, p.host, p.job, p.parked_at, p.seq, p.attempted
    FROM parked_deliveries p
    JOIN (SELECT DISTINCT h, o, i FROM unnest($1::text[], $2::text[], $3::text[]) AS x(h, o, i)) lane
      ON p.host = lane.h AND p.job->>'objectId' = lane.o AND p.inbox = lane.i
   ORDER BY p.seq
     FOR UPDATE OF p`;

const inArrivalOrder = (rows: ParkedRow[]): ParkedDelivery[] =>
  [...rows].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)).map(fromRow);

/** The durable park: deliveries held for dead hosts until they are revived. */
export class ParkedStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Parks deliveries; one already parked keeps its first time, so its age counts from then. The
   * lanes the new ones join are coalesced at once: what a newer parked delivery replaces or
   * cancels leaves the park and is settled superseded through `settle`, inside the transaction
   * (a crash before the commit settles it again: at least once, never lost).
   */
  async park(deliveries: ParkedDelivery[], now: number, settle: (reports: DeliveryReport[]) => Promise<void>): Promise<PrunedParked[]> {
    if (deliveries.length === 0) return [];
    return inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO parked_deliveries (activity_id, inbox, host, job, parked_at, attempted)
         SELECT a, i, h, j, to_timestamp(t / 1000.0), at
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::float8[], $6::boolean[]) AS x(a, i, h, j, t, at)
         ON CONFLICT (activity_id, inbox) DO NOTHING`,
        [
          deliveries.map((d) => d.activityId),
          deliveries.map((d) => d.inbox),
          deliveries.map((d) => d.host),
          deliveries.map((d) => JSON.stringify(d.job)),
          deliveries.map((d) => d.parkedAt),
          deliveries.map((d) => d.attempted),
        ],
      );
      const lanes = deliveries.filter((d) => d.job.objectId !== null);
      if (lanes.length === 0) return [];
      const rows = await client.query<ParkedRow>(laneRowsSql, [
        lanes.map((d) => d.host),
        lanes.map((d) => d.job.objectId),
        lanes.map((d) => d.inbox),
      ]);
      const pruned = prunePark(inArrivalOrder(rows.rows));
      if (pruned.length === 0) return [];
      await client.query(
        `DELETE FROM parked_deliveries p USING unnest($1::uuid[], $2::text[]) AS x(a, i)
          WHERE p.activity_id = x.a AND p.inbox = x.i`,
        [pruned.map((p) => p.delivery.activityId), pruned.map((p) => p.delivery.inbox)],
      );
      await settle(supersededReports(pruned, now));
      return pruned;
    });
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

  /** A page of a host's parked deliveries after position `afterSeq`, one more than `limit` to tell if more follow. */
  async page(host: string, afterSeq: string, limit: number): Promise<Array<{ activityId: string; inbox: string; parkedAt: Date; seq: string }>> {
    const result = await this.pool.query<{ activity_id: string; inbox: string; parked_at: Date; seq: string }>(parkedPageSql, [
      host,
      afterSeq,
      limit,
    ]);
    return result.rows.map((row) => ({ activityId: row.activity_id, inbox: row.inbox, parkedAt: row.parked_at, seq: row.seq }));
  }

  /**
   * Takes up to `limit` of a host's parked deliveries, hands them to `settle` and deletes them
   * when it succeeds (a crash before the commit settles them again: at least once).
   */
  async discard(host: string, limit: number, settle: (deliveries: ParkedDelivery[]) => Promise<void>): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const rows = await client.query<ParkedRow>(claimHostSql, [host, limit]);
      if (rows.rows.length > 0) await settle(inArrivalOrder(rows.rows));
      return rows.rows.length;
    });
  }

  /** Every parked delivery, for metrics (an exact count: the park is small next to outcomes). */
  async count(): Promise<number> {
    const result = await this.pool.query<{ n: string }>("SELECT count(*) AS n FROM parked_deliveries");
    return Number(result.rows[0]?.n ?? 0);
  }
}
