import { PartitionAssigners, type Consumer, type EachBatchPayload } from "kafkajs";
import type { Kafka } from "./client";
import type { TopicSpec } from "@fediflow/contracts";
import type { Logger } from "@fediflow/logging";
import type { ConsumerTiming } from "./client";
import { UndecodableMessage, decodeValue, readHeaders } from "./codec";
import { Lanes } from "./lanes";
import { PartitionOffsets, decodeFinishedOffsets, encodeFinishedOffsets } from "./offset-tracker";
import { rejoinRequest } from "./rebalance-signal";
import { stickyAssigner } from "./sticky-assignor";
import { traceProcess } from "./tracing";

export interface ConsumedMessage<V> {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: V;
  headers: Record<string, string>;
  /** Broker timestamp, epoch milliseconds. */
  timestamp: number;
  /**
   * The message was already in the log when this member was given its partition, at or above
   * the committed offset: an earlier owner may have done it, in part or whole, before a crash or
   * a rebalance. Messages published later are false, so checking costs nothing on the normal path.
   * Set by the ParallelConsumer (batch consumers' handlers are idempotent instead).
   */
  mayBeRedelivered?: boolean;
}

export interface ParallelConsumerOptions<V> {
  kafka: Kafka;
  groupId: string;
  topic: TopicSpec<V>;
  logger: Logger;
  /** Messages with the same lane are handled one at a time in offset order; others overlap. */
  laneOf(message: ConsumedMessage<V>): string;
  /**
   * Does the work. Resolving marks the message finished. Rejecting means "not done": it is
   * tried again with backoff, holding its lane, until it succeeds or the consumer stops.
   * `behind` lists the messages admitted after this one in its lane, not yet started, oldest
   * first (the same objects the handler will later receive).
   */
  handle(message: ConsumedMessage<V>, behind: () => ConsumedMessage<V>[]): Promise<void>;
  /** Messages admitted and not finished, in this process. Default 1000. */
  maxInFlight?: number;
  /**
   * How often finished offsets are committed, ms (default 50). Work finished but not yet
   * committed is redone after a crash, so this bounds duplicates together with maxInFlight;
   * a tick with nothing new to commit sends nothing.
   */
  commitIntervalMs?: number;
  /** Group-membership timing (consumerTiming(config)); kafkajs defaults when absent. */
  timing?: ConsumerTiming;
  /** Called for each fetched batch: the lag view (high watermark) for metrics. */
  onBatch?(partition: number, highWatermark: number): void;
  /**
   * Called when a partition is assigned, and awaited again before its first message is handed
   * over (so it must be idempotent: return the same promise).
   */
  onPartitionAssigned?(partition: number): Promise<void>;
  /** The partition went to another member; work still running for it will be redone there. */
  onPartitionRevoked?(partition: number): void;
}

export interface PartitionProgress {
  partition: number;
  committed: number;
  highWatermark: number;
  unfinished: number;
}

class Capacity {
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

/**
 * Consumes one topic with work completed out of order: messages are admitted as fast as
 * capacity allows, run concurrently across lanes and in order within a lane, and offsets are
 * committed only up to the contiguous finished prefix, with the finished offsets above it in
 * the commit metadata. A slow lane therefore never holds back other lanes of its partition;
 * it only holds back the committed offset, and a restart replays just the unfinished work.
 */
export class ParallelConsumer<V> {
  private readonly consumer: Consumer;
  private readonly lanes = new Lanes<ConsumedMessage<V>>();
  private readonly capacity: Capacity;
  private readonly partitions = new Map<number, PartitionOffsets>();
  private readonly skipped = new Map<number, Set<number>>();
  private readonly highWatermarks = new Map<number, number>();
  private readonly lastCommitted = new Map<number, string>();
  /** Per owned partition, its log end when it was assigned: offsets below it may be redeliveries. */
  private readonly logEndsAtAssignment = new Map<number, number>();
  private assigned = new Set<number>();
  private commitTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private running = 0;
  /** Assignments received so far: tells a refusal meant for this generation from a late one. */
  private generation = 0;
  /**
   * The coordinator's request to rejoin, from the first heartbeat or commit it refused in this
   * generation; cleared by the next assignment. While set, nothing more is admitted.
   */
  private rejoin: Error | undefined;
  /** Messages finished since start (for the drain rate). */
  finished = 0;

  constructor(private readonly options: ParallelConsumerOptions<V>) {
    this.capacity = new Capacity(options.maxInFlight ?? 1000);
    this.consumer = options.kafka.consumer({
      groupId: options.kafka.groupName(options.groupId),
      sessionTimeout: options.timing?.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.timing?.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      // Sticky first (a rebalance moves the fewest partitions, so the least work is redone);
      // round-robin as the fallback every kafkajs member understands, for rolling upgrades.
      partitionAssigners: [stickyAssigner(() => ({ [options.kafka.topicName(options.topic)]: [...this.assigned] })), PartitionAssigners.roundRobin],
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const assignment = event.payload.memberAssignment[options.kafka.topicName(options.topic)] ?? [];
      this.onAssignment(new Set(assignment));
    });
  }

