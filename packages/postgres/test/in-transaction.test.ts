import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, createScratchDatabase, inTransaction, type Pool, type ScratchDatabase } from "../src";

let database: ScratchDatabase;
let pool: Pool;

beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "in-transaction-test", max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe("inTransaction", () => {
  it("survives the connection dying between statements, and the pool recovers", async () => {
    const outcome = inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      // Another session kills this one while the transaction waits for something else (Kafka).
      await pool.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await client.query("SELECT 1");
    });
    await expect(outcome).rejects.toThrow();
    // The broken connection was dropped, not reused.
    for (let i = 0; i < 4; i += 1) expect((await pool.query("SELECT 1 AS ok")).rows[0]).toEqual({ ok: 1 });
  });
});
