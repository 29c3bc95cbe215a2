import type { CoalescingRule } from "@fediflow/coalescing";
import type { DeliveryJob, DeliveryReport, OutcomeClass } from "@fediflow/contracts";
import { attemptJob, type AttemptDependencies, type InboxResult, type RequestAdmission } from "./attempt-job";
import { AttemptProgress } from "./attempt-progress";
import { DeliverySpan } from "./delivery-span";
import { foldAttempt } from "./fold-attempt";
import type { HostStandingSource } from "./host-admission";
import { pruneLane, supersededOutcomes, type PrunedInbox } from "./lane-coalescing";
import { deferral, type RetryPolicy } from "./retry-policy";
import type { ScheduledDelivery, WaitReason, WaitingLanes } from "./waiting-lanes";

/** Whether jobs may go to a host (HostAdmission), as the worker asks it. */
export interface JobAdmission extends RequestAdmission {
  /** The time the host is closed until (a pause, a Retry-After, a pending trial), or null. */
  closedUntil(host: string, now: number): number | null;
  /** The host asked to be left alone until `until` (Retry-After). */
  honourRetryAfter(host: string, until: number): void;
}

export interface WorkerDependencies extends AttemptDependencies {
  hosts: HostStandingSource;
  admission: JobAdmission;
  /** The schedule, with the lanes that have deliveries waiting in it. */
  waiting: WaitingLanes;
  retryPolicy: RetryPolicy;
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

/** What happens to a job before any request: it is attempted, settled without one, or waits. */
type Decision =
  { kind: "attempt" } | { kind: "settle"; outcome: OutcomeClass; reason: string } | { kind: "wait"; at: number; reason: WaitReason };

/** A stream job queued behind a running one that lost inboxes to it: what it still sends. */
interface Pruned {
  inboxes: string[];
  pruned: PrunedInbox[];
}

/** Scheduled rows behind a head that coalescing looks at; more wait for a later head. */
const lookahead = 500;
const reactions = new Set(["Like", "Announce", "EmojiReact"]);

/**
 * Decides what happens to each delivery job, whether it came from Kafka or from the schedule:
 * skipped (blocked host), parked (dead host), kept waiting (paused or asked to wait), deferred (the
 * host already has its share of this process) or attempted; then reports every outcome and
 * schedules what must be tried again, keeping each lane's order.
 */
export class DeliveryWorker {
  private readonly backlog = new Map<string, number>();
  /** Queued stream jobs that lost inboxes to a job ahead of them, reported when they run. */
  private readonly pruned = new WeakMap<DeliveryJob, Pruned>();

  constructor(private readonly deps: WorkerDependencies) {}

  /**
   * A job from the deliveries topic, and the partition it came from (where its lane's waiting
   * rows are placed); `behind` lists the jobs of its lane consumed after it and not yet started,
   * oldest first (the very objects handed over later).
   */
  async handle(consumed: DeliveryJob, partition: number, behind: () => DeliveryJob[] = () => []): Promise<void> {
    const lane = laneOf(consumed);
    let job = this.remaining(consumed);
    const earlier = this.pruned.get(consumed);
    if (earlier) {
      await this.reportSuperseded(consumed, earlier.pruned);
      this.pruned.delete(consumed);
    }
    if (job.inboxes.length === 0) return;
    // An earlier delivery of this lane is waiting: this one waits behind it (and is coalesced
    // when it comes to the front).
    if (this.deps.waiting.isWaiting(partition, lane)) return this.deps.waiting.append(partition, lane, job, this.deps.clock(), "queued");
    if (this.deps.coalescing) {
      const queued = behind().filter((later) => this.remaining(later).inboxes.length > 0);
      const pruning = pruneLane(job, queued, (later) => this.remaining(later));
      for (const later of pruning.behind) {
        const pruned = [...(this.pruned.get(later.member)?.pruned ?? []), ...later.pruned];
        this.pruned.set(later.member, { inboxes: later.inboxes, pruned });
      }
      if (pruning.head.pruned.length > 0) {
        await this.reportSuperseded(job, pruning.head.pruned);
        if (pruning.head.inboxes.length === 0) return;
        job = { ...job, inboxes: pruning.head.inboxes };
      }
    }
    return this.process(job, lane, partition, { kind: "stream" });
  }

  /** A scheduled job whose time has come (the head of its lane). */
  async runScheduled(row: ScheduledDelivery): Promise<void> {
    const origin = { kind: "schedule" as const, row };
    let job = row.job;
    if (this.deps.coalescing) {
      const behind = await this.deps.waiting.behind(row.lane, row.id, lookahead);
      const pruning = pruneLane(job, behind, (waiting) => waiting.job);
      for (const later of pruning.behind) {
        await this.reportSuperseded(later.member.job, later.pruned);
        if (later.inboxes.length === 0) await this.deps.waiting.remove(row.partition, row.lane, later.member.id);
        else await this.deps.waiting.shrink(later.member.id, { ...later.member.job, inboxes: later.inboxes });
      }
      if (pruning.head.pruned.length > 0) {
        await this.reportSuperseded(job, pruning.head.pruned);
        if (pruning.head.inboxes.length === 0) return this.done(row.lane, row.partition, origin);
        job = { ...job, inboxes: pruning.head.inboxes };
      }
    }
    return this.process(job, row.lane, row.partition, origin);
  }

