import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createScratchDatabase, migrate, type ScratchDatabase } from "../src";

let database: ScratchDatabase;
beforeAll(async () => {
  database = await createScratchDatabase();
});
afterAll(async () => {
  await database?.drop();
});

describe("migrate", () => {
  it("applies every migration once and is a no-op the second time", async () => {
    // createScratchDatabase already migrated; concurrent reruns must wait and apply nothing.
    const reruns = await Promise.all([migrate(database.url), migrate(database.url)]);
    expect(reruns).toEqual([[], []]);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const versions = await client.query("SELECT version FROM schema_migrations ORDER BY version");
      expect(versions.rows[0]).toEqual({ version: 1 });
      const tables = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
      expect(tables.rows.map((row) => row.table_name)).toEqual(
        expect.arrayContaining(["activities", "actors", "followers", "hosts", "outbox_messages"]),
      );
    } finally {
      await client.end();
    }
  });
});
