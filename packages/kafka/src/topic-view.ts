import { randomUUID } from "node:crypto";
import type { Consumer } from "kafkajs";
import type { Kafka } from "./client";
import type { TopicSpec } from "@fediflow/contracts";
import type { Logger } from "@fediflow/logging";
import { UndecodableMessage, decodeValue } from "./codec";

export interface TopicViewOptions<V> {
  kafka: Kafka;
  topic: TopicSpec<V>;
  /** Names this process's private consumer group; a random suffix is added. */
  groupPrefix: string;
  logger: Logger;
  /** Applies the newest value of a key (null: the key was deleted). */
  apply(key: string, value: V | null): void;
}

/**
 * A process-local copy of a compacted topic: every process reads every partition from the
 * beginning (a private consumer group, nothing committed), so lookups never leave the process.
 */
export class TopicView<V> {
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private readonly topic: string;

  constructor(private readonly options: TopicViewOptions<V>) {
    this.groupId = options.kafka.groupName(`${options.groupPrefix}-${randomUUID()}`);
    this.topic = options.kafka.topicName(options.topic);
    this.consumer = options.kafka.consumer({ groupId: this.groupId, ...options.kafka.fetchSettings(), allowAutoTopicCreation: false });
  }

  /** Resolves once everything published before the call has been applied. */
  async start(timeoutMs = 60_000): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    const ends = new Map<number, number>();
    try {
      for (const partition of await admin.fetchTopicOffsets(this.topic)) {
        if (Number(partition.high) > Number(partition.low)) ends.set(partition.partition, Number(partition.high));
      }
    } finally {
      await admin.disconnect();
    }
    let markCaughtUp: () => void = () => undefined;
    const caughtUp = new Promise<void>((resolve) => {
      markCaughtUp = resolve;
      if (ends.size === 0) resolve();
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.options.topic.partitions,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const key = message.key?.toString() ?? "";
          if (message.value === null) {
            this.options.apply(key, null);
            continue;
          }
          try {
            this.options.apply(key, decodeValue(this.options.topic, message.value));
          } catch (error) {
            if (!(error instanceof UndecodableMessage)) throw error;
            this.options.logger.error({ err: error, key }, "skipping undecodable message");
          }
        }
        const end = ends.get(batch.partition);
        if (end !== undefined && Number(batch.lastOffset()) + 1 >= end) {
          ends.delete(batch.partition);
          if (ends.size === 0) markCaughtUp();
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      caughtUp,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${this.topic}: not caught up within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    // The private group is of no use to anyone once this process is gone.
    const admin = this.options.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch {
      // The broker expires empty groups by itself.
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
