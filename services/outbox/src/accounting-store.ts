import { topics } from "@fediflow/contracts";
import { inTransaction, type Pool } from "@fediflow/postgres";
import { outcomeKey, storedOutcomeOf, tallyOutcomes, type CountedOutcome, type InboxOutcome } from "./tally";

/** What was counted before for a batch's inboxes, locked in a stable order (primary-key lookups). */
export const previousOutcomesSql = `SELECT d.activity_id, d.inbox, d.outcome, d.attempt, d.redrive_id
           FROM delivery_outcomes d
           JOIN unnest($1::uuid[], $2::text[]) AS k(activity_id, inbox) USING (activity_id, inbox)
          ORDER BY d.activity_id, d.inbox
            FOR UPDATE OF d`;

/** The activity.completed webhook event (the status document) of each activity given that is now complete. */
export const completedEventsSql = `INSERT INTO outbox_messages (topic, message_key, payload)
  SELECT $1, p.activity_id::text, json_build_object(
           'id', 'evt_' || gen_random_uuid(),
           'type', 'activity.completed',
           'timestamp', p.completed_at,
           'data', json_build_object(
             'id', p.activity_id, 'state', 'done',
             'inboxes', json_build_object('total', p.total, 'delivered', p.delivered, 'failed', p.failed, 'pending', 0,
                                          'parked', p.parked, 'blocked', p.blocked, 'superseded', p.superseded),
             'createdAt', a.created_at, 'completedAt', p.completed_at))::text
    FROM activity_progress p JOIN activities a ON a.id = p.activity_id
   WHERE p.activity_id = ANY($2::uuid[]) AND p.completed_at IS NOT NULL
   ORDER BY p.activity_id`;

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
      const previous = await client.query<{
        activity_id: string;
        inbox: string;
        outcome: InboxOutcome;
        attempt: number;
        redrive_id: number | null;
      }>(previousOutcomesSql, [keys.map((o) => o.activityId), keys.map((o) => o.inbox)]);
      const tally = tallyOutcomes(
        outcomes,
        new Map(
          previous.rows.map((row) => [
            outcomeKey(row.activity_id, row.inbox),
            { outcome: row.outcome, attempt: row.attempt, redriveId: row.redrive_id === null ? null : String(row.redrive_id) },
          ]),
        ),
      );
      if (tally.writes.length === 0) return;
      const time = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      // An outcome settled without an attempt (superseded, discarded) keeps the last attempt's time.
      await client.query(
        `INSERT INTO delivery_outcomes (activity_id, inbox, host, outcome, status, reason, attempt, last_attempt_at, next_attempt_at, redrive_id)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[],
                              $8::timestamptz[], $9::timestamptz[], $10::bigint[])
         ON CONFLICT (activity_id, inbox) DO UPDATE
           SET outcome = excluded.outcome, status = excluded.status, reason = excluded.reason,
               attempt = GREATEST(excluded.attempt, delivery_outcomes.attempt),
               last_attempt_at = COALESCE(excluded.last_attempt_at, delivery_outcomes.last_attempt_at),
               next_attempt_at = excluded.next_attempt_at, updated_at = now()`,
        [
          tally.writes.map((w) => w.activityId),
          tally.writes.map((w) => w.inbox),
          tally.writes.map((w) => w.host),
          tally.writes.map((w) => storedOutcomeOf(w.outcome)),
          tally.writes.map((w) => w.status),
          tally.writes.map((w) => w.reason),
          tally.writes.map((w) => w.attempt),
          tally.writes.map((w) => time(w.attemptedAt)),
          tally.writes.map((w) => time(w.nextAttemptAt)),
          tally.writes.map((w) => w.redriveId),
        ],
      );
      const ids = [...tally.deltas.keys()].sort();
      if (ids.length === 0) return;
      const locked = await client.query<{ activity_id: string; open: boolean }>(
        "SELECT activity_id, completed_at IS NULL AS open FROM activity_progress WHERE activity_id = ANY($1::uuid[]) ORDER BY activity_id FOR UPDATE",
        [ids],
      );
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
      // activity.completed for each activity this batch completed (again, after a redrive), in the
      // same transaction: the relay publishes it once the counts are committed.
      const open = locked.rows.filter((row) => row.open).map((row) => row.activity_id);
      if (open.length > 0) await client.query(completedEventsSql, [topics.webhookEvents.name, open]);
    });
  }
}
