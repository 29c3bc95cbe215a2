import { DeliveryJobSchema, type DeliveryJob } from "@fediflow/contracts";
import { inTransaction, type Pool, type PoolClient } from "@fediflow/postgres";
import type { ScheduleRows, ScheduledDelivery, WaitReason } from "./waiting-lanes";

interface Row {
  id: number;
  partition: number;
  lane: string;
  reason: WaitReason;
  job: unknown;
  due_at: Date;
}

const toScheduled = (row: Row): ScheduledDelivery => ({
  id: row.id,
  partition: row.partition,
  lane: row.lane,
  reason: row.reason,
  job: DeliveryJobSchema.parse(row.job),
  dueAt: row.due_at.getTime(),
});

/** Serialises changes to one lane across processes (a transaction-level lock: pooler-safe). */
const lockLane = (client: PoolClient, lane: string) => client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [lane]);

/** Due lane heads of some partitions, claimed for a lease (the partial index delivery_schedule_due). */
export const claimDueSql = `UPDATE delivery_schedule SET claimed_until = to_timestamp(($2 + $4) / 1000.0)
        WHERE id IN (
          SELECT id FROM delivery_schedule
           WHERE head AND partition = ANY($1::int[]) AND due_at <= to_timestamp($2 / 1000.0)
             AND (claimed_until IS NULL OR claimed_until < to_timestamp($2 / 1000.0))
           ORDER BY due_at
           LIMIT $3
             FOR UPDATE SKIP LOCKED)
        RETURNING id, partition, lane, reason, job, due_at`;

/**
 * Deliveries that wait, in PostgreSQL (table delivery_schedule): a lane's rows run one by one
 * in the order they were added; only its head is ever due.
 */
export class ScheduleStore implements ScheduleRows {
  constructor(private readonly pool: Pool) {}

  /** Adds a job at the end of its lane; it runs at dueAt or once it is the lane's head, whichever is later. */
  async append(partition: number, lane: string, job: DeliveryJob, dueAt: number, reason: WaitReason): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await lockLane(client, lane);
      await client.query(
        `INSERT INTO delivery_schedule (partition, host, lane, head, due_at, reason, job)
         SELECT $1, $2, $3, NOT EXISTS (SELECT 1 FROM delivery_schedule WHERE lane = $3), to_timestamp($4 / 1000.0), $5, $6`,
        [partition, job.host, lane, dueAt, reason, JSON.stringify(job)],
      );
    });
  }

  /** Claims up to `limit` due heads of the given partitions for leaseMs (a crashed claimer's lease expires). */
  async claimDue(partitions: number[], now: number, limit: number, leaseMs: number): Promise<ScheduledDelivery[]> {
    if (partitions.length === 0 || limit <= 0) return [];
    const result = await this.pool.query<Row>(claimDueSql, [partitions, now, limit, leaseMs]);
    return result.rows.map(toScheduled).sort((a, b) => a.id - b.id);
  }

  /** The head must wait again (a retry): it keeps its place at the front of its lane. */
  async postpone(id: number, job: DeliveryJob, dueAt: number, reason: WaitReason): Promise<void> {
    await this.pool.query(
      "UPDATE delivery_schedule SET job = $2, due_at = to_timestamp($3 / 1000.0), reason = $4, claimed_until = NULL WHERE id = $1",
      [id, JSON.stringify(job), dueAt, reason],
    );
  }

  /** The head is done: removes it and makes the next row of its lane the head, due at once. */
  async complete(id: number, lane: string, now: number): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await lockLane(client, lane);
      await client.query("DELETE FROM delivery_schedule WHERE id = $1", [id]);
      await client.query(
        `UPDATE delivery_schedule SET head = true, due_at = greatest(due_at, to_timestamp($2 / 1000.0))
          WHERE id = (SELECT id FROM delivery_schedule WHERE lane = $1 ORDER BY id LIMIT 1)`,
        [lane, now],
      );
    });
  }

  /** Rows waiting behind a lane's head, oldest first (what coalescing looks at). */
  async behind(lane: string, headId: number, limit: number): Promise<ScheduledDelivery[]> {
    const result = await this.pool.query<Row>(
      `SELECT id, partition, lane, reason, job, due_at FROM delivery_schedule
        WHERE lane = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [lane, headId, limit],
    );
    return result.rows.map(toScheduled);
  }

  /** A row behind the head keeps its place with fewer inboxes. */
  async shrink(id: number, job: DeliveryJob): Promise<void> {
    await this.pool.query("UPDATE delivery_schedule SET job = $2 WHERE id = $1", [id, JSON.stringify(job)]);
  }

  /** Takes out a row behind the head that has nothing left to send. */
  async remove(id: number, lane: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await lockLane(client, lane);
      await client.query("DELETE FROM delivery_schedule WHERE id = $1 AND NOT head", [id]);
    });
  }

  /** Rows per lane waiting in a partition (loaded when the partition is assigned). */
  async waitingLanes(partition: number): Promise<Map<string, number>> {
    const result = await this.pool.query<{ lane: string; rows: number }>(
      "SELECT lane, count(*)::int AS rows FROM delivery_schedule WHERE partition = $1 GROUP BY lane",
      [partition],
    );
    return new Map(result.rows.map((row) => [row.lane, row.rows]));
  }

  /** Rows waiting, by reason, for metrics. */
  async waiting(): Promise<Map<string, number>> {
    const result = await this.pool.query<{ reason: string; rows: number }>(
      "SELECT reason, count(*)::int AS rows FROM delivery_schedule GROUP BY reason",
    );
    return new Map(result.rows.map((row) => [row.reason, row.rows]));
  }
}
