import type { TopicSpec } from "@fediflow/contracts";
import type { Logger } from "@fediflow/logging";
import type { ConsumerTiming, Kafka } from "./client";
import type { ConsumedMessage } from "./codec";
import type { Quarantine } from "./quarantine";

export interface ParallelConsumerOptions<V> {
  kafka: Kafka;
  groupId: string;
  topic: TopicSpec<V>;
  logger: Logger;
  /** Messages with the same lane are handled one at a time in offset order; others overlap. */
  laneOf(message: ConsumedMessage<V>): string;
  /**
   * Does the work. Resolving marks the message finished. Rejecting means "not done": it is
   * tried again with backoff, holding its lane, until it succeeds or the consumer stops, unless
   * the failure is permanent (classifyFailure) and a quarantine is given: then the message is
   * quarantined and finished.
   * `behind` lists the messages admitted after this one in its lane, not yet started, oldest
   * first (the same objects the handler will later receive).
   */
  handle(message: ConsumedMessage<V>, behind: () => ConsumedMessage<V>[]): Promise<void>;
  /** Where messages that fail permanently are set aside; none: they are retried like any failure. */
  quarantine?: Quarantine;
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
