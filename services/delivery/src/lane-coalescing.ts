import { coalesce, supersededOutcome, type CoalescingRule, type Waiting } from "@fediflow/coalescing";
import type { DeliveryJob, InboxOutcome } from "@fediflow/contracts";

/** An inbox a delivery no longer needs to reach, and the rule that made it pointless. */
export interface PrunedInbox {
  inbox: string;
  rule: CoalescingRule;
}

export interface PrunedLane<M> {
  /** What the head of the lane still sends, and what it no longer needs. */
  head: { inboxes: string[]; pruned: PrunedInbox[] };
  /** Deliveries behind the head that lost inboxes (and which remain). */
  behind: Array<{ member: M; inboxes: string[]; pruned: PrunedInbox[] }>;
}

const waiting = (key: string, job: DeliveryJob): Waiting => ({
  key,
  type: job.activityType,
  activityIri: job.activityIri ?? null,
  undoes: job.undoes ?? null,
  inboxes: job.inboxes,
  // A retried job's earlier attempt may have landed (a timeout is not a refusal).
  attempted: job.attempt > 1,
});

/**
 * The lane's head is about to run and `behind` waits after it, oldest first, none of them sent:
 * which inboxes of each no longer need a request because a newer activity about the same object
 * replaces or cancels it.
 */
export function pruneLane<M>(head: DeliveryJob, behind: M[], jobOf: (member: M) => DeliveryJob): PrunedLane<M> {
  const lane = [waiting("head", head), ...behind.map((member, i) => waiting(String(i), jobOf(member)))];
  const byKey = new Map<string, PrunedInbox[]>();
  for (const { key, inbox, rule } of coalesce(lane)) {
    const pruned = byKey.get(key) ?? [];
    pruned.push({ inbox, rule });
    byKey.set(key, pruned);
  }
  const rest = (job: DeliveryJob, pruned: PrunedInbox[]) => {
    const gone = new Set(pruned.map((p) => p.inbox));
    return job.inboxes.filter((inbox) => !gone.has(inbox));
  };
  const headPruned = byKey.get("head") ?? [];
  return {
    head: { inboxes: rest(head, headPruned), pruned: headPruned },
    behind: behind.flatMap((member, i) => {
      const pruned = byKey.get(String(i));
      return pruned ? [{ member, inboxes: rest(jobOf(member), pruned), pruned }] : [];
    }),
  };
}

/** The outcomes that account for pruned inboxes: superseded, with the rule as the reason. */
export const supersededOutcomes = (pruned: PrunedInbox[]): InboxOutcome[] =>
  pruned.map(({ inbox, rule }) => supersededOutcome(inbox, rule));
