import { openPrivateKey, sealPrivateKey, type KeyEncryptionKeys } from "@fediflow/activitypub";
import type { Pool } from "@fediflow/postgres";

export interface ResealReport {
  /** Keys that were under a previous key-encryption key and are now under the current one. */
  resealed: number;
  /** Keys already under the current key-encryption key. */
  alreadyCurrent: number;
  /** Keys re-registered while this ran (already sealed under the current key by the outbox). */
  changedMeanwhile: number;
  /** Actors whose key no configured key-encryption key opens: left as they are. */
  unreadable: string[];
}

/**
 * Moves every stored actor key under the current key-encryption key, one row at a time with no
 * lock held: a row whose sealed value changed since it was read was re-registered by the outbox
 * (which always seals under the current key) and is left alone. Safe to run again and while the
 * services run; when it reports nothing resealed and nothing unreadable, the previous keys can go.
 */
export async function resealActorKeys(pool: Pool, keys: KeyEncryptionKeys, batchSize = 500): Promise<ResealReport> {
  const report: ResealReport = { resealed: 0, alreadyCurrent: 0, changedMeanwhile: 0, unreadable: [] };
  let after = "";
  for (;;) {
    const page = await pool.query<{ id: string; private_key_sealed: Buffer }>(
      "SELECT id, private_key_sealed FROM actors WHERE id > $1 ORDER BY id LIMIT $2",
      [after, batchSize],
    );
    for (const row of page.rows) {
      let opened: { value: string; underCurrent: boolean };
      try {
        opened = keys.open((kek) => openPrivateKey(row.private_key_sealed, kek, row.id));
      } catch {
        report.unreadable.push(row.id);
        continue;
      }
      if (opened.underCurrent) {
        report.alreadyCurrent += 1;
        continue;
      }
      const updated = await pool.query("UPDATE actors SET private_key_sealed = $2 WHERE id = $1 AND private_key_sealed = $3", [
        row.id,
        sealPrivateKey(opened.value, keys.current, row.id),
        row.private_key_sealed,
      ]);
      if (updated.rowCount === 1) report.resealed += 1;
      else report.changedMeanwhile += 1;
    }
    if (page.rows.length < batchSize) return report;
    after = page.rows[page.rows.length - 1]!.id;
  }
}
