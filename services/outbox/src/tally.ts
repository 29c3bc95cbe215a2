import type { ListedOutcome, OutcomeClass } from "@fediflow/contracts";

/** The status counter an outcome lands in; attempts still under way count nowhere yet. */
export type Bucket = "delivered" | "failed" | "parked" | "blocked" | "superseded";

/** What delivery_outcomes holds for an inbox: an attempt that will be retried (or a redriven inbox) is `pending`. */
export type InboxOutcome = ListedOutcome;

export const storedOutcomeOf = (outcome: OutcomeClass): InboxOutcome => (outcome === "retrying" ? "pending" : outcome);

export function bucketOf(outcome: OutcomeClass | InboxOutcome): Bucket | null {
  switch (outcome) {
    case "delivered":
      return "delivered";
    case "gone":
    case "rejected":
    case "expired":
    case "discarded":
      return "failed";
    case "parked":
      return "parked";
    case "blocked":
      return "blocked";
    case "superseded":
      return "superseded";
    case "retrying":
    case "pending":
      return null;
  }
}

export interface CountedOutcome {
  activityId: string;
  inbox: string;
  host: string;
  outcome: OutcomeClass;
  status: number | null;
  reason: string | null;
  attempt: number;
  /** When the attempt ended (epoch ms); null when the inbox was settled without one. */
  attemptedAt: number | null;
  /** When a retrying inbox is tried next (epoch ms), when known. */
  nextAttemptAt: number | null;
  /** The redrive whose job this outcome came from; null for the activity's first delivery. */
  redriveId: string | null;
}

/** What delivery_outcomes holds for an inbox before a batch. */
export interface PreviousOutcome {
  outcome: InboxOutcome;
  attempt: number;
  redriveId: string | null;
}

export interface Tally {
  /** Rows to insert or overwrite in delivery_outcomes. */
  writes: CountedOutcome[];
  /** Counter changes per activity. */
  deltas: Map<string, Record<Bucket, number>>;
}

const zero = (): Record<Bucket, number> => ({ delivered: 0, failed: 0, parked: 0, blocked: 0, superseded: 0 });

/**
 * Decides what a batch of outcomes changes, given what was recorded before for those inboxes.
 * An inbox is counted once: a final outcome is never replaced (redelivered reports change
 * nothing), and only a parked inbox moves on, when its replay ends. A retrying attempt is
 * recorded as `pending` (with its attempt count and next attempt time) until a final outcome
 * replaces it; it changes no counter. Only outcomes of the inbox's newest redrive count: a
 * report of an earlier delivery that arrives late (Kafka is at least once) changes nothing.
 */
export function tallyOutcomes(incoming: CountedOutcome[], previous: Map<string, PreviousOutcome>): Tally {
  const current = new Map(previous);
  const writes = new Map<string, CountedOutcome>();
  const deltas = new Map<string, Record<Bucket, number>>();
  for (const outcome of incoming) {
    const key = outcomeKey(outcome.activityId, outcome.inbox);
    const before = current.get(key);
    if (before && before.redriveId !== outcome.redriveId) continue;
    const stored = storedOutcomeOf(outcome.outcome);
    const bucket = bucketOf(stored);
    const beforeBucket = before ? bucketOf(before.outcome) : null;
    if (before && before.outcome !== "pending" && beforeBucket !== "parked") continue;
    if (bucket === null) {
      // A retry never undoes a parking, nor is an older attempt's retry news.
      if (beforeBucket === "parked" || (before && before.attempt > outcome.attempt)) continue;
    } else {
      if (beforeBucket === bucket) continue;
      const delta = deltas.get(outcome.activityId) ?? zero();
      if (beforeBucket) delta[beforeBucket] -= 1;
      delta[bucket] += 1;
      deltas.set(outcome.activityId, delta);
    }
    current.set(key, { outcome: stored, attempt: outcome.attempt, redriveId: outcome.redriveId });
    writes.set(key, outcome);
  }
  return { writes: [...writes.values()], deltas };
}

export const outcomeKey = (activityId: string, inbox: string): string => `${activityId}\n${inbox}`;
