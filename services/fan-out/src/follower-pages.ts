import type { Pool } from "@fediflow/postgres";
import type { Target } from "./fold-inboxes";

/**
 * One keyset page of an actor's followers' distinct targets in (host, inbox) order: a range
 * scan of followers_by_target from the cursor, read in index order so DISTINCT costs nothing
 * but skipping repeats (followers sharing an inbox are adjacent). Columns are named like
 * Target so rows are used as they arrive.
 */
export const firstPageSql = `
  SELECT DISTINCT target_host AS host, target_inbox AS inbox
    FROM followers
   WHERE actor_id = $1
   ORDER BY target_host, target_inbox
   LIMIT $2`;

export const nextPageSql = `
  SELECT DISTINCT target_host AS host, target_inbox AS inbox
    FROM followers
   WHERE actor_id = $1 AND (target_host, target_inbox) > ($3::text COLLATE "C", $4::text COLLATE "C")
   ORDER BY target_host, target_inbox
   LIMIT $2`;

/** Streams the followers' targets, one page in memory and the next one already on its way. */
export class FollowerPages {
  constructor(
    private readonly pool: Pool,
    private readonly pageSize: number,
  ) {}

  /** Pages of targets strictly after `after` (null: from the start), until the last. */
  async *after(actorId: string, after: Target | null): AsyncGenerator<Target[]> {
    let next: Promise<Target[]> | null = this.read(actorId, after);
    while (next) {
      const page: Target[] = await next;
      // Ask for the next page before handing this one over: PostgreSQL reads while we fold.
      next = page.length === this.pageSize ? this.read(actorId, page[page.length - 1]!) : null;
      yield page;
    }
  }

  private read(actorId: string, after: Target | null): Promise<Target[]> {
    const query = after
      ? this.pool.query<Target>(nextPageSql, [actorId, this.pageSize, after.host, after.inbox])
      : this.pool.query<Target>(firstPageSql, [actorId, this.pageSize]);
    const rows = query.then((result) => result.rows);
    // A consumer that stops early (a failed publish) never awaits the prefetched page; its
    // failure must not become an unhandled rejection that ends the process.
    rows.catch(() => undefined);
    return rows;
  }
}
