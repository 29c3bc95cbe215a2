import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { TestStack, ThrowawayPostgres, ThrowawayRedis, acceptedCounts, createNote, duplicateCount, waitFor, type LocalActor } from "../src";

let primary: ThrowawayPostgres;
let redis: ThrowawayRedis;
let t: TestStack;
let actor: LocalActor;
const healthyHosts = 20;
const followersPerHost = 2;

beforeAll(async () => {
  primary = await ThrowawayPostgres.create();
  redis = await ThrowawayRedis.start();
  t = await TestStack.start({
    fediverse: {
      hosts: [
        ...Array.from({ length: healthyHosts }, () => ({
          behaviour: { kind: "ok" as const, latencyMs: [20, 80] as [number, number] },
          sharedInbox: false,
        })),
        { sharedInbox: false },
      ],
    },
    database: { server: primary.url() },
    // Three brokers, so one can be killed: every topic has three replicas, two in sync for a write.
    kafkaNodes: 3,
    env: {
      FEDIFLOW_REDIS_URL: redis.url,
      FEDIFLOW_DELIVERY_MAX_IN_FLIGHT_MESSAGES: "50",
      FEDIFLOW_FANOUT_CHECKPOINT_MESSAGES: "20",
      FEDIFLOW_RETRY_BASE_MS: "1000",
    },
  });
  actor = await t.registerActor("alice");
  const followers = t.fediverse.hosts.flatMap((host) =>
    Array.from({ length: followersPerHost }, (_, i) => ({ id: host.actorOf(`u${i}`), inbox: host.inboxOf(`u${i}`) })),
  );
  await t.api("POST", "/v1/followers", { actor: actor.id, add: followers });
  const blocked = t.fediverse.hosts[healthyHosts]!;
  expect((await t.api("PUT", `/v1/hosts/${blocked.host}/block`)).status).toBe(204);
}, 240_000);

afterAll(async () => {
  await t?.stop();
  await redis?.stop();
  await primary?.destroy();
});

interface Submission {
  at: number;
  status: number | "refused";
  id?: string;
}

/** Submits a post every `everyMs` until stopped, remembering every answer. */
function streamPosts(everyMs: number) {
  const submissions: Submission[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = Date.now();
      try {
        const response = await t.api("POST", "/v1/activities", {
          actor: actor.id,
          activity: createNote(actor.id),
          audience: { followers: true },
        });
        submissions.push({ at, status: response.status, id: response.status === 202 ? (response.body.id as string) : undefined });
      } catch {
        submissions.push({ at, status: "refused" });
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    submissions,
    async stop() {
      running = false;
      await loop;
    },
  };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("faults in the middle of a stream", () => {
  it("keeps every accepted activity, reaches every healthy inbox, and never answers 202 without storage", async () => {
    const stream = streamPosts(300);
    await pause(3_000);

    for (const service of ["ingress", "outbox", "fan-out", "delivery", "host-health"]) {
      const child = t.stack.processes.get(service)!;
      child.signal("SIGKILL");
      await child.exited();
      await pause(1_000);
      await t.stack.restart(service);
      await pause(2_000);
    }

    // kill -9 of one broker of three: producers (acks all, two in sync) and consumers move on.
    await t.stack.kafka!.kill(2);
    await pause(5_000);
    await t.stack.kafka!.restart(2);
    await pause(3_000);

    await primary.stop();
    const storageDown = { from: Date.now(), to: 0 };
    await pause(4_000);
    storageDown.to = Date.now();
    await primary.start();
    await pause(4_000);

    const client = new Redis(redis.url);
    await client.flushall();
    client.disconnect();
    await pause(2_000);
    await redis.stop();
    await pause(3_000);
    await redis.start();
    await pause(3_000);

    await stream.stop();
    const accepted = stream.submissions.filter((s) => s.status === 202);
    const refusedWhileDown = stream.submissions.filter((s) => s.at > storageDown.from + 500 && s.at < storageDown.to - 500);
    // While PostgreSQL was down, ingress answered 503, never 202.
    expect(refusedWhileDown.length).toBeGreaterThan(3);
    for (const submission of refusedWhileDown) expect(submission.status).toBe(503);
    for (const submission of stream.submissions) expect([202, 503, "refused"]).toContain(submission.status);

    for (const { id } of accepted) {
      const status = await t.waitUntilDone(id!, 180_000);
      expect(status.inboxes).toMatchObject({
        total: (healthyHosts + 1) * followersPerHost,
        delivered: healthyHosts * followersPerHost,
        blocked: followersPerHost,
      });
    }
    const healthy = t.fediverse.hosts.slice(0, healthyHosts);
    const blocked = t.fediverse.hosts[healthyHosts]!;
    const counts = acceptedCounts(t.fediverse);
    for (const { id } of accepted) {
      const activityIri = (await t.db.query("SELECT activity_iri FROM activities WHERE id = $1", [id])).rows[0].activity_iri as string;
      for (const host of healthy) {
        for (let i = 0; i < followersPerHost; i += 1)
          expect(counts.get(`${activityIri} ${host.inboxOf(`u${i}`)}`) ?? 0).toBeGreaterThanOrEqual(1);
      }
    }
    expect(blocked.received).toEqual([]);
    const duplicates = duplicateCount(counts);
    console.log(
      `faults: ${accepted.length} accepted, ${stream.submissions.length - accepted.length} refused, ${duplicates} duplicate deliveries`,
    );
    // Redone work is bounded by the windows of the processes that died: delivery's in-flight
    // messages (50 × 2 inboxes), fan-out's checkpoint interval (20 messages × 2) and what was
    // in flight while storage or a broker was away; generously, a few windows.
    expect(duplicates).toBeLessThanOrEqual(5 * 50 * followersPerHost);
  }, 600_000);
});
