import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, createNote, waitFor, type LocalActor } from "../src";

let t: TestStack;
let actor: LocalActor;

// Retries within a few hundred ms; reactions held 1.5 s so a quick Undo cancels its Like.
beforeAll(async () => {
  t = await TestStack.start({
    fediverse: {
      hosts: [
        // 0: slow: every request takes 3 s, so newer activities queue behind the one in flight.
        { behaviour: { kind: "ok", latencyMs: 3_000 } },
        // 1: down at first (503): the Create waits in the retry schedule, Updates queue behind it.
        { behaviour: { kind: "status", status: 503 } },
        // 2: healthy.
        { behaviour: { kind: "ok" } },
      ],
    },
    env: {
      FEDIFLOW_RETRY_BASE_MS: "300",
      FEDIFLOW_RETRY_MAX_DELAY_MS: "600",
      FEDIFLOW_SCHEDULE_POLL_MS: "100",
      FEDIFLOW_BREAKER_THRESHOLD: "1000",
      FEDIFLOW_REACTION_HOLD_MS: "1500",
    },
  });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

const activityId = (noteId: string, n: string) => `${noteId}#${n}`;

function update(note: Record<string, unknown>, n: number): Record<string, unknown> {
  const object = note.object as Record<string, unknown>;
  return {
    "@context": "https://www.w3.org/ns/activitystreams",
    id: activityId(object.id as string, `update-${n}`),
    type: "Update",
    actor: actor.id,
    object: { ...object, content: `edit ${n}` },
  };
}

function remove(note: Record<string, unknown>): Record<string, unknown> {
  const object = note.object as Record<string, unknown>;
  return {
    "@context": "https://www.w3.org/ns/activitystreams",
    id: activityId(object.id as string, "delete"),
    type: "Delete",
    actor: actor.id,
    object: { id: object.id, type: "Tombstone" },
  };
}

async function send(activity: Record<string, unknown>, inbox: string): Promise<string> {
  const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity, audience: { inboxes: [inbox] } });
  expect(accepted.status).toBe(202);
  return accepted.body.id as string;
}

const counts = (status: Record<string, unknown>) => status.inboxes as Record<string, number>;
const objectOf = (note: Record<string, unknown>) => (note.object as Record<string, unknown>).id as string;

describe("coalescing", () => {
  it("sends a slow host the Create and only the newest of five Updates, in order; other objects are untouched", async () => {
    const slow = t.fediverse.hosts[0]!;
    const inbox = slow.inboxOf("bob");
    const note = createNote(actor.id, "first version");
    const other = createNote(actor.id, "another note");
    const ids = [await send(note, inbox)];
    // The Create is in flight for 3 s: the Updates (and an Update of another note) arrive meanwhile.
    await waitFor("the Create to reach the slow host", async () => slow.peakConcurrency > 0 || undefined, 10_000, 20);
    for (let n = 1; n <= 5; n += 1) ids.push(await send(update(note, n), inbox));
    const otherCreate = await send(other, inbox);
    const otherUpdate = await send(update(other, 1), inbox);

    const statuses = await Promise.all(ids.map((id) => t.waitUntilDone(id, 60_000)));
    await t.waitUntilDone(otherCreate, 60_000);
    await t.waitUntilDone(otherUpdate, 60_000);

    const aboutNote = slow.received.filter((post) => post.objectId === objectOf(note));
    expect(aboutNote.map((post) => post.activityId)).toEqual([note.id, activityId(objectOf(note), "update-5")]);
    // Four Updates superseded, counted as such and as done.
    expect(statuses.map((status) => counts(status).superseded)).toEqual([0, 1, 1, 1, 1, 0]);
    expect(statuses.map((status) => counts(status).delivered)).toEqual([1, 0, 0, 0, 0, 1]);
    // The other note's Update is a different object: it is never suppressed.
    const aboutOther = slow.received.filter((post) => post.objectId === objectOf(other));
    expect(aboutOther.map((post) => post.activityType)).toEqual(["Create", "Update"]);
  });

  it("coalesces what waits in the retry schedule: Create retried, then only the newest Update", async () => {
    const down = t.fediverse.hosts[1]!;
    const inbox = down.inboxOf("bob");
    const note = createNote(actor.id, "written while the server was down");
    const ids = [await send(note, inbox)];
    await waitFor("the Create to be refused once", async () => down.received.length > 0 || undefined, 10_000, 20);
    for (let n = 1; n <= 5; n += 1) ids.push(await send(update(note, n), inbox));
    // Every Update is queued behind the Create (its lane is held) before the host comes back.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await t.fediverse.setBehaviour(down.host, { kind: "ok" });

    const statuses = await Promise.all(ids.map((id) => t.waitUntilDone(id, 60_000)));
    const accepted = down.received.filter((post) => post.status === 202);
    expect(accepted.map((post) => post.activityId)).toEqual([note.id, activityId(objectOf(note), "update-5")]);
    expect(statuses.map((status) => counts(status).superseded)).toEqual([0, 1, 1, 1, 1, 0]);
  });

  it("always sends a Delete whose Create was delivered", async () => {
    const healthy = t.fediverse.hosts[2]!;
    const inbox = healthy.inboxOf("bob");
    const note = createNote(actor.id, "soon gone");
    await t.waitUntilDone(await send(note, inbox));
    const status = await t.waitUntilDone(await send(remove(note), inbox));
    expect(status.inboxes).toMatchObject({ delivered: 1, superseded: 0 });
    expect(healthy.received.filter((post) => post.objectId === objectOf(note)).map((post) => post.activityType)).toEqual([
      "Create",
      "Delete",
    ]);
  });

  it("cancels a Like and its quick Undo inside the reaction hold; a Like kept past it is sent", async () => {
    const healthy = t.fediverse.hosts[2]!;
    const inbox = healthy.inboxOf("bob");
    const target = `${healthy.actorOf("bob")}/notes/1`;
    const like = { "@context": "https://www.w3.org/ns/activitystreams", id: `${actor.id}/likes/1`, type: "Like", actor: actor.id, object: target };
    const undo = { "@context": "https://www.w3.org/ns/activitystreams", id: `${actor.id}/likes/1#undo`, type: "Undo", actor: actor.id, object: like.id };
    const kept = { ...like, id: `${actor.id}/likes/2`, object: `${healthy.actorOf("bob")}/notes/2` };
    const ids = [await send(like, inbox), await send(undo, inbox), await send(kept, inbox)];
    const statuses = await Promise.all(ids.map((id) => t.waitUntilDone(id, 30_000)));
    expect(statuses.map((status) => [counts(status).delivered, counts(status).superseded])).toEqual([
      [0, 1],
      [0, 1],
      [1, 0],
    ]);
    const reactions = healthy.received.filter((post) => post.activityType === "Like" || post.activityType === "Undo");
    expect(reactions.map((post) => post.activityId)).toEqual([kept.id]);
  });
});
