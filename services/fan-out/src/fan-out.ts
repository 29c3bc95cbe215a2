import { hostOf, parseRemoteUrl } from "@fediflow/activitypub";
import type { ActivityAccepted, DeliveryJob, DeliveryReport, OutcomeClass } from "@fediflow/contracts";
import type { HostStandings } from "@fediflow/host-view";
import type { Logger } from "@fediflow/logging";
import { UnresolvableActor, type ActorResolver } from "./actor-resolver";
import type { ActivityAudience, Checkpoint, FanOutStore } from "./fanout-store";
import { compareTargets, foldByHost, mergeTargets, sortTargets, type HostBatch, type Target } from "./fold-inboxes";

export interface FanOutDependencies {
  store: FanOutStore;
  hosts: HostStandings;
  resolver: ActorResolver;
  /** Publishes delivery jobs (deliveries topic) and settled outcomes (outcomes topic). */
  publish(jobs: DeliveryJob[], reports: DeliveryReport[]): Promise<void>;
  inboxesPerMessage: number;
  checkpointMessages: number;
  logger: Logger;
  clock?: () => number;
}

/** Totals of one fan-out, for logs and metrics. */
export interface FanOutSummary {
  inboxes: number;
  messages: number;
  blocked: number;
  parked: number;
}

async function* nothing(): AsyncGenerator<Target> {}

/**
 * Turns one accepted activity into one delivery message per (activity, host), checkpointing
 * as it goes: a restart resumes after the last checkpoint, and an activity whose fan-out
 * completed is never fanned out again.
 */
export class FanOut {
  constructor(private readonly deps: FanOutDependencies) {}

  async run(message: ActivityAccepted): Promise<FanOutSummary | null> {
    const { store, logger } = this.deps;
    const activity = await store.activity(message.activityId);
    if (!activity) {
      logger.warn({ activityId: message.activityId }, "activity no longer stored; nothing to fan out");
      return null;
    }
    const checkpoint = await store.checkpoint(activity.id);
    if (checkpoint.completed) return null;
    if ((activity.type === "Update" || activity.type === "Delete") && activity.objectId) {
      await this.deps.resolver.forget(activity.objectId);
    }

    const summary: FanOutSummary = { inboxes: 0, messages: 0, blocked: 0, parked: 0 };
    const jobs: DeliveryJob[] = [];
    const reports: DeliveryReport[] = [];
    const firstRun = checkpoint.inboxes === 0 && checkpoint.messages === 0;
    const { targets: explicit, unresolved } = await this.explicitTargets(activity);
    if (firstRun) {
      // Counted once: a resumed fan-out has them in its checkpoint already.
      for (const failure of unresolved) {
        reports.push(this.report(activity, hostOf(failure.actorId), [failure.actorId], "rejected", failure.message));
      }
      checkpoint.inboxes += unresolved.length;
    }
    const cursor = checkpoint.cursor;
    const remaining = cursor ? explicit.filter((target) => compareTargets(target, cursor) > 0) : explicit;
    const followers = activity.audience.followers ? store.followerTargets(activity.actorId, cursor) : nothing();

    const flush = async () => {
      await this.deps.publish(jobs.splice(0), reports.splice(0));
      await store.saveCheckpoint(activity.id, checkpoint);
    };

    for await (const batch of foldByHost(mergeTargets(followers, remaining), this.deps.inboxesPerMessage)) {
      const standing = this.deps.hosts.of(batch.host);
      if (standing.state === "blocked") {
        reports.push(this.report(activity, batch.host, batch.inboxes, "blocked", "host is blocked"));
        summary.blocked += batch.inboxes.length;
      } else if (standing.state === "dead") {
        reports.push(this.report(activity, batch.host, batch.inboxes, "parked", "host is dead"));
        summary.parked += batch.inboxes.length;
      } else {
        jobs.push(this.job(activity, batch));
      }
      checkpoint.cursor = { host: batch.host, inbox: batch.inboxes[batch.inboxes.length - 1]! };
      checkpoint.inboxes += batch.inboxes.length;
      checkpoint.messages += 1;
      summary.inboxes += batch.inboxes.length;
      summary.messages += 1;
      if (jobs.length + reports.length >= this.deps.checkpointMessages) await flush();
    }
    if (jobs.length + reports.length > 0) await this.deps.publish(jobs.splice(0), reports.splice(0));
    await store.complete(activity.id, checkpoint);
    return summary;
  }

  /** Explicit inboxes and the inboxes of explicitly named remote actors, sorted. */
  private async explicitTargets(activity: ActivityAudience): Promise<{ targets: Target[]; unresolved: UnresolvableActor[] }> {
    const targets: Target[] = [];
    for (const inbox of activity.audience.inboxes) {
      const url = parseRemoteUrl(inbox);
      targets.push({ host: url.host, inbox: url.href });
    }
    const unresolved: UnresolvableActor[] = [];
    const resolved = await Promise.all(
      activity.audience.actors.map(async (actorId) => {
        try {
          return await this.deps.resolver.resolve(actorId);
        } catch (error) {
          if (!(error instanceof UnresolvableActor)) throw error;
          unresolved.push(error);
          return null;
        }
      }),
    );
    for (const inboxes of resolved) {
      if (!inboxes) continue;
      const inbox = inboxes.sharedInbox ?? inboxes.inbox;
      targets.push({ host: hostOf(inbox), inbox });
    }
    return { targets: sortTargets(targets), unresolved };
  }

  private job(activity: ActivityAudience, batch: HostBatch): DeliveryJob {
    return {
      activityId: activity.id,
      actorId: activity.actorId,
      activityType: activity.type,
      objectId: activity.objectId,
      host: batch.host,
      inboxes: batch.inboxes,
      attempt: 1,
      firstAttemptAt: null,
    };
  }

  private report(activity: ActivityAudience, host: string, inboxes: string[], outcome: OutcomeClass, reason: string): DeliveryReport {
    return {
      activityId: activity.id,
      actorId: activity.actorId,
      activityType: activity.type,
      objectId: activity.objectId,
      host,
      attempt: 0,
      firstAttemptAt: null,
      outcomes: inboxes.map((inbox) => ({ inbox, outcome, status: null, reason, durationMs: 0 })),
      at: new Date((this.deps.clock ?? Date.now)()).toISOString(),
    };
  }
}
