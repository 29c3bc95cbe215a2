import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InboxCounts } from "@fediflow/client";
import type { VirtualHost } from "@fediflow/fake-fediverse";
import { TestStack, ThrowawayRedis, createNote, metricSample, storedOutcomes, waitFor, type LocalActor } from "../src";

let redis: ThrowawayRedis;
let t: TestStack;
let actor: LocalActor;

// Compressed time: failing 1.5 s makes a host dead; probes after 0.5 s, doubling to 2 s; parked
// deliveries older than 12 s are failed instead of sent; replays go out 2 per 100 ms per host.
beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  t = await TestStack.start({
    fediverse: {
      hosts: [
        { behaviour: { kind: "status", status: 503 } }, // 0: dies, revived by a probe
        { behaviour: { kind: "status", status: 503 } }, // 1: dies, revived by inbound contact
        { behaviour: { kind: "status", status: 403 } }, // 2: answers 403
        { behaviour: { kind: "rateLimited", retryAfterSeconds: 1, times: 1_000_000 } }, // 3: answers 429
        { behaviour: { kind: "status", status: 410 } }, // 4: answers 410
        { behaviour: { kind: "ok" } }, // 5: blocked by the operator
        { behaviour: { kind: "status", status: 503 } }, // 6: dies and stays dead
        { behaviour: { kind: "status", status: 503 } }, // 7: dies while a note is written, edited and deleted
      ],
    },
    env: {
      FEDIFLOW_REDIS_URL: redis.url,
      FEDIFLOW_RETRY_BASE_MS: "200",
      FEDIFLOW_RETRY_MAX_DELAY_MS: "400",
      FEDIFLOW_RETRY_HORIZON_MS: "120000",
      FEDIFLOW_SCHEDULE_POLL_MS: "100",
      FEDIFLOW_BREAKER_THRESHOLD: "1000",
      FEDIFLOW_DEAD_AFTER_MS: "1500",
      FEDIFLOW_PROBE_INITIAL_MS: "500",
      FEDIFLOW_PROBE_MAX_MS: "2000",
      FEDIFLOW_PROBE_POLL_MS: "100",
      FEDIFLOW_PROBE_TIMEOUT_MS: "1000",
      FEDIFLOW_PARKED_MAX_AGE_MS: "12000",
      FEDIFLOW_REPLAY_POLL_MS: "100",
      FEDIFLOW_REPLAY_RATE_PER_HOST: "20",
    },
  });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
  await redis?.stop();
});

const host = (i: number): VirtualHost => t.fediverse.hosts[i]!;

async function submit(inboxes: string[], actors: string[] = []): Promise<string> {
  const accepted = await t.api("POST", "/v1/activities", {
    actor: actor.id,
    activity: createNote(actor.id),
    audience: { inboxes, actors },
  });
  expect(accepted.status).toBe(202);
  return accepted.body.id as string;
}

const hostOf = async (h: VirtualHost) => (await t.api("GET", `/v1/hosts/${h.host}`)).body;
const statusOf = async (id: string) => (await t.api("GET", `/v1/activities/${id}`)).body as { inboxes: InboxCounts };
const waitForState = (h: VirtualHost, state: string, timeoutMs = 30_000) =>
  waitFor(`${h.host} ${state}`, async () => ((await hostOf(h)).state === state ? true : undefined), timeoutMs, 50);
const waitForParked = (id: string, parked: number) =>
  waitFor(`${id} parked ${parked}`, async () => ((await statusOf(id)).inboxes.parked === parked ? true : undefined), 30_000, 100);
const history = async (h: VirtualHost) =>
  (
    await t.db.query<{ to_state: string; reason: string }>("SELECT to_state, reason FROM host_history WHERE host = $1 ORDER BY id", [
      h.host,
    ])
  ).rows;

