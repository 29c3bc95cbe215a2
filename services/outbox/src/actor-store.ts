import { parseRemoteUrl, readPrivateKey, sealPrivateKey } from "@fediflow/activitypub";
import { inTransaction, type Pool } from "@fediflow/postgres";
import { ForeignResource } from "./tenancy";

export interface FollowerEntry {
  id: string;
  inbox: string;
  sharedInbox?: string;
}

/** Who may register an actor: a caller confined to an application, or an unrestricted one assigning an owner (null: keep it). */
export interface ActorOwner {
  confinedTo: string | null;
  assign: string | null;
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

  /**
   * Idempotent upsert; the PEM is checked (UnusableKey) and sealed before it is stored. A new
   * actor belongs to the confined caller's application; an existing one is updated only by its
   * owner (ForeignResource otherwise), in the same statement, so two applications cannot both
   * claim a new actor.
   */
  async registerActor(
    id: string,
    keyId: string,
    privateKeyPem: string,
    owner: ActorOwner = { confinedTo: null, assign: null },
  ): Promise<void> {
    const { type } = readPrivateKey(privateKeyPem);
    const sealed = sealPrivateKey(privateKeyPem, this.keyEncryptionKey, id);
    const result = await this.pool.query(
      `INSERT INTO actors (id, key_id, key_type, private_key_sealed, application) VALUES ($1, $2, $3, $4, COALESCE($5, $6))
       ON CONFLICT (id) DO UPDATE
         SET key_id = $2, key_type = $3, private_key_sealed = $4, updated_at = now(), application = COALESCE($6, actors.application)
         WHERE $5::text IS NULL OR actors.application = $5
       RETURNING 1`,
      [id, keyId, type, sealed, owner.confinedTo, owner.assign],
    );
    if (result.rowCount === 0 && owner.confinedTo !== null) throw new ForeignResource(`actor ${id}`, owner.confinedTo);
  }

  /**
   * Adds (or updates the inboxes of) followers and removes others, in one transaction.
   * Returns how many rows were new and how many were deleted.
   */
  async updateFollowers(
    actorId: string,
    add: FollowerEntry[],
    remove: string[],
    confinedTo: string | null = null,
  ): Promise<{ added: number; removed: number }> {
    // IRIs in one form (ASCII host, normalised), so the same follower named two ways is one row.
    const normal = (iri: string) => parseRemoteUrl(iri).href;
    remove = remove.map(normal);
    // Later entries for the same follower win, as if the calls had been made one by one.
    const byId = new Map(add.map((entry) => [normal(entry.id), { ...entry, id: normal(entry.id) }]));
    const entries = [...byId.values()];
    // Normalised (ASCII href, lower-case host) so equal inboxes compare equal when folded.
    const targets = entries.map((entry) => parseRemoteUrl(entry.sharedInbox ?? entry.inbox));
    return inTransaction(this.pool, async (client) => {
      const actor = await client.query<{ application: string | null }>("SELECT application FROM actors WHERE id = $1 FOR SHARE", [actorId]);
      if (actor.rowCount === 0) throw new UnregisteredActor(actorId);
      if (confinedTo !== null && actor.rows[0]?.application !== confinedTo) throw new ForeignResource(`actor ${actorId}`, confinedTo);
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
