interface Bucket {
  tokens: number;
  refilledAt: number;
}

/**
 * Caps requests in flight per host and in total, and optionally paces each host to a number of
 * requests per second. A slow host fills only its own slots, so it cannot take the process's
 * capacity from the others. A request unanswered for `patienceMs` gives its share of the total
 * back (it only waits on a socket and costs no CPU): a thousand servers that accept connections
 * and never answer hold their own slots, not the process's.
 */
export class HostLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();
  private readonly buckets = new Map<string, Bucket>();
  private total = 0;
  /** Requests past their patience, no longer counted in `total`. */
  private lingering = 0;
  private readonly totalWaiting: Array<() => void> = [];

  /**
   * @param perHost requests in flight allowed to a host now (it may change, e.g. 1 during a
   *   circuit breaker's trial)
   * @param overall requests in flight from this process
   * @param ratePerHost requests per second per host; 0 for no pacing
   * @param patienceMs after this long unanswered a request stops counting against `overall`
   */
  constructor(
    private readonly perHost: (host: string) => number,
    private readonly overall: number,
    private readonly ratePerHost = 0,
    private readonly patienceMs = Number.POSITIVE_INFINITY,
  ) {}

  /** Every request in flight, lingering ones included. */
  get inFlight(): number {
    return this.total + this.lingering;
  }

  /** Requests in flight past their patience. */
  get lingeringRequests(): number {
    return this.lingering;
  }

  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(host);
    let counted = true;
    const patience = Number.isFinite(this.patienceMs)
      ? setTimeout(() => {
          counted = false;
          this.lingering += 1;
          this.releaseTotal();
        }, this.patienceMs)
      : undefined;
    try {
      if (this.ratePerHost > 0) await this.pace(host);
      return await task();
    } finally {
      clearTimeout(patience);
      if (counted) this.releaseTotal();
      else this.lingering -= 1;
      this.releaseHost(host);
    }
  }

  private async acquire(host: string): Promise<void> {
    if ((this.active.get(host) ?? 0) >= this.perHost(host)) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(host) ?? [];
        queue.push(resolve);
        this.waiting.set(host, queue);
      });
    } else {
      this.active.set(host, (this.active.get(host) ?? 0) + 1);
    }
    if (this.total >= this.overall) await new Promise<void>((resolve) => this.totalWaiting.push(resolve));
    else this.total += 1;
  }

  private releaseTotal(): void {
    const nextTotal = this.totalWaiting.shift();
    if (nextTotal) nextTotal();
    else this.total -= 1;
  }

  private releaseHost(host: string): void {
    const count = (this.active.get(host) ?? 1) - 1;
    const queue = this.waiting.get(host);
    // Hand the slot on only while the host's limit allows it (it may have dropped meanwhile);
    // waiters left behind are woken by later releases, at the latest when the count reaches 0.
    if (queue && queue.length > 0 && count < this.perHost(host)) {
      this.active.set(host, count + 1);
      queue.shift()!();
      if (queue.length === 0) this.waiting.delete(host);
    } else if (count === 0 && !queue?.length) {
      this.active.delete(host);
    } else {
      this.active.set(host, count);
    }
  }

  /** Token bucket per host: at most ratePerHost requests a second, bursts of up to one second's worth. */
  private async pace(host: string): Promise<void> {
    const now = performance.now();
    const bucket = this.buckets.get(host) ?? { tokens: this.ratePerHost, refilledAt: now };
    bucket.tokens = Math.min(this.ratePerHost, bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.ratePerHost);
    bucket.refilledAt = now;
    bucket.tokens -= 1;
    this.buckets.set(host, bucket);
    if (bucket.tokens < 0) await new Promise((resolve) => setTimeout(resolve, (-bucket.tokens / this.ratePerHost) * 1000));
  }
}
