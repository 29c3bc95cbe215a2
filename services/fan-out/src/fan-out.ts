import type { ActivityAccepted, DeliveryJob, DeliveryReport } from "@fediflow/contracts";
import type { HostStandings } from "@fediflow/host-view";
import type { Logger } from "@fediflow/logging";
import { disposeBatch, settledReport, type ActivityRef } from "./dispose-batch";
import type { ExplicitAudience } from "./explicit-audience";
import { AudienceMerge, HostFolder, compareTargets, type HostBatch, type Target } from "./fold-inboxes";

/** A stored activity as fan-out reads it: who it is from, what about, and to whom. */
export interface ActivityAudience extends ActivityRef {
  audience: { followers: boolean; actors: string[]; inboxes: string[] };
}

/** How far the fan-out of an activity got: everything up to the cursor is published. */
export interface Checkpoint {
  /** The last target published; a resumed fan-out starts strictly after it. Null before the first. */
  cursor: Target | null;
  inboxes: number;
  messages: number;
}

export type Claim =
  | { kind: "claimed"; checkpoint: Checkpoint }
  /** The fan-out finished earlier: a redelivered activity message does nothing. */
  | { kind: "completed" }
  /** Another process is fanning it out (a rebalance handed the message on while it worked). */
  | { kind: "held"; owner: string; expiresInMs: number };

/** This process no longer holds the activity's lease; another one took over. */
export class LeaseLost extends Error {
  constructor(readonly activityId: string) {
    super(`lost the fan-out lease of ${activityId} to another process`);
    this.name = "LeaseLost";
  }
}

/** Fan-out's progress records, fenced by a lease per activity (ProgressStore). */
export interface FanOutProgress {
  readonly leaseMs: number;
  claim(activityId: string): Promise<Claim>;
  save(activityId: string, checkpoint: Checkpoint): Promise<void>;
  renew(activityId: string): Promise<boolean>;
  complete(activityId: string, checkpoint: Checkpoint): Promise<void>;
}

export interface FanOutDependencies {
  readActivity(id: string): Promise<ActivityAudience | null>;
  progress: FanOutProgress;
  /** The actor's followers' distinct targets after a cursor, in sorted pages (FollowerPages). */
  followerPages(actorId: string, after: Target | null): AsyncIterable<Target[]>;
  explicitAudience(activity: ActivityAudience): Promise<ExplicitAudience>;
  /** Drops a remote actor from the cache (an Update or Delete of it is passing through). */
  forgetActor(actorId: string): Promise<void>;
  hosts: HostStandings;
  /** Publishes delivery jobs (deliveries topic) and settled outcomes (outcomes topic). */
  publish(jobs: DeliveryJob[], reports: DeliveryReport[]): Promise<void>;
  inboxesPerMessage: number;
  /** The redelivery window: at most this many messages are published again after a crash. */
  checkpointMessages: number;
  logger: Logger;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What one fan-out run did, for logs and metrics. */
export interface FanOutSummary {
  /** The activity's fixed total of inboxes, including any expanded before a resume. */
  total: number;
  /** Inboxes expanded and messages published by this run. */
  inboxes: number;
  messages: number;
  /** This run's inboxes by disposition; the rest were settled as unresolvable actors. */
  blocked: number;
  parked: number;
  queued: number;
  /** The run continued from a checkpoint an earlier run left. */
  resumed: boolean;
  durationMs: number;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Publishes the expanded messages in chunks and checkpoints after each. Two chunks (half the
 * window each) may be in flight at once, so one is published while the other's checkpoint is
 * written and the next is folded; a checkpoint is written only once its chunk and every chunk
 * before it are published, and in order. A crash therefore republishes at most the window.
 */
class ChunkWriter {
  private jobs: DeliveryJob[] = [];
  private reports: DeliveryReport[] = [];
  /** Each unfinished chunk's "published and checkpointed", oldest first. */
  private inFlight: Array<Promise<void>> = [];
  private lastSaved: Promise<void> = Promise.resolve();
  private lost = false;
  private readonly depth: number;
  private readonly chunkSize: number;
  /** Progress including what is waiting here: what the checkpoint after the next chunk records. */
  readonly progress: Checkpoint;

