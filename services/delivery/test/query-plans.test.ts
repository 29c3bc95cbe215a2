import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, createScratchDatabase, planNodes, sequentialScans, type Pool, type ScratchDatabase } from "@fediflow/postgres";
import { claimDueSql } from "../src/schedule-store";

let database: ScratchDatabase;
let pool: Pool;

// 200,000 waiting deliveries (a week of a dead giant's retries), most of them queued behind heads.
beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "plans-test", max: 2 });
  await pool.query(
    `INSERT INTO delivery_schedule (partition, host, lane, head, due_at, reason, job)
     SELECT n % 24, 'h' || (n % 5000) || '.example', 'h' || (n % 5000) || '.example o' || (n % 20000), n % 10 = 0,
            now() + interval '1 second' * (n % 3600), 'retry', '{}'
       FROM generate_series(1, 200000) n`,
  );
  await pool.query("VACUUM ANALYZE delivery_schedule");
}, 120_000);
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe("the schedule's poller", () => {
  it("claims due heads through the partial index, never scanning the table", async () => {
    const nodes = await planNodes(pool, claimDueSql, [[0, 1, 2, 3, 4, 5], Date.now() + 60_000, 200, 60_000]);
    expect(sequentialScans(nodes)).toEqual([]);
    expect(nodes.some((node) => node["Index Name"] === "delivery_schedule_due")).toBe(true);
  });
});
