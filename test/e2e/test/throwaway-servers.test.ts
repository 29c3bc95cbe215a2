import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { Redis } from "ioredis";
import { ThrowawayPostgres, ThrowawayRedis } from "../src";

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("throwaway servers for fault tests", () => {
  it("runs a PostgreSQL primary and a streaming replica, and restarts the primary", async () => {
    const primary = await ThrowawayPostgres.create();
    cleanups.push(() => primary.destroy());
    const replica = await ThrowawayPostgres.replicaOf(primary);
    cleanups.push(() => replica.destroy());
    const write = new pg.Client({ connectionString: primary.url() });
    await write.connect();
    await write.query("CREATE TABLE t (n int)");
    await write.query("INSERT INTO t VALUES (42)");
    await write.end();
    const read = new pg.Client({ connectionString: replica.url() });
    await read.connect();
    let rows: unknown[] = [];
    for (let i = 0; i < 50 && rows.length === 0; i += 1) {
      rows = (await read.query("SELECT n FROM t").catch(() => ({ rows: [] }))).rows;
      if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows).toEqual([{ n: 42 }]);
    await expect(read.query("INSERT INTO t VALUES (1)")).rejects.toThrow(/read-only/);
    await read.end();
    await primary.restart();
    const again = new pg.Client({ connectionString: primary.url() });
    await again.connect();
    expect((await again.query("SELECT count(*)::int AS n FROM t")).rows[0]).toEqual({ n: 1 });
    await again.end();
  });

  it("runs a Redis server that can be stopped and started", async () => {
    const redis = await ThrowawayRedis.start();
    cleanups.push(() => redis.stop());
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    await client.connect();
    await client.set("k", "v");
    expect(await client.get("k")).toBe("v");
    client.disconnect();
    await redis.stop();
    await redis.start();
    const fresh = new Redis(redis.url, { lazyConnect: true });
    await fresh.connect();
    expect(await fresh.get("k")).toBeNull();
    fresh.disconnect();
  });
});
