import { PartitionAssigners, type Consumer, type EachBatchPayload, type KafkaMessage } from "kafkajs";
import { Capacity } from "./capacity";
import { UndecodableMessage, consumedMessage, type ConsumedMessage } from "./codec";
import { Lanes } from "@fediflow/runtime";
import { classifyFailure } from "./failure-kind";
import type { PartitionOffsets } from "./offset-tracker";
import { OwnedPartition } from "./owned-partition";
import { deadLetter } from "./quarantine";
import { GroupMembership, batchControl, type BatchControl } from "./group-membership";
import type { ParallelConsumerOptions, PartitionProgress } from "./parallel-consumer-options";
import { stickyAssigner } from "./sticky-assignor";
import { traceProcess } from "./tracing";

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
  /** Partitions prepared for work (from their first batch on), until they are revoked. */
  private readonly owned = new Map<number, OwnedPartition>();
  private readonly membership = new GroupMembership();
  private commitTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private running = 0;
  /** Messages finished since start (for the drain rate). */
  finished = 0;

  constructor(private readonly options: ParallelConsumerOptions<V>) {
    this.capacity = new Capacity(options.maxInFlight ?? 1000);
    options.quarantine?.count(options.topic.name, options.groupId);
    this.consumer = options.kafka.consumer({
      groupId: options.kafka.groupName(options.groupId),
      sessionTimeout: options.timing?.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.timing?.heartbeatIntervalMs ?? 3_000,
      ...options.kafka.fetchSettings(),
      allowAutoTopicCreation: false,
      // Sticky first (a rebalance moves the fewest partitions, so the least work is redone);
      // round-robin as the fallback every kafkajs member understands, for rolling upgrades.
      partitionAssigners: [
        stickyAssigner(() => ({ [options.kafka.topicName(options.topic)]: this.membership.partitions() })),
        PartitionAssigners.roundRobin,
      ],
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
    return [...this.owned].map(([partition, { offsets, highWatermark }]) => ({
      partition,
      committed: offsets.commitOffset(),
      highWatermark,
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
    return this.membership.partitions();
  }

  private onAssignment(assignment: Set<number>): void {
    const { revoked, added } = this.membership.assign(assignment);
    for (const partition of revoked) {
      // Work still running for a partition we lost finishes into a tracker nobody reads:
      // the new owner redoes it (bounded by the in-flight window).
      this.owned.delete(partition);
      this.options.onPartitionRevoked?.(partition);
    }
    for (const partition of added) {
      this.options.onPartitionAssigned?.(partition).catch((error: unknown) => {
        this.options.logger.warn({ err: error, partition }, "preparing a newly assigned partition failed; will retry on its first batch");
      });
    }
    this.options.logger.info({ partitions: this.membership.partitions() }, "partitions assigned");
  }

  private async admitBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const highWatermark = Number(batch.highWatermark);
    const known = this.owned.get(batch.partition);
    if (known) known.highWatermark = highWatermark;
    this.options.onBatch?.(batch.partition, highWatermark);
    if (batch.messages.length === 0) return;
    const control = batchControl(
      payload,
      this.membership,
      () => this.stopping,
      (error, generation) => this.noticeRebalance(error, generation),
    );
    const owned = await this.prepare(batch.partition, Number(batch.messages[0]!.offset), highWatermark, control);
    if (!owned) return;
    for (const raw of batch.messages) {
      if (!control.admitting()) return;
      const offset = Number(raw.offset);
      if (owned.passOver(offset)) {
        payload.resolveOffset(raw.offset);
        continue;
      }
      const decoded = this.decode(batch.topic, batch.partition, raw);
      if (!decoded) {
        owned.finishUnworked(offset);
        payload.resolveOffset(raw.offset);
        continue;
      }
      decoded.message.mayBeRedelivered = owned.mayBeRedelivered(offset);
      if (!(await this.takeCapacity(control))) return;
      // Received only as it is handed over, with no await in between: an offset the tracker
      // holds is always one that work owns or that is finished, never one stranded.
      owned.offsets.receive(offset);
      this.running += 1;
      void this.lanes.run(decoded.lane, () => this.work(decoded.message, raw.value, owned.offsets, decoded.lane), decoded.message);
      payload.resolveOffset(raw.offset);
    }
  }

  /**
   * The partition, prepared on its first batch. Preparing reads the broker and the caller's
   * state (the database, for delivery). A failure is retried here, heartbeating: thrown out of
   * eachBatch it would crash and restart the consumer, and every restart is another rebalance.
   */
  private async prepare(
    partition: number,
    firstOffset: number,
    highWatermark: number,
    control: BatchControl,
  ): Promise<OwnedPartition | undefined> {
    const { kafka } = this.options;
    for (let delayMs = 200; !this.owned.has(partition); delayMs = Math.min(delayMs * 2, 5_000)) {
      try {
        const owned = await OwnedPartition.load(kafka, this.groupId, this.topic, partition, firstOffset, highWatermark);
        await this.options.onPartitionAssigned?.(partition);
        this.owned.set(partition, owned);
      } catch (error) {
        if (!control.admitting()) return undefined;
        this.options.logger.warn({ err: error, partition, retryInMs: delayMs }, "could not prepare partition; trying again");
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        await control.heartbeat();
      }
    }
    return this.owned.get(partition);
  }

  /** The message and its lane, or null for a message no schema accepts. */
  private decode(topic: string, partition: number, raw: KafkaMessage): { message: ConsumedMessage<V>; lane: string } | null {
    try {
      const message = consumedMessage(this.options.topic, topic, partition, raw);
      return { message, lane: this.options.laneOf(message) };
    } catch (error) {
      if (!(error instanceof UndecodableMessage)) throw error;
      // Only FediFlow's own producers write here; a message no schema accepts will never
      // become valid, so it is logged whole and passed over rather than block the partition.
      this.options.logger.error(
        { err: error, partition, offset: Number(raw.offset), value: raw.value?.toString("utf8").slice(0, 2000) },
        "skipping undecodable message",
      );
      return null;
    }
  }

  /**
   * Waits for a slot, heartbeating; false when the batch must stop. heartbeat() throws when the
   * group rebalances, ending the batch; the offset is not received yet, so the refetch that
   * follows the rebalance takes it, whoever owns it then.
   */
  private async takeCapacity(control: BatchControl): Promise<boolean> {
    while (!(await this.capacity.take(1_000))) {
      if (!control.admitting()) return false;
      await control.heartbeat();
    }
    const { rejoin } = this.membership;
    if (this.stopping || rejoin) {
      this.capacity.give();
      if (rejoin) throw rejoin;
      return false;
    }
    return true;
  }

  private async work(message: ConsumedMessage<V>, value: Buffer | null, tracker: PartitionOffsets, lane: string): Promise<void> {
    let delayMs = 500;
    const lost = () => this.stopping || this.owned.get(message.partition)?.offsets !== tracker;
    try {
      for (;;) {
        try {
          await traceProcess(this.groupId, message, () => this.options.handle(message, () => this.lanes.waiting(lane)));
          tracker.finish(message.offset);
          this.finished += 1;
          return;
        } catch (error) {
          if (this.stopping) return;
          const failure = classifyFailure(error);
          const { quarantine } = this.options;
          if (failure.kind === "permanent" && quarantine) {
            // Retrying cannot help and would hold the lane and the committed offset for good.
            const letter = deadLetter(message, value, this.options.topic.name, this.options.groupId, failure.reason, error);
            if (!(await quarantine.hold(letter, lost))) return;
            tracker.finish(message.offset);
            this.finished += 1;
            return;
          }
          this.options.logger.warn(
            { err: error, partition: message.partition, offset: message.offset, retryInMs: delayMs },
            "message handling failed; trying again",
          );
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          delayMs = Math.min(delayMs * 2, 30_000);
          if (lost()) return;
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
    const rejoin = this.membership.noticeRefusal(error, generation);
    if (!rejoin) return;
    this.capacity.wake();
    this.options.logger.info({ reason: rejoin.message }, "group rebalancing: admission stopped, rejoining");
    // Kafka accepts commits of the current generation until the member rejoins, so what
    // finished now is not redone by the next owner (the Java client commits in
    // onPartitionsRevoked). librdkafka's mock cluster refuses them; the tick after the new
    // assignment commits instead.
    void this.commit();
  }

  private async commit(): Promise<void> {
    const generation = this.membership.generation;
    const offsets: Array<{ topic: string; partition: number; offset: string; metadata: string }> = [];
    for (const [partition, owned] of this.owned) {
      const commit = this.membership.owns(partition) ? owned.takeCommit() : null;
      if (commit) offsets.push({ topic: this.topic, partition, ...commit });
    }
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      // Refused: the next tick (or the next assignment) commits again.
      for (const { partition } of offsets) this.owned.get(partition)?.commitRefused();
      this.options.logger.debug({ err: error }, "commit refused; will retry");
      this.noticeRebalance(error, generation);
    }
  }
}
