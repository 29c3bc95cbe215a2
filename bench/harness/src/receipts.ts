import type { FakeFediverse } from "@fediflow/fake-fediverse";

/** What the fake fediverse saw of one activity, measured from the moment it was handed over. */
export interface Receipts {
  /** Expected inboxes that answered 202 at least once. */
  delivered: number;
  expected: number;
  /** Requests carrying this activity, whatever the answer (retries included). */
  requests: number;
  /** Requests whose signature or digest did not verify. */
  badSignatures: number;
  /** Requests by the status answered (0: no answer, the sender gave up). */
  statuses: Record<string, number>;
  /** ms from hand-over to each expected inbox's first 202, ascending. */
  latenciesMs: number[];
}

export function receiptsOf(fediverse: FakeFediverse, activityId: string, expected: ReadonlySet<string>, handedOverAt: number): Receipts {
  const first = new Map<string, number>();
  let requests = 0;
  let badSignatures = 0;
  const statuses: Record<string, number> = {};
  for (const host of fediverse.hosts) {
    for (const post of host.received) {
      if (post.activityId !== activityId) continue;
      requests += 1;
      if (!post.signatureValid || !post.digestValid) badSignatures += 1;
      statuses[post.status] = (statuses[post.status] ?? 0) + 1;
      if (post.status !== 202 || !expected.has(post.inbox)) continue;
      const seen = first.get(post.inbox);
      if (seen === undefined || post.receivedAt < seen) first.set(post.inbox, post.receivedAt);
    }
  }
  const latenciesMs = [...first.values()].map((at) => at - handedOverAt).sort((a, b) => a - b);
  return { delivered: first.size, expected: expected.size, requests, badSignatures, statuses, latenciesMs };
}

/** Nearest-rank percentile of an ascending list; null when empty. */
export function percentile(ascending: readonly number[], p: number): number | null {
  if (ascending.length === 0) return null;
  return ascending[Math.min(ascending.length - 1, Math.max(0, Math.ceil((p / 100) * ascending.length) - 1))]!;
}

/** Polls until every expected inbox has the activity or the budget runs out. */
export async function awaitReceipts(
  fediverse: FakeFediverse,
  activityId: string,
  expected: ReadonlySet<string>,
  handedOverAt: number,
  budgetMs: number,
  onProgress?: (receipts: Receipts) => void,
): Promise<Receipts & { complete: boolean }> {
  const deadline = handedOverAt + budgetMs;
  for (;;) {
    const receipts = receiptsOf(fediverse, activityId, expected, handedOverAt);
    onProgress?.(receipts);
    if (receipts.delivered >= expected.size) return { ...receipts, complete: true };
    if (Date.now() > deadline) return { ...receipts, complete: false };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
