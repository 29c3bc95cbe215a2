import type { DeliveryJob, RedrivableOutcome } from "@fediflow/contracts";
export const defaultRedriveOutcomes: RedrivableOutcome[] = ["rejected", "expired"];

/** One inbox a redrive selected, with what its job needs of its activity. */
export interface RedriveTarget {
  activityId: string;
  inbox: string;
  host: string;
  actorId: string;
  activityType: string;
  objectId: string | null;
  activityIri: string;
  undoes: string | null;
}

/**
 * The delivery jobs of a redrive: one per (activity, host), at most `inboxesPerJob` inboxes each
 * as fan-out sizes them, a fresh first attempt carrying the redrive's id.
 */
export function redriveJobs(targets: RedriveTarget[], redriveId: string, inboxesPerJob: number): DeliveryJob[] {
  const groups = new Map<string, RedriveTarget[]>();
  for (const target of targets) {
    const key = `${target.activityId}\n${target.host}`;
    groups.set(key, [...(groups.get(key) ?? []), target]);
  }
  const jobs: DeliveryJob[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    for (let i = 0; i < group.length; i += inboxesPerJob) {
      jobs.push({
        activityId: first.activityId,
        actorId: first.actorId,
        activityType: first.activityType,
        objectId: first.objectId,
        host: first.host,
        inboxes: group.slice(i, i + inboxesPerJob).map((target) => target.inbox),
        activityIri: first.activityIri,
        undoes: first.undoes,
        attempt: 1,
        firstAttemptAt: null,
        redriveId,
      });
    }
  }
  return jobs;
}
