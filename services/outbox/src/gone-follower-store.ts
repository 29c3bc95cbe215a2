import { topics } from "@fediflow/contracts";
import { hostOf } from "@fediflow/activitypub";
import type { Pool } from "@fediflow/postgres";
import { goneEntries, type FollowerBehind, type GoneEntryDraft, type GoneOutcome } from "./gone-inboxes";

/** One entry of the feed, as stored: its position, and the activity that found it (gone with the activity). */
export interface GoneEntry extends Omit<GoneEntryDraft, "actorId" | "goneAt" | "activityId"> {
  id: number;
  goneAt: Date;
  activityId: string | null;
}

/** The gone-followers feed (gone_inboxes): written from delivery outcomes, read and acknowledged by the application. */
export class GoneFollowerStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Adds entries for gone inboxes that followers use. Idempotent: an entry that is open already
   * is left as it is, so a redelivered batch of outcomes adds nothing.
   */
  async record(outcomes: GoneOutcome[]): Promise<number> {
    if (outcomes.length === 0) return 0;
    const followers = await this.pool.query<FollowerBehind>(
      `SELECT f.actor_id AS "actorId", f.target_inbox AS "targetInbox", f.follower_id AS "followerId", f.shared_inbox AS "sharedInbox"
         FROM unnest($1::text[], $2::text[], $3::text[]) AS k(actor_id, host, inbox)
         JOIN followers f ON f.actor_id = k.actor_id AND f.target_host = k.host AND f.target_inbox = k.inbox`,
      [outcomes.map((o) => o.actorId), outcomes.map((o) => hostOf(o.inbox)), outcomes.map((o) => o.inbox)],
    );
    const entries = goneEntries(outcomes, followers.rows);
    if (entries.length === 0) return 0;
    const column = <K extends keyof (typeof entries)[number]>(key: K) => entries.map((entry) => entry[key]);
    // Each new entry is also a follower.gone webhook event, written in the same statement.
    const inserted = await this.pool.query(
      `WITH added AS (
         INSERT INTO gone_inboxes (actor_id, kind, follower_id, inbox, host, followers, status, activity_id, gone_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::uuid[], $9::timestamptz[])
         ORDER BY 1, 4, 3
         ON CONFLICT (actor_id, inbox, (coalesce(follower_id, ''))) DO NOTHING
         RETURNING actor_id, kind, follower_id, inbox, status, gone_at)
       INSERT INTO outbox_messages (topic, message_key, payload)
       SELECT $10, actor_id, json_build_object(
                'id', 'evt_' || gen_random_uuid(), 'type', 'follower.gone', 'timestamp', gone_at,
                'data', json_strip_nulls(json_build_object('actor', actor_id, 'kind', kind, 'inbox', inbox,
                                                           'follower', follower_id, 'status', status)))::text
         FROM added`,
      [
        column("actorId"),
        column("kind"),
        column("followerId"),
        column("inbox"),
        column("host"),
        column("followers"),
        column("status"),
        column("activityId"),
        column("goneAt"),
        topics.webhookEvents.name,
      ],
    );
    return inserted.rowCount ?? 0;
  }

  /** Open entries after a position, oldest first; null when the actor is not registered. */
  async list(actorId: string, after: number, limit: number): Promise<GoneEntry[] | null> {
    if (!(await this.actorExists(actorId))) return null;
    const result = await this.pool.query<GoneEntry>(
      `SELECT id, kind, follower_id AS "followerId", inbox, host, followers, status, gone_at AS "goneAt", activity_id AS "activityId"
         FROM gone_inboxes WHERE actor_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [actorId, after, limit],
    );
    return result.rows;
  }

  /** Removes entries by id, and every entry up to `upTo` when given; null when the actor is not registered. */
  async acknowledge(actorId: string, ids: number[], upTo: number | null): Promise<number | null> {
    if (!(await this.actorExists(actorId))) return null;
    const result = await this.pool.query("DELETE FROM gone_inboxes WHERE actor_id = $1 AND (id = ANY($2::bigint[]) OR id <= $3)", [
      actorId,
      ids,
      upTo ?? 0,
    ]);
    return result.rowCount ?? 0;
  }

  private async actorExists(actorId: string): Promise<boolean> {
    const result = await this.pool.query("SELECT 1 FROM actors WHERE id = $1", [actorId]);
    return (result.rowCount ?? 0) > 0;
  }
}
