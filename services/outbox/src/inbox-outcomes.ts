import type { Pool } from "@fediflow/postgres";
import type { InboxOutcome } from "./tally";

/** One inbox of an activity as the per-inbox API shows it. */
export interface InboxRecord {
  inbox: string;
  host: string;
  outcome: InboxOutcome;
  status: number | null;
  reason: string | null;
  attempts: number;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
}

export interface InboxFilter {
  outcome: InboxOutcome | null;
  host: string | null;
}

/**
 * One keyset page of an activity's inboxes in inbox order, after `after` (exclusive), one row
 * more than asked so the caller knows whether another page follows. Each filter has its own
 * index: (activity_id, outcome, inbox), (activity_id, host, inbox), and the primary key
 * (activity_id, inbox) for none, so a page is an index range scan at any table size.
 */
export function inboxPageSql(filter: { outcome: boolean; host: boolean }): string {
  const conditions = ["activity_id = $1", "inbox > $2"];
  if (filter.outcome) conditions.push("outcome = $4");
  if (filter.host) conditions.push(`host = $${filter.outcome ? 5 : 4}`);
  return `SELECT inbox, host, outcome, status, reason, attempt, last_attempt_at, next_attempt_at
            FROM delivery_outcomes
           WHERE ${conditions.join(" AND ")}
           ORDER BY inbox
           LIMIT $3`;
}

interface Row {
  inbox: string;
  host: string;
  outcome: InboxOutcome;
  status: number | null;
  reason: string | null;
  attempt: number;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
}

/** Reads the per-inbox record of delivery_outcomes (written by the accounting consumer). */
export class InboxOutcomeStore {
  constructor(private readonly pool: Pool) {}

  /** Null when there is no such activity. */
  async page(activityId: string, filter: InboxFilter, after: string, limit: number): Promise<{ inboxes: InboxRecord[]; more: boolean } | null> {
    const params: unknown[] = [activityId, after, limit + 1];
    if (filter.outcome !== null) params.push(filter.outcome);
    if (filter.host !== null) params.push(filter.host);
    const result = await this.pool.query<Row>(inboxPageSql({ outcome: filter.outcome !== null, host: filter.host !== null }), params);
    if (result.rows.length === 0) {
      const known = await this.pool.query("SELECT 1 FROM activities WHERE id = $1", [activityId]);
      if (known.rowCount === 0) return null;
    }
    return {
      inboxes: result.rows.slice(0, limit).map((row) => ({
        inbox: row.inbox,
        host: row.host,
        outcome: row.outcome,
        status: row.status,
        reason: row.reason,
        attempts: row.attempt,
        lastAttemptAt: row.last_attempt_at,
        nextAttemptAt: row.outcome === "pending" ? row.next_attempt_at : null,
      })),
      more: result.rows.length > limit,
    };
  }
}
