import { coalesce, supersededOutcome, type CoalescingRule } from "@fediflow/coalescing";
import type { DeliveryReport } from "@fediflow/contracts";
import type { ParkedDelivery } from "./parked";

export interface PrunedParked {
  delivery: ParkedDelivery;
  rule: CoalescingRule;
}

/**
 * Which parked deliveries a newer one about the same object, to the same inbox, makes pointless
 * (the rules of packages/coalescing): the park keeps only what a revived host still needs, so a
 * server away for a week gets the final state of each object, not its history. `rows` are the
 * parked deliveries of the lanes concerned, in the order they were parked.
 */
export function prunePark(rows: ParkedDelivery[]): PrunedParked[] {
  const lanes = new Map<string, ParkedDelivery[]>();
  for (const row of rows) {
    // Activities without an object have a lane of their own: nothing newer can replace them.
    if (row.job.objectId === null) continue;
    const lane = `${row.host}\n${row.job.objectId}`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), row]);
  }
  const pruned: PrunedParked[] = [];
  for (const lane of lanes.values()) {
    const waiting = lane.map((row, i) => ({
      key: String(i),
      type: row.job.activityType,
      activityIri: row.job.activityIri ?? null,
      undoes: row.job.undoes ?? null,
      inboxes: [row.inbox],
      attempted: row.attempted,
    }));
    for (const { key, rule } of coalesce(waiting)) pruned.push({ delivery: lane[Number(key)]!, rule });
  }
  return pruned;
}

/** The outcomes that settle pruned parked deliveries: superseded, one report per activity and host. */
export function supersededReports(pruned: PrunedParked[], now: number): DeliveryReport[] {
  const byActivity = new Map<string, PrunedParked[]>();
  for (const entry of pruned) {
    const key = `${entry.delivery.host}\n${entry.delivery.activityId}`;
    byActivity.set(key, [...(byActivity.get(key) ?? []), entry]);
  }
  const at = new Date(now).toISOString();
  return [...byActivity.values()].map((group) => ({
    ...group[0]!.delivery.job,
    host: group[0]!.delivery.host,
    attempt: 0,
    firstAttemptAt: null,
    outcomes: group.map(({ delivery, rule }) => supersededOutcome(delivery.inbox, rule)),
    at,
  }));
}
