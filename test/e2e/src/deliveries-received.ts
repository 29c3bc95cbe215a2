import type { FakeFediverse } from "@fediflow/fake-fediverse";

/** How many times each (activity, inbox) pair was accepted by the fake fediverse. */
export function acceptedCounts(fediverse: FakeFediverse): Map<string, number> {
  const counts = new Map<string, number>();
  for (const post of fediverse.allReceived()) {
    if (post.status !== 202) continue;
    const key = `${post.activityId} ${post.inbox}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Deliveries beyond the first for each (activity, inbox) pair. */
export function duplicateCount(counts: Map<string, number>): number {
  let duplicates = 0;
  for (const count of counts.values()) duplicates += count - 1;
  return duplicates;
}
