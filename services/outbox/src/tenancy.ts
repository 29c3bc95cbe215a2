import type { Pool } from "@fediflow/postgres";

/** Raised when a caller confined to an application reaches for what another application owns. */
export class ForeignResource extends Error {
  constructor(what: string, application: string) {
    super(`${what} does not belong to application ${application}`);
    this.name = "ForeignResource";
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Ownership checks for callers confined to an application (null: unrestricted, always passes).
 * An actor belongs to the application that registered it; activities, followers, gone followers
 * follow their actor; webhooks belong to the application that made them. What does not exist
 * passes, so the handler answers it as unknown, as it does for anyone. Rows with no owner (made
 * by an unrestricted token, or before applications existed) are refused to every application.
 * Read from the primary, which every write goes to, so a new actor is owned at once.
 */
export class Tenancy {
  constructor(private readonly pool: Pool) {}

  async actor(application: string | null, actorId: string): Promise<void> {
    if (application === null) return;
    const result = await this.pool.query<{ application: string | null }>("SELECT application FROM actors WHERE id = $1", [actorId]);
    this.refuseForeign(result.rows, `actor ${actorId}`, application);
  }

  async activity(application: string | null, activityId: string): Promise<void> {
    if (application === null || !uuidPattern.test(activityId)) return;
    const result = await this.pool.query<{ application: string | null }>(
      "SELECT ac.application FROM activities a JOIN actors ac ON ac.id = a.actor_id WHERE a.id = $1",
      [activityId],
    );
    this.refuseForeign(result.rows, `activity ${activityId}`, application);
  }

  async webhook(application: string | null, webhookId: string): Promise<void> {
    if (application === null || !uuidPattern.test(webhookId)) return;
    const result = await this.pool.query<{ application: string | null }>("SELECT application FROM webhook_endpoints WHERE id = $1", [
      webhookId,
    ]);
    this.refuseForeign(result.rows, `webhook ${webhookId}`, application);
  }

  private refuseForeign(rows: { application: string | null }[], what: string, application: string): void {
    const [row] = rows;
    if (row && row.application !== application) throw new ForeignResource(what, application);
  }
}
