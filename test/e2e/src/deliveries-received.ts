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

/**
 * The longest stretch without any accepted delivery within `windowMs` after each moment (a
 * membership change): what a consumer-group rebalance costs, seen from the remote servers.
 */
export function longestSilenceAfter(fediverse: FakeFediverse, moments: number[], windowMs: number): number[] {
  const receipts = fediverse
    .allReceived()
    .filter((post) => post.status === 202)
    .map((post) => post.receivedAt);
  return longestSilence(receipts, moments, windowMs);
}

/**
 * The gap arithmetic of longestSilenceAfter, over receipt times (epoch ms). A gap counts up to
 * the window's end; the quiet after the very last receipt is the work being over, not a pause.
 */
export function longestSilence(receipts: number[], moments: number[], windowMs: number): number[] {
  const sorted = [...receipts].sort((a, b) => a - b);
  return moments.map((moment) => {
    const end = moment + windowMs;
    let longest = 0;
    let previous = moment;
    for (const at of sorted) {
      if (at < moment) continue;
      longest = Math.max(longest, Math.min(at, end) - previous);
      if (at >= end) break;
      previous = at;
    }
    return longest;
  });
}
