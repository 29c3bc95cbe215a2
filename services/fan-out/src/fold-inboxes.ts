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
 * Merges the followers' targets, which arrive from PostgreSQL in sorted pages, with the sorted
 * explicit ones, so an inbox named twice (a follower also listed in audience.inboxes) gets one
 * delivery. Synchronous per page: a million targets cost no promise each.
 */
export class AudienceMerge {
  private index = 0;
  private last: Target | null = null;

  /** @param explicit sorted and without repeats (sortTargets). */
  constructor(private readonly explicit: readonly Target[]) {}

  /** Calls emit for each target up to the end of this page of follower targets, in order. */
  page(followers: readonly Target[], emit: (target: Target) => void): void {
    for (const follower of followers) {
      while (this.index < this.explicit.length && compareTargets(this.explicit[this.index]!, follower) <= 0) {
        this.emitOnce(this.explicit[this.index++]!, emit);
      }
      this.emitOnce(follower, emit);
    }
  }

  /** Calls emit for the explicit targets after the last follower. */
  rest(emit: (target: Target) => void): void {
    while (this.index < this.explicit.length) this.emitOnce(this.explicit[this.index++]!, emit);
  }

  private emitOnce(target: Target, emit: (target: Target) => void): void {
    if (this.last && compareTargets(this.last, target) === 0) return;
    this.last = target;
    emit(target);
  }
}

/** The inboxes of one delivery message: one host, at most the configured number of inboxes. */
export interface HostBatch {
  host: string;
  inboxes: string[];
}

/**
 * Groups a sorted target stream into per-host batches: one message per (activity, host),
 * split only when a host has more inboxes than fit (many personal inboxes, no shared one).
 * Holds one unfinished batch, whatever the audience size.
 */
export class HostFolder {
  private current: HostBatch | null = null;

  constructor(private readonly maxInboxes: number) {}

  /** Adds the next target; returns the batch this completed, if it completed one. */
  add(target: Target): HostBatch | null {
    let completed: HostBatch | null = null;
    const current = this.current;
    if (current && (current.host !== target.host || current.inboxes.length >= this.maxInboxes)) {
      completed = current;
      this.current = null;
    }
    if (this.current) this.current.inboxes.push(target.inbox);
    else this.current = { host: target.host, inboxes: [target.inbox] };
    return completed;
  }

  /** The last batch, once the stream has ended. */
  finish(): HostBatch | null {
    const last = this.current;
    this.current = null;
    return last;
  }
}
