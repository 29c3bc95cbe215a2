#!/usr/bin/env node
// `fediflow reseal-keys`: re-seals every stored actor key under FEDIFLOW_KEY_ENCRYPTION_KEY,
// opening them with it or with FEDIFLOW_KEY_ENCRYPTION_KEYS_PREVIOUS. The rotation procedure is
// in docs/operations.md ("Rotating the key-encryption key").
import { z } from "zod";
import { KeyEncryptionKeys } from "@fediflow/activitypub";
import { databaseSettings, keyEncryptionSettings, loadConfig } from "@fediflow/config";
import { createPool } from "@fediflow/postgres";
import { resealActorKeys } from "./reseal-keys";

async function main(): Promise<void> {
  const config = loadConfig(z.object({ ...databaseSettings, ...keyEncryptionSettings }));
  const pool = createPool({ connectionString: config.FEDIFLOW_DATABASE_URL, max: 2, applicationName: "fediflow-reseal-keys" });
  try {
    const keys = KeyEncryptionKeys.fromBase64(config.FEDIFLOW_KEY_ENCRYPTION_KEY, config.FEDIFLOW_KEY_ENCRYPTION_KEYS_PREVIOUS);
    const report = await resealActorKeys(pool, keys);
    process.stdout.write(
      `resealed ${report.resealed}, already under the current key ${report.alreadyCurrent}, ` +
        `re-registered meanwhile ${report.changedMeanwhile}, unreadable ${report.unreadable.length}\n`,
    );
    if (report.unreadable.length > 0) {
      process.stderr.write(`no configured key-encryption key opens the keys of: ${report.unreadable.join(", ")}\n`);
      process.exitCode = 1;
    }
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`reseal-keys failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
