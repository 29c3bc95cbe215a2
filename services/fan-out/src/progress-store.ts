import { inTransaction, type Pool } from "@fediflow/postgres";
import { LeaseLost, type Checkpoint, type Claim, type FanOutProgress } from "./fan-out";
import type { Target } from "./fold-inboxes";

interface CheckpointRow {
  cursor_host: string | null;
  cursor_inbox: string | null;
  inboxes: number;
  messages: number;
}

/**
 * Fan-out's progress records (fanout_checkpoints) with a lease per activity: one process at a
 * time fans an activity out, every checkpoint write is fenced by the lease, and a process that
 * died (kill -9) gives the activity up when its lease runs out. Times are PostgreSQL's, so
 * clocks of different pods never have to agree.
 */
export class ProgressStore implements FanOutProgress {
  constructor(
    private readonly pool: Pool,
    /** Names this process in leases. */
    readonly owner: string,
    readonly leaseMs: number,
  ) {}

  async claim(activityId: string): Promise<Claim> {
    const claimed = await this.pool.query<CheckpointRow>(
      `INSERT INTO fanout_checkpoints AS c (activity_id, lease_owner, lease_expires_at)
       VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (activity_id) DO UPDATE
          SET lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at, updated_at = now()
        WHERE c.completed_at IS NULL
          AND (c.lease_owner IS NULL OR c.lease_owner = excluded.lease_owner OR c.lease_expires_at < now())
       RETURNING cursor_host, cursor_inbox, inboxes, messages`,
      [activityId, this.owner, this.leaseMs],
    );
    const row = claimed.rows[0];
    if (row) {
      const cursor = row.cursor_host !== null && row.cursor_inbox !== null ? { host: row.cursor_host, inbox: row.cursor_inbox } : null;
      return { kind: "claimed", checkpoint: { cursor, inboxes: row.inboxes, messages: row.messages } };
    }
    const current = await this.pool.query<{ completed: boolean; lease_owner: string | null; remaining_ms: number }>(
      `SELECT completed_at IS NOT NULL AS completed, lease_owner,
              greatest(0, ceil(extract(epoch FROM lease_expires_at - now()) * 1000))::int AS remaining_ms
         FROM fanout_checkpoints WHERE activity_id = $1`,
      [activityId],
    );
    const state = current.rows[0];
    if (!state || state.completed) return { kind: "completed" };
    return { kind: "held", owner: state.lease_owner ?? "", expiresInMs: state.remaining_ms };
  }

  /** Records a checkpoint and extends the lease; throws LeaseLost when another process holds it. */
  async save(activityId: string, checkpoint: Checkpoint): Promise<void> {
    const result = await this.pool.query(
      `UPDATE fanout_checkpoints
          SET cursor_host = $3, cursor_inbox = $4, inboxes = $5, messages = $6,
              lease_expires_at = now() + $7 * interval '1 millisecond', updated_at = now()
        WHERE activity_id = $1 AND lease_owner = $2 AND completed_at IS NULL`,
      [...this.fenced(activityId, checkpoint), this.leaseMs],
    );
    if (result.rowCount === 0) throw new LeaseLost(activityId);
  }

  /** Parameters $1 to $6 of a checkpoint write: the row, the lease it is fenced by, the checkpoint. */
  private fenced(activityId: string, checkpoint: Checkpoint): Array<string | number | null> {
    const { cursor, inboxes, messages } = checkpoint;
    return [activityId, this.owner, cursor?.host ?? null, cursor?.inbox ?? null, inboxes, messages];
  }

  /** Extends the lease between checkpoints; false when it is no longer ours. */
  async renew(activityId: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE fanout_checkpoints SET lease_expires_at = now() + $3 * interval '1 millisecond'
        WHERE activity_id = $1 AND lease_owner = $2 AND completed_at IS NULL`,
      [activityId, this.owner, this.leaseMs],
    );
    return result.rowCount === 1;
  }

  /**
   * Marks the fan-out complete and fixes the activity's total in one transaction, fenced by
   * the lease. Outcomes may all have arrived already, so it can be done at once.
   */
  async complete(activityId: string, checkpoint: Checkpoint): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const finished = await client.query(
        `UPDATE fanout_checkpoints
            SET cursor_host = $3, cursor_inbox = $4, inboxes = $5, messages = $6, completed_at = now(),
                lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
          WHERE activity_id = $1 AND lease_owner = $2 AND completed_at IS NULL`,
        this.fenced(activityId, checkpoint),
      );
      if (finished.rowCount === 0) throw new LeaseLost(activityId);
      await client.query(
        `UPDATE activity_progress
            SET total = $2, fanout_completed_at = now(),
                completed_at = CASE WHEN delivered + failed + parked + blocked + superseded >= $2 THEN now() END
          WHERE activity_id = $1 AND total IS NULL`,
        [activityId, checkpoint.inboxes],
      );
    });
  }
}
