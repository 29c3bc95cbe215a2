import type { DeliveryJob, DeliveryReport, InboxOutcome, OutcomeClass } from "@fediflow/contracts";
import type { HostStandings } from "@fediflow/host-view";
import { partitionOf } from "@fediflow/kafka";
import { AttemptProgress } from "./attempt-progress";
import { attemptJob, type AttemptDependencies } from "./deliver";
import type { HeldLanes } from "./held-lanes";
import type { HostHolds } from "./host-holds";
import { deferral, nextRetry, type RetryPolicy } from "./retry-policy";
import { TrialGate, trialVerdictWaitMs } from "./trial-gate";
import { DeliverySpan } from "./delivery-span";
import type { ScheduledDelivery, WaitReason } from "./schedule-store";
import { pruneLane, supersededOutcomes, type PrunedInbox } from "./lane-coalescing";
import type { CoalescingRule } from "@fediflow/coalescing";

export interface WorkerDependencies extends Omit<AttemptDependencies, "holdUntil"> {
  hosts: HostStandings;
  holds: HostHolds;
  held: HeldLanes;
  retryPolicy: RetryPolicy;
  /** Partitions of the deliveries topic (to place a host's waiting rows). */
  partitions: number;
  /** Jobs of one host attempted at once by this process before more wait in the schedule. */
  hostBacklog: number;
  /** How long an overflowing job waits before it is tried again, ms. */
  overflowDelayMs: number;
  /** Skip deliveries a newer activity about the same object replaces or cancels. */
  coalescing: boolean;
  /** Likes and Announces wait this long first, so a quick Undo cancels both; 0 sends at once. */
  reactionHoldMs: number;
  /** A longer attempt reports the inboxes it has settled at this interval, ms (0: only at its end). */
  progressReportMs?: number;
  onCoalesced?(rule: CoalescingRule, inboxes: number): void;
  report(reports: DeliveryReport[]): Promise<void>;
  onReport?(report: DeliveryReport): void;
  random?: () => number;
}

/** The lane a job keeps its order in: one object (or one activity) at one host. */
export const laneOf = (job: DeliveryJob): string => `${job.host} ${job.objectId ?? job.activityId}`;

type Origin = { kind: "stream" } | { kind: "schedule"; row: ScheduledDelivery };

/** Scheduled rows behind a head that coalescing looks at; more wait for a later head. */
const lookahead = 500;
const reactions = new Set(["Like", "Announce", "EmojiReact"]);

/**
 * Decides what happens to each delivery job, whether it came from Kafka or from the schedule:
 * skipped (blocked host), parked (dead host), held (paused or asked to wait), deferred (the
 * host already has its share of this process) or attempted; then reports every outcome and
 * schedules what must be tried again, keeping each lane's order.
 */
export class DeliveryWorker {
  private readonly backlog = new Map<string, number>();
  private readonly trials = new TrialGate();
  /** Stream jobs queued behind a running one that lost inboxes to it, reported when they run. */
  private readonly pruned = new WeakMap<DeliveryJob, PrunedInbox[]>();

  constructor(private readonly deps: WorkerDependencies) {}

  /**
   * A job from the deliveries topic; `behind` lists the jobs of its lane consumed after it and
   * not yet started, oldest first.
   */
  async handle(job: DeliveryJob, behind: () => DeliveryJob[] = () => []): Promise<void> {
    const lane = laneOf(job);
    const partition = partitionOf(job.host, this.deps.partitions);
    const earlier = this.pruned.get(job);
    if (earlier) {
      await this.reportSuperseded(job, earlier);
      this.pruned.delete(job);
    }
    if (job.inboxes.length === 0) return;
    // An earlier delivery of this lane is waiting: this one waits behind it (and is coalesced
    // when it comes to the front).
    if (this.deps.held.isHeld(partition, lane)) return this.deps.held.append(partition, lane, job, this.deps.clock(), "queued");
    let head = job;
    if (this.deps.coalescing) {
      const pruning = pruneLane(job, behind().filter((queued) => queued.inboxes.length > 0), (queued) => queued);
      for (const later of pruning.behind) {
        // The queued job is the very object the consumer hands over later: it runs with what is left.
        later.member.inboxes = later.inboxes;
        this.pruned.set(later.member, [...(this.pruned.get(later.member) ?? []), ...later.pruned]);
      }
      if (pruning.head.pruned.length > 0) {
        await this.reportSuperseded(job, pruning.head.pruned);
        if (pruning.head.inboxes.length === 0) return;
        head = { ...job, inboxes: pruning.head.inboxes };
      }
    }
    return this.process(head, lane, partition, { kind: "stream" });
  }

