import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export const migrationsDirectory = path.resolve(__dirname, "..", "migrations");

export interface AppliedMigration {
  version: number;
  name: string;
}

/** A fixed key for the transaction-scoped lock that serialises concurrent migration runs. */
const migrationLockKey = 0x0fed1f10;

/**
 * Applies every migrations/NNNN_name.sql not yet recorded in schema_migrations, in order,
 * each in its own transaction. Concurrent runs (several pods, the chart's hook Job) wait on a
 * transaction-level advisory lock, which also works behind PgBouncer in transaction mode.
 */
export async function migrate(connectionString: string, directory = migrationsDirectory): Promise<AppliedMigration[]> {
  const files = (await readdir(directory)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort();
  const client = new pg.Client({ connectionString, application_name: "fediflow-migrate" });
  await client.connect();
  const applied: AppliedMigration[] = [];
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const file of files) {
      const version = Number(file.slice(0, 4));
      const name = file.slice(5, -4);
      const sql = await readFile(path.join(directory, file), "utf8");
      await client.query("BEGIN");
      try {
        await client.query("SELECT pg_advisory_xact_lock($1)", [migrationLockKey]);
        const done = await client.query("SELECT 1 FROM schema_migrations WHERE version = $1", [version]);
        if (done.rowCount === 0) {
          await client.query(sql);
          await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [version, name]);
          applied.push({ version, name });
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new Error(`migration ${file} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    await client.end();
  }
  return applied;
}
