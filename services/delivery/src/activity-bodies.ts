import { LRUCache } from "lru-cache";
import { contentDigestHeader, digestHeader } from "@fediflow/activitypub";
import type { Pool } from "@fediflow/postgres";
import type { ActivityBody, ActivityBodySource } from "./attempt-job";

/**
 * Activity bodies by id, fetched from PostgreSQL once per process and kept in a bounded LRU,
 * so delivery messages carry ids, not copies of the activity.
 */
export class ActivityBodies implements ActivityBodySource {
  private readonly cache: LRUCache<string, ActivityBody>;
  private readonly loading = new Map<string, Promise<ActivityBody | null>>();

  constructor(
    private readonly pool: Pool,
    size: number,
  ) {
    this.cache = new LRUCache({ max: size });
  }

  /** Null when the activity is no longer stored (removed by retention). */
  async get(activityId: string): Promise<ActivityBody | null> {
    const cached = this.cache.get(activityId);
    if (cached) return cached;
    let pending = this.loading.get(activityId);
    if (!pending) {
      pending = this.load(activityId).finally(() => this.loading.delete(activityId));
      this.loading.set(activityId, pending);
    }
    return pending;
  }

  private async load(activityId: string): Promise<ActivityBody | null> {
    const result = await this.pool.query<{ body: string; actor_id: string }>("SELECT body, actor_id FROM activities WHERE id = $1", [
      activityId,
    ]);
    const row = result.rows[0];
    if (!row) return null;
    const body = Buffer.from(row.body, "utf8");
    const entry = { actorId: row.actor_id, body, digest: digestHeader(body), contentDigest: contentDigestHeader(body) };
    this.cache.set(activityId, entry);
    return entry;
  }
}
