import { randomUUID } from "node:crypto";
import type { TopicSpec } from "@fediflow/contracts";
import { decodeValue, encodeValue, type Kafka } from "@fediflow/kafka";

export interface TopicMessage<V> {
  partition: number;
  offset: number;
  key: string;
  value: V;
}

// `kafka` is a client in the stack's namespace (TestStack.kafka()): topic specs and group ids
// are turned into the names on the cluster here.

/** Messages on a topic now, all partitions together (its end offsets). */
export async function topicEnd(kafka: Kafka, spec: TopicSpec<unknown>): Promise<number> {
  const topic = kafka.topicName(spec);
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Every message on a topic, read from the beginning up to its end offsets at the time of the call. */
export async function readTopic<V>(kafka: Kafka, spec: TopicSpec<V>, timeoutMs = 60_000): Promise<TopicMessage<V>[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, number>();
  try {
    for (const partition of await admin.fetchTopicOffsets(kafka.topicName(spec))) {
      if (Number(partition.high) > Number(partition.low)) ends.set(partition.partition, Number(partition.high));
    }
  } finally {
    await admin.disconnect();
  }
  const messages: TopicMessage<V>[] = [];
  if (ends.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: `e2e-read-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: kafka.topicName(spec), fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${spec.name}: not read to its end within ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const raw of batch.messages) {
              const offset = Number(raw.offset);
              if (offset >= (ends.get(batch.partition) ?? 0)) continue;
              messages.push({ partition: batch.partition, offset, key: raw.key?.toString() ?? "", value: decodeValue(spec, raw.value) });
            }
            const end = ends.get(batch.partition);
            if (end !== undefined && Number(batch.lastOffset()) + 1 >= end) ends.delete(batch.partition);
            if (ends.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Publishes one message as FediFlow's own producers do; returns where it landed. */
export async function publish<V>(kafka: Kafka, spec: TopicSpec<V>, key: string, value: V): Promise<{ partition: number; offset: number }> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const [meta] = await producer.send({ topic: kafka.topicName(spec), acks: -1, messages: [{ key, value: encodeValue(spec, value) }] });
    return { partition: meta!.partition, offset: Number(meta!.baseOffset) };
  } finally {
    await producer.disconnect();
  }
}

/** The offset a consumer group has committed on one partition (-1: nothing yet). */
export async function committedOffset(kafka: Kafka, groupId: string, spec: TopicSpec<unknown>, partition: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: kafka.groupName(groupId), topics: [kafka.topicName(spec)] });
    return Number(offsets?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
  } finally {
    await admin.disconnect();
  }
}
