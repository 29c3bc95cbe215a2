import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryJobSchema } from "@fediflow/contracts";
import { createPool, createScratchDatabase, type Pool, type ScratchDatabase } from "@fediflow/postgres";
import { AccountingStore } from "../src/accounting-store";
import { RedriveStore } from "../src/redrive-store";
import type { CountedOutcome } from "../src/tally";

let database: ScratchDatabase;
let pool: Pool;
let accounting: AccountingStore;
let redrives: RedriveStore;
const actor = "https://local.example/users/alice";

beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "redrive-test" });
  accounting = new AccountingStore(pool);
  redrives = new RedriveStore(pool, 2);
  await pool.query("INSERT INTO actors (id, key_id, key_type, private_key_sealed) VALUES ($1, $1, 'rsa', $2)", [actor, randomBytes(16)]);
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

let sequence = 0;
/** An activity about `object` whose fan-out found `inboxes` (host from each URL). */
async function activity(object: string, inboxes: string[], type = "Update"): Promise<string> {
  sequence += 1;
  const id = `0190f1a2-0000-7000-8000-${String(sequence).padStart(12, "0")}`;
  await pool.query(
    `INSERT INTO activities (id, actor_id, activity_iri, activity_type, object_iri, body, audience, request_digest)
     VALUES ($1, $2, $3, $4, $5, '{}', '{}', 'd')`,
    [id, actor, `${actor}/activities/${sequence}`, type, object],
  );
  await pool.query("INSERT INTO activity_progress (activity_id, total) VALUES ($1, $2)", [id, inboxes.length]);
  return id;
}

const outcome = (activityId: string, inbox: string, kind: CountedOutcome["outcome"], redriveId: string | null = null): CountedOutcome => ({
  activityId,
  inbox,
  host: new URL(inbox).host,
  outcome: kind,
  status: kind === "rejected" ? 401 : null,
  reason: null,
  attempt: 1,
  attemptedAt: Date.now(),
  nextAttemptAt: null,
  redriveId,
});

const progress = async (id: string) =>
  (await pool.query("SELECT delivered, failed, completed_at FROM activity_progress WHERE activity_id = $1", [id])).rows[0];
const jobs = async () => {
  const rows = await pool.query<{ topic: string; message_key: string; payload: string }>(
    "DELETE FROM outbox_messages RETURNING topic, message_key, payload",
  );
  return rows.rows
    .filter((row) => row.topic === "fediflow.deliveries")
    .map((row) => ({ topic: row.topic, key: row.message_key, job: DeliveryJobSchema.parse(JSON.parse(row.payload)) }));
};

