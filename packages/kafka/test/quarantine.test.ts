import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import type { TopicSpec } from "@fediflow/contracts";
import { createLogger } from "@fediflow/logging";
import { Registry } from "prom-client";
import {
  BatchConsumer,
  ParallelConsumer,
  PermanentFailure,
  Quarantine,
  TopicProducer,
  createKafka,
  ensureTopics,
  type DeadLetter,
  type DeadLetterStore,
  type Kafka,
} from "../src";

// One bad message must never stall a partition (issue 24): both consumers set it aside in the
// quarantine, handle everything else as before and commit past it; transient failures still retry.
const spec: TopicSpec<{ n: number }> = {
  name: "fediflow.outcomes",
  key: "one key, so every message shares a partition",
  keyOf: () => "same-partition",
  value: z.object({ n: z.number() }),
  partitions: 3,
  compacted: false,
};

let kafka: Kafka;
const logger = createLogger("test", "silent");
const timing = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 };

beforeAll(async () => {
  kafka = createKafka({ brokers: inject("kafkaBrokers").split(","), clientId: "test", namespace: `quarantine-${randomUUID().slice(0, 8)}.`, logger });
  await ensureTopics(kafka, [spec], {});
}, 60_000);

/** A store that refuses its first `refusals` writes (the database away), then keeps letters in memory. */
class MemoryLetters implements DeadLetterStore {
  readonly letters: DeadLetter[] = [];
  constructor(private refusals = 0) {}
  async add(letter: DeadLetter): Promise<void> {
    if (this.refusals > 0) {
      this.refusals -= 1;
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    }
    this.letters.push(letter);
  }
}

/** Publishes values on one partition; returns their offsets' range [first, end). */
async function publish(values: number[]): Promise<{ partition: number; first: number; end: number }> {
  const producer = await TopicProducer.connect(kafka, true);
  await producer.send(spec, values.map((n) => ({ n })), (value) => ({ "x-n": String(value.n) }));
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(kafka.topicName(spec));
  await admin.disconnect();
  const used = ends.find((p) => Number(p.high) > 0)!;
  return { partition: used.partition, first: Number(used.high) - values.length, end: Number(used.high) };
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function committed(groupId: string, partition: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: kafka.groupName(groupId), topics: [kafka.topicName(spec)] });
    return Number(offsets?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
  } finally {
    await admin.disconnect();
  }
}

/** A foreign-key violation as pg reports it (an outcome of an activity retention removed). */
const foreignKeyViolation = () => Object.assign(new Error('insert violates foreign key constraint "delivery_outcomes_activity_id_fkey"'), { code: "23503", severity: "ERROR" });

describe("ParallelConsumer quarantine", () => {
  it("quarantines the message that fails permanently, handles the others and commits past it; a transient failure is retried", async () => {
    const base = 10_000;
    const { partition, first, end } = await publish(Array.from({ length: 10 }, (_, i) => base + i));
    const store = new MemoryLetters(2);
    const registry = new Registry();
    const handled = new Set<number>();
    let transientLeft = 2;
    const groupId = `g-${randomUUID()}`;
    const consumer = new ParallelConsumer({
      kafka,
      groupId,
      topic: spec,
      logger,
      timing,
      commitIntervalMs: 50,
      quarantine: new Quarantine({ store, logger, registry }),
      // One lane: a stuck message would hold every later one.
      laneOf: () => "one",
      handle: async (message) => {
        if (message.value.n === base + 3) throw foreignKeyViolation();
        if (message.value.n === base + 6 && transientLeft-- > 0) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
        handled.add(message.value.n);
      },
    });
    await consumer.start();
    try {
      await until(() => handled.size === 9, "the nine good messages");
      expect([...handled].sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9].map((i) => base + i));
      expect(transientLeft).toBeLessThan(0);
      await until(async () => (await committed(groupId, partition)) === end, "the commit past the last message");
      // Kept although the store refused twice, with what a redrive needs.
      expect(store.letters).toHaveLength(1);
      expect(store.letters[0]).toMatchObject({
        topic: "fediflow.outcomes",
        group: groupId,
        partition,
        offset: first + 3,
        key: "same-partition",
        reason: "integrity-constraint",
        errorClass: "Error",
      });
      expect(JSON.parse(store.letters[0]!.value!.toString("utf8"))).toEqual({ n: base + 3 });
      expect(store.letters[0]!.headers).toMatchObject({ "x-n": String(base + 3) });
      const metric = await registry.getSingleMetricAsString("fediflow_quarantined_messages_total");
      expect(metric).toContain(`fediflow_quarantined_messages_total{topic="fediflow.outcomes",group="${groupId}",reason="integrity-constraint"} 1`);
      // The other reasons' series exist from the start, at 0.
      expect(metric).toContain(`fediflow_quarantined_messages_total{topic="fediflow.outcomes",group="${groupId}",reason="unusable-url"} 0`);
    } finally {
      await consumer.stop(2_000);
    }
  });

  it("without a quarantine, keeps retrying a permanent failure as before", async () => {
    const base = 20_000;
    await publish([base, base + 1]);
    let tries = 0;
    const handled: number[] = [];
    const consumer = new ParallelConsumer({
      kafka,
      groupId: `g-${randomUUID()}`,
      topic: spec,
      logger,
      timing,
      laneOf: () => "one",
      handle: async (message) => {
        if (message.value.n < base) return;
        if (message.value.n === base) {
          tries += 1;
          throw new PermanentFailure("never");
        }
        handled.push(message.value.n);
      },
    });
    await consumer.start();
    try {
      await until(() => tries >= 2, "a second try");
      expect(handled).toEqual([]);
    } finally {
      await consumer.stop(200);
    }
  });
});

