import type { DeliveryReport, OutcomeClass } from "@fediflow/contracts";

/** The status counter an outcome lands in; attempts still under way count nowhere yet. */
export type Bucket = "delivered" | "failed" | "parked" | "blocked" | "superseded";

export function bucketOf(outcome: OutcomeClass): Bucket | null {
  switch (outcome) {
    case "delivered":
      return "delivered";
    case "gone":
    case "rejected":
    case "expired":
      return "failed";
    case "parked":
      return "parked";
    case "blocked":
      return "blocked";
    case "superseded":
      return "superseded";
    case "retrying":
      return null;
  }
}

export interface CountedOutcome {
  activityId: string;
  inbox: string;
  outcome: OutcomeClass;
  status: number | null;
  reason: string | null;
  attempt: number;
}

export interface Tally {
  /** Rows to insert or overwrite in delivery_outcomes. */
  writes: CountedOutcome[];
  /** Counter changes per activity. */
  deltas: Map<string, Record<Bucket, number>>;
}

const zero = (): Record<Bucket, number> => ({ delivered: 0, failed: 0, parked: 0, blocked: 0, superseded: 0 });

/**
 * Decides what a batch of outcomes changes, given what was counted before for those inboxes.
 * An inbox is counted once: a final outcome is never replaced (redelivered reports change
 * nothing), and only a parked inbox moves on, when its replay ends.
 */
export function tallyOutcomes(incoming: CountedOutcome[], previous: Map<string, OutcomeClass>): Tally {
  const current = new Map(previous);
  const writes = new Map<string, CountedOutcome>();
  const deltas = new Map<string, Record<Bucket, number>>();
  for (const outcome of incoming) {
    const bucket = bucketOf(outcome.outcome);
    if (bucket === null) continue;
    const key = `${outcome.activityId}\n${outcome.inbox}`;
    const before = current.get(key);
    const beforeBucket = before ? bucketOf(before) : null;
    if (before && beforeBucket !== "parked") continue;
    if (beforeBucket === bucket) continue;
    const delta = deltas.get(outcome.activityId) ?? zero();
    if (beforeBucket) delta[beforeBucket] -= 1;
    delta[bucket] += 1;
    deltas.set(outcome.activityId, delta);
    current.set(key, outcome.outcome);
    writes.set(key, outcome);
  }
  return { writes: [...writes.values()], deltas };
}

export const outcomeKey = (activityId: string, inbox: string): string => `${activityId}\n${inbox}`;

/** Flattens reports into one outcome per inbox, in the order they were produced. */
export function countedOutcomes(reports: DeliveryReport[]): CountedOutcome[] {
  return reports.flatMap((report) =>
    report.outcomes.map((outcome) => ({
      activityId: report.activityId,
      inbox: outcome.inbox,
      outcome: outcome.outcome,
      status: outcome.status,
      reason: outcome.reason,
      attempt: report.attempt,
    })),
  );
}