  /** A scheduled job whose time has come (the head of its lane). */
  async runScheduled(row: ScheduledDelivery): Promise<void> {
    let job = row.job;
    if (this.deps.coalescing) {
      const origin = { kind: "schedule" as const, row };
      const behind = await this.deps.held.behind(row.lane, row.id, lookahead);
      const pruning = pruneLane(job, behind, (waiting) => waiting.job);
      for (const later of pruning.behind) {
        await this.reportSuperseded(later.member.job, later.pruned);
        if (later.inboxes.length === 0) await this.deps.held.remove(row.partition, row.lane, later.member.id);
        else await this.deps.held.shrink(later.member.id, { ...later.member.job, inboxes: later.inboxes });
      }
      if (pruning.head.pruned.length > 0) {
        await this.reportSuperseded(job, pruning.head.pruned);
        if (pruning.head.inboxes.length === 0) return this.done(row.lane, row.partition, origin);
        job = { ...job, inboxes: pruning.head.inboxes };
      }
    }
    return this.process(job, row.lane, row.partition, { kind: "schedule", row });
  }

  /**
   * The time a host must wait until, or null: the breaker's pause, the host's Retry-After, or a
   * trial whose verdict is still pending.
   */
  holdUntil(host: string, now: number): number | null {
    const paused = this.deps.hosts.of(host).pausedUntil;
    const held = this.deps.holds.heldUntil(host, now);
    let until = Math.max(paused !== null && paused > now ? paused : 0, held ?? 0);
    if (paused !== null && paused <= now && this.onTrial(host) && this.trials.isTaken(host, paused))
      until = Math.max(until, now + trialVerdictWaitMs);
    return until > now ? until : null;
  }

  /** Like holdUntil, for one request about to be sent: on trial, the first one takes the trial. */
  admitRequest(host: string, now: number): number | null {
    const until = this.holdUntil(host, now);
    if (until !== null) return until;
    const paused = this.deps.hosts.of(host).pausedUntil;
    if (paused !== null && this.onTrial(host) && !this.trials.take(host, paused)) return now + trialVerdictWaitMs;
    return null;
  }

  /** Requests a host may have in flight: one while its circuit breaker is on trial. */
  onTrial(host: string): boolean {
    const standing = this.deps.hosts.of(host);
    return standing.state === "failing" && standing.pausedUntil !== null;
  }

