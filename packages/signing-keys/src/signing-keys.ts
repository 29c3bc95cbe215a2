import { createPrivateKey, type KeyObject } from "node:crypto";
import { LRUCache } from "lru-cache";
import { openPrivateKey, type KeyEncryptionKeys } from "@fediflow/activitypub";
import type { Pool } from "@fediflow/postgres";

export interface SigningKey {
  keyId: string;
  type: "rsa" | "ed25519";
  key: KeyObject;
}

/** An actor with no stored key: its deliveries cannot be signed. */
export class MissingSigningKey extends Error {
  constructor(readonly actorId: string) {
    super(`no signing key stored for ${actorId}`);
    this.name = "MissingSigningKey";
  }
}

/**
 * Actors' signing keys, loaded from PostgreSQL and opened once, then kept in memory for a few
 * minutes (a re-registered key is picked up without a restart). Keys never travel in Kafka.
 */
export class SigningKeys {
  private readonly cache: LRUCache<string, SigningKey>;
  private readonly loading = new Map<string, Promise<SigningKey>>();

  constructor(
    private readonly pool: Pool,
    private readonly keyEncryptionKeys: KeyEncryptionKeys,
    ttlMs = 5 * 60_000,
  ) {
    this.cache = new LRUCache({ max: 10_000, ttl: ttlMs });
  }

  async get(actorId: string): Promise<SigningKey> {
    const cached = this.cache.get(actorId);
    if (cached) return cached;
    let pending = this.loading.get(actorId);
    if (!pending) {
      pending = this.load(actorId).finally(() => this.loading.delete(actorId));
      this.loading.set(actorId, pending);
    }
    return pending;
  }

  private async load(actorId: string): Promise<SigningKey> {
    const result = await this.pool.query<{ key_id: string; key_type: "rsa" | "ed25519"; private_key_sealed: Buffer }>(
      "SELECT key_id, key_type, private_key_sealed FROM actors WHERE id = $1",
      [actorId],
    );
    const row = result.rows[0];
    if (!row) throw new MissingSigningKey(actorId);
    const key: SigningKey = {
      keyId: row.key_id,
      type: row.key_type,
      key: createPrivateKey(this.keyEncryptionKeys.open((kek) => openPrivateKey(row.private_key_sealed, kek)).value),
    };
    this.cache.set(actorId, key);
    return key;
  }
}
