import type { Logger } from "@fediflow/logging";
import { Lanes } from "@fediflow/runtime";
import type { ScheduledDelivery } from "./waiting-lanes";

/** Due lane heads, claimed for a lease (ScheduleStore). */
export interface DueDeliveries {
  claimDue(partitions: number[], now: number, limit: number, leaseMs: number): Promise<ScheduledDelivery[]>;
}

export interface SchedulerOptions {
  store: DueDeliveries;
  /** Partitions whose scheduled rows this process runs (owned and loaded). */
  partitions(): number[];
  run(delivery: ScheduledDelivery): Promise<void>;
  logger: Logger;
  clock: () => number;
  /** How often due rows are looked for, ms. */
  pollMs: number;
  /** Scheduled deliveries running at once in this process. */
  concurrency: number;
  /** How long a claim holds before another process may take the row, ms. */
  leaseMs: number;
}

/**
 * Runs scheduled deliveries when they fall due: claims due lane heads of the owned partitions
 * and runs them, one lane at a time, each lane in order.
 */
export class Scheduler {
  private readonly lanes = new Lanes();
  private running = 0;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: SchedulerOptions) {}

  get inFlight(): number {
    return this.running;
  }

  start(): void {
    this.loop = this.poll();
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    const deadline = Date.now() + graceMs;
    while (this.running > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private async poll(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      try {
        claimed = await this.claimAndRun();
      } catch (error) {
        this.options.logger.warn({ err: error }, "could not claim scheduled deliveries; will try again");
      }
      if (claimed === 0 && !this.stopping) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.timer = setTimeout(resolve, this.options.pollMs);
        });
      }
    }
  }

  private async claimAndRun(): Promise<number> {
    const room = this.options.concurrency - this.running;
    if (room <= 0) return 0;
    const due = await this.options.store.claimDue(this.options.partitions(), this.options.clock(), room, this.options.leaseMs);
    for (const delivery of due) {
      this.running += 1;
      void this.lanes.run(delivery.lane, async () => {
        try {
          await this.options.run(delivery);
        } catch (error) {
          // The claim lapses and the row is taken again after the lease: nothing is lost.
          this.options.logger.warn({ err: error, id: delivery.id }, "scheduled delivery failed; it will run again");
        } finally {
          this.running -= 1;
        }
      });
    }
    return due.length;
  }
}
