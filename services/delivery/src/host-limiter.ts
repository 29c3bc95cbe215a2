/**
 * Caps requests in flight per host and in total. A slow host fills only its own slots, so it
 * cannot take the whole process's capacity from the others.
 */
export class HostLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();
  private total = 0;
  private readonly totalWaiting: Array<() => void> = [];

  constructor(
    private readonly perHost: number,
    private readonly overall: number,
  ) {}

  get inFlight(): number {
    return this.total;
  }

  async run<T>(host: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(host);
    try {
      return await task();
    } finally {
      this.release(host);
    }
  }

  private async acquire(host: string): Promise<void> {
    if ((this.active.get(host) ?? 0) >= this.perHost) {
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

  private release(host: string): void {
    const nextTotal = this.totalWaiting.shift();
    if (nextTotal) nextTotal();
    else this.total -= 1;
    const queue = this.waiting.get(host);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.waiting.delete(host);
    if (next) next();
    else {
      const count = (this.active.get(host) ?? 1) - 1;
      if (count === 0) this.active.delete(host);
      else this.active.set(host, count);
    }
  }
}
