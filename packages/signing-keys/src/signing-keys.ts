import { createPrivateKey, type KeyObject } from "node:crypto";
import { LRUCache } from "lru-cache";
import { openPrivateKey, type KeyEncryptionKeys } from "@fediflow/activitypub";
import type { Pool } from "@fediflow/postgres";

export interface SigningKey {
  keyId: string;
  type: "rsa" | "ed25519";
  key: KeyObject;
  /** When the actor's key was last registered (epoch ms): a newer version replaces this one. */
  version: number;
}

/** An actor with no stored key: its deliveries cannot be signed. */
export class MissingSigningKey extends Error {
  constructor(readonly actorId: string) {
    super(`no signing key stored for ${actorId}`);
    this.name = "MissingSigningKey";
  }
}

interface KeyRow {
  key_id: string;
  key_type: "rsa" | "ed25519";
  private_key_sealed: Buffer;
  version: number;
}

/**
 * Actors' signing keys, loaded from PostgreSQL and opened once, then kept in memory. A key
 * registered again (PUT /v1/actors) is dropped from memory within `watchMs` by a poll for
 * changed actors, and `current()` reads past the cache when a server refused a signature.
 * Keys never travel in Kafka.
 */
export class SigningKeys {
  private readonly cache: LRUCache<string, SigningKey>;
  private readonly loading = new Map<string, Promise<SigningKey>>();
  private changedSince: number | null = null;
  private timer: NodeJS.Timeout | undefined;

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

  /** The key as stored now, past the cache (which it refreshes). */
  async current(actorId: string): Promise<SigningKey> {
    this.cache.delete(actorId);
    return this.get(actorId);
  }

  /**
   * Polls every `watchMs` for actors whose key was registered again and forgets their keys,
   * so every signer in the process uses a new key within that time. Returns a stop function.
   */
  watch(watchMs = 1_000, onError: (error: unknown) => void = () => undefined): () => void {
    const poll = async () => {
      try {
        await this.forgetChanged();
      } catch (error) {
        onError(error);
      }
      this.timer = setTimeout(() => void poll(), watchMs);
      this.timer.unref();
    };
    void poll();
    return () => clearTimeout(this.timer);
  }

  /** Forgets keys registered again since the last look (the first look only sets the mark). */
  async forgetChanged(): Promise<void> {
    if (this.changedSince === null) {
      const now = await this.pool.query<{ now: number }>("SELECT (extract(epoch FROM now()) * 1000)::float8 AS now");
      this.changedSince = now.rows[0]!.now - 1_000;
      return;
    }
    const result = await this.pool.query<{ id: string; version: number }>(
      `SELECT id, (extract(epoch FROM updated_at) * 1000)::float8 AS version FROM actors
        WHERE updated_at > to_timestamp($1::float8 / 1000.0)`,
      [this.changedSince],
    );
    for (const row of result.rows) if ((this.cache.get(row.id)?.version ?? Infinity) < row.version) this.cache.delete(row.id);
    // The mark trails the newest change by a second: a write becomes visible a little after
    // the time it carries, and is looked at again until then.
    if (result.rows.length > 0) this.changedSince = Math.max(this.changedSince, Math.max(...result.rows.map((row) => row.version)) - 1_000);
  }

  private async load(actorId: string): Promise<SigningKey> {
    const result = await this.pool.query<KeyRow>(
      `SELECT key_id, key_type, private_key_sealed, (extract(epoch FROM updated_at) * 1000)::float8 AS version
         FROM actors WHERE id = $1`,
      [actorId],
    );
    const row = result.rows[0];
    if (!row) throw new MissingSigningKey(actorId);
    const key: SigningKey = {
      keyId: row.key_id,
      type: row.key_type,
      key: createPrivateKey(this.keyEncryptionKeys.open((kek) => openPrivateKey(row.private_key_sealed, kek, actorId)).value),
      version: row.version,
    };
    this.cache.set(actorId, key);
    return key;
  }
}
