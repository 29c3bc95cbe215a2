import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, createScratchDatabase, type Pool, type ScratchDatabase } from "@fediflow/postgres";
import { ActorStore } from "../src/actor-store";
import { GoneFollowerStore } from "../src/gone-follower-store";
import { goneEntries, type GoneOutcome } from "../src/gone-inboxes";

let database: ScratchDatabase;
let pool: Pool;
const actor = "https://local.example/users/alice";
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "outbox-gone-test" });
  const actors = new ActorStore(pool, randomBytes(32));
  await actors.registerActor(actor, `${actor}#main-key`, pem);
  await actors.updateFollowers(
    actor,
    [
      // Two followers behind the shared inbox of b.example, one with a personal inbox on c.example.
      { id: "https://b.example/users/1", inbox: "https://b.example/users/1/inbox", sharedInbox: "https://b.example/inbox" },
      { id: "https://b.example/users/2", inbox: "https://b.example/users/2/inbox", sharedInbox: "https://b.example/inbox" },
      { id: "https://c.example/users/3", inbox: "https://c.example/users/3/inbox" },
      { id: "https://c.example/users/4", inbox: "https://c.example/users/4/inbox" },
    ],
    [],
  );
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const gone = (inbox: string, status = 410): GoneOutcome => ({
  actorId: actor,
  inbox,
  host: new URL(inbox).host,
  status,
  activityId: randomUUID(),
  at: new Date().toISOString(),
});

describe("goneEntries", () => {
  it("lists a follower whose own inbox is gone, and only counts those behind a gone shared inbox", () => {
    const followers = [
      { actorId: actor, targetInbox: "https://b.example/inbox", followerId: "b1", sharedInbox: "https://B.example/inbox" },
      { actorId: actor, targetInbox: "https://b.example/inbox", followerId: "b2", sharedInbox: "https://b.example/inbox" },
      { actorId: actor, targetInbox: "https://c.example/u/3", followerId: "c3", sharedInbox: null },
    ];
    const entries = goneEntries(
      [gone("https://b.example/inbox"), gone("https://c.example/u/3", 404), gone("https://x.example/inbox")],
      followers,
    );
    expect(entries.map((e) => [e.kind, e.followerId, e.inbox, e.followers, e.status])).toEqual([
      ["sharedInbox", null, "https://b.example/inbox", 2, 410],
      ["follower", "c3", "https://c.example/u/3", 1, 404],
    ]);
  });
});

describe("GoneFollowerStore", () => {
  it("records gone inboxes once, pages them in order and forgets acknowledged ones", async () => {
    const store = new GoneFollowerStore(pool);
    const outcomes = [gone("https://b.example/inbox"), gone("https://c.example/users/3/inbox", 404), gone("https://nobody.example/inbox")];
    expect(await store.record(outcomes)).toBe(2);
    // A redelivered batch adds nothing.
    expect(await store.record(outcomes)).toBe(0);
    const page = await store.list(actor, 0, 1);
    expect(page).toHaveLength(1);
    expect(page![0]).toMatchObject({ kind: "sharedInbox", inbox: "https://b.example/inbox", followers: 2, host: "b.example", status: 410 });
    const rest = await store.list(actor, page![0]!.id, 100);
    expect(rest!.map((e) => [e.kind, e.followerId, e.status])).toEqual([["follower", "https://c.example/users/3", 404]]);

    expect(await store.acknowledge(actor, [page![0]!.id], null)).toBe(1);
    expect((await store.list(actor, 0, 100))!.map((e) => e.kind)).toEqual(["follower"]);
    expect(await store.list("https://local.example/users/ghost", 0, 10)).toBeNull();
    expect(await store.acknowledge("https://local.example/users/ghost", [1], null)).toBeNull();
  });

  it("drops a follower's entry when the application removes the follower, and acknowledges up to a position", async () => {
    const store = new GoneFollowerStore(pool);
    await store.record([gone("https://c.example/users/4/inbox")]);
    const before = await store.list(actor, 0, 100);
    expect(before!.map((e) => e.followerId)).toEqual(["https://c.example/users/3", "https://c.example/users/4"]);
    await new ActorStore(pool, randomBytes(32)).updateFollowers(actor, [], ["https://c.example/users/3"]);
    const after = await store.list(actor, 0, 100);
    expect(after!.map((e) => e.followerId)).toEqual(["https://c.example/users/4"]);
    expect(await store.acknowledge(actor, [], after![0]!.id)).toBe(1);
    expect(await store.list(actor, 0, 100)).toEqual([]);
  });
});
