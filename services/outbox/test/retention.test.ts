import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { v7 } from "uuid";
import { createLogger } from "@fediflow/logging";
import { createPool, createScratchDatabase, type Pool, type ScratchDatabase } from "@fediflow/postgres";
import { Retention, uuidv7Floor } from "../src/retention";

let database: ScratchDatabase;
let pool: Pool;
const actor = "https://local.example/users/alice";
const day = 24 * 3_600_000;

beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "retention-test" });
  await pool.query("INSERT INTO actors (id, key_id, key_type, private_key_sealed) VALUES ($1, $2, 'rsa', $3)", [
    actor,
    `${actor}#k`,
    randomBytes(40),
  ]);
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

/** An activity accepted `ageDays` ago with `inboxes` outcomes, finished `finishedDaysAgo` ago (or not). */
async function activity(ageDays: number, inboxes: number, finishedDaysAgo: number | null, parked = 0): Promise<string> {
  const id = v7({ msecs: Date.now() - ageDays * day });
  await pool.query(
    "INSERT INTO activities (id, actor_id, activity_iri, activity_type, body, audience, request_digest, created_at) VALUES ($1, $2, $3, 'Create', '{}', '{}', 'd', now() - $4 * interval '1 day')",
    [id, actor, `${actor}/a/${id}`, ageDays],
  );
  await pool.query(
    "INSERT INTO activity_progress (activity_id, total, delivered, parked, completed_at) VALUES ($1, $2, $3, $4, CASE WHEN $5::float8 IS NULL THEN NULL ELSE now() - $5::float8 * interval '1 day' END)",
    [id, inboxes, inboxes - parked, parked, finishedDaysAgo],
  );
  await pool.query(
    "INSERT INTO delivery_outcomes (activity_id, inbox, host, outcome, attempt) SELECT $1, 'https://h' || n || '.example/inbox', 'h' || n || '.example', 'delivered', 1 FROM generate_series(1, $2) n",
    [id, inboxes],
  );
  return id;
}

const exists = async (id: string) => (await pool.query("SELECT 1 FROM activities WHERE id = $1", [id])).rowCount === 1;

describe("Retention", () => {
  it("removes exactly what has expired, in batches, with its accounting", async () => {
    const oldFinished = await activity(9, 12_000, 8);
    const recentFinished = await activity(3, 50, 2);
    const oldParked = await activity(9, 10, 8, 3);
    const ancient = await activity(40, 10, null);
    const unfinished = await activity(1, 10, null);
    const retention = new Retention(pool, { finishedMs: 7 * day, maxAgeMs: 30 * day, batchRows: 5000 }, createLogger("t", "silent"));
    const result = await retention.sweep(Date.now());
    expect(result).toEqual({ activities: 2, outcomes: 12_010 });
    expect(await exists(oldFinished)).toBe(false);
    expect(await exists(ancient)).toBe(false);
    expect(await exists(recentFinished)).toBe(true);
    expect(await exists(oldParked)).toBe(true); // a replay may still need it
    expect(await exists(unfinished)).toBe(true);
    const left = await pool.query("SELECT count(*)::int AS n FROM delivery_outcomes WHERE activity_id = ANY($1::uuid[])", [
      [oldFinished, ancient],
    ]);
    expect(left.rows[0].n).toBe(0);
    expect(await retention.sweep(Date.now())).toEqual({ activities: 0, outcomes: 0 });
  });

  it("removes quarantined messages older than the maximum age, redriven or not, in batches", async () => {
    const quarantine = (daysAgo: number, redriven: boolean) =>
      pool.query(
        `INSERT INTO quarantined_messages (topic, message_key, consumer_group, reason, error_class, error_message, quarantined_at, redriven_at)
         VALUES ('delivery-outcomes', 'k', 'outbox-accounting', 'data-exception', 'DatabaseError', 'bad', now() - $1 * interval '1 day',
                 CASE WHEN $2 THEN now() - $1 * interval '1 day' END)`,
        [daysAgo, redriven],
      );
    for (let i = 0; i < 3; i += 1) await quarantine(31, i === 0);
    await quarantine(29, true);
    await quarantine(1, false);
    const retention = new Retention(pool, { finishedMs: 7 * day, maxAgeMs: 30 * day, batchRows: 2 }, createLogger("t", "silent"));
    expect(await retention.sweepQuarantine(Date.now())).toBe(3);
    const left = await pool.query<{ days: number }>(
      "SELECT round(extract(epoch FROM now() - quarantined_at) / 86400)::int AS days FROM quarantined_messages ORDER BY days",
    );
    expect(left.rows.map((row) => row.days)).toEqual([1, 29]);
    expect(retention.removedQuarantined).toBe(3);
  });

  it("computes the smallest UUIDv7 of a moment", () => {
    const at = Date.now();
    expect(uuidv7Floor(at) <= v7({ msecs: at })).toBe(true);
    expect(uuidv7Floor(at + 1) > v7({ msecs: at })).toBe(true);
  });
});
