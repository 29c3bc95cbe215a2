import type { Consumer, EachBatchPayload } from "kafkajs";
import type { Kafka } from "./client";
import type { TopicSpec } from "@fediflow/contracts";
import type { Logger } from "@fediflow/logging";
import type { ConsumerTiming } from "./client";
import { UndecodableMessage, decodeValue, readHeaders } from "./codec";
import type { ConsumedMessage } from "./parallel-consumer";
import { traceProcessBatch } from "./tracing";

export interface BatchConsumerOptions<V> {
  kafka: Kafka;
  groupId: string;
  topic: TopicSpec<V>;
  logger: Logger;
  /** Handles a whole fetched batch of one partition; rejecting retries the same batch. */
  handleBatch(messages: ConsumedMessage<V>[], partition: number): Promise<void>;
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
    this.consumer = options.kafka.consumer({
      groupId: options.kafka.groupName(options.groupId),
      sessionTimeout: options.timing?.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.timing?.heartbeatIntervalMs ?? 3_000,
      maxWaitTimeInMs: 100,
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
    for (const raw of batch.messages) {
      try {
        messages.push({
          topic: batch.topic,
          partition: batch.partition,
          offset: Number(raw.offset),
          key: raw.key?.toString() ?? "",
          value: decodeValue(this.options.topic, raw.value),
          headers: readHeaders(raw.headers),
          timestamp: Number(raw.timestamp),
        });
      } catch (error) {
        if (!(error instanceof UndecodableMessage)) throw error;
        this.options.logger.error({ err: error, partition: batch.partition, offset: raw.offset }, "skipping undecodable message");
      }
    }
    let delayMs = 200;
    for (;;) {
      try {
        if (messages.length > 0)
          await traceProcessBatch(this.groupId, messages, () => this.options.handleBatch(messages, batch.partition));
        break;
      } catch (error) {
        if (this.stopping || !isRunning()) throw error;
        this.options.logger.warn({ err: error, partition: batch.partition, retryInMs: delayMs }, "batch failed; trying again");
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(delayMs * 2, 10_000);
        await heartbeat();
      }
    }
    this.finished += batch.messages.length;
    const last = batch.lastOffset();
    resolveOffset(last);
    const next = String(Number(last) + 1);
    await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
    this.options.onBatch?.(batch.partition, Number(batch.highWatermark), Number(next));
  }
}
