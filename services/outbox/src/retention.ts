import type { Logger } from "@fediflow/logging";
import type { Pool } from "@fediflow/postgres";

export interface RetentionPolicy {
  /** Finished activities go this long after finishing, ms. */
  finishedMs: number;
  /** Every activity goes this long after it was accepted, ms. */
  maxAgeMs: number;
  /** Rows per delete statement. */
  batchRows: number;
}

/** The smallest UUIDv7 minted at a time: ids below it were minted before. */
export function uuidv7Floor(time: number): string {
  const hex = Math.max(0, Math.floor(time)).toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

/** Expired activities: finished long enough ago (partial index on completed_at) or older than the maximum age (UUIDv7 ids). */
export const expiredActivitiesSql = `(SELECT activity_id AS id FROM activity_progress
           WHERE completed_at < to_timestamp($1 / 1000.0) AND parked = 0
           ORDER BY completed_at LIMIT 200)
         UNION
         (SELECT id FROM activities WHERE id < $2::uuid ORDER BY id LIMIT 200)`;

/**
 * Removes what has expired: finished activities (every inbox settled and none parked, whose
 * replay may still need the body) after finishedMs, and any activity after maxAgeMs, with their
 * accounting and checkpoints. Work is cut into statements of at most batchRows rows, each its
 * own short transaction, so retention never holds locks on the hot tables for long.
 */
export class Retention {
  removedActivities = 0;
  removedOutcomes = 0;
  removedQuarantined = 0;

  constructor(
    private readonly pool: Pool,
    private readonly policy: RetentionPolicy,
    private readonly logger: Logger,
  ) {}

  async sweep(now: number): Promise<{ activities: number; outcomes: number }> {
    let activities = 0;
    let outcomes = 0;
    for (;;) {
      const expired = await this.pool.query<{ id: string }>(expiredActivitiesSql, [
        now - this.policy.finishedMs,
        uuidv7Floor(now - this.policy.maxAgeMs),
      ]);
      const ids = expired.rows.map((row) => row.id);
      if (ids.length === 0) break;
      for (;;) {
        const deleted = await this.pool.query(
          `DELETE FROM delivery_outcomes WHERE (activity_id, inbox) IN (
             SELECT activity_id, inbox FROM delivery_outcomes WHERE activity_id = ANY($1::uuid[]) LIMIT $2)`,
          [ids, this.policy.batchRows],
        );
        outcomes += deleted.rowCount ?? 0;
        if ((deleted.rowCount ?? 0) < this.policy.batchRows) break;
      }
      // What is left per activity is a handful of rows (progress, checkpoint), removed by cascade.
      const removed = await this.pool.query("DELETE FROM activities WHERE id = ANY($1::uuid[])", [ids]);
      activities += removed.rowCount ?? 0;
    }
    this.removedActivities += activities;
    this.removedOutcomes += outcomes;
    if (activities > 0) this.logger.info({ activities, outcomes }, "retention removed expired activities");
    return { activities, outcomes };
  }

  /**
   * Removes quarantined messages older than maxAgeMs, redriven or not: whatever they concern is
   * past the maximum age too, and an operator had that long to look (the alert fires at once).
   */
  async sweepQuarantine(now: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const deleted = await this.pool.query(
        `DELETE FROM quarantined_messages WHERE id IN (
           SELECT id FROM quarantined_messages WHERE quarantined_at < to_timestamp($1 / 1000.0) ORDER BY id LIMIT $2)`,
        [now - this.policy.maxAgeMs, this.policy.batchRows],
      );
      removed += deleted.rowCount ?? 0;
      if ((deleted.rowCount ?? 0) < this.policy.batchRows) break;
    }
    this.removedQuarantined += removed;
    if (removed > 0) this.logger.info({ quarantined: removed }, "retention removed old quarantined messages");
    return removed;
  }

  /** Runs sweep and sweepQuarantine every intervalMs until stopped. */
  start(intervalMs: number, clock: () => number = Date.now): { stop(): Promise<void> } {
    let running: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      running = running
        .then(() => this.sweep(clock()))
        .then(() => this.sweepQuarantine(clock()))
        .catch((error: unknown) => this.logger.warn({ err: error }, "retention failed; will try again"));
    }, intervalMs);
    return {
      async stop() {
        clearInterval(timer);
        await running;
      },
    };
  }
}
