import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, createScratchDatabase, planNodes, sequentialScans, type Pool, type ScratchDatabase } from "@fediflow/postgres";
import { previousOutcomesSql } from "../src/accounting-store";
import { statusSql } from "../src/activity-store";
import { inboxPageSql } from "../src/inbox-outcomes";
import { activityTargetsSql, hostTargetsSql } from "../src/redrive-store";
import { expiredActivitiesSql, uuidv7Floor } from "../src/retention";

let database: ScratchDatabase;
let pool: Pool;
let viral: string;

// A million delivery outcomes: one viral post to 600,000 inboxes and 4,000 ordinary posts to 100.
beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "plans-test", max: 2 });
  const actor = "https://local.example/users/alice";
  await pool.query("INSERT INTO actors (id, key_id, key_type, private_key_sealed) VALUES ($1, $1, 'rsa', $2)", [actor, randomBytes(16)]);
  await pool.query(
    `INSERT INTO activities (id, actor_id, activity_iri, activity_type, body, audience, request_digest)
     SELECT (lpad(to_hex(n), 8, '0') || '-0000-7000-8000-000000000000')::uuid, $1, $1 || '/a/' || n, 'Create', '{}', '{}', 'd'
       FROM generate_series(1, 4001) n`,
    [actor],
  );
  await pool.query(
    `INSERT INTO activity_progress (activity_id, total, delivered, completed_at)
     SELECT id, 100, 100, CASE WHEN random() < 0.5 THEN now() - interval '1 day' * random() * 10 END FROM activities`,
  );
  // Every fanned-out activity has a checkpoint (an empty table would be scanned, rightly).
  await pool.query(
    "INSERT INTO fanout_checkpoints (activity_id, inboxes, messages, completed_at) SELECT id, 100, 10, now() FROM activities",
  );
  viral = "00000001-0000-7000-8000-000000000000";
  await pool.query(
    `INSERT INTO delivery_outcomes (activity_id, inbox, host, outcome, attempt)
     SELECT $1, 'https://h' || (n % 30000) || '.example/users/' || n || '/inbox', 'h' || (n % 30000) || '.example',
            CASE WHEN n % 50 = 0 THEN 'rejected' WHEN n % 70 = 0 THEN 'pending' ELSE 'delivered' END, 1
       FROM generate_series(1, 600000) n`,
    [viral],
  );
  await pool.query(
    `INSERT INTO delivery_outcomes (activity_id, inbox, host, outcome, attempt)
     SELECT a.id, 'https://h' || n || '.example/inbox', 'h' || n || '.example', 'delivered', 1
       FROM activities a, generate_series(1, 100) n WHERE a.id <> $1`,
    [viral],
  );
  // Redrive looks up each target's host state (host-health's table: 30,000 servers).
  await pool.query("INSERT INTO hosts (host, state) SELECT 'h' || n || '.example', 'healthy' FROM generate_series(0, 29999) n");
  await pool.query("VACUUM ANALYZE");
}, 180_000);
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe("outbox's hot queries at a million delivery rows use their indexes", () => {
  it("status: a primary-key lookup", async () => {
    const nodes = await planNodes(pool, statusSql, [viral]);
    expect(sequentialScans(nodes)).toEqual([]);
    expect(nodes.some((node) => node["Index Name"] === "activities_pkey")).toBe(true);
  });

  it("accounting: what was counted for a batch's inboxes, by primary key", async () => {
    const inboxes = Array.from({ length: 500 }, (_, n) => `https://h${n % 30000}.example/users/${n}/inbox`);
    const nodes = await planNodes(pool, previousOutcomesSql, [inboxes.map(() => viral), inboxes]);
    expect(sequentialScans(nodes)).toEqual([]);
    expect(nodes.some((node) => node["Index Name"] === "delivery_outcomes_pkey")).toBe(true);
  });

  it.each([
    { filter: "none", outcome: false, host: false, index: "delivery_outcomes_pkey", params: [] },
    { filter: "outcome", outcome: true, host: false, index: "delivery_outcomes_by_outcome", params: ["rejected"] },
    { filter: "host", outcome: false, host: true, index: "delivery_outcomes_by_host", params: ["h17.example"] },
  ])("per-inbox outcomes filtered by $filter: a keyset page is an index range scan", async ({ outcome, host, index, params }) => {
    for (const after of ["", "https://h29999.example/users/29999/inbox"]) {
      const nodes = await planNodes(pool, inboxPageSql({ outcome, host }), [viral, after, 101, ...params]);
      expect(sequentialScans(nodes)).toEqual([]);
      expect(nodes.map((node) => node["Node Type"])).not.toContain("Sort");
      expect(nodes.some((node) => node["Index Name"] === index)).toBe(true);
    }
  });

  it("per-inbox outcomes filtered by outcome and host: only that host's rows are read", async () => {
    const nodes = await planNodes(pool, inboxPageSql({ outcome: true, host: true }), [viral, "", 101, "rejected", "h17.example"]);
    expect(sequentialScans(nodes)).toEqual([]);
    // Either host index fits (the planner picks by their sizes); each reads only that host's rows.
    expect(nodes.some((node) => node["Index Name"]?.startsWith("delivery_outcomes_") && node["Index Cond"]?.includes("host ="))).toBe(true);
  });

  it("redrive: a host's failures in a window from the partial index, an activity's from its own", async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const host = await planNodes(pool, hostTargetsSql, ["h17.example", ["rejected", "expired"], since, new Date().toISOString()]);
    expect(sequentialScans(host)).toEqual([]);
    expect(host.some((node) => node["Index Name"] === "delivery_outcomes_failed_by_host")).toBe(true);
    const activity = await planNodes(pool, activityTargetsSql, [viral, ["rejected", "expired"]]);
    expect(sequentialScans(activity)).toEqual([]);
    expect(activity.some((node) => node["Index Name"] === "delivery_outcomes_by_outcome")).toBe(true);
  });

  it("retention: expired activities from the completed_at index and the primary key", async () => {
    const now = Date.now();
    const nodes = await planNodes(pool, expiredActivitiesSql, [now - 7 * 86_400_000, uuidv7Floor(now - 30 * 86_400_000)]);
    expect(sequentialScans(nodes)).toEqual([]);
    expect(nodes.some((node) => node["Index Name"] === "activity_progress_completed")).toBe(true);
  });
});