describe("host health", () => {
  it("a failing host becomes dead, its deliveries are parked, it is probed at doubling intervals and revived by a probe; parked deliveries go out once", async () => {
    const h = host(0);
    const first = await submit([h.inboxOf("bob")]);
    await waitForState(h, "dead");
    expect((await hostOf(h)).nextProbeAt).toEqual(expect.any(String));
    await waitForParked(first, 1);
    // Parked at fan-out this time: the host is already known dead. Ten inboxes, to see the rate.
    const second = await submit(["bob", ...Array.from({ length: 9 }, (_, n) => `user${n}`)].map((user) => h.inboxOf(user)));
    await waitForParked(second, 10);
    const postsWhileDead = h.received.length;

    // Probes fail (nodeinfo answers 503) at doubling intervals; nothing else is sent.
    await waitFor("three probes", () => (h.probed.length >= 3 ? true : undefined), 15_000, 50);
    const gaps = h.probed.slice(1, 3).map((at, i) => at - h.probed[i]!);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]! * 1.5);
    expect(h.received.length).toBe(postsWhileDead);

    await t.fediverse.setBehaviour(h.host, { kind: "ok" });
    await waitForState(h, "healthy", 15_000);
    expect((await history(h)).map((row) => row.reason)).toContain("revived by a probe");
    await waitFor("both replays delivered", async () =>
      (await statusOf(first)).inboxes.delivered === 1 && (await statusOf(second)).inboxes.delivered === 10 ? true : undefined,
    );
    expect(await statusOf(first)).toMatchObject({ inboxes: { total: 1, delivered: 1, failed: 0, parked: 0, pending: 0 } });
    expect(await statusOf(second)).toMatchObject({ inboxes: { total: 10, delivered: 10, failed: 0, parked: 0, pending: 0 } });

    // Exactly once: no second replay after a while.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const delivered = h.received.filter((post) => post.status === 202);
    const perInbox = new Map<string, number>();
    for (const post of delivered)
      perInbox.set(`${post.activityId} ${post.inbox}`, (perInbox.get(`${post.activityId} ${post.inbox}`) ?? 0) + 1);
    expect(delivered).toHaveLength(11);
    expect([...perInbox.values()]).toEqual(Array(11).fill(1));
    // A revived host is not flooded: 2 parked deliveries per 100 ms round, so 11 take 5 rounds.
    const times = delivered.map((post) => post.receivedAt).sort((a, b) => a - b);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(350);
    expect(await t.count("parked_deliveries")).toBe(0);
  });

  it("a dead host is revived by inbound contact and gets its parked deliveries", async () => {
    const h = host(1);
    const id = await submit([h.inboxOf("bob")]);
    await waitForState(h, "dead");
    await waitForParked(id, 1);
    // Right after a failed probe, so the next one cannot revive it first.
    await waitFor(
      "a probe far enough away",
      async () => {
        const next = (await hostOf(h)).nextProbeAt as string | undefined;
        return next && Date.parse(next) - Date.now() > 700 ? true : undefined;
      },
      15_000,
      20,
    );
    await t.fediverse.setBehaviour(h.host, { kind: "ok" });
    expect((await t.api("POST", `/v1/hosts/${h.host}/seen`)).status).toBe(204);
    expect((await hostOf(h)).state).toBe("healthy");
    expect((await history(h)).at(-1)).toEqual({ to_state: "healthy", reason: "revived by inbound contact" });
    await waitFor("the replay delivered", async () => ((await statusOf(id)).inboxes.delivered === 1 ? true : undefined));
    expect(h.received.filter((post) => post.status === 202)).toHaveLength(1);
  });

  it("4xx and 429 answers never make a host dead", async () => {
    const answering = [host(2), host(3), host(4)];
    const id = await submit(answering.map((h) => h.inboxOf("bob")));
    // Well past the 1.5 s that makes an unreachable host dead, with the 429 host still retrying.
    await waitFor("the 403 and 410 settled", async () => ((await statusOf(id)).inboxes.failed === 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(host(3).received.length).toBeGreaterThanOrEqual(2);
    for (const h of answering) {
      expect((await hostOf(h)).state).toBe("healthy");
      expect((await history(h)).filter((row) => row.to_state !== "healthy")).toEqual([]);
    }
    expect((await statusOf(id)).inboxes.parked).toBe(0);
  });

  it("a blocked host never receives a request, not even a fetch or a probe", async () => {
    const h = host(5);
    expect((await t.api("PUT", `/v1/hosts/${h.host}/block`)).status).toBe(204);
    expect((await hostOf(h)).state).toBe("blocked");
    // The block reaches fan-out and delivery through the host-events topic within moments.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const id = await submit([h.inboxOf("bob")], [h.actorOf("dave")]);
    const done = await t.waitUntilDone(id, 30_000);
    const inboxes = done.inboxes as Record<string, number>;
    expect(inboxes.blocked).toBeGreaterThanOrEqual(1);
    expect(inboxes).toMatchObject({ total: inboxes.blocked, delivered: 0 });
    expect((await t.api("GET", "/v1/hosts?state=blocked")).body.hosts).toEqual([
      expect.objectContaining({ host: h.host, state: "blocked" }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(h.received).toEqual([]);
    expect(h.fetched).toEqual([]);
    expect(h.probed).toEqual([]);
    expect((await t.api("DELETE", `/v1/hosts/${h.host}/block`)).status).toBe(204);
    expect((await hostOf(h)).state).toBe("healthy");
  });

  it("a dead host stays dead across a restart of host-health and a flush of Redis; parked too long, a delivery fails with the reason", async () => {
    const h = host(6);
    const id = await submit([h.inboxOf("bob")]);
    await waitForState(h, "dead");
    await waitForParked(id, 1);
    expect(await metricSample(t.stack.opsUrl("host-health"), "fediflow_hosts", { state: "dead" })).toBeGreaterThanOrEqual(1);
    expect(await metricSample(t.stack.opsUrl("host-health"), "fediflow_parked_deliveries")).toBe(1);

    const client = new Redis(redis.url);
    await client.flushall();
    await t.stack.restart("host-health");
    // Ingress reconnects to the restarted host-health on its own time (it answers 503 meanwhile).
    await waitForState(h, "dead");
    const after = await hostOf(h);
    expect(after).toMatchObject({ host: h.host, state: "dead" });
    expect(await client.exists(`${t.redisPrefix}host:${h.host}`)).toBe(1); // rebuilt from PostgreSQL
    client.disconnect();
    expect((await t.api("GET", "/v1/hosts?state=dead")).body.hosts).toEqual(
      expect.arrayContaining([expect.objectContaining({ host: h.host, state: "dead" })]),
    );
    // Still probed after the restart.
    const probes = h.probed.length;
    await waitFor("a probe after the restart", () => (h.probed.length > probes ? true : undefined), 15_000, 50);

    // The parked delivery outlives FEDIFLOW_PARKED_MAX_AGE_MS (12 s): failed with the reason.
    await waitFor("the parked delivery failed", async () => ((await statusOf(id)).inboxes.failed === 1 ? true : undefined), 30_000, 200);
    const outcome = (await storedOutcomes(t, id)).get(h.inboxOf("bob"));
    expect(outcome).toMatchObject({ outcome: "expired", reason: "parked longer than 12 s" });
    expect(await statusOf(id)).toMatchObject({ inboxes: { total: 1, failed: 1, parked: 0, delivered: 0 } });
    // The verdict is not held against the host, which stays dead and probed.
    expect((await hostOf(h)).state).toBe("dead");
    expect(h.received.filter((post) => post.status === 202)).toEqual([]);
  });

  it("coalesces what is parked: a note created and deleted while the host was dead is never sent; another gets its final version", async () => {
    const h = host(7);
    const inbox = h.inboxOf("bob");
    await submit([inbox]);
    await waitForState(h, "dead");
    const send = async (activity: Record<string, unknown>) => {
      const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity, audience: { inboxes: [inbox] } });
      expect(accepted.status).toBe(202);
      return accepted.body.id as string;
    };
    const edits = (create: Record<string, unknown>, n: number) => {
      const note = create.object as Record<string, unknown>;
      return Array.from({ length: n }, (_, i) => ({ id: `${note.id as string}#u${i + 1}`, type: "Update", actor: actor.id, object: { ...note, content: `v${i + 1}` } }));
    };
    const gone = createNote(actor.id, "regretted");
    const goneNote = (gone.object as Record<string, unknown>).id as string;
    const kept = createNote(actor.id, "kept");
    const keptNote = (kept.object as Record<string, unknown>).id as string;
    const goneIds = [
      await send(gone),
      ...(await Promise.all(edits(gone, 1).map(send))),
      await send({ id: `${goneNote}#delete`, type: "Delete", actor: actor.id, object: { id: goneNote, type: "Tombstone" } }),
    ];
    const keptActivities = [kept, ...edits(kept, 3)];
    const keptIds: string[] = [];
    for (const activity of keptActivities) keptIds.push(await send(activity));
    // Everything is parked (and coalesced as it is parked) before the host comes back.
    const settledWhileDead = async (id: string) => {
      const counts = (await statusOf(id)).inboxes;
      return counts.parked + counts.superseded === 1 ? true : undefined;
    };
    for (const id of [...goneIds, ...keptIds]) await waitFor(`${id} parked or superseded`, () => settledWhileDead(id), 30_000, 100);

    await t.fediverse.setBehaviour(h.host, { kind: "ok" });
    await waitForState(h, "healthy");
    // Parked counts as settled: wait for each to leave the park.
    const leftThePark = async (id: string) => {
      const counts = (await statusOf(id)).inboxes;
      return counts.delivered + counts.superseded === 1 ? true : undefined;
    };
    for (const id of [...goneIds, ...keptIds]) await waitFor(`${id} out of the park`, () => leftThePark(id), 30_000, 100);
    expect(await Promise.all(goneIds.map(async (id) => (await statusOf(id)).inboxes.superseded))).toEqual([1, 1, 1]);
    expect(await Promise.all(keptIds.map(async (id) => (await statusOf(id)).inboxes.delivered))).toEqual([1, 0, 0, 1]);
    const accepted = h.received.filter((post) => post.status === 202);
    expect(accepted.filter((post) => post.objectId === goneNote)).toEqual([]);
    expect(accepted.filter((post) => post.objectId === keptNote).map((post) => post.activityId)).toEqual([kept.id, keptActivities[3]!.id]);
  });
});
