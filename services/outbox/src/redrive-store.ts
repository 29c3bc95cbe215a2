import { topics } from "@fediflow/contracts";
import { inTransaction, type Pool, type PoolClient } from "@fediflow/postgres";
import { redrivableOutcomes, type RedrivableOutcome } from "@fediflow/contracts";
import { redriveJobs, type RedriveTarget } from "./redrive";

/** What to send again: an activity's failures (optionally on some hosts), or a host's in a window. */
export type RedriveScope =
  | { kind: "activity"; activityId: string; hosts: string[] | null }
  | { kind: "host"; host: string; since: Date; until: Date | null };

export interface RedriveRequest {
  scope: RedriveScope;
  outcomes: RedrivableOutcome[];
  requestId: string | null;
  /** W3C trace context of the API call, so the jobs are published in its trace. */
  traceContext: Record<string, string>;
}

const failedLiteral = redrivableOutcomes.map((outcome) => `'${outcome}'`).join(", ");

/**
 * The inboxes a redrive takes, locked in the accounting consumer's order (activity, inbox) so
 * the two never deadlock. Never an inbox on a blocked host, and never one that a newer activity
 * of the same actor about the same object has reached since: sending the older one again would
 * put stale state (an Update before its successor, a Create after its Delete) on that server.
 */
const targetsSql = (where: string) => `SELECT d.activity_id, d.inbox, d.host, a.actor_id, a.activity_type, a.object_iri,
         a.activity_iri, a.undoes_iri
    FROM delivery_outcomes d
    JOIN activities a ON a.id = d.activity_id
   WHERE ${where}
     AND d.outcome IN (${failedLiteral}) AND d.outcome = ANY($2::text[])
     AND NOT EXISTS (SELECT 1 FROM hosts h WHERE h.host = d.host AND h.state = 'blocked')
     AND NOT (a.object_iri IS NOT NULL AND EXISTS (
           SELECT 1 FROM activities n JOIN delivery_outcomes o ON o.activity_id = n.id AND o.inbox = d.inbox
            WHERE n.actor_id = a.actor_id AND n.object_iri = a.object_iri AND n.id > a.id))
   ORDER BY d.activity_id, d.inbox
     FOR UPDATE OF d`;
/** $1 activity, $2 outcomes. */
export const activityTargetsSql = targetsSql("d.activity_id = $1");
/** $1 activity, $2 outcomes, $3 hosts. */
export const activityHostTargetsSql = targetsSql("d.activity_id = $1 AND d.host = ANY($3::text[])");
/** $1 host, $2 outcomes, $3 since, $4 until: the partial index of failures by host and time. */
export const hostTargetsSql = targetsSql("d.host = $1 AND d.updated_at >= $3 AND d.updated_at < $4");

interface TargetRow {
  activity_id: string;
  inbox: string;
  host: string;
  actor_id: string;
  activity_type: string;
  object_iri: string | null;
  activity_iri: string;
  undoes_iri: string | null;
}

const scopeKey = (scope: RedriveScope) => (scope.kind === "activity" ? `activity:${scope.activityId}` : `host:${scope.host}`);

async function selectTargets(client: PoolClient, scope: RedriveScope, outcomes: RedrivableOutcome[]): Promise<RedriveTarget[]> {
  const result =
    scope.kind === "activity"
      ? scope.hosts === null
        ? await client.query<TargetRow>(activityTargetsSql, [scope.activityId, outcomes])
        : await client.query<TargetRow>(activityHostTargetsSql, [scope.activityId, outcomes, scope.hosts])
      : await client.query<TargetRow>(hostTargetsSql, [
          scope.host,
          outcomes,
          scope.since.toISOString(),
          (scope.until ?? new Date("9999-12-31T00:00:00Z")).toISOString(),
        ]);
  return result.rows.map((row) => ({
    activityId: row.activity_id,
    inbox: row.inbox,
    host: row.host,
    actorId: row.actor_id,
    activityType: row.activity_type,
    objectId: row.object_iri,
    activityIri: row.activity_iri,
    undoes: row.undoes_iri,
  }));
}

/**
 * Redrive: in one transaction, marks the selected inboxes pending again under a new redrive id,
 * takes them out of their activities' `failed` count (a done activity is delivering again:
 * `completedAt` is cleared and set anew when they settle), and writes their delivery jobs to the
 * transactional outbox, which the relay publishes to the deliveries topic like fan-out's own.
 */
export class RedriveStore {
  constructor(
    private readonly pool: Pool,
    private readonly inboxesPerJob: number,
  ) {}

  /** Null when the scope is an activity that does not exist. */
  async redrive(request: RedriveRequest): Promise<{ redriven: number; repeated: boolean } | null> {
    return inTransaction(this.pool, async (client) => {
      const { scope } = request;
      if (scope.kind === "activity") {
        const known = await client.query("SELECT 1 FROM activities WHERE id = $1", [scope.activityId]);
        if (known.rowCount === 0) return null;
      }
      const created = await client.query<{ id: number }>(
        `INSERT INTO redrives (scope, request_id, request) VALUES ($1, $2, $3)
         ON CONFLICT (scope, request_id) WHERE request_id IS NOT NULL DO NOTHING RETURNING id`,
        [scopeKey(scope), request.requestId, JSON.stringify({ scope, outcomes: request.outcomes })],
      );
      const createdId = created.rows[0]?.id;
      if (createdId === undefined) {
        const earlier = await client.query<{ redriven: number }>("SELECT redriven FROM redrives WHERE scope = $1 AND request_id = $2", [
          scopeKey(scope),
          request.requestId,
        ]);
        return { redriven: earlier.rows[0]?.redriven ?? 0, repeated: true };
      }
      const redriveId = String(createdId);
      const targets = await selectTargets(client, scope, request.outcomes);
      if (targets.length > 0) {
        await client.query(
          `UPDATE delivery_outcomes d
              SET outcome = 'pending', attempt = 0, status = NULL, reason = 'redriven', next_attempt_at = NULL,
                  redrive_id = $3, updated_at = now()
             FROM unnest($1::uuid[], $2::text[]) AS t(activity_id, inbox)
            WHERE d.activity_id = t.activity_id AND d.inbox = t.inbox`,
          [targets.map((t) => t.activityId), targets.map((t) => t.inbox), redriveId],
        );
        const perActivity = new Map<string, number>();
        for (const target of targets) perActivity.set(target.activityId, (perActivity.get(target.activityId) ?? 0) + 1);
        const ids = [...perActivity.keys()].sort();
        await client.query(
          `UPDATE activity_progress p SET failed = p.failed - t.n, completed_at = NULL
             FROM unnest($1::uuid[], $2::int[]) AS t(activity_id, n)
            WHERE p.activity_id = t.activity_id`,
          [ids, ids.map((id) => perActivity.get(id)!)],
        );
        const jobs = redriveJobs(targets, redriveId, this.inboxesPerJob);
        await client.query(
          `INSERT INTO outbox_messages (topic, message_key, payload, headers)
           SELECT $1, k, p, $4 FROM unnest($2::text[], $3::text[]) AS x(k, p)`,
          [topics.deliveries.name, jobs.map((job) => job.host), jobs.map((job) => JSON.stringify(job)), JSON.stringify(request.traceContext)],
        );
      }
      await client.query("UPDATE redrives SET redriven = $2 WHERE id = $1", [redriveId, targets.length]);
      return { redriven: targets.length, repeated: false };
    });
  }
}
