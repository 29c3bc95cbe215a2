/** One place a delivery goes: an inbox and the host it is on. */
export interface Target {
  host: string;
  inbox: string;
}

/** Host, then inbox, in code-unit order (PostgreSQL's C collation for the ASCII URLs stored). */
export function compareTargets(a: Target, b: Target): number {
  if (a.host !== b.host) return a.host < b.host ? -1 : 1;
  if (a.inbox !== b.inbox) return a.inbox < b.inbox ? -1 : 1;
  return 0;
}

/** Sorts and de-duplicates an in-memory target list (explicit inboxes, resolved actors). */
export function sortTargets(targets: Target[]): Target[] {
  const sorted = [...targets].sort(compareTargets);
  return sorted.filter((target, i) => i === 0 || compareTargets(sorted[i - 1]!, target) !== 0);
}

/**
 * Merges two sorted target streams into one sorted stream without repeats: the followers'
 * targets from PostgreSQL and the explicit ones, so an inbox named twice gets one delivery.
 */
export async function* mergeTargets(followers: AsyncIterable<Target>, explicit: Target[]): AsyncGenerator<Target> {
  let index = 0;
  let last: Target | undefined;
  const emit = function* (target: Target) {
    if (last && compareTargets(last, target) === 0) return;
    last = target;
    yield target;
  };
  for await (const follower of followers) {
    while (index < explicit.length && compareTargets(explicit[index]!, follower) <= 0) yield* emit(explicit[index++]!);
    yield* emit(follower);
  }
  while (index < explicit.length) yield* emit(explicit[index++]!);
}

export interface HostBatch {
  host: string;
  inboxes: string[];
}

/**
 * Groups a sorted target stream into per-host batches of at most maxInboxes: one message per
 * (activity, host), split only when a host has very many personal inboxes. Memory is one
 * batch, whatever the audience size.
 */
export async function* foldByHost(targets: AsyncIterable<Target>, maxInboxes: number): AsyncGenerator<HostBatch> {
  let current: HostBatch | undefined;
  for await (const target of targets) {
    if (current && (current.host !== target.host || current.inboxes.length >= maxInboxes)) {
      yield current;
      current = undefined;
    }
    current ??= { host: target.host, inboxes: [] };
    current.inboxes.push(target.inbox);
  }
  if (current) yield current;
}
