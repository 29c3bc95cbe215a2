import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { topics, type TopicSpec } from "@fediflow/contracts";
import { createLogger } from "@fediflow/logging";
import { ConsumerLag, ParallelConsumer, TopicProducer, createKafka, decodeFinishedOffsets, ensureTopics, partitionOf, type Kafka } from "../src";

// On the test run's Kafka (test/global-setup), under a namespace of this file's own; the
// activities topic's name and partitions with a value of the test's own.
const spec: TopicSpec<{ n: number; lane: string; ms: number }> = {
  name: "fediflow.activities",
  key: "lane",
  value: z.object({ n: z.number(), lane: z.string(), ms: z.number() }),
  partitions: 12,
  compacted: false,
};

let kafka: Kafka;
const logger = createLogger("test", "warn");

beforeAll(async () => {
  const namespace = `kafka-test-${randomUUID().slice(0, 8)}.`;
  kafka = createKafka({ brokers: inject("kafkaBrokers").split(","), clientId: "test", namespace, logger });
  await ensureTopics(kafka, [spec, topics.deliveries], {});
}, 60_000);

async function publish(messages: Array<{ n: number; lane: string; ms: number }>) {
  const producer = await TopicProducer.connect(kafka, true);
  // All on one partition (one key), so lanes share it.
  await producer.send(
    spec,
    messages.map((value) => ({ key: "same-partition", value })),
  );
  await producer.disconnect();
}

