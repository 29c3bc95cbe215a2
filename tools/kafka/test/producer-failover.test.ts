import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { TopicSpec } from "@fediflow/contracts";
import { TopicProducer, ensureTopics, type Kafka } from "@fediflow/kafka";
import { KafkaCluster } from "../src";

// Three nodes, so one can die: every partition has three replicas, two in sync for a write.
let cluster: KafkaCluster;
beforeAll(async () => {
  cluster = await KafkaCluster.start({ nodes: 3, namespace: null });
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
});

const spec: TopicSpec<{ id: string; key: string }> = {
  name: "fediflow.failover-test",
  key: "a key per partition",
  keyOf: (value) => value.key,
  value: z.object({ id: z.string(), key: z.string() }),
  partitions: 24,
  compacted: false,
};

async function readIds(kafka: Kafka): Promise<Set<string>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(kafka.topicName(spec))).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const pending = new Set([...ends].filter(([, high]) => high > 0).map(([partition]) => partition));
  const ids = new Set<string>();
  const consumer = kafka.consumer({ groupId: `read-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: kafka.topicName(spec), fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) ids.add((JSON.parse(message.value!.toString()) as { id: string }).id);
        if (Number(batch.lastOffset()) + 1 >= ends.get(batch.partition)!) pending.delete(batch.partition);
        if (pending.size === 0) resolve();
      },
    });
  });
  await consumer.disconnect();
  return ids;
}

describe("producing through the loss of a broker", () => {
  // kafkajs 2.2.4 kept acknowledgements per broker: a retried send skipped a broker that had
  // answered once, so the partitions a dead leader handed to it were never written, and send()
  // resolved. patches/kafkajs@2.2.4.patch keeps them per partition.
  it("writes every message of every acknowledged send, across all partitions", async () => {
    const kafka = cluster.client("failover.");
    await ensureTopics(kafka, [spec], { replicationFactor: 3, minInsyncReplicas: 2 });
    const producer = await TopicProducer.connect(kafka);
    const acknowledged: string[] = [];
    const sendRound = async (round: number) => {
      // Keys spread over every partition, so each send spans all three leaders.
      const messages = Array.from({ length: 48 }, (_, i) => ({ id: `${round}-${i}`, key: `k-${i}` }));
      await producer.send(spec, messages);
      acknowledged.push(...messages.map((m) => m.id));
    };
    for (let round = 0; round < 5; round += 1) await sendRound(round);
    const killed = cluster.kill(2);
    // Sends in flight while the broker dies, and while its partitions find new leaders.
    for (let round = 5; round < 25; round += 1) await sendRound(round);
    await killed;
    await cluster.restart(2);
    for (let round = 25; round < 30; round += 1) await sendRound(round);
    await producer.disconnect();

    const written = await readIds(kafka);
    const lost = acknowledged.filter((id) => !written.has(id));
    expect(acknowledged.length).toBe(30 * 48);
    expect(lost).toEqual([]);
  });
});
