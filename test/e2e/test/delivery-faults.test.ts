import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, acceptedCounts, createNote, duplicateCount, waitFor, type LocalActor } from "../src";

let t: TestStack;
let actor: LocalActor;
const hostCount = 40;
const followersPerHost = 3;
const window = 20; // FEDIFLOW_DELIVERY_MAX_IN_FLIGHT_MESSAGES

beforeAll(async () => {
  t = await TestStack.start({
    fediverse: {
      hosts: Array.from({ length: hostCount }, () => ({
        behaviour: { kind: "ok" as const, latencyMs: [40, 120] as [number, number] },
        sharedInbox: false,
      })),
    },
    env: {
      FEDIFLOW_DELIVERY_MAX_IN_FLIGHT_MESSAGES: String(window),
      FEDIFLOW_DELIVERY_HOST_CONCURRENCY: "2",
      FEDIFLOW_DELIVERY_SHUTDOWN_GRACE_MS: "15000",
    },
  });
  actor = await t.registerActor("alice");
  const followers = t.fediverse.hosts.flatMap((host) =>
    Array.from({ length: followersPerHost }, (_, i) => ({ id: host.actorOf(`u${i}`), inbox: host.inboxOf(`u${i}`) })),
  );
  await t.api("POST", "/v1/followers", { actor: actor.id, add: followers });
});
afterAll(async () => {
  await t?.stop();
});

async function stream(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const accepted = await t.api("POST", "/v1/activities", {
      actor: actor.id,
      activity: createNote(actor.id),
      audience: { followers: true },
    });
    expect(accepted.status).toBe(202);
    ids.push(accepted.body.id as string);
  }
  return ids;
}

const perActivity = hostCount * followersPerHost;

describe("delivery survives its own death", () => {
  it("loses nothing to kill -9 in the middle of a stream; duplicates stay within the in-flight window", async () => {
    const before = acceptedCounts(t.fediverse).size;
    const ids = await stream(15);
    const expected = before + ids.length * perActivity;
    await waitFor(
      "a tenth of the stream delivered",
      () => acceptedCounts(t.fediverse).size > before + (expected - before) / 10 || undefined,
      60_000,
      20,
    );
    const rateFrom = { at: Date.now(), count: acceptedCounts(t.fediverse).size };
    await waitFor(
      "a third of the stream delivered",
      () => acceptedCounts(t.fediverse).size > before + (expected - before) / 3 || undefined,
      60_000,
      20,
    );
    const perSecond = ((acceptedCounts(t.fediverse).size - rateFrom.count) * 1000) / (Date.now() - rateFrom.at);
    const delivery = t.stack.processes.get("delivery")!;
    delivery.signal("SIGKILL");
    const { signal } = await delivery.exited();
    expect(signal).toBe("SIGKILL");
    const atKill = acceptedCounts(t.fediverse).size;
    expect(atKill).toBeLessThan(expected);
    await t.stack.restart("delivery");
    for (const id of ids) {
      const status = await t.waitUntilDone(id, 120_000);
      expect(status.inboxes).toMatchObject({ total: perActivity, delivered: perActivity, failed: 0 });
    }
    const counts = acceptedCounts(t.fediverse);
    expect(counts.size).toBe(expected);
    // Redone after the crash: admitted, unfinished messages (at most `window`, each with
    // followersPerHost inboxes) plus what finished within the last commit interval (50 ms of
    // the measured rate; counted twice over for margin).
    const bound = window * followersPerHost + Math.ceil(perSecond * 0.05 * 2);
    const duplicates = duplicateCount(counts);
    expect(duplicates).toBeLessThanOrEqual(bound);
    console.log(`kill -9 at ${Math.round(perSecond)} deliveries/s: ${duplicates} duplicate deliveries (bound ${bound})`);
  });

  it("drains on SIGTERM within the grace period and exits 0; nothing is lost", async () => {
    const beforeDuplicates = duplicateCount(acceptedCounts(t.fediverse));
    const before = acceptedCounts(t.fediverse).size;
    const ids = await stream(15);
    const expected = before + ids.length * perActivity;
    await waitFor(
      "a third of the stream delivered",
      () => acceptedCounts(t.fediverse).size > before + (expected - before) / 3 || undefined,
      60_000,
      20,
    );
    const delivery = t.stack.processes.get("delivery")!;
    const stopping = Date.now();
    const { code } = await delivery.stop(30_000);
    expect(code).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(15_000 + 5_000);
    await t.stack.restart("delivery");
    for (const id of ids) await t.waitUntilDone(id, 120_000);
    const counts = acceptedCounts(t.fediverse);
    expect(counts.size).toBe(expected);
    // A clean drain finishes what it started and commits it: nothing is sent twice.
    expect(duplicateCount(counts) - beforeDuplicates).toBe(0);
  });
});