describe("ParallelConsumer", () => {
  it("runs lanes concurrently, keeps order within a lane, commits only the finished prefix", async () => {
    const groupId = `g-${randomUUID()}`;
    await publish([
      { n: 0, lane: "slow", ms: 1500 },
      { n: 1, lane: "slow", ms: 10 },
      ...Array.from({ length: 20 }, (_, i) => ({ n: 2 + i, lane: `fast-${i % 4}`, ms: 5 })),
    ]);
    const finished: number[] = [];
    const consumer = new ParallelConsumer({
      kafka,
      groupId,
      topic: spec,
      logger,
      laneOf: (message) => message.value.lane,
      timing: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 },
      commitIntervalMs: 100,
      handle: async (message) => {
        await new Promise((resolve) => setTimeout(resolve, message.value.ms));
        finished.push(message.value.n);
      },
    });
    await consumer.start();
    const deadline = Date.now() + 20_000;
    while (finished.filter((n) => n >= 2).length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Every fast message finished while the slow head of the partition was still running.
    expect(finished).not.toContain(0);
    const admin = kafka.admin();
    await admin.connect();
    await new Promise((r) => setTimeout(r, 300));
    const [offsets] = await admin.fetchOffsets({ groupId: kafka.groupName(groupId), topics: [kafka.topicName(spec)] });
    const committed = offsets!.partitions.find((p) => Number(p.offset) >= 0)!;
    // The slow message holds the committed offset; the finished ones above ride in metadata.
    const base = Number(committed.offset);
    const above = decodeFinishedOffsets(base, committed.metadata);
    expect(above.size).toBeGreaterThanOrEqual(20);
    while (finished.length < 22 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(finished.indexOf(0)).toBeLessThan(finished.indexOf(1));
    await consumer.stop(5_000);
    const [after] = await admin.fetchOffsets({ groupId: kafka.groupName(groupId), topics: [kafka.topicName(spec)] });
    const end = after!.partitions.find((p) => p.partition === committed.partition)!;
    expect(Number(end.offset)).toBe(base + 22);
    await admin.disconnect();
  });

  it("after a restart, skips what was finished above the committed offset", async () => {
    const groupId = `g-${randomUUID()}`;
    await publish([{ n: 100, lane: "stuck", ms: 60_000 }, ...Array.from({ length: 10 }, (_, i) => ({ n: 101 + i, lane: `l${i}`, ms: 1 }))]);
    const seen: number[] = [];
    const first = new ParallelConsumer({
      kafka,
      groupId,
      topic: spec,
      logger,
      laneOf: (message) => message.value.lane,
      timing: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 },
      commitIntervalMs: 100,
      handle: async (message) => {
        if (message.value.n < 100) return; // earlier test's messages
        seen.push(message.value.n);
        await new Promise((resolve) => setTimeout(resolve, message.value.ms));
      },
    });
    await first.start();
    const deadline = Date.now() + 20_000;
    while (seen.length < 11 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    // Grace over with the stuck message unfinished: it is handed back, the rest stay done.
    await first.stop(200);

    const replayed: number[] = [];
    const second = new ParallelConsumer({
      kafka,
      groupId,
      topic: spec,
      logger,
      laneOf: (message) => message.value.lane,
      timing: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 },
      handle: async (message) => {
        if (message.value.n >= 100) replayed.push(message.value.n);
      },
    });
    await second.start();
    while (replayed.length < 1 && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    await second.stop(1_000);
    expect(replayed).toEqual([100]);
  });
});

describe("ParallelConsumer across a rebalance", () => {
  it("hands over a message whose admission a rebalance interrupted, on a partition it keeps", async () => {
    // With two members, the sticky assignor leaves the first member the lower half (0..5) of
    // its partitions, so this partition stays with it across the join.
    const key = Array.from({ length: 100 }, (_, i) => `kept-${i}`).find((k) => partitionOf(k, spec.partitions) < 6)!;
    const kept = partitionOf(key, spec.partitions);
    const groupId = `g-${randomUUID()}`;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled = new Set<number>();
    const options = {
      kafka,
      groupId,
      topic: spec,
      logger,
      laneOf: (message: { value: { lane: string } }) => message.value.lane,
      timing: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
      commitIntervalMs: 100,
    };
    const first = new ParallelConsumer({
      ...options,
      // Two slots: messages 500 and 501 hold them, so 502 waits for capacity, heartbeating.
      maxInFlight: 2,
      handle: async (message) => {
        if (message.value.n < 500 || message.value.n >= 600) return;
        if (message.value.n < 502) await gate;
        handled.add(message.value.n);
      },
    });
    await first.start();
    const producer = await TopicProducer.connect(kafka, true);
    await producer.send(
      spec,
      Array.from({ length: 5 }, (_, i) => ({ key, value: { n: 500 + i, lane: `l${i}`, ms: 0 } })),
    );
    await producer.disconnect();
    const deadline = Date.now() + 30_000;
    while (first.inFlight < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(first.inFlight).toBe(2);

    // A second member joins: the first one's next heartbeat, inside the capacity wait, fails
    // with REBALANCE_IN_PROGRESS and the batch is abandoned mid-admission.
    const second = new ParallelConsumer({
      ...options,
      handle: async (message) => {
        if (message.value.n >= 500 && message.value.n < 600) handled.add(message.value.n);
      },
    });
    await second.start();
    while (!(second.ownedPartitions().length > 0 && first.ownedPartitions().length < spec.partitions) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(first.ownedPartitions()).toContain(kept);

    release();
    while (handled.size < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect([...handled].sort((a, b) => a - b)).toEqual([500, 501, 502, 503, 504]);
    // And the commit is not held back by a message nobody will finish.
    while (
      Date.now() < deadline &&
      !first.progress().some((p) => p.partition === kept && p.unfinished === 0 && p.committed === p.highWatermark)
    )
      await new Promise((r) => setTimeout(r, 50));
    expect(first.progress().find((p) => p.partition === kept)).toMatchObject({ unfinished: 0 });
    await Promise.all([first.stop(2_000), second.stop(2_000)]);
  });
});

describe("partitionOf", () => {
  it("names the partition the producer put each key in", async () => {
    const producer = await TopicProducer.connect(kafka);
    const keys = Array.from({ length: 40 }, (_, i) => `host-${i}.example:${8000 + i}`);
    const { topics } = await import("@fediflow/contracts");
    await producer.send(
      topics.deliveries,
      keys.map((key) => ({
        key,
        value: {
          activityId: randomUUID(),
          actorId: "a",
          activityType: "Create",
          objectId: null,
          host: key,
          inboxes: ["x"],
          attempt: 1,
          firstAttemptAt: null,
        },
      })),
    );
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `g-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: kafka.topicName(topics.deliveries), fromBeginning: true });
    const landed = new Map<string, number>();
    await consumer.run({ eachMessage: async ({ partition, message }) => void landed.set(message.key!.toString(), partition) });
    const deadline = Date.now() + 20_000;
    while (landed.size < keys.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await consumer.disconnect();
    expect(new Set(landed.values()).size).toBeGreaterThan(10);
    for (const key of keys) expect([key, landed.get(key)]).toEqual([key, partitionOf(key, topics.deliveries.partitions)]);
  });
});

describe("ConsumerLag", () => {
  it("reports the backlog of owned partitions from the broker, even while the consumer is stuck", async () => {
    const groupId = `g-${randomUUID()}`;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const consumer = new ParallelConsumer({
      kafka,
      groupId,
      topic: spec,
      logger,
      maxInFlight: 5,
      laneOf: (message) => String(message.offset),
      timing: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 },
      handle: () => gate,
    });
    await consumer.start();
    await publish(Array.from({ length: 40 }, (_, i) => ({ n: 1000 + i, lane: "x", ms: 0 })));
    const lag = new ConsumerLag(kafka, consumer, 0);
    const deadline = Date.now() + 20_000;
    let total = 0;
    while (Date.now() < deadline) {
      const partitions = await lag.read();
      total = partitions.reduce((sum, p) => sum + p.lag, 0);
      if (consumer.inFlight === 5 && total > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Everything ever published to the topic is unconsumed by this new group except nothing:
    // it is stuck on 5 admitted messages, so the whole topic is its lag.
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(kafka.topicName(spec));
    await admin.disconnect();
    const published = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    expect(total).toBe(published);
    release();
    while (Date.now() < deadline + 20_000 && (await lag.read()).reduce((sum, p) => sum + p.lag, 0) > 0)
      await new Promise((r) => setTimeout(r, 100));
    expect((await lag.read()).reduce((sum, p) => sum + p.lag, 0)).toBe(0);
    await lag.close();
    await consumer.stop(1_000);
  });
});
