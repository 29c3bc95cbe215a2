import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topics } from "@fediflow/contracts";
import { partitionOf } from "@fediflow/kafka";
import { TestStack, createNote, waitFor, type LocalActor } from "../src";

let t: TestStack;
let actor: LocalActor;
const healthyCount = 120;
const blackHoleTimeoutMs = 120_000;

beforeAll(async () => {
  t = await TestStack.start({
    fediverse: {
      hosts: [
        { behaviour: { kind: "ok", latencyMs: [200, 400] } },
        // One more than the healthy count: the one sharing its partition with the most others
        // becomes the black hole (host names carry a random port, so partitions vary by run).
        ...Array.from({ length: healthyCount + 1 }, () => ({ behaviour: { kind: "ok" as const, latencyMs: [5, 40] as [number, number] } })),
      ],
    },
    // The black hole holds requests until delivery's timeout: a partition it blocked would hold its
    // neighbours as long. Two minutes keeps that far beyond what the healthy hosts need even on a
    // loaded machine (a CI run beside other work took more than 25 s).
    env: { FEDIFLOW_DELIVERY_REQUEST_TIMEOUT_MS: String(blackHoleTimeoutMs) },
  });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

describe("no host blocks another", () => {
  it("delivers to healthy hosts that share the black hole's partition at their own pace", async () => {
    const candidates = t.fediverse.hosts.slice(1);
    const partitionOfHost = (host: { host: string }) => partitionOf(host.host, topics.deliveries.partitions);
    const crowd = new Map<number, number>();
    for (const host of candidates) crowd.set(partitionOfHost(host), (crowd.get(partitionOfHost(host)) ?? 0) + 1);
    const partition = [...crowd].sort((a, b) => b[1] - a[1])[0]![0];
    const blackHole = candidates.find((host) => partitionOfHost(host) === partition)!;
    await t.fediverse.setBehaviour(blackHole.host, { kind: "blackHole" });
    const healthy = candidates.filter((host) => host !== blackHole);
    const neighbours = healthy.filter((host) => partitionOfHost(host) === partition);
    expect(neighbours.length).toBeGreaterThanOrEqual(2);

    const followers = [blackHole, ...healthy].map((host) => ({
      id: host.actorOf("f"),
      inbox: host.inboxOf("f"),
      sharedInbox: host.sharedInbox,
    }));
    await t.api("POST", "/v1/followers", { actor: actor.id, add: followers });
    const submitted = Date.now();
    const activities = Array.from({ length: 10 }, () => createNote(actor.id));
    for (const activity of activities) {
      expect((await t.api("POST", "/v1/activities", { actor: actor.id, activity, audience: { followers: true } })).status).toBe(202);
    }
    // Every healthy host, its partition's neighbours included, has all ten before the black hole's
    // first request times out: none of them waited for it.
    const complete = await waitFor(
      "every healthy host to receive all ten activities",
      () => (healthy.every((host) => host.received.filter((post) => post.status === 202).length === 10) ? Date.now() : undefined),
      blackHoleTimeoutMs,
      50,
    );
    expect(complete - submitted).toBeLessThan(blackHoleTimeoutMs);
    const lastNeighbourReceipt = Math.max(...neighbours.flatMap((host) => host.received.map((post) => post.receivedAt)));
    expect(lastNeighbourReceipt - submitted).toBeLessThan(blackHoleTimeoutMs);
    console.info(`isolation: every healthy host had all ten ${complete - submitted} ms after the first submission`);
    // The black hole was tried, and is still holding its requests open.
    expect(blackHole.received.length).toBe(0);
    expect(blackHole.peakConcurrency).toBeGreaterThan(0);
  });

  it("keeps the order of activities about one object, and overlaps unrelated ones", async () => {
    const slow = t.fediverse.hosts[0]!;
    const inbox = slow.inboxOf("reader");
    const note = `${actor.id}/notes/${randomBytes(4).toString("hex")}`;
    const sequence = [
      { type: "Create", object: { id: note, type: "Note", content: "v1" } },
      { type: "Update", object: { id: note, type: "Note", content: "v2" } },
      { type: "Update", object: { id: note, type: "Note", content: "v3" } },
      { type: "Update", object: { id: note, type: "Note", content: "v4" } },
      { type: "Delete", object: { id: note, type: "Tombstone" } },
    ].map((activity, i) => ({ ...activity, id: `${note}/activity/${i}`, actor: actor.id }));
    const ids: string[] = [];
    for (const activity of sequence) {
      const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity, audience: { inboxes: [inbox] } });
      expect(accepted.status).toBe(202);
      ids.push(accepted.body.id as string);
    }
    const unrelated = Array.from({ length: 6 }, () => createNote(actor.id));
    for (const activity of unrelated) await t.api("POST", "/v1/activities", { actor: actor.id, activity, audience: { inboxes: [inbox] } });

    await waitFor(
      "the six unrelated activities to arrive",
      () => slow.received.filter((post) => post.status === 202 && post.objectId !== note).length >= 6 || undefined,
      30_000,
    );
    for (const id of ids) await t.waitUntilDone(id, 30_000);
    // Updates that queued behind the slow Create are replaced by the Delete behind them
    // (coalescing); whatever is sent keeps the order, the Create first and the Delete last.
    const ofNote = slow.received.filter((post) => post.objectId === note).map((post) => post.activityId ?? "");
    const order = sequence.map((activity) => activity.id);
    expect(ofNote[0]).toBe(order[0]);
    expect(ofNote.at(-1)).toBe(order.at(-1));
    expect(ofNote.map((id) => order.indexOf(id))).toEqual([...ofNote.map((id) => order.indexOf(id))].sort((a, b) => a - b));
    // Unrelated activities did not queue behind each other: several were in flight at once.
    expect(slow.peakConcurrency).toBeGreaterThan(1);
  });
});
