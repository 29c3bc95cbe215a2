import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScratchDatabase, type ScratchDatabase } from "@fediflow/postgres";
import { SupportCpu } from "../src/support-cpu";

let database: ScratchDatabase;
beforeAll(async () => {
  database = await createScratchDatabase(undefined, "fediflow_bench_cpu");
});
afterAll(async () => {
  await database?.drop();
});

describe("SupportCpu", () => {
  let sampler: SupportCpu;
  afterAll(async () => {
    await sampler?.stop();
  });

  it("counts the CPU of the database's backends by pid, Redis by its pid, and a process standing in for the broker", async () => {
    sampler = await SupportCpu.start({ databaseUrl: database.url, redisUrl: "redis://127.0.0.1:6379", kafkaPids: () => [process.pid] });
    const before = sampler.cpu();
    // A backend born after the sampler started, busy for a moment, then gone: still counted.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const busy = client.query("SELECT count(*) FROM generate_series(1, 3000000)");
    // Until the sampler has read the backend while it works (it looks every 500 ms).
    await expect.poll(() => (sampler.cpu().postgres ?? 0) > 0.01, { timeout: 30_000, interval: 100 }).toBe(true);
    await busy;
    await client.end();
    expect(rows[0]!.pid).toBeGreaterThan(0);
    // This process stands in for the broker: its own CPU since `before` (pg's client, the query's rows).
    const after = sampler.cpu();
    expect(after.postgres!).toBeGreaterThan(before.postgres ?? 0);
    expect(after.kafka!).toBeGreaterThan(before.kafka!);
    expect(Object.keys(after).sort()).toEqual(["kafka", "postgres", "redis"]);
  });
});
