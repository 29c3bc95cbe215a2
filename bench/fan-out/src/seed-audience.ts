import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { sealPrivateKey } from "@fediflow/activitypub";
import pg from "pg";
import { createPool, ensureDatabase, migrate, withDatabase, type Pool } from "@fediflow/postgres";
import { databaseNameOf, seedFollowersSql, type AudienceShape } from "./audience-shape";

export const benchActor = "https://local.example/users/bench";

export interface SeededAudience {
  url: string;
  pool: Pool;
  /** Distinct target inboxes of the actor's followers: what a complete fan-out must publish. */
  targets: number;
  hosts: number;
  seededMs: number | null;
}

/**
 * A database holding the benchmark audience, seeded on first use and reused afterwards
 * (seeding a million followers takes longer than fanning them out). VACUUM ANALYZE after
 * the bulk load sets the visibility map, as autovacuum would, so the keyset pages can be
 * index-only scans.
 */
export async function seededAudience(serverUrl: string, shape: AudienceShape, keyEncryptionKey: Buffer): Promise<SeededAudience> {
  const url = withDatabase(serverUrl, databaseNameOf(shape));
  await ensureDatabase(url);
  await migrate(url);
  const pool = createPool({ connectionString: url, max: 4, applicationName: "fediflow-bench-fan-out" });
  // The actor's key is sealed with this run's key-encryption key, so it is re-sealed every run.
  const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  await pool.query(
    `INSERT INTO actors (id, key_id, key_type, private_key_sealed) VALUES ($1, $2, 'rsa', $3)
     ON CONFLICT (id) DO UPDATE SET private_key_sealed = excluded.private_key_sealed`,
    [benchActor, `${benchActor}#main-key`, sealPrivateKey(pem, keyEncryptionKey, benchActor)],
  );
  let seededMs: number | null = null;
  const existing = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM followers WHERE actor_id = $1", [benchActor]);
  if (existing.rows[0]!.n !== shape.followers) {
    const started = performance.now();
    await pool.query("DELETE FROM followers WHERE actor_id = $1", [benchActor]);
    await pool.query(seedFollowersSql(shape), [benchActor]);
    await pool.query("VACUUM ANALYZE followers");
    seededMs = Math.round(performance.now() - started);
  }
  const counts = await pool.query<{ targets: number; hosts: number }>(
    "SELECT count(DISTINCT target_inbox)::int AS targets, count(DISTINCT target_host)::int AS hosts FROM followers WHERE actor_id = $1",
    [benchActor],
  );
  return { url, pool, targets: counts.rows[0]!.targets, hosts: counts.rows[0]!.hosts, seededMs };
}

/** Drops the audience's database (the smoke run leaves nothing behind). */
export async function dropAudience(serverUrl: string, shape: AudienceShape): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${databaseNameOf(shape)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** A new activity to the actor's followers, stored as the outbox would store it. */
export async function storeActivity(pool: Pool): Promise<{ id: string; objectId: string }> {
  const id = randomUUID();
  const suffix = randomBytes(6).toString("hex");
  const objectId = `${benchActor}/notes/${suffix}`;
  const activity = { id: `${benchActor}/activities/${suffix}`, type: "Create", actor: benchActor, object: { id: objectId, type: "Note" } };
  await pool.query(
    `INSERT INTO activities (id, actor_id, activity_iri, activity_type, object_iri, body, audience, request_digest)
     VALUES ($1, $2, $3, 'Create', $4, $5, $6, 'bench')`,
    [id, benchActor, activity.id, objectId, JSON.stringify(activity), JSON.stringify({ followers: true, actors: [], inboxes: [] })],
  );
  await pool.query("INSERT INTO activity_progress (activity_id) VALUES ($1)", [id]);
  return { id, objectId };
}
