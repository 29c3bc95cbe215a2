import { parseRemoteUrl, readPrivateKey, sealPrivateKey } from "@fediflow/activitypub";
import { inTransaction, type Pool } from "@fediflow/postgres";

export interface FollowerEntry {
  id: string;
  inbox: string;
  sharedInbox?: string;
}

/** Raised when a write names an actor FediFlow has no key for. */
export class UnregisteredActor extends Error {
  constructor(readonly actorId: string) {
    super(`actor ${actorId} is not registered: PUT /v1/actors first`);
    this.name = "UnregisteredActor";
  }
}

export class ActorStore {
  constructor(
    private readonly pool: Pool,
    private readonly keyEncryptionKey: Buffer,
  ) {}

  /** Idempotent upsert; the PEM is checked (UnusableKey) and sealed before it is stored. */
  async registerActor(id: string, keyId: string, privateKeyPem: string): Promise<void> {
    const { type } = readPrivateKey(privateKeyPem);
    const sealed = sealPrivateKey(privateKeyPem, this.keyEncryptionKey, id);
    await this.pool.query(
      `INSERT INTO actors (id, key_id, key_type, private_key_sealed) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET key_id = $2, key_type = $3, private_key_sealed = $4, updated_at = now()`,
      [id, keyId, type, sealed],
    );
  }

  /**
   * Adds (or updates the inboxes of) followers and removes others, in one transaction.
   * Returns how many rows were new and how many were deleted.
   */
  async updateFollowers(actorId: string, add: FollowerEntry[], remove: string[]): Promise<{ added: number; removed: number }> {
    // IRIs in one form (ASCII host, normalised), so the same follower named two ways is one row.
    const normal = (iri: string) => parseRemoteUrl(iri).href;
    remove = remove.map(normal);
    // Later entries for the same follower win, as if the calls had been made one by one.
    const byId = new Map(add.map((entry) => [normal(entry.id), { ...entry, id: normal(entry.id) }]));
    const entries = [...byId.values()];
    // Normalised (ASCII href, lower-case host) so equal inboxes compare equal when folded.
    const targets = entries.map((entry) => parseRemoteUrl(entry.sharedInbox ?? entry.inbox));
    return inTransaction(this.pool, async (client) => {
      const actor = await client.query("SELECT 1 FROM actors WHERE id = $1 FOR SHARE", [actorId]);
      if (actor.rowCount === 0) throw new UnregisteredActor(actorId);
      let removed = 0;
      if (remove.length > 0) {
        const result = await client.query("DELETE FROM followers WHERE actor_id = $1 AND follower_id = ANY($2::text[])", [actorId, remove]);
        removed = result.rowCount ?? 0;
      }
      let added = 0;
      if (entries.length > 0) {
        const result = await client.query<{ inserted: boolean }>(
          `INSERT INTO followers (actor_id, follower_id, inbox, shared_inbox, target_inbox, target_host)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
           ON CONFLICT (actor_id, follower_id) DO UPDATE
             SET inbox = excluded.inbox, shared_inbox = excluded.shared_inbox,
                 target_inbox = excluded.target_inbox, target_host = excluded.target_host
             WHERE (followers.inbox, followers.shared_inbox) IS DISTINCT FROM (excluded.inbox, excluded.shared_inbox)
           RETURNING (xmax = 0) AS inserted`,
          [
            actorId,
            entries.map((entry) => entry.id),
            entries.map((entry) => entry.inbox),
            entries.map((entry) => entry.sharedInbox ?? null),
            targets.map((url) => url.href),
            targets.map((url) => url.host),
          ],
        );
        added = result.rows.filter((row) => row.inserted).length;
      }
      return { added, removed };
    });
  }
}
