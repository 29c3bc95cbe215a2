import type { Pool } from "@fediflow/postgres";
import type { ActivityAudience } from "./fan-out";

/** Reads what fan-out needs of a stored activity: who it is from, what about, and to whom. */
export async function readActivity(pool: Pool, id: string): Promise<ActivityAudience | null> {
  const result = await pool.query<{
    id: string;
    actor_id: string;
    activity_type: string;
    object_iri: string | null;
    activity_iri: string;
    undoes_iri: string | null;
    audience: ActivityAudience["audience"];
  }>("SELECT id, actor_id, activity_type, object_iri, activity_iri, undoes_iri, audience FROM activities WHERE id = $1", [id]);
  const row = result.rows[0];
  return row
    ? {
        id: row.id,
        actorId: row.actor_id,
        type: row.activity_type,
        objectId: row.object_iri,
        activityIri: row.activity_iri,
        undoes: row.undoes_iri,
        audience: row.audience,
      }
    : null;
}
