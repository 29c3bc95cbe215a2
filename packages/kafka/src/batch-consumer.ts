import type { Consumer, EachBatchPayload } from "kafkajs";
import type { Kafka } from "./client";
import type { TopicSpec } from "@fediflow/contracts";
import type { Logger } from "@fediflow/logging";
import type { ConsumerTiming } from "./client";
import { UndecodableMessage, consumedMessage, type ConsumedMessage } from "./codec";
import { classifyFailure, type PermanentReason } from "./failure-kind";
import { deadLetter, type Quarantine } from "./quarantine";
import { traceProcessBatch } from "./tracing";

export interface BatchConsumerOptions<V> {
  kafka: Kafka;
  groupId: string;
  topic: TopicSpec<V>;
  logger: Logger;
  /**
   * Handles a whole fetched batch of one partition (or, after a permanent failure, a part of
   * one); rejecting retries the same messages.
   */
  handleBatch(messages: ConsumedMessage<V>[], partition: number): Promise<void>;
  /**
   * Where messages that fail permanently (classifyFailure) are set aside. A batch that fails
   * permanently is bisected to find them; the others are handled as before. None: every
   * failure is retried.
   */
  quarantine?: Quarantine;
  onBatch?(partition: number, highWatermark: number, committed: number): void;
  timing?: ConsumerTiming;
}

/**
 * For consumers whose work is cheapest in bulk (accounting, host state): one partition's
 * batch is handled at once and committed after it succeeds. Handlers are idempotent, so the
 * batch redelivered after a crash changes nothing.
 */
export class BatchConsumer<V> {
  private readonly consumer: Consumer;
  private stopping = false;
  private assigned: number[] = [];
  /** Messages handled since start (for the drain rate). */
  finished = 0;

  constructor(private readonly options: BatchConsumerOptions<V>) {
    options.quarantine?.count(options.topic.name, options.groupId);
    this.consumer = options.kafka.consumer({
      groupId: options.kafka.groupName(options.groupId),
      sessionTimeout: options.timing?.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.timing?.heartbeatIntervalMs ?? 3_000,
      ...options.kafka.fetchSettings(),
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.assigned = [...(event.payload.memberAssignment[options.kafka.topicName(options.topic)] ?? [])].sort((a, b) => a - b);
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

  /** Partitions this member owns now. */
  ownedPartitions(): number[] {
    return this.assigned;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.min(this.options.topic.partitions, 4),
      eachBatch: (payload) => this.consume(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
  }

  private async consume({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0) return;
    const messages: ConsumedMessage<V>[] = [];
    const values = new Map<number, Buffer | null>();
    for (const raw of batch.messages) {
      try {
        messages.push(consumedMessage(this.options.topic, batch.topic, batch.partition, raw));
        values.set(Number(raw.offset), raw.value);
      } catch (error) {
        if (!(error instanceof UndecodableMessage)) throw error;
        this.options.logger.error({ err: error, partition: batch.partition, offset: raw.offset }, "skipping undecodable message");
      }
    }
    const stopped = () => this.stopping || !isRunning();
    if (messages.length > 0) await this.handleOrQuarantine(messages, batch.partition, { values, stopped, heartbeat });
    this.finished += batch.messages.length;
    const last = batch.lastOffset();
    resolveOffset(last);
    const next = String(Number(last) + 1);
    await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
    this.options.onBatch?.(batch.partition, Number(batch.highWatermark), Number(next));
  }

  /**
   * Handles the messages, retrying transient failures. A permanent failure splits them in
   * halves, each handled in offset order the same way, down to the one message that cannot be
   * handled, which is quarantined: ⌈log2 n⌉ extra calls per bad message, and every good
   * message handled as it would have been. Throws when the consumer stops (the batch is
   * fetched again, by whoever owns the partition then).
   */
  private async handleOrQuarantine(messages: ConsumedMessage<V>[], partition: number, batch: BatchProgress): Promise<void> {
    const failure = await this.attempt(messages, partition, batch);
    // attempt() reports a permanent failure only when there is a quarantine to put it in.
    const { quarantine } = this.options;
    if (!failure || !quarantine) return;
    if (messages.length > 1) {
      const half = Math.ceil(messages.length / 2);
      this.options.logger.warn({ partition, messages: messages.length, reason: failure.reason }, "batch failed permanently; bisecting it");
      await this.handleOrQuarantine(messages.slice(0, half), partition, batch);
      await this.handleOrQuarantine(messages.slice(half), partition, batch);
      return;
    }
    const message = messages[0]!;
    const letter = deadLetter(message, batch.values.get(message.offset) ?? null, this.options.topic.name, this.options.groupId, failure.reason, failure.error);
    if (!(await quarantine.hold(letter, batch.stopped, batch.heartbeat))) throw failure.error;
  }

  /** Undefined once handled; the error when it failed permanently (only with a quarantine). */
  private async attempt(
    messages: ConsumedMessage<V>[],
    partition: number,
    batch: BatchProgress,
  ): Promise<{ error: unknown; reason: PermanentReason } | undefined> {
    let delayMs = 200;
    for (;;) {
      try {
        await traceProcessBatch(this.groupId, messages, () => this.options.handleBatch(messages, partition));
        return undefined;
      } catch (error) {
        if (batch.stopped()) throw error;
        const failure = classifyFailure(error);
        if (failure.kind === "permanent" && this.options.quarantine) return { error, reason: failure.reason };
        this.options.logger.warn({ err: error, partition, retryInMs: delayMs }, "batch failed; trying again");
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(delayMs * 2, 10_000);
        await batch.heartbeat();
      }
    }
  }
}

/** What the bisection of one fetched batch shares. */
interface BatchProgress {
  /** Raw values by offset, for the dead letters. */
  values: Map<number, Buffer | null>;
  stopped(): boolean;
  heartbeat(): Promise<void>;
}