  constructor(
    private readonly activityId: string,
    start: Checkpoint,
    window: number,
    private readonly deps: Pick<FanOutDependencies, "publish" | "progress">,
  ) {
    this.progress = { ...start };
    this.depth = window >= 2 ? 2 : 1;
    this.chunkSize = Math.max(1, Math.floor(window / this.depth));
  }

  /** Whether enough is waiting to make a chunk. */
  get full(): boolean {
    return this.jobs.length + this.reports.length >= this.chunkSize;
  }

  add(message: { job: DeliveryJob } | { report: DeliveryReport }, inboxes: number, cursor: Target | null): void {
    if ("job" in message) this.jobs.push(message.job);
    else this.reports.push(message.report);
    this.progress.inboxes += inboxes;
    this.progress.messages += 1;
    if (cursor) this.progress.cursor = cursor;
  }

  /** A renewal found the lease taken: stop before publishing more. */
  markLost(): void {
    this.lost = true;
  }

  /** Publishes what waits as one chunk and checkpoints it, once a slot is free. */
  async flush(): Promise<void> {
    const chunk = await this.publishWaiting();
    if (!chunk) return;
    const { published } = chunk;
    const checkpoint = { ...this.progress };
    // Chained on the previous checkpoint, so checkpoints land in order and, once one chunk
    // fails, no later checkpoint is written and none is still being written when run() rejects.
    const saved = this.lastSaved.then(() => published).then(() => this.deps.progress.save(this.activityId, checkpoint));
    // Awaited by a later flush or by drain; until then a failure must not go unhandled.
    saved.catch(() => undefined);
    this.lastSaved = saved;
    this.inFlight.push(saved);
  }

  /**
   * Publishes the rest and waits until everything is published; the caller then completes,
   * which writes the final checkpoint.
   */
  async drain(): Promise<Checkpoint> {
    const rest = await this.publishWaiting();
    for (const chunk of this.inFlight.splice(0)) await chunk;
    await rest?.published;
    return { ...this.progress };
  }

  /** Starts publishing what waits once a slot is free; wrapped, so awaiting this does not await the publish. */
  private async publishWaiting(): Promise<{ published: Promise<void> } | null> {
    if (this.jobs.length + this.reports.length === 0) return null;
    const jobs = this.jobs;
    const reports = this.reports;
    this.jobs = [];
    this.reports = [];
    while (this.inFlight.length >= this.depth) await this.inFlight.shift();
    if (this.lost) throw new LeaseLost(this.activityId);
    const published = this.deps.publish(jobs, reports);
    published.catch(() => undefined);
    return { published };
  }
}

/**
 * Turns one accepted activity into one delivery message per (activity, host): streams the
 * followers' targets in keyset pages, merges the explicit audience in, folds per host, settles
 * blocked and dead hosts at once, publishes in chunks and checkpoints after each. One process
 * at a time holds an activity (a lease); a restart resumes after the last checkpoint, and an
 * activity whose fan-out completed is never fanned out again.
 */
export class FanOut {
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: FanOutDependencies) {
    this.clock = deps.clock ?? Date.now;
    this.sleep = deps.sleep ?? wait;
  }

