interface Queued<P> {
  task: () => Promise<void>;
  payload: P | undefined;
  done: () => void;
}

/**
 * Runs tasks one at a time per lane, in the order they were added, and lanes concurrently.
 * A lane is whatever must keep its order (one object at one host); everything else overlaps.
 * A running task can see what waits behind it in its lane (to skip work a newer one replaces).
 */
export class Lanes<P = unknown> {
  private readonly lanes = new Map<string, { running: boolean; queue: Queued<P>[] }>();

  /** Number of lanes with work queued or running. */
  get active(): number {
    return this.lanes.size;
  }

  /** Queues a task on a lane. The task must not reject; its promise settles when it has run. */
  run(lane: string, task: () => Promise<void>, payload?: P): Promise<void> {
    return new Promise((done) => {
      const entry = this.lanes.get(lane) ?? { running: false, queue: [] };
      entry.queue.push({ task, payload, done });
      this.lanes.set(lane, entry);
      if (!entry.running) void this.drain(lane, entry);
    });
  }

  /** Payloads queued behind the running task of a lane, oldest first. */
  waiting(lane: string): P[] {
    return (this.lanes.get(lane)?.queue ?? []).flatMap((queued) => (queued.payload === undefined ? [] : [queued.payload]));
  }

  private async drain(lane: string, entry: { running: boolean; queue: Queued<P>[] }): Promise<void> {
    entry.running = true;
    for (let next = entry.queue.shift(); next; next = entry.queue.shift()) {
      await next.task();
      next.done();
    }
    entry.running = false;
    this.lanes.delete(lane);
  }
}
