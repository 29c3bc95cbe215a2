import { LRUCache } from "lru-cache";

/**
 * Hosts that asked to be left alone until a time (429 or 503 with Retry-After). Every
 * delivery to such a host waits until then, not only the one that was refused: the server
 * asked for a pause, not for one request fewer.
 */
export class HostHolds {
  private readonly until = new LRUCache<string, number>({ max: 100_000 });

  hold(host: string, until: number): void {
    if (until > (this.until.get(host) ?? 0)) this.until.set(host, until);
  }

  /** The time the host is held until, or null when it is not held at `now`. */
  heldUntil(host: string, now: number): number | null {
    const until = this.until.get(host);
    if (until === undefined) return null;
    if (until <= now) {
      this.until.delete(host);
      return null;
    }
    return until;
  }
}