  private async process(job: DeliveryJob, lane: string, partition: number, origin: Origin): Promise<void> {
    const { deps } = this;
    const now = deps.clock();
    const standing = deps.hosts.of(job.host);
    if (standing.state === "blocked") return this.settle(job, lane, partition, origin, "blocked", "host is blocked");
    if (standing.state === "dead") return this.settle(job, lane, partition, origin, "parked", "host is dead");
    // A reaction first waits in the schedule, where an Undo arriving meanwhile cancels it.
    if (this.deps.reactionHoldMs > 0 && origin.kind === "stream" && job.attempt === 1 && reactions.has(job.activityType)) {
      return this.wait(job, lane, partition, origin, now + this.deps.reactionHoldMs, "reaction-hold");
    }
    const until = this.holdUntil(job.host, now);
    if (until !== null) {
      const waiting = deferral(deps.retryPolicy, job.firstAttemptAt, now, until);
      if (waiting.kind === "expired") return this.settle(job, lane, partition, origin, "expired", waiting.reason);
      return this.wait(job, lane, partition, origin, waiting.at, standing.pausedUntil === until ? "paused" : "retry-after");
    }
    if ((this.backlog.get(job.host) ?? 0) >= deps.hostBacklog) {
      return this.wait(job, lane, partition, origin, now + deps.overflowDelayMs, "overflow");
    }

    this.backlog.set(job.host, (this.backlog.get(job.host) ?? 0) + 1);
    const span = new DeliverySpan(job, origin.kind === "schedule");
    const firstAttemptAt = job.firstAttemptAt ?? now;
    const progress = new AttemptProgress();
    const reportProgress = () =>
      progress.flush((settled) => this.report({ ...this.fields(job), firstAttemptAt, outcomes: settled, at: new Date(deps.clock()).toISOString() }));
    const progressTimer = deps.progressReportMs ? setInterval(() => void reportProgress(), deps.progressReportMs) : undefined;
    let results;
    try {
      results = await span.run(() =>
        attemptJob(job, {
          ...deps,
          holdUntil: (host, at) => this.admitRequest(host, at),
          onAttempted: (result) =>
            progress.add({ inbox: result.inbox, outcome: result.classified.outcome, status: result.classified.status, reason: result.classified.reason, durationMs: result.durationMs }),
        }),
      );
    } finally {
      clearInterval(progressTimer);
      const left = (this.backlog.get(job.host) ?? 1) - 1;
      if (left === 0) this.backlog.delete(job.host);
      else this.backlog.set(job.host, left);
    }
    await progress.idle();

    const finishedAt = deps.clock();
    const outcomes: InboxOutcome[] = [];
    const again: string[] = [];
    let retryAt: number | null = null;
    let deferredUntil = 0;
    for (const result of results) {
      if (result.kind === "deferred") {
        again.push(result.inbox);
        deferredUntil = Math.max(deferredUntil, result.until);
        continue;
      }
      const { classified, durationMs } = result;
      if (classified.retryAt !== null) deps.holds.hold(job.host, classified.retryAt);
      outcomes.push({ inbox: result.inbox, outcome: classified.outcome, status: classified.status, reason: classified.reason, durationMs });
      if (classified.outcome === "retrying") {
        again.push(result.inbox);
        if (classified.retryAt !== null) retryAt = Math.max(retryAt ?? 0, classified.retryAt);
      }
    }

    const attemptSpan = span.finish(outcomes, outcomes.find((outcome) => outcome.reason)?.reason ?? null);
    let next: { job: DeliveryJob; at: number; reason: WaitReason } | null = null;
    if (again.length > 0) {
      const retried = outcomes.some((outcome) => outcome.outcome === "retrying");
      const waiting = deferral(deps.retryPolicy, firstAttemptAt, finishedAt, deferredUntil);
      const decision = retried ? nextRetry(deps.retryPolicy, job.attempt, firstAttemptAt, finishedAt, retryAt, deps.random) : waiting;
      if (decision.kind === "expired") {
        for (const outcome of outcomes) {
          if (outcome.outcome === "retrying")
            Object.assign(outcome, { outcome: "expired", reason: `${outcome.reason}; ${decision.reason}` });
        }
        // Deferred inboxes were never tried this time: they go on waiting, up to the horizon.
        const deferred = results.filter((r) => r.kind === "deferred").map((r) => r.inbox);
        if (deferred.length > 0 && waiting.kind === "retry") {
          next = {
            job: { ...job, inboxes: deferred, firstAttemptAt, trace: span.retryTrace(attemptSpan) },
            at: waiting.at,
            reason: "paused",
          };
        } else if (waiting.kind === "expired") {
          for (const inbox of deferred) outcomes.push({ inbox, outcome: "expired", status: null, reason: waiting.reason, durationMs: 0 });
        }
      } else {
        const at = Math.max(decision.at, deferredUntil);
        next = {
          job: {
            ...job,
            inboxes: again,
            attempt: retried ? job.attempt + 1 : job.attempt,
            firstAttemptAt,
            trace: span.retryTrace(attemptSpan),
          },
          at,
          reason: retryAt !== null ? "retry-after" : retried ? "retry" : "paused",
        };
      }
    }

    const unreported = outcomes.filter((outcome) => !progress.reported.has(outcome.inbox));
    if (unreported.length > 0) {
      // The retry's time, so the per-inbox API can say when a pending inbox is tried next.
      const retrying = next !== null && unreported.some((outcome) => outcome.outcome === "retrying");
      await this.report({
        ...this.fields(job),
        firstAttemptAt,
        outcomes: unreported,
        at: new Date(finishedAt).toISOString(),
        ...(retrying && next ? { nextAttemptAt: new Date(next.at).toISOString() } : {}),
      });
    }
    if (next) await this.wait(next.job, lane, partition, origin, next.at, next.reason);
    else await this.done(lane, partition, origin);
  }

  /** Reports every inbox of the job with one outcome and takes it out of its lane. */
  private async settle(
    job: DeliveryJob,
    lane: string,
    partition: number,
    origin: Origin,
    outcome: OutcomeClass,
    reason: string,
  ): Promise<void> {
    await this.report({
      ...this.fields(job),
      outcomes: job.inboxes.map((inbox) => ({ inbox, outcome, status: null, reason, durationMs: 0 })),
      at: new Date(this.deps.clock()).toISOString(),
    });
    await this.done(lane, partition, origin);
  }

  /** Puts the job in the schedule: at the front of its lane when it already was the head. */
  private async wait(job: DeliveryJob, lane: string, partition: number, origin: Origin, at: number, reason: WaitReason): Promise<void> {
    if (origin.kind === "schedule") await this.deps.held.postpone(origin.row.id, job, at, reason);
    else await this.deps.held.append(partition, lane, job, at, reason);
  }

  private async done(lane: string, partition: number, origin: Origin): Promise<void> {
    if (origin.kind === "schedule") await this.deps.held.complete(partition, lane, origin.row.id, this.deps.clock());
  }

  private async reportSuperseded(job: DeliveryJob, pruned: PrunedInbox[]): Promise<void> {
    const byRule = new Map<CoalescingRule, number>();
    for (const { rule } of pruned) byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
    for (const [rule, inboxes] of byRule) this.deps.onCoalesced?.(rule, inboxes);
    await this.report({ ...this.fields(job), outcomes: supersededOutcomes(pruned), at: new Date(this.deps.clock()).toISOString() });
  }

  private async report(report: DeliveryReport): Promise<void> {
    await this.deps.report([report]);
    this.deps.onReport?.(report);
  }

  private fields(job: DeliveryJob): Omit<DeliveryReport, "outcomes" | "at"> {
    const { inboxes: _inboxes, trace: _trace, ...fields } = job;
    return fields;
  }
}
