/**
 * Runs a piece of work in rounds: each round starts `everyMs` after the previous one ended, so
 * a slow round never overlaps the next. A failed round is reported and the next one tries again.
 */
export class Rounds {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly round: () => Promise<void>,
    private readonly everyMs: number,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  start(): void {
    const tick = () => {
      this.running = this.round()
        .catch(this.onFailure)
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.everyMs);
        });
    };
    this.timer = setTimeout(tick, this.everyMs);
  }

  /** Stops scheduling rounds and waits for the one running, if any. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
