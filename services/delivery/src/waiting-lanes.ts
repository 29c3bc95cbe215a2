import type { DeliveryJob } from "@fediflow/contracts";

/** Why a delivery waits in the schedule. */
export type WaitReason = "retry" | "retry-after" | "paused" | "overflow" | "queued" | "reaction-hold";

/** One row of the schedule: a job waiting in its lane. */
export interface ScheduledDelivery {
  id: number;
  partition: number;
  lane: string;
  reason: WaitReason;
  job: DeliveryJob;
  dueAt: number;
}

/**
 * The schedule's rows, lane by lane (ScheduleStore keeps them in PostgreSQL): a lane's rows run
 * one by one in the order they were added; only its head is ever due.
 */
export interface ScheduleRows {
  append(partition: number, lane: string, job: DeliveryJob, dueAt: number, reason: WaitReason): Promise<void>;
  postpone(id: number, job: DeliveryJob, dueAt: number, reason: WaitReason): Promise<void>;
  complete(id: number, lane: string, now: number): Promise<void>;
  behind(lane: string, headId: number, limit: number): Promise<ScheduledDelivery[]>;
  shrink(id: number, job: DeliveryJob): Promise<void>;
  remove(id: number, lane: string): Promise<void>;
  /** Rows per lane of a partition. */
  waitingLanes(partition: number): Promise<Map<string, number>>;
}

/**
 * Which lanes have deliveries waiting in the schedule, for the partitions this process owns,
 * so a newer message of a waiting lane queues behind them instead of overtaking. Counts change
 * synchronously before the database write, so no interleaving can see a waiting lane as free.
 */
export class WaitingLanes {
  private readonly counts = new Map<number, Map<string, number>>();
  private readonly loading = new Map<number, Promise<void>>();

  constructor(private readonly store: ScheduleRows) {}

  /** Starts loading a newly owned partition's waiting lanes. */
  assign(partition: number): Promise<void> {
    let pending = this.loading.get(partition);
    if (!pending) {
      pending = this.store.waitingLanes(partition).then((lanes) => {
        this.counts.set(partition, lanes);
      });
      pending.catch(() => this.loading.delete(partition));
      this.loading.set(partition, pending);
    }
    return pending;
  }

  revoke(partition: number): void {
    this.counts.delete(partition);
    this.loading.delete(partition);
  }

  /** Partitions whose waiting lanes are known (the scheduler runs only these). */
  ready(): number[] {
    return [...this.counts.keys()];
  }

  isWaiting(partition: number, lane: string): boolean {
    return (this.counts.get(partition)?.get(lane) ?? 0) > 0;
  }

  /** Appends to the schedule and counts the lane as waiting. */
  async append(partition: number, lane: string, job: DeliveryJob, dueAt: number, reason: WaitReason): Promise<void> {
    this.adjust(partition, lane, 1);
    try {
      await this.store.append(partition, lane, job, dueAt, reason);
    } catch (error) {
      this.adjust(partition, lane, -1);
      throw error;
    }
  }

  /** The lane's head waits again, keeping its place. */
  postpone(id: number, job: DeliveryJob, dueAt: number, reason: WaitReason): Promise<void> {
    return this.store.postpone(id, job, dueAt, reason);
  }

  /** The lane's head finished and left the schedule. */
  async complete(partition: number, lane: string, id: number, now: number): Promise<void> {
    await this.store.complete(id, lane, now);
    this.adjust(partition, lane, -1);
  }

  /** Rows waiting behind a lane's head, oldest first. */
  behind(lane: string, headId: number, limit: number): Promise<ScheduledDelivery[]> {
    return this.store.behind(lane, headId, limit);
  }

  /** A row behind the head keeps fewer inboxes. */
  shrink(id: number, job: DeliveryJob): Promise<void> {
    return this.store.shrink(id, job);
  }

  /** A row behind the head has nothing left to send and leaves the lane. */
  async remove(partition: number, lane: string, id: number): Promise<void> {
    await this.store.remove(id, lane);
    this.adjust(partition, lane, -1);
  }

  private adjust(partition: number, lane: string, by: number): void {
    const lanes = this.counts.get(partition);
    if (!lanes) return;
    const next = (lanes.get(lane) ?? 0) + by;
    if (next > 0) lanes.set(lane, next);
    else lanes.delete(lane);
  }
}
