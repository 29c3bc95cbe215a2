#!/usr/bin/env node
// `fediflow-migrate`: applies pending migrations to FEDIFLOW_DATABASE_URL. The local stack and
// the chart's migration Job both run exactly this.
import { ensureDatabase } from "./scratch-database";
import { migrate } from "./migrate";

async function main(): Promise<void> {
  const url = process.env.FEDIFLOW_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/fediflow";
  if (process.argv.includes("--create-database")) await ensureDatabase(url);
  const applied = await migrate(url);
  const target = new URL(url);
  process.stdout.write(
    applied.length === 0
      ? `database ${target.pathname.slice(1)} is up to date\n`
      : applied.map((m) => `applied ${String(m.version).padStart(4, "0")}_${m.name}\n`).join(""),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
