import { v7 as uuidv7 } from "uuid";
import { topics, type ActivityAccepted } from "@fediflow/contracts";
import { inTransaction, type Pool } from "@fediflow/postgres";
import type { ActivityFacts } from "./activity-facts";
import { UnregisteredActor } from "./actor-store";
import type { ProgressRow } from "./status";

export interface Audience {
  followers: boolean;
  actors: string[];
  inboxes: string[];
}

export interface NewActivity {
  actorId: string;
  /** The activity JSON exactly as it will be delivered. */
  body: string;
  facts: ActivityFacts;
  audience: Audience;
  idempotencyKey: string | null;
  requestDigest: string;
  traceContext: Record<string, string>;
}

/** The idempotency key was used before with a different request. */
export class IdempotencyConflict extends Error {
  constructor(readonly existingId: string) {
    super("this idempotencyKey was already used with a different request");
    this.name = "IdempotencyConflict";
  }
}

/** One activity's status: a primary-key lookup, joined to its progress and checkpoint. */
export const statusSql = `SELECT a.id, a.created_at, p.total, c.inboxes AS fanned_out, p.delivered, p.failed, p.parked, p.blocked, p.superseded,
              p.completed_at
         FROM activities a
         JOIN activity_progress p ON p.activity_id = a.id
         LEFT JOIN fanout_checkpoints c ON c.activity_id = a.id
        WHERE a.id = $1`;

/** The newest activities before a position, with their progress; optionally one application's only. */
const recentSql = `SELECT a.id, a.created_at, p.total, c.inboxes AS fanned_out, p.delivered, p.failed, p.parked, p.blocked, p.superseded,
              p.completed_at
         FROM activities a
         JOIN activity_progress p ON p.activity_id = a.id
         LEFT JOIN fanout_checkpoints c ON c.activity_id = a.id
        WHERE ($1::text IS NULL OR a.actor_id IN (SELECT id FROM actors WHERE application = $1))
          AND ($2::uuid IS NULL OR a.id < $2::uuid)
        ORDER BY a.id DESC
        LIMIT $3`;

interface StatusRow {
  id: string;
  created_at: Date;
  total: number | null;
  fanned_out: number | null;
  delivered: number;
  failed: number;
  parked: number;
  blocked: number;
  superseded: number;
  completed_at: Date | null;
}

const storedStatus = (row: StatusRow): StoredStatus => ({
  id: row.id,
  createdAt: row.created_at,
  total: row.total,
  fannedOut: row.fanned_out ?? 0,
  delivered: row.delivered,
  failed: row.failed,
  parked: row.parked,
  blocked: row.blocked,
  superseded: row.superseded,
  completedAt: row.completed_at,
});

export interface StoredStatus extends ProgressRow {
  id: string;
  createdAt: Date;
}

export class ActivityStore {
  /**
   * @param readPool a read replica for status reads (the primary when there is none); a miss
   *   there is asked again of the primary, so a status read right after the 202 finds its row
   *   even when the replica lags.
   */
  constructor(
    private readonly pool: Pool,
    private readonly readPool: Pool = pool,
  ) {}

  /**
   * Stores the activity, its progress row and its outbox row in one transaction: once this
   * resolves the activity will be published, and nothing is stored when it rejects.
   */
  async append(activity: NewActivity): Promise<{ id: string; created: boolean }> {
    return inTransaction(this.pool, async (client) => {
      const actor = await client.query("SELECT 1 FROM actors WHERE id = $1 FOR SHARE", [activity.actorId]);
      if (actor.rowCount === 0) throw new UnregisteredActor(activity.actorId);
      // Time-ordered (UUIDv7): inserts land at the end of the index, and an id tells its age.
      const id = uuidv7();
      // An Undo that names what it undoes only by IRI goes in that activity's lane (its object),
      // so it keeps its order behind the Like it undoes and can cancel it while both wait.
      let laneObject = activity.facts.laneObject;
      if (activity.facts.undoes && laneObject === activity.facts.undoes) {
        const undone = await client.query<{ object_iri: string | null }>(
          "SELECT object_iri FROM activities WHERE actor_id = $1 AND activity_iri = $2 ORDER BY id DESC LIMIT 1",
          [activity.actorId, activity.facts.undoes],
        );
        laneObject = undone.rows[0]?.object_iri ?? laneObject;
      }
      const inserted = await client.query(
        `INSERT INTO activities (id, actor_id, activity_iri, activity_type, object_iri, body, audience,
                                 idempotency_key, request_digest, trace_context, undoes_iri)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (actor_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`,
        [
          id,
          activity.actorId,
          activity.facts.id,
          activity.facts.type,
          laneObject,
          activity.body,
          JSON.stringify(activity.audience),
          activity.idempotencyKey,
          activity.requestDigest,
          JSON.stringify(activity.traceContext),
          activity.facts.undoes,
        ],
      );
      if (inserted.rowCount === 0) {
        const existing = await client.query<{ id: string; request_digest: string }>(
          "SELECT id, request_digest FROM activities WHERE actor_id = $1 AND idempotency_key = $2",
          [activity.actorId, activity.idempotencyKey],
        );
        const row = existing.rows[0];
        if (!row) throw new Error("idempotency conflict without a stored activity");
        if (row.request_digest !== activity.requestDigest) throw new IdempotencyConflict(row.id);
        return { id: row.id, created: false };
      }
      await client.query("INSERT INTO activity_progress (activity_id) VALUES ($1)", [id]);
      const message: ActivityAccepted = {
        activityId: id,
        actorId: activity.actorId,
        activityType: activity.facts.type,
        objectId: laneObject,
      };
      await client.query("INSERT INTO outbox_messages (topic, message_key, payload, headers) VALUES ($1, $2, $3, $4)", [
        topics.activities.name,
        topics.activities.keyOf(message),
        JSON.stringify(message),
        JSON.stringify(activity.traceContext),
      ]);
      return { id, created: true };
    });
  }

  async status(id: string): Promise<StoredStatus | null> {
    return (await this.readStatus(this.readPool, id)) ?? (this.readPool === this.pool ? null : this.readStatus(this.pool, id));
  }

  /**
   * The newest activities (ids are time-ordered UUIDv7) before `before`, one application's only
   * when it is given. Read from the replica: a list may lag a moment behind the writes.
   */
  async recent(application: string | null, before: string | null, limit: number): Promise<StoredStatus[]> {
    const result = await this.readPool.query<StatusRow>(recentSql, [application, before, limit]);
    return result.rows.map(storedStatus);
  }

  private async readStatus(pool: Pool, id: string): Promise<StoredStatus | null> {
    const row = (await pool.query<StatusRow>(statusSql, [id])).rows[0];
    return row ? storedStatus(row) : null;
  }
}
