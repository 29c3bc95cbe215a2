import type { DeliveryJob, DeliveryReport, OutcomeClass } from "@fediflow/contracts";
import type { HostStanding } from "@fediflow/host-view";
import type { HostBatch } from "./fold-inboxes";

/** What fan-out needs to know about the activity it is expanding. */
export interface ActivityRef {
  id: string;
  actorId: string;
  type: string;
  objectId: string | null;
  /** The activity's IRI, and for an Undo the IRI it undoes: delivery coalesces with them. */
  activityIri: string;
  undoes: string | null;
}

/** A batch either goes to delivery or is settled at once (blocked, parked, unresolvable). */
export type Disposition = { job: DeliveryJob } | { report: DeliveryReport };

/**
 * Decides what happens to one host's batch: nothing is ever sent to a blocked host (settled
 * "blocked"), a dead host's inboxes are parked for host-health to replay on revival, anything
 * else becomes a delivery job. The circuit breaker's pause is delivery's business, not ours.
 */
export function disposeBatch(activity: ActivityRef, batch: HostBatch, standing: HostStanding, at: string): Disposition {
  if (standing.state === "blocked") return { report: settledReport(activity, batch.host, batch.inboxes, "blocked", "host is blocked", at) };
  if (standing.state === "dead") return { report: settledReport(activity, batch.host, batch.inboxes, "parked", "host is dead", at) };
  return {
    job: {
      ...activityFields(activity),
      host: batch.host,
      inboxes: batch.inboxes,
      attempt: 1,
      firstAttemptAt: null,
    },
  };
}

/** What a delivery job and a report say about their activity. */
const activityFields = (activity: ActivityRef) => ({
  activityId: activity.id,
  actorId: activity.actorId,
  activityType: activity.type,
  objectId: activity.objectId,
  activityIri: activity.activityIri,
  undoes: activity.undoes,
});

/** An outcome settled without an attempt (attempt 0), one per inbox. */
export function settledReport(
  activity: ActivityRef,
  host: string,
  inboxes: string[],
  outcome: OutcomeClass,
  reason: string,
  at: string,
  status: number | null = null,
): DeliveryReport {
  return {
    ...activityFields(activity),
    host,
    attempt: 0,
    firstAttemptAt: null,
    outcomes: inboxes.map((inbox) => ({ inbox, outcome, status, reason, durationMs: 0 })),
    at,
  };
}