  async run(message: ActivityAccepted): Promise<FanOutSummary | null> {
    const { logger } = this.deps;
    const started = this.clock();
    const activity = await this.deps.readActivity(message.activityId);
    if (!activity) {
      logger.warn({ activityId: message.activityId }, "activity no longer stored; nothing to fan out");
      return null;
    }
    const start = await this.claim(activity.id);
    if (!start) return null;
    const resumed = start.cursor !== null || start.inboxes > 0;
    if (resumed) logger.info({ activityId: activity.id, ...start }, "resuming fan-out after its checkpoint");
    // An Update or Delete of an actor may change or remove its inboxes: the next fan-out to it refetches.
    if ((activity.type === "Update" || activity.type === "Delete") && activity.objectId) await this.deps.forgetActor(activity.objectId);

    const writer = new ChunkWriter(activity.id, start, this.deps.checkpointMessages, this.deps);
    const renewal = setInterval(
      () => {
        this.deps.progress.renew(activity.id).then(
          (held) => held || writer.markLost(),
          () => undefined,
        );
      },
      Math.max(this.deps.progress.leaseMs / 3, 50),
    );
    try {
      const counts = await this.expand(activity, start, writer);
      const finished = await writer.drain();
      await this.deps.progress.complete(activity.id, finished);
      return {
        total: finished.inboxes,
        inboxes: finished.inboxes - start.inboxes,
        messages: finished.messages - start.messages,
        ...counts,
        resumed,
        durationMs: this.clock() - started,
      };
    } finally {
      clearInterval(renewal);
    }
  }

  /** Takes the activity's lease, waiting while another live process holds it; null when already done. */
  private async claim(activityId: string): Promise<Checkpoint | null> {
    for (;;) {
      const claim = await this.deps.progress.claim(activityId);
      if (claim.kind === "claimed") return claim.checkpoint;
      if (claim.kind === "completed") return null;
      this.deps.logger.info(
        { activityId, owner: claim.owner, expiresInMs: claim.expiresInMs },
        "another process is fanning this out; waiting",
      );
      // Until it finishes (then "completed") or dies and its lease runs out.
      await this.sleep(Math.min(Math.max(claim.expiresInMs, 100), this.deps.progress.leaseMs / 3));
    }
  }

  private async expand(
    activity: ActivityAudience,
    start: Checkpoint,
    writer: ChunkWriter,
  ): Promise<Pick<FanOutSummary, "blocked" | "parked" | "queued">> {
    const counts = { blocked: 0, parked: 0, queued: 0 };
    const explicit = await this.deps.explicitAudience(activity);
    const at = () => new Date(this.clock()).toISOString();
    if (start.cursor === null && start.inboxes === 0) {
      // Counted once: a resumed fan-out has them in its checkpoint already.
      for (const actor of explicit.settled) {
        const report = settledReport(activity, actor.host, [actor.actorId], actor.outcome, actor.reason, at(), actor.status);
        writer.add({ report }, 1, null);
        if (actor.outcome === "blocked") counts.blocked += 1;
      }
    }
    const cursor = start.cursor;
    const merge = new AudienceMerge(cursor ? explicit.targets.filter((target) => compareTargets(target, cursor) > 0) : explicit.targets);
    const folder = new HostFolder(this.deps.inboxesPerMessage);
    const take = async (batches: HostBatch[]) => {
      const now = at();
      for (const batch of batches) {
        const disposition = disposeBatch(activity, batch, this.deps.hosts.of(batch.host), now);
        if ("job" in disposition) counts.queued += batch.inboxes.length;
        else if (disposition.report.outcomes[0]!.outcome === "blocked") counts.blocked += batch.inboxes.length;
        else counts.parked += batch.inboxes.length;
        writer.add(disposition, batch.inboxes.length, { host: batch.host, inbox: batch.inboxes[batch.inboxes.length - 1]! });
        if (writer.full) await writer.flush();
      }
    };
    const completed: HostBatch[] = [];
    const collect = (target: Target) => {
      const batch = folder.add(target);
      if (batch) completed.push(batch);
    };
    if (activity.audience.followers) {
      for await (const page of this.deps.followerPages(activity.actorId, cursor)) {
        merge.page(page, collect);
        await take(completed.splice(0));
      }
    }
    merge.rest(collect);
    const last = folder.finish();
    if (last) completed.push(last);
    await take(completed.splice(0));
    return counts;
  }
}
