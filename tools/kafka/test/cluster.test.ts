import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { topicConfig, topics, type HostEvent, type TopicSpec } from "@fediflow/contracts";
import { ParallelConsumer, TopicProducer, decodeFinishedOffsets, ensureTopics, whileSettling, type Kafka } from "@fediflow/kafka";
import { createLogger } from "@fediflow/logging";
import { KafkaCluster } from "../src";

// A cluster of this file's own: these tests kill and restart its broker.
let cluster: KafkaCluster;
const logger = createLogger("test", "warn");

beforeAll(async () => {
  cluster = await KafkaCluster.start({ namespace: null });
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
});

/** Every message of a topic from the beginning, read by a fresh group up to the end offsets. */
async function readAll(kafka: Kafka, topic: string): Promise<Array<{ key: string; value: string; offset: number }>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const pending = new Set([...ends].filter(([, high]) => high > 0).map(([partition]) => partition));
  const read: Array<{ key: string; value: string; offset: number }> = [];
  if (pending.size === 0) return read;
  const consumer = kafka.consumer({ groupId: `read-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          read.push({ key: message.key!.toString(), value: message.value!.toString(), offset: Number(message.offset) });
        }
        if (Number(batch.lastOffset()) + 1 >= ends.get(batch.partition)!) pending.delete(batch.partition);
        if (pending.size === 0) resolve();
      },
    });
  });
  await consumer.disconnect();
  return read;
}

function hostEvent(host: string, failures: number): HostEvent {
  return {
    host,
    state: failures > 0 ? "failing" : "healthy",
    failures,
    firstFailureAt: null,
    lastSuccessAt: null,
    nextProbeAt: null,
    pausedUntil: null,
    changedAt: new Date().toISOString(),
  };
}

describe("Apache Kafka on this machine", () => {
  it("compacts the host-events topic: read from the start, it holds only the newest state per host", async () => {
    const kafka = cluster.client("compaction.");
    const topic = kafka.topicName(topics.hostEvents);
    const admin = kafka.admin();
    await admin.connect();
    // The contract's config, with segments that close after 100 ms so the cleaner gets to them.
    const config = { ...topicConfig(topics.hostEvents), "segment.ms": "100", "min.cleanable.dirty.ratio": "0.01" };
    expect(config["cleanup.policy"]).toBe("compact");
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 1, replicationFactor: 1, configEntries: Object.entries(config).map(([name, value]) => ({ name, value })) },
      ],
    });
    await admin.disconnect();
    const producer = await TopicProducer.connect(kafka, true);
    const hosts = ["a.example", "b.example", "c.example"];
    const rounds = 6;
    const perRound = 50;
    for (let round = 0; round < rounds; round += 1) {
      const events = Array.from({ length: perRound }, (_, i) => hosts.map((host) => hostEvent(host, round * perRound + i))).flat();
      await producer.send(topics.hostEvents, events);
      // A segment rolls on the first write after segment.ms: each round lands in a new one.
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    // One more write closes the segment holding the newest states; the active one is never cleaned.
    await producer.send(topics.hostEvents, [hostEvent("roll.example", 0)]);
    await producer.disconnect();
    const newest = (rounds - 1) * perRound + perRound - 1;

    // The cleaner runs every second here: read the topic back until the old states are gone.
    let perHost = new Map<string, HostEvent[]>();
    const deadline = Date.now() + 90_000;
    for (;;) {
      const read = await readAll(kafka, topic);
      perHost = new Map(hosts.map((host) => [host, read.filter((m) => m.key === host).map((m) => JSON.parse(m.value) as HostEvent)]));
      if (hosts.every((host) => perHost.get(host)!.length === 1) || Date.now() > deadline) break;
    }
    for (const host of hosts) expect(perHost.get(host)!.map((event) => event.failures)).toEqual([newest]);
  });

  it("keeps committed offsets and their finished-offsets metadata across a broker restart", async () => {
    const kafka = cluster.client("offsets.");
    const spec: TopicSpec<{ n: number; lane: string }> = {
      name: "fediflow.offsets-test",
      key: "one partition",
      keyOf: () => "k",
      value: z.object({ n: z.number(), lane: z.string() }),
      partitions: 1,
      compacted: false,
    };
    await ensureTopics(kafka, [spec], { replicationFactor: 1 });
    const producer = await TopicProducer.connect(kafka, true);
    await producer.send(spec, [{ n: 0, lane: "stuck" }, ...Array.from({ length: 10 }, (_, i) => ({ n: 1 + i, lane: `fast-${i}` }))]);
    await producer.disconnect();

    const groupId = `g-${randomUUID()}`;
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const flags = new Map<number, boolean | undefined>();
    const consumer = (handled: number[]) =>
      new ParallelConsumer({
        kafka,
        groupId,
        topic: spec,
        logger,
        laneOf: (message) => message.value.lane,
        timing: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 },
        commitIntervalMs: 50,
        handle: async (message) => {
          handled.push(message.value.n);
          flags.set(message.value.n, message.mayBeRedelivered);
          if (message.value.lane === "stuck") await stuck;
        },
      });
    const admin = kafka.admin();
    await admin.connect();
    const committed = async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: kafka.groupName(groupId), topics: [kafka.topicName(spec)] });
      const partition = offsets!.partitions[0]!;
      return { offset: Number(partition.offset), finished: decodeFinishedOffsets(Number(partition.offset), partition.metadata) };
    };

    const firstHandled: number[] = [];
    const first = consumer(firstHandled);
    await first.start();
    // Wait for the commit that carries the ten finished offsets above the stuck one.
    const deadline = Date.now() + 60_000;
    let before = await committed().catch(() => ({ offset: -1, finished: new Set<number>() }));
    while (before.finished.size < 10 && Date.now() < deadline) before = await committed();
    expect(before).toEqual({ offset: 0, finished: new Set(Array.from({ length: 10 }, (_, i) => 1 + i)) });
    await first.stop(0);
    await admin.disconnect();

    await cluster.kill(1);
    await cluster.restart(1);

    const after = cluster.client("offsets.").admin();
    await after.connect();
    // A restarted broker loads the offsets topic first ("the coordinator is loading"), for longer
    // than kafkajs's own retries on a loaded machine.
    const [offsets] = await whileSettling(() => after.fetchOffsets({ groupId: kafka.groupName(groupId), topics: [kafka.topicName(spec)] }));
    await after.disconnect();
    const partition = offsets!.partitions[0]!;
    expect(Number(partition.offset)).toBe(0);
    expect(decodeFinishedOffsets(0, partition.metadata)).toEqual(before.finished);

    // A new member replays only the unfinished message, marked as one an earlier owner may have
    // done; a message published after it took the partition is not.
    const secondHandled: number[] = [];
    const second = consumer(secondHandled);
    await second.start();
    const replayDeadline = Date.now() + 60_000;
    while (secondHandled.length === 0 && Date.now() < replayDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const later = await TopicProducer.connect(kafka, true);
    await later.send(spec, [{ n: 99, lane: "new" }]);
    await later.disconnect();
    while (secondHandled.length < 2 && Date.now() < replayDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await second.stop(5_000);
    expect(secondHandled).toEqual([0, 99]);
    expect([flags.get(0), flags.get(99)]).toEqual([true, false]);
  });
});
