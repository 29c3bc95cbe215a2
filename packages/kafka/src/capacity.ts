/**
 * A count of slots (messages admitted and not finished) that admission waits on; waiting gives
 * up after a while or when woken, so the waiter can heartbeat and look again at why it waits.
 */
export class Capacity {
  private used = 0;
  private waiters: Array<(granted: boolean) => void> = [];
  constructor(readonly limit: number) {}
  get inUse(): number {
    return this.used;
  }
  /** Resolves true once a slot is taken, false after waitMs without one or when woken. */
  async take(waitMs: number): Promise<boolean> {
    if (this.used < this.limit) {
      this.used += 1;
      return true;
    }
    return new Promise((resolve) => {
      const waiter = (granted: boolean) => {
        clearTimeout(timer);
        if (granted) this.used += 1;
        resolve(granted);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, waitMs);
      this.waiters.push(waiter);
    });
  }
  give(): void {
    this.used -= 1;
    const next = this.waiters.shift();
    if (next) next(true);
  }
  /** Sends everyone waiting away empty-handed, to look again at why they wait. */
  wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter(false);
  }
}
