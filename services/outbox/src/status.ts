/** Counters as stored for one activity. */
export interface ProgressRow {
  total: number | null;
  fannedOut: number;
  delivered: number;
  failed: number;
  parked: number;
  blocked: number;
  superseded: number;
  completedAt: Date | null;
}

export type ActivityState = "fanning_out" | "delivering" | "done";

export interface InboxCounts {
  total: number;
  delivered: number;
  failed: number;
  pending: number;
  parked: number;
  blocked: number;
  superseded: number;
}

/**
 * The status document's state and counts. While fan-out runs, `total` is what it has
 * published so far; once fan-out finishes it is fixed, and the activity is done when every
 * inbox is delivered, failed, parked, blocked or superseded (a newer activity about the same
 * object made it pointless before it was sent).
 */
export function activityStatus(row: ProgressRow): { state: ActivityState; inboxes: InboxCounts } {
  const settled = row.delivered + row.failed + row.parked + row.blocked + row.superseded;
  const total = row.total ?? Math.max(row.fannedOut, settled);
  const state: ActivityState = row.total === null ? "fanning_out" : row.completedAt ? "done" : "delivering";
  return {
    state,
    inboxes: {
      total,
      delivered: row.delivered,
      failed: row.failed,
      pending: Math.max(total - settled, 0),
      parked: row.parked,
      blocked: row.blocked,
      superseded: row.superseded,
    },
  };
}