  /** The group's id on the cluster (namespaced). */
  get groupId(): string {
    return this.options.kafka.groupName(this.options.groupId);
  }

  /** The topic's name on the cluster (namespaced). */
  get topic(): string {
    return this.options.kafka.topicName(this.options.topic);
  }

  /** Messages admitted and not yet finished. */
  get inFlight(): number {
    return this.capacity.inUse;
  }

  progress(): PartitionProgress[] {
    return [...this.partitions].map(([partition, offsets]) => ({
      partition,
      committed: offsets.commitOffset(),
      highWatermark: this.highWatermarks.get(partition) ?? offsets.commitOffset(),
      unfinished: offsets.unfinished,
    }));
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.topic.partitions,
      eachBatch: (payload) => this.admitBatch(payload),
    });
    this.commitTimer = setInterval(() => void this.commit(), this.options.commitIntervalMs ?? 50);
  }

  /**
   * Stops fetching, lets in-flight work finish for up to graceMs, commits what finished and
   * leaves the group. Unfinished work is handed back: the partition's next owner redoes it.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.consumer.pause([{ topic: this.topic }]);
    this.capacity.wake();
    const deadline = Date.now() + graceMs;
    while (this.running > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    clearInterval(this.commitTimer);
    await this.commit();
    if (this.running > 0) {
      this.options.logger.warn({ unfinished: this.running }, "grace period over: unfinished work handed back");
    }
    await this.consumer.disconnect();
  }

  /** Partitions this member owns now. */
  ownedPartitions(): number[] {
    return [...this.assigned].sort((a, b) => a - b);
  }

  private onAssignment(assignment: Set<number>): void {
    this.generation += 1;
    this.rejoin = undefined;
    for (const partition of this.assigned) {
      // Work still running for a partition we lost finishes into a tracker nobody reads:
      // the new owner redoes it (bounded by the in-flight window).
      if (!assignment.has(partition)) {
        this.partitions.delete(partition);
        this.lastCommitted.delete(partition);
        this.logEndsAtAssignment.delete(partition);
        this.options.onPartitionRevoked?.(partition);
      }
    }
    for (const partition of assignment) {
      if (!this.assigned.has(partition)) {
        this.options.onPartitionAssigned?.(partition).catch((error: unknown) => {
          this.options.logger.warn({ err: error, partition }, "preparing a newly assigned partition failed; will retry on its first batch");
        });
      }
    }
    this.assigned = assignment;
    this.options.logger.info({ partitions: [...assignment].sort((a, b) => a - b) }, "partitions assigned");
  }

  /** The tracker of a partition we own, created from the committed offset and its metadata. */
  private async trackerFor(partition: number, firstOffset: number): Promise<PartitionOffsets> {
    const existing = this.partitions.get(partition);
    if (existing) return existing;
    const admin = this.options.kafka.admin();
    await admin.connect();
    let committed = firstOffset;
    let metadata: string | null = null;
    let logEnd = firstOffset;
    try {
      const [[topicOffsets], ends] = await Promise.all([
        admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
        admin.fetchTopicOffsets(this.topic),
      ]);
      const entry = topicOffsets?.partitions.find((p) => p.partition === partition);
      if (entry && Number(entry.offset) >= 0) {
        committed = Number(entry.offset);
        metadata = entry.metadata;
      }
      // Read after the assignment: the previous owner fetched nothing beyond it.
      logEnd = Number(ends.find((p) => p.partition === partition)?.high ?? firstOffset);
    } finally {
      await admin.disconnect();
    }
    await this.options.onPartitionAssigned?.(partition);
    const tracker = new PartitionOffsets(Math.min(committed, firstOffset));
    this.partitions.set(partition, tracker);
    this.logEndsAtAssignment.set(partition, logEnd);
    this.skipped.set(partition, decodeFinishedOffsets(committed, metadata));
    return tracker;
  }

  private async admitBatch({ batch, resolveOffset, heartbeat: kafkaHeartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    const generation = this.generation;
    const heartbeat = async () => {
      try {
        await kafkaHeartbeat();
      } catch (error) {
        this.noticeRebalance(error, generation);
        throw error;
      }
    };
    // False: stop quietly (the consumer is stopping, or kafkajs has moved on). Throws the
    // coordinator's request to rejoin, which ends the batch and makes kafkajs rejoin.
    const admitting = (): boolean => {
      if (this.stopping || !isRunning() || isStale()) return false;
      if (this.rejoin) throw this.rejoin;
      return true;
    };
    this.highWatermarks.set(partition, Number(batch.highWatermark));
    this.options.onBatch?.(partition, Number(batch.highWatermark));
    if (batch.messages.length === 0) return;
    // Preparing a partition reads the broker and the caller's state (the database, for
    // delivery). A failure is retried here, heartbeating: thrown out of eachBatch it would
    // crash and restart the consumer, and every restart is another rebalance.
    let tracker: PartitionOffsets | undefined;
    for (let delayMs = 200; !tracker; delayMs = Math.min(delayMs * 2, 5_000)) {
      try {
        tracker = await this.trackerFor(partition, Number(batch.messages[0]!.offset));
      } catch (error) {
        if (!admitting()) return;
        this.options.logger.warn({ err: error, partition, retryInMs: delayMs }, "could not prepare partition; trying again");
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        await heartbeat();
      }
    }
    const skip = this.skipped.get(partition) ?? new Set<number>();
    for (const raw of batch.messages) {
      if (!admitting()) return;
      const offset = Number(raw.offset);
      if (tracker.hasSeen(offset)) {
        resolveOffset(raw.offset);
        continue;
      }
      if (skip.delete(offset)) {
        tracker.receive(offset);
        tracker.finish(offset);
        resolveOffset(raw.offset);
        continue;
      }
      let message: ConsumedMessage<V>;
      let lane: string;
      try {
        message = {
          topic: batch.topic,
          partition,
          offset,
          key: raw.key?.toString() ?? "",
          value: decodeValue(this.options.topic, raw.value),
          headers: readHeaders(raw.headers),
          timestamp: Number(raw.timestamp),
          mayBeRedelivered: offset < (this.logEndsAtAssignment.get(partition) ?? 0),
        };
        lane = this.options.laneOf(message);
      } catch (error) {
        if (!(error instanceof UndecodableMessage)) throw error;
        // Only FediFlow's own producers write here; a message no schema accepts will never
        // become valid, so it is logged whole and passed over rather than block the partition.
        this.options.logger.error(
          { err: error, partition, offset, value: raw.value?.toString("utf8").slice(0, 2000) },
          "skipping undecodable message",
        );
        tracker.receive(offset);
        tracker.finish(offset);
        resolveOffset(raw.offset);
        continue;
      }
      // heartbeat() throws when the group rebalances, ending this batch here. The offset is not
      // received yet, so the refetch that follows the rebalance takes it, whoever owns it then.
      while (!(await this.capacity.take(1_000))) {
        if (!admitting()) return;
        await heartbeat();
      }
      if (this.stopping || this.rejoin) {
        this.capacity.give();
        if (this.rejoin) throw this.rejoin;
        return;
      }
      // Received only as it is handed over, with no await in between: an offset the tracker
      // holds is always one that work owns or that is finished, never one stranded.
      tracker.receive(offset);
      this.running += 1;
      void this.lanes.run(lane, () => this.work(message, tracker, lane), message);
      resolveOffset(raw.offset);
    }
  }

  private async work(message: ConsumedMessage<V>, tracker: PartitionOffsets, lane: string): Promise<void> {
    let delayMs = 500;
    try {
      for (;;) {
        try {
          await traceProcess(this.groupId, message, () => this.options.handle(message, () => this.lanes.waiting(lane)));
          tracker.finish(message.offset);
          this.finished += 1;
          return;
        } catch (error) {
          if (this.stopping) return;
          this.options.logger.warn(
            { err: error, partition: message.partition, offset: message.offset, retryInMs: delayMs },
            "message handling failed; trying again",
          );
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          delayMs = Math.min(delayMs * 2, 30_000);
          if (this.partitions.get(message.partition) !== tracker) return;
        }
      }
    } finally {
      this.running -= 1;
      this.capacity.give();
    }
  }

  /**
   * The group is rebalancing. kafkajs rejoins only once every running eachBatch has returned,
   * and each notices only at its own next heartbeat (sent at most once per interval), so the
   * member would go on admitting work the next owner redoes, and on a real broker the whole
   * group would wait for it. Instead every batch stops at once and throws the coordinator's
   * error, which makes kafkajs rejoin.
   */
  private noticeRebalance(error: unknown, generation: number): void {
    const rejoin = rejoinRequest(error);
    if (!rejoin || this.rejoin || generation !== this.generation) return;
    this.rejoin = rejoin;
    this.capacity.wake();
    this.options.logger.info({ reason: rejoin.message }, "group rebalancing: admission stopped, rejoining");
    // Kafka accepts commits of the current generation until the member rejoins, so what
    // finished now is not redone by the next owner (the Java client commits in
    // onPartitionsRevoked). librdkafka's mock cluster refuses them; the tick after the new
    // assignment commits instead.
    void this.commit();
  }

  private async commit(): Promise<void> {
    const generation = this.generation;
    const offsets: Array<{ topic: string; partition: number; offset: string; metadata: string }> = [];
    for (const [partition, tracker] of this.partitions) {
      if (!this.assigned.has(partition)) continue;
      const offset = tracker.commitOffset();
      const metadata = encodeFinishedOffsets(offset, tracker.finishedAbove());
      const signature = `${offset}/${metadata}`;
      if (this.lastCommitted.get(partition) === signature) continue;
      offsets.push({ topic: this.topic, partition, offset: String(offset), metadata });
      this.lastCommitted.set(partition, signature);
    }
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      // Refused: the next tick (or the next assignment) commits again.
      for (const { partition } of offsets) this.lastCommitted.delete(partition);
      this.options.logger.debug({ err: error }, "commit refused; will retry");
      this.noticeRebalance(error, generation);
    }
  }
}
