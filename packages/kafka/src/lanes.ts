/**
 * Runs tasks one at a time per lane, in the order they were added, and lanes concurrently.
 * A lane is whatever must keep its order (one object at one host); everything else overlaps.
 */
export class Lanes {
  private readonly tails = new Map<string, Promise<void>>();

  /** Number of lanes with work queued or running. */
  get active(): number {
    return this.tails.size;
  }

  /** Queues a task on a lane. The task must not reject; its promise settles when it has run. */
  run(lane: string, task: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(lane);
    const next = previous ? previous.then(task) : task();
    this.tails.set(lane, next);
    void next.then(() => {
      if (this.tails.get(lane) === next) this.tails.delete(lane);
    });
    return next;
  }
}
