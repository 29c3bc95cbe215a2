import { inTransaction, type Pool } from "@fediflow/postgres";
import type { Target } from "./fold-inboxes";

export interface ActivityAudience {
  id: string;
  actorId: string;
  type: string;
  objectId: string | null;
  audience: { followers: boolean; actors: string[]; inboxes: string[] };
}

export interface Checkpoint {
  /** The last target published; resume strictly after it. Null before the first. */
  cursor: Target | null;
  inboxes: number;
  messages: number;
  completed: boolean;
}

/** Fan-out's reads of activities and followers, and its own progress records. */
export class FanOutStore {
  constructor(
    private readonly pool: Pool,
    private readonly pageSize: number,
  ) {}

  async activity(id: string): Promise<ActivityAudience | null> {
    const result = await this.pool.query<{
      id: string;
      actor_id: string;
      activity_type: string;
      object_iri: string | null;
      audience: ActivityAudience["audience"];
    }>("SELECT id, actor_id, activity_type, object_iri, audience FROM activities WHERE id = $1", [id]);
    const row = result.rows[0];
    return row ? { id: row.id, actorId: row.actor_id, type: row.activity_type, objectId: row.object_iri, audience: row.audience } : null;
  }

  /**
   * The actor's followers' distinct targets in (host, inbox) order, after a cursor, one keyset
   * page at a time: a million followers never sit in memory, and each page is an index scan.
   */
  async *followerTargets(actorId: string, after: Target | null): AsyncGenerator<Target> {
    let cursor = after;
    for (;;) {
      const page = await this.pool.query<{ target_host: string; target_inbox: string }>(
        `SELECT DISTINCT target_host, target_inbox
           FROM followers
          WHERE actor_id = $1 AND ($2::text IS NULL OR (target_host, target_inbox) > ($2::text COLLATE "C", $3::text COLLATE "C"))
          ORDER BY target_host, target_inbox
          LIMIT $4`,
        [actorId, cursor?.host ?? null, cursor?.inbox ?? null, this.pageSize],
      );
      for (const row of page.rows) yield { host: row.target_host, inbox: row.target_inbox };
      if (page.rows.length < this.pageSize) return;
      const last = page.rows[page.rows.length - 1]!;
      cursor = { host: last.target_host, inbox: last.target_inbox };
    }
  }

  async checkpoint(activityId: string): Promise<Checkpoint> {
    const result = await this.pool.query<{
      cursor_host: string | null;
      cursor_inbox: string | null;
      inboxes: number;
      messages: number;
      completed_at: Date | null;
    }>("SELECT cursor_host, cursor_inbox, inboxes, messages, completed_at FROM fanout_checkpoints WHERE activity_id = $1", [activityId]);
    const row = result.rows[0];
    if (!row) return { cursor: null, inboxes: 0, messages: 0, completed: false };
    return {
      cursor: row.cursor_host !== null && row.cursor_inbox !== null ? { host: row.cursor_host, inbox: row.cursor_inbox } : null,
      inboxes: row.inboxes,
      messages: row.messages,
      completed: row.completed_at !== null,
    };
  }

  async saveCheckpoint(activityId: string, checkpoint: Checkpoint): Promise<void> {
    await this.pool.query(
      `INSERT INTO fanout_checkpoints (activity_id, cursor_host, cursor_inbox, inboxes, messages)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (activity_id) DO UPDATE SET cursor_host = $2, cursor_inbox = $3, inboxes = $4, messages = $5, updated_at = now()`,
      [activityId, checkpoint.cursor?.host ?? null, checkpoint.cursor?.inbox ?? null, checkpoint.inboxes, checkpoint.messages],
    );
  }

  /** Fixes the activity's total; it may be done already if every outcome arrived first. */
  async complete(activityId: string, checkpoint: Checkpoint): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO fanout_checkpoints (activity_id, cursor_host, cursor_inbox, inboxes, messages, completed_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (activity_id) DO UPDATE SET cursor_host = $2, cursor_inbox = $3, inboxes = $4, messages = $5,
           completed_at = now(), updated_at = now()`,
        [activityId, checkpoint.cursor?.host ?? null, checkpoint.cursor?.inbox ?? null, checkpoint.inboxes, checkpoint.messages],
      );
      await client.query(
        `UPDATE activity_progress
            SET total = $2, fanout_completed_at = now(),
                completed_at = CASE WHEN delivered + failed + parked + blocked >= $2 THEN now() END
          WHERE activity_id = $1 AND total IS NULL`,
        [activityId, checkpoint.inboxes],
      );
    });
  }
}