describe("redrive", () => {
  it("sends an activity's failures again, counts them pending, and counts only the redrive's outcomes", async () => {
    const inboxes = ["https://a.example/1", "https://a.example/2", "https://a.example/3", "https://b.example/1", "https://c.example/1"];
    const id = await activity("https://local.example/notes/1", inboxes);
    await accounting.record([
      outcome(id, inboxes[0]!, "rejected"),
      outcome(id, inboxes[1]!, "rejected"),
      outcome(id, inboxes[2]!, "expired"),
      outcome(id, inboxes[3]!, "delivered"),
      outcome(id, inboxes[4]!, "gone"),
    ]);
    expect(await progress(id)).toMatchObject({ delivered: 1, failed: 4, completed_at: expect.any(Date) });

    const result = await redrives.redrive({ scope: { kind: "activity", activityId: id, hosts: null }, outcomes: ["rejected", "expired"], requestId: "r1", traceContext: {} });
    expect(result).toEqual({ redriven: 3, repeated: false });
    expect(await progress(id)).toMatchObject({ delivered: 1, failed: 1, completed_at: null });
    const sent = await jobs();
    // Jobs go to the deliveries topic keyed by host, at most 2 inboxes each here, a fresh attempt with the redrive's id.
    expect(sent.map((s) => [s.topic, s.key, s.job.inboxes, s.job.attempt])).toEqual([
      ["fediflow.deliveries", "a.example", inboxes.slice(0, 2), 1],
      ["fediflow.deliveries", "a.example", inboxes.slice(2, 3), 1],
    ]);
    const redriveId = sent[0]!.job.redriveId!;
    expect(redriveId).toMatch(/^[0-9]+$/);

    // The same request id again redrives nothing more.
    expect(await redrives.redrive({ scope: { kind: "activity", activityId: id, hosts: null }, outcomes: ["rejected"], requestId: "r1", traceContext: {} })).toEqual({
      redriven: 3,
      repeated: true,
    });
    expect(await jobs()).toEqual([]);

    // A late report of the first delivery changes nothing; the redrive's own outcomes settle it again.
    await accounting.record([outcome(id, inboxes[0]!, "rejected")]);
    expect(await progress(id)).toMatchObject({ failed: 1, completed_at: null });
    await accounting.record(inboxes.slice(0, 3).map((inbox) => outcome(id, inbox, "delivered", redriveId)));
    expect(await progress(id)).toMatchObject({ delivered: 4, failed: 1, completed_at: expect.any(Date) });
    // activity.completed went out for the first completion and again for this one.
    const events = await pool.query<{ payload: string }>("SELECT payload FROM outbox_messages WHERE topic = 'fediflow.webhook-events' AND message_key = $1", [id]);
    expect(events.rows.map((row) => JSON.parse(row.payload) as { type: string; data: { inboxes: { delivered: number } } }).map((e) => [e.type, e.data.inboxes.delivered])).toEqual([
      ["activity.completed", 4],
    ]);
  });

  it("never redrives to a blocked host, nor what a newer activity about the same object reached", async () => {
    await pool.query("INSERT INTO hosts (host, state) VALUES ('blocked.example', 'blocked')");
    const object = "https://local.example/notes/2";
    const older = await activity(object, ["https://blocked.example/1", "https://d.example/1", "https://d.example/2"]);
    await accounting.record([
      outcome(older, "https://blocked.example/1", "rejected"),
      outcome(older, "https://d.example/1", "rejected"),
      outcome(older, "https://d.example/2", "rejected"),
    ]);
    const newer = await activity(object, ["https://d.example/2"]);
    await accounting.record([outcome(newer, "https://d.example/2", "delivered")]);
    const result = await redrives.redrive({ scope: { kind: "activity", activityId: older, hosts: null }, outcomes: ["rejected"], requestId: null, traceContext: {} });
    expect(result.redriven).toBe(1);
    expect((await jobs()).map((s) => s.job.inboxes)).toEqual([["https://d.example/1"]]);
  });

  it("redrives a host's failures across activities within a time window", async () => {
    const first = await activity("https://local.example/notes/3", ["https://e.example/1"]);
    const second = await activity("https://local.example/notes/4", ["https://e.example/1", "https://f.example/1"]);
    await accounting.record([
      outcome(first, "https://e.example/1", "rejected"),
      outcome(second, "https://e.example/1", "rejected"),
      outcome(second, "https://f.example/1", "rejected"),
    ]);
    await pool.query("UPDATE delivery_outcomes SET updated_at = now() - interval '2 hours' WHERE activity_id = $1", [first]);
    const since = new Date(Date.now() - 3_600_000);
    const result = await redrives.redrive({ scope: { kind: "host", host: "e.example", since, until: null }, outcomes: ["rejected"], requestId: "w", traceContext: {} });
    expect(result.redriven).toBe(1);
    expect((await jobs()).map((s) => [s.job.activityId, s.job.inboxes])).toEqual([[second, ["https://e.example/1"]]]);
    expect(await redrives.redrive({ scope: { kind: "activity", activityId: randomUuid(), hosts: null }, outcomes: ["rejected"], requestId: null, traceContext: {} })).toBeNull();
  });
});

const randomUuid = () => "0190f1a2-0000-7000-8000-ffffffffffff";