  /** Decide, attempt, fold the results, report them, and schedule what must wait. */
  private async process(job: DeliveryJob, lane: string, partition: number, origin: Origin): Promise<void> {
    const { deps } = this;
    const startedAt = deps.clock();
    const decision = this.decide(job, origin, startedAt);
    if (decision.kind === "settle") return this.settle(job, lane, partition, origin, decision.outcome, decision.reason);
    if (decision.kind === "wait") return this.wait(job, lane, partition, origin, decision.at, decision.reason);

    const span = new DeliverySpan(job, origin.kind === "schedule");
    const attempted = { ...job, firstAttemptAt: job.firstAttemptAt ?? startedAt };
    const progress = new AttemptProgress();
    const results = await span.run(() => this.attempt(attempted, progress));
    const finishedAt = deps.clock();
    const { outcomes, next, retryAfter } = foldAttempt(attempted, results, deps.retryPolicy, finishedAt, deps.random);
    if (retryAfter !== null) deps.admission.honourRetryAfter(job.host, retryAfter);
    const attemptSpan = span.finish(outcomes, outcomes.find((outcome) => outcome.reason)?.reason ?? null);

    // Inboxes a progress report already settled are left out of the attempt's own report.
    const unreported = outcomes.filter((outcome) => !progress.reported.has(outcome.inbox));
    if (unreported.length > 0) {
      // The retry's time, so the per-inbox API can say when a pending inbox is tried next.
      const retrying = next !== null && unreported.some((outcome) => outcome.outcome === "retrying");
      await this.report({
        ...this.fields(attempted),
        outcomes: unreported,
        at: new Date(finishedAt).toISOString(),
        ...(retrying && next ? { nextAttemptAt: new Date(next.at).toISOString() } : {}),
      });
    }
    if (next) await this.wait({ ...next.job, trace: span.retryTrace(attemptSpan) }, lane, partition, origin, next.at, next.reason);
    else await this.done(lane, partition, origin);
  }

  private decide(job: DeliveryJob, origin: Origin, now: number): Decision {
    const standing = this.deps.hosts.of(job.host);
    if (standing.state === "blocked") return { kind: "settle", outcome: "blocked", reason: "host is blocked" };
    if (standing.state === "dead") return { kind: "settle", outcome: "parked", reason: "host is dead" };
    // A reaction first waits in the schedule, where an Undo arriving meanwhile cancels it.
    if (this.deps.reactionHoldMs > 0 && origin.kind === "stream" && job.attempt === 1 && reactions.has(job.activityType)) {
      return { kind: "wait", at: now + this.deps.reactionHoldMs, reason: "reaction-hold" };
    }
    const until = this.deps.admission.closedUntil(job.host, now);
    if (until !== null) {
      // A host that keeps asking for time never keeps a delivery past its retry horizon.
      const waiting = deferral(this.deps.retryPolicy, job.firstAttemptAt, now, until);
      if (waiting.kind === "expired") return { kind: "settle", outcome: "expired", reason: waiting.reason };
      return { kind: "wait", at: waiting.at, reason: standing.pausedUntil === until ? "paused" : "retry-after" };
    }
    if ((this.backlog.get(job.host) ?? 0) >= this.deps.hostBacklog) {
      return { kind: "wait", at: now + this.deps.overflowDelayMs, reason: "overflow" };
    }
    return { kind: "attempt" };
  }

  /**
   * Sends the job, counting it against its host's backlog meanwhile; a long attempt reports
   * the inboxes it settles as it goes, so a message replayed after a crash finds them settled.
   */
  private async attempt(job: DeliveryJob, progress: AttemptProgress): Promise<InboxResult[]> {
    const { deps } = this;
    const reportProgress = () =>
      progress.flush((settled) => this.report({ ...this.fields(job), outcomes: settled, at: new Date(deps.clock()).toISOString() }));
    const timer = deps.progressReportMs ? setInterval(() => void reportProgress(), deps.progressReportMs) : undefined;
    this.backlog.set(job.host, (this.backlog.get(job.host) ?? 0) + 1);
    try {
      return await attemptJob(job, {
        ...deps,
        onAttempted: ({ inbox, classified, durationMs }) =>
          progress.add({ inbox, outcome: classified.outcome, status: classified.status, reason: classified.reason, durationMs }),
      });
    } finally {
      clearInterval(timer);
      const left = (this.backlog.get(job.host) ?? 1) - 1;
      if (left === 0) this.backlog.delete(job.host);
      else this.backlog.set(job.host, left);
      await progress.idle();
    }
  }

  /** What a consumed job still sends: fewer inboxes when a job ahead of it made some pointless. */
  private remaining(job: DeliveryJob): DeliveryJob {
    const pruned = this.pruned.get(job);
    return pruned ? { ...job, inboxes: pruned.inboxes } : job;
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
    if (origin.kind === "schedule") await this.deps.waiting.postpone(origin.row.id, job, at, reason);
    else await this.deps.waiting.append(partition, lane, job, at, reason);
  }

  private async done(lane: string, partition: number, origin: Origin): Promise<void> {
    if (origin.kind === "schedule") await this.deps.waiting.complete(partition, lane, origin.row.id, this.deps.clock());
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
