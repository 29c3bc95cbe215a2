import { generateKeyPairSync, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, createScratchDatabase, type Pool, type ScratchDatabase } from "@fediflow/postgres";
import { AccountingStore } from "../src/accounting-store";
import { ActivityStore, IdempotencyConflict } from "../src/activity-store";
import { ActorStore, UnregisteredActor } from "../src/actor-store";

let database: ScratchDatabase;
let pool: Pool;
const kek = randomBytes(32);
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const actor = "https://local.example/users/alice";

beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "outbox-test" });
  await new ActorStore(pool, kek).registerActor(actor, `${actor}#main-key`, pem);
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const newActivity = (overrides: Partial<Parameters<ActivityStore["append"]>[0]> = {}) => ({
  actorId: actor,
  body: JSON.stringify({ id: "https://local.example/a/1", type: "Create", actor }),
  facts: { id: "https://local.example/a/1", type: "Create", actor, laneObject: "https://local.example/n/1" },
  audience: { followers: true, actors: [], inboxes: [] },
  idempotencyKey: null,
  requestDigest: "d1",
  traceContext: {},
  ...overrides,
});

describe("ActorStore", () => {
  it("stores the key sealed, never as PEM", async () => {
    const stored = await pool.query("SELECT private_key_sealed FROM actors WHERE id = $1", [actor]);
    expect(stored.rows[0].private_key_sealed.toString("latin1")).not.toContain("PRIVATE KEY");
  });

  it("upserts followers idempotently and folds targets to shared inboxes", async () => {
    const store = new ActorStore(pool, kek);
    const add = [
      { id: "https://b.example/u/1", inbox: "https://b.example/u/1/inbox", sharedInbox: "https://b.example/inbox" },
      { id: "https://c.example/u/2", inbox: "https://c.example/u/2/inbox" },
    ];
    expect(await store.updateFollowers(actor, add, [])).toEqual({ added: 2, removed: 0 });
    expect(await store.updateFollowers(actor, add, [])).toEqual({ added: 0, removed: 0 });
    const rows = await pool.query("SELECT target_inbox, target_host FROM followers WHERE actor_id = $1 ORDER BY 1", [actor]);
    expect(rows.rows).toEqual([
      { target_inbox: "https://b.example/inbox", target_host: "b.example" },
      { target_inbox: "https://c.example/u/2/inbox", target_host: "c.example" },
    ]);
    expect(await store.updateFollowers(actor, [], ["https://c.example/u/2", "https://nobody.example/u"])).toEqual({ added: 0, removed: 1 });
    await expect(store.updateFollowers("https://local.example/users/nobody", add, [])).rejects.toBeInstanceOf(UnregisteredActor);
  });
});

describe("ActivityStore", () => {
  it("stores activity, progress and outbox row together", async () => {
    const store = new ActivityStore(pool);
    const { id, created } = await store.append(newActivity());
    expect(created).toBe(true);
    const outbox = await pool.query("SELECT message_key, payload FROM outbox_messages WHERE payload::jsonb->>'activityId' = $1", [id]);
    expect(outbox.rows[0].message_key).toBe("https://local.example/n/1");
    expect((await store.status(id))?.total).toBeNull();
  });

  it("answers a repeated idempotency key with the first id, and refuses another body", async () => {
    const store = new ActivityStore(pool);
    const first = await store.append(newActivity({ idempotencyKey: "k1" }));
    const again = await store.append(newActivity({ idempotencyKey: "k1" }));
    expect(again).toEqual({ id: first.id, created: false });
    await expect(store.append(newActivity({ idempotencyKey: "k1", requestDigest: "other" }))).rejects.toBeInstanceOf(IdempotencyConflict);
  });

  it("stores nothing for an unregistered actor", async () => {
    const before = await pool.query("SELECT count(*)::int AS n FROM activities");
    await expect(new ActivityStore(pool).append(newActivity({ actorId: "https://local.example/users/ghost" }))).rejects.toBeInstanceOf(
      UnregisteredActor,
    );
    const after = await pool.query("SELECT count(*)::int AS n FROM activities");
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});

describe("AccountingStore", () => {
  it("completes an activity exactly when every inbox is settled, counting duplicates once", async () => {
    const activities = new ActivityStore(pool);
    const { id } = await activities.append(newActivity());
    await pool.query("UPDATE activity_progress SET total = 3, fanout_completed_at = now() WHERE activity_id = $1", [id]);
    const accounting = new AccountingStore(pool);
    const report = (inbox: string, outcome: "delivered" | "gone" | "parked") => ({
      activityId: id,
      inbox,
      host: "h.example",
      outcome,
      status: null,
      reason: null,
      attempt: 1,
      attemptedAt: null,
      nextAttemptAt: null,
      redriveId: null,
    });
    await accounting.record([report("i1", "delivered"), report("i2", "gone")]);
    await accounting.record([report("i1", "delivered")]);
    expect((await activities.status(id))?.completedAt).toBeNull();
    await accounting.record([report("i3", "parked")]);
    const status = await activities.status(id);
    expect(status).toMatchObject({ delivered: 1, failed: 1, parked: 1 });
    expect(status?.completedAt).toBeInstanceOf(Date);
    await accounting.record([report("i3", "delivered")]);
    expect(await activities.status(id)).toMatchObject({ delivered: 2, failed: 1, parked: 0 });
  });
});
