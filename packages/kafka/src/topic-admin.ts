import { topicConfig, type TopicSpec } from "@fediflow/contracts";
import type { Kafka } from "./client";
import { whileSettling } from "./cluster-settling";

export interface TopicLayout {
  /** Copies of each partition (1 on a single broker, 3 in production); default the broker's. */
  replicationFactor?: number;
  /** Replicas that must have a write before it is acknowledged (`acks: -1`); default the broker's. */
  minInsyncReplicas?: number;
}

export interface TopicsEnsured {
  created: string[];
  existing: string[];
}

export class TopicMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TopicMismatch";
  }
}

/**
 * Creates the topics that are missing, with the contract's partitions and configs, and checks
 * that the ones already there have the contract's partition count (a different count would move
 * hosts between partitions and break per-host order).
 */
export function ensureTopics(kafka: Kafka, specs: readonly TopicSpec<unknown>[], layout: TopicLayout): Promise<TopicsEnsured> {
  // Creating is idempotent here (only what is missing), so a retry after a half-done try is safe.
  return whileSettling(() => ensureTopicsOnce(kafka, specs, layout));
}

async function ensureTopicsOnce(kafka: Kafka, specs: readonly TopicSpec<unknown>[], layout: TopicLayout): Promise<TopicsEnsured> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !present.has(kafka.topicName(spec)));
    const existing = specs.filter((spec) => present.has(kafka.topicName(spec)));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: kafka.topicName(spec),
          numPartitions: spec.partitions,
          replicationFactor: layout.replicationFactor ?? -1,
          configEntries: Object.entries({
            ...topicConfig(spec),
            ...(layout.minInsyncReplicas ? { "min.insync.replicas": String(layout.minInsyncReplicas) } : {}),
          }).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    if (existing.length > 0) {
      const { topics } = await admin.fetchTopicMetadata({ topics: existing.map((spec) => kafka.topicName(spec)) });
      for (const spec of existing) {
        const found = topics.find((topic) => topic.name === kafka.topicName(spec));
        if (found && found.partitions.length !== spec.partitions) {
          throw new TopicMismatch(`${found.name} has ${found.partitions.length} partitions; the contract says ${spec.partitions}`);
        }
      }
    }
    return { created: missing.map((spec) => kafka.topicName(spec)), existing: existing.map((spec) => kafka.topicName(spec)) };
  } finally {
    await admin.disconnect();
  }
}
