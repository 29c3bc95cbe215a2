import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { EachBatchPayload, Kafka } from "kafkajs";
import type { TopicSpec } from "@fediflow/contracts";
import { createLogger } from "@fediflow/logging";
import { ParallelConsumer } from "../src";
import { rejoinRequest } from "../src/rebalance-signal";

// Admission across a rebalance, deterministically: a stand-in for kafkajs's consumer hands
// batches to the ParallelConsumer exactly as kafkajs's runner would, and its heartbeat says
// what the coordinator says. The same paths run against the real broker in parallel-consumer.test.ts.

const spec: TopicSpec<{ n: number }> = {
  name: "t",
  key: "k",
  keyOf: () => "k",
  value: z.object({ n: z.number() }),
  partitions: 4,
  compacted: false,
};
const logger = createLogger("test", "silent");

const rebalancing = () => Object.assign(new Error("The group is rebalancing, so a rejoin is needed"), { type: "REBALANCE_IN_PROGRESS" });

class FakeGroup {
  eachBatch!: (payload: EachBatchPayload) => Promise<void>;
  private onJoin!: (event: { payload: { memberAssignment: Record<string, number[]> } }) => void;
  commits: Array<Array<{ partition: number; offset: string }>> = [];
  refuseCommits = false;

  kafka(): Kafka {
    const consumer = {
      events: { GROUP_JOIN: "consumer.group_join" },
      on: (_event: string, listener: FakeGroup["onJoin"]) => (this.onJoin = listener),
      connect: async () => undefined,
      subscribe: async () => undefined,
      run: async ({ eachBatch }: { eachBatch: FakeGroup["eachBatch"] }) => void (this.eachBatch = eachBatch),
      commitOffsets: async (offsets: Array<{ partition: number; offset: string }>) => {
        if (this.refuseCommits) throw rebalancing();
        this.commits.push(offsets);
      },
      pause: () => undefined,
      disconnect: async () => undefined,
    };
    const admin = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchOffsets: async () => [{ topic: spec.name, partitions: [] }],
      fetchTopicOffsets: async () => [],
    };
    return {
      consumer: () => consumer,
      admin: () => admin,
      topicName: (t: { name: string }) => t.name,
      groupName: (g: string) => g,
      fetchSettings: () => ({ maxWaitTimeInMs: 100, readUncommitted: true }),
    } as unknown as Kafka;
  }

  assign(partitions: number[]): void {
    this.onJoin({ payload: { memberAssignment: { [spec.name]: partitions } } });
  }

  /** One batch of `partition` holding offsets `from`..`to`; `heartbeat` as the coordinator answers. */
  batch(partition: number, from: number, to: number, heartbeat: () => Promise<void> = async () => undefined) {
    const resolved: number[] = [];
    const messages = Array.from({ length: to - from + 1 }, (_, i) => ({
      offset: String(from + i),
      key: Buffer.from("k"),
      value: Buffer.from(JSON.stringify({ n: from + i })),
      headers: {},
      timestamp: "0",
    }));
    const payload = {
      batch: { topic: spec.name, partition, highWatermark: String(to + 1), messages },
      resolveOffset: (offset: string) => void resolved.push(Number(offset)),
      heartbeat,
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload;
    return { resolved, run: () => this.eachBatch(payload) };
  }
}

/**
 * A started consumer with one in-flight slot on `partitions`: offset 0 of any partition holds
 * its slot until release() is called; `handled` lists every offset handed to work.
 */
async function consumerWithOneSlot(partitions: number[]) {
  const group = new FakeGroup();
  const handled: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const consumer = new ParallelConsumer({
    kafka: group.kafka(),
    groupId: "g",
    topic: spec,
    logger,
    maxInFlight: 1,
    commitIntervalMs: 10_000,
    laneOf: (message) => String(message.offset),
    handle: async (message) => {
      handled.push(message.offset);
      if (message.offset === 0) await gate;
    },
  });
  await consumer.start();
  group.assign(partitions);
  return { group, consumer, handled, release };
}