describe("BatchConsumer quarantine", () => {
  it("bisects a batch that fails permanently: the others are handled, the bad one quarantined, the offset moves past it", async () => {
    const base = 30_000;
    const { partition, first, end } = await publish(Array.from({ length: 16 }, (_, i) => base + i));
    const store = new MemoryLetters(1);
    const handled: number[] = [];
    let transientLeft = 1;
    const groupId = `g-${randomUUID()}`;
    const consumer = new BatchConsumer({
      kafka,
      groupId,
      topic: spec,
      logger,
      timing,
      quarantine: new Quarantine({ store, logger }),
      // Like accounting: one statement for the batch, all or nothing.
      handleBatch: async (messages) => {
        const values = messages.map((message) => message.value.n).filter((n) => n >= base);
        if (values.includes(base + 11)) throw new Error("batch failed", { cause: foreignKeyViolation() });
        if (values.includes(base + 2) && transientLeft-- > 0) throw new Error("Connection terminated unexpectedly");
        handled.push(...values);
      },
    });
    await consumer.start();
    try {
      await until(async () => (await committed(groupId, partition)) === end, "the commit past the batch");
      expect([...handled].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => base + i).filter((n) => n !== base + 11));
      // Each good message handled exactly once: the halves that succeeded are not handled again.
      expect(new Set(handled).size).toBe(handled.length);
      expect(transientLeft).toBeLessThan(0);
      expect(store.letters.map(({ offset, reason, group }) => ({ offset, reason, group }))).toEqual([
        { offset: first + 11, reason: "integrity-constraint", group: groupId },
      ]);
      expect(store.letters[0]!.errorMessage).toBe("batch failed");
    } finally {
      await consumer.stop();
    }
  });

  it("retries a transient batch failure whole, quarantining nothing", async () => {
    const base = 40_000;
    const { partition, end } = await publish(Array.from({ length: 4 }, (_, i) => base + i));
    const store = new MemoryLetters();
    const calls: number[][] = [];
    let transientLeft = 2;
    const groupId = `g-${randomUUID()}`;
    const consumer = new BatchConsumer({
      kafka,
      groupId,
      topic: spec,
      logger,
      timing,
      quarantine: new Quarantine({ store, logger }),
      handleBatch: async (messages) => {
        const values = messages.map((message) => message.value.n).filter((n) => n >= base);
        if (values.length === 0) return;
        calls.push(values);
        if (transientLeft-- > 0) throw Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01", severity: "FATAL" });
      },
    });
    await consumer.start();
    try {
      await until(async () => (await committed(groupId, partition)) === end, "the commit past the batch");
      expect(store.letters).toEqual([]);
      expect(calls.length).toBe(3);
      for (const values of calls) expect(values).toEqual(calls[0]);
    } finally {
      await consumer.stop();
    }
  });
});
