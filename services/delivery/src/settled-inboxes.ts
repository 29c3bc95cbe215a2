import type { Pool } from "@fediflow/postgres";
import type { DeliveryJob } from "@fediflow/contracts";

/**
 * Outcomes after which an inbox is never sent the activity again (unless a redrive makes it
 * pending again). Parked is not one: a parked inbox still waits for its host.
 */
export const finalOutcomes = ["delivered", "gone", "rejected", "expired", "superseded", "blocked", "discarded"] as const;

/**
 * The inboxes of a job still to be done, given those already settled. A job redelivered after a
 * crash or a rebalance then sends only what the earlier owner had not finished.
 */
export function unsettledInboxes(job: Pick<DeliveryJob, "inboxes">, settled: ReadonlySet<string>): string[] {
  return settled.size === 0 ? job.inboxes : job.inboxes.filter((inbox) => !settled.has(inbox));
}

/** Reads which of a job's inboxes already have a final outcome (outbox's per-inbox record). */
export class SettledInboxes {
  constructor(private readonly pool: Pool) {}

  async of(job: Pick<DeliveryJob, "activityId" | "inboxes">): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ inbox: string }>(
      `SELECT inbox FROM delivery_outcomes
        WHERE activity_id = $1 AND inbox = ANY($2::text[]) AND outcome = ANY($3::text[])`,
      [job.activityId, job.inboxes, finalOutcomes],
    );
    return new Set(rows.map((row) => row.inbox));
  }
}