describe("ParallelConsumer admission across a rebalance", () => {
  it("leaves a message whose admission a refused heartbeat interrupted to the refetch", async () => {
    const { group, consumer, handled, release } = await consumerWithOneSlot([0]);
    // Offset 0 takes the only slot; offset 1 waits for it until the heartbeat is refused.
    const first = group.batch(0, 0, 2, async () => Promise.reject(rebalancing()));
    await expect(first.run()).rejects.toMatchObject({ type: "REBALANCE_IN_PROGRESS" });
    expect(first.resolved).toEqual([0]);
    // kafkajs rejoins, keeps the partition and fetches again from the committed offset (0).
    group.assign([0]);
    release();
    await group.batch(0, 0, 2).run();
    await consumer.stop(1_000);
    expect(handled).toEqual([0, 1, 2]);
    expect(consumer.progress()).toEqual([{ partition: 0, committed: 3, highWatermark: 3, unfinished: 0 }]);
  });

  it("stops every batch at the first refusal and commits before rejoining", async () => {
    const { group, consumer, handled, release } = await consumerWithOneSlot([0, 1, 2]);
    await group.batch(2, 7, 7).run(); // finished work to commit
    await group.batch(0, 0, 0).run(); // holds the only slot
    // Partition 1 waits for the slot and its heartbeats are accepted (they are rate-limited, so
    // kafkajs would not ask the coordinator again for a while); partition 2's is refused.
    const waiting = group.batch(1, 0, 3);
    let waitingEndedAt = 0;
    const waitingOutcome = waiting.run().then(
      () => "returned",
      (error: { type?: string }) => error.type,
    );
    void waitingOutcome.then(() => (waitingEndedAt = Date.now()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Partition 2's next message waits for the slot too; its heartbeat, 1 s on, is refused.
    await expect(group.batch(2, 8, 8, async () => Promise.reject(rebalancing())).run()).rejects.toMatchObject({
      type: "REBALANCE_IN_PROGRESS",
    });
    const refusedAt = Date.now();
    expect(await waitingOutcome).toBe("REBALANCE_IN_PROGRESS");
    // Partition 1's batch ended with it, not at the end of its own next 1 s capacity wait.
    expect(Math.abs(waitingEndedAt - refusedAt)).toBeLessThan(300);
    expect(waiting.resolved).toEqual([]);
    // What finished (partition 2's offset 7) was committed before rejoining.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(group.commits.flat()).toContainEqual(expect.objectContaining({ partition: 2, offset: "8" }));

    // Until the new assignment nothing is admitted; after it, the refetch is.
    release();
    await expect(group.batch(1, 0, 0).run()).rejects.toMatchObject({ type: "REBALANCE_IN_PROGRESS" });
    group.assign([0, 1]);
    await group.batch(1, 0, 3).run();
    await consumer.stop(1_000);
    expect(handled.sort((a, b) => a - b)).toEqual([0, 0, 1, 2, 3, 7]);
  });

  it("ignores a refused commit that belongs to an earlier assignment", async () => {
    const { group, consumer } = await consumerWithOneSlot([0]);
    await group.batch(0, 5, 5).run();
    group.refuseCommits = true;
    // The commit goes out in this assignment; the answer comes after the next one.
    const commit = (consumer as unknown as { commit(): Promise<void> }).commit();
    group.assign([0]);
    await commit;
    group.refuseCommits = false;
    await group.batch(0, 6, 6).run();
    await consumer.stop(1_000);
  });
});

describe("rejoinRequest", () => {
  it("finds the coordinator's rejoin request, wrapped or not", () => {
    const inner = rebalancing();
    expect(rejoinRequest(inner)).toBe(inner);
    expect(rejoinRequest(Object.assign(new Error("retries exceeded"), { cause: inner }))).toBe(inner);
    expect(rejoinRequest(Object.assign(new Error("illegal generation"), { type: "ILLEGAL_GENERATION" }))).toBeDefined();
    expect(rejoinRequest(Object.assign(new Error("moved"), { type: "NOT_COORDINATOR_FOR_GROUP" }))).toBeUndefined();
    expect(rejoinRequest(new Error("socket closed"))).toBeUndefined();
    expect(rejoinRequest("text")).toBeUndefined();
  });
});
