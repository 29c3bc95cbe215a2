import type { OutcomeClass } from "@fediflow/contracts";
import { inTransaction, type Pool } from "@fediflow/postgres";
import { outcomeKey, tallyOutcomes, type CountedOutcome } from "./tally";

/** What was counted before for a batch's inboxes, locked in a stable order (primary-key lookups). */
export const previousOutcomesSql = `SELECT d.activity_id, d.inbox, d.outcome
           FROM delivery_outcomes d
           JOIN unnest($1::uuid[], $2::text[]) AS k(activity_id, inbox) USING (activity_id, inbox)
          ORDER BY d.activity_id, d.inbox
            FOR UPDATE OF d`;

/**
 * Applies delivery outcomes to the per-inbox record and the activity counters in one
 * transaction, so a batch redelivered after a crash is counted exactly once.
 */
export class AccountingStore {
  constructor(private readonly pool: Pool) {}

  async record(outcomes: CountedOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await inTransaction(this.pool, async (client) => {
      // Locks in a stable order so concurrent batches about the same inboxes cannot deadlock.
      const keys = [...new Map(outcomes.map((o) => [outcomeKey(o.activityId, o.inbox), o])).values()].sort((a, b) =>
        a.activityId === b.activityId ? (a.inbox < b.inbox ? -1 : 1) : a.activityId < b.activityId ? -1 : 1,
      );
      const previous = await client.query<{ activity_id: string; inbox: string; outcome: OutcomeClass }>(previousOutcomesSql, [
        keys.map((o) => o.activityId),
        keys.map((o) => o.inbox),
      ]);
      const tally = tallyOutcomes(outcomes, new Map(previous.rows.map((row) => [outcomeKey(row.activity_id, row.inbox), row.outcome])));
      if (tally.writes.length === 0) return;
      await client.query(
        `INSERT INTO delivery_outcomes (activity_id, inbox, outcome, status, reason, attempt)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[])
         ON CONFLICT (activity_id, inbox) DO UPDATE
           SET outcome = excluded.outcome, status = excluded.status, reason = excluded.reason,
               attempt = excluded.attempt, updated_at = now()`,
        [
          tally.writes.map((w) => w.activityId),
          tally.writes.map((w) => w.inbox),
          tally.writes.map((w) => w.outcome),
          tally.writes.map((w) => w.status),
          tally.writes.map((w) => w.reason),
          tally.writes.map((w) => w.attempt),
        ],
      );
      const ids = [...tally.deltas.keys()].sort();
      await client.query("SELECT 1 FROM activity_progress WHERE activity_id = ANY($1::uuid[]) ORDER BY activity_id FOR UPDATE", [ids]);
      const delta = (bucket: "delivered" | "failed" | "parked" | "blocked" | "superseded") => ids.map((id) => tally.deltas.get(id)![bucket]);
      await client.query(
        `UPDATE activity_progress p
            SET delivered = p.delivered + d.delivered,
                failed = p.failed + d.failed,
                parked = p.parked + d.parked,
                blocked = p.blocked + d.blocked,
                superseded = p.superseded + d.superseded,
                completed_at = COALESCE(p.completed_at, CASE
                  WHEN p.total IS NOT NULL
                   AND p.delivered + d.delivered + p.failed + d.failed + p.parked + d.parked + p.blocked + d.blocked
                       + p.superseded + d.superseded >= p.total
                  THEN now() END)
           FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::int[], $6::int[]) AS d(activity_id, delivered, failed, parked, blocked, superseded)
          WHERE p.activity_id = d.activity_id`,
        [ids, delta("delivered"), delta("failed"), delta("parked"), delta("blocked"), delta("superseded")],
      );
    });
  }
}
