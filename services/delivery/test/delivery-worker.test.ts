import { generateKeyPairSync } from "node:crypto";
import type { SigningKey } from "@fediflow/signing-keys";
import type { DeliveryJob, DeliveryReport } from "@fediflow/contracts";
import type { HostStanding } from "@fediflow/host-view";
import { beforeEach, describe, expect, it } from "vitest";
import type { ActivityBody } from "../src/attempt-job";
import type { AttemptResult } from "../src/classify-outcome";
import { DeliveryWorker, laneOf, type WorkerDependencies } from "../src/delivery-worker";
import { HostAdmission } from "../src/host-admission";
import { HostLimiter } from "../src/host-limiter";
import { WaitingLanes, type ScheduleRows, type ScheduledDelivery, type WaitReason } from "../src/waiting-lanes";

/** The schedule in memory: rows in insertion order, a lane's first row its head. */
class MemorySchedule implements ScheduleRows {
  rows: ScheduledDelivery[] = [];
  private nextId = 1;

  async append(partition: number, lane: string, job: DeliveryJob, dueAt: number, reason: WaitReason): Promise<void> {
    this.rows.push({ id: this.nextId++, partition, lane, job, dueAt, reason });
  }
  async postpone(id: number, job: DeliveryJob, dueAt: number, reason: WaitReason): Promise<void> {
    Object.assign(this.row(id), { job, dueAt, reason });
  }
  async complete(id: number): Promise<void> {
    this.rows = this.rows.filter((row) => row.id !== id);
  }
  async behind(lane: string, headId: number, limit: number): Promise<ScheduledDelivery[]> {
    return this.rows.filter((row) => row.lane === lane && row.id > headId).slice(0, limit);
  }
  async shrink(id: number, job: DeliveryJob): Promise<void> {
    this.row(id).job = job;
  }
  async remove(id: number): Promise<void> {
    this.rows = this.rows.filter((row) => row.id !== id);
  }
  async waitingLanes(partition: number): Promise<Map<string, number>> {
    const lanes = new Map<string, number>();
    for (const row of this.rows) if (row.partition === partition) lanes.set(row.lane, (lanes.get(row.lane) ?? 0) + 1);
    return lanes;
  }
  private row(id: number): ScheduledDelivery {
    const row = this.rows.find((candidate) => candidate.id === id);
    if (!row) throw new Error(`no row ${id}`);
    return row;
  }
}

const host = "remote.example";
const inbox = (name: string) => `https://${host}/${name}/inbox`;
const key: SigningKey = {
  keyId: "https://origin.example/users/alice#main-key",
  type: "ed25519",
  key: generateKeyPairSync("ed25519").privateKey,
};
const body: ActivityBody = { actorId: "https://origin.example/users/alice", body: Buffer.from("{}"), digest: "SHA-256=x", contentDigest: "sha-256=:x:" };
const response = (status: number, retryAfter: string | null = null): AttemptResult => ({
  kind: "response",
  status,
  retryAfter,
  location: null,
});

let sequence = 0;
const job = (fields: Partial<DeliveryJob> = {}): DeliveryJob => ({
  activityId: `00000000-0000-4000-8000-${String(++sequence).padStart(12, "0")}`,
  actorId: "https://origin.example/users/alice",
  activityType: "Create",
  objectId: "https://origin.example/notes/1",
  host,
  inboxes: [inbox("a")],
  attempt: 1,
  firstAttemptAt: null,
  ...fields,
});

describe("DeliveryWorker", () => {
  let now: number;
  let standings: Map<string, HostStanding>;
  let answers: Map<string, AttemptResult>;
  let posted: string[];
  let reports: DeliveryReport[];
  let schedule: MemorySchedule;
  let waiting: WaitingLanes;
  let worker: DeliveryWorker;

  const build = (overrides: Partial<WorkerDependencies> = {}) => {
    const hosts = { of: (name: string) => standings.get(name) ?? { state: "healthy" as const, pausedUntil: null } };
    const admission = new HostAdmission(hosts);
    worker = new DeliveryWorker({
      bodies: { get: async () => body },
      keys: { get: async () => key, current: async () => key },
      sender: {
        post: async (_host, to) => {
          posted.push(to);
          return answers.get(to) ?? response(202);
        },
      },
      limiter: new HostLimiter((name) => (admission.onTrial(name) ? 1 : 4), 100),
      admission,
      hosts,
      waiting,
      retryPolicy: { baseMs: 1_000, maxDelayMs: 60_000, horizonMs: 3_600_000 },
      hostBacklog: 10,
      overflowDelayMs: 5_000,
      coalescing: true,
      reactionHoldMs: 0,
      report: async (batch) => void reports.push(...batch),
      clock: () => now,
      random: () => 0.5,
      ...overrides,
    });
  };

  beforeEach(async () => {
    now = 1_000_000;
    standings = new Map();
    answers = new Map();
    posted = [];
    reports = [];
    schedule = new MemorySchedule();
    waiting = new WaitingLanes(schedule);
    await waiting.assign(0);
    build();
  });

  const outcomes = () => reports.flatMap((report) => report.outcomes.map((outcome) => [outcome.inbox, outcome.outcome]));

  it("sends to every inbox and reports each outcome, scheduling nothing", async () => {
    await worker.handle(job({ inboxes: [inbox("a"), inbox("b")] }), 0);
    expect(posted.sort()).toEqual([inbox("a"), inbox("b")]);
    expect(outcomes().sort()).toEqual([
      [inbox("a"), "delivered"],
      [inbox("b"), "delivered"],
    ]);
    expect(reports[0]).toMatchObject({ attempt: 1, firstAttemptAt: now, at: new Date(now).toISOString() });
    expect(schedule.rows).toEqual([]);
  });

  it("settles a blocked host's job as blocked and a dead host's as parked, without a request", async () => {
    standings.set(host, { state: "blocked", pausedUntil: null });
    await worker.handle(job(), 0);
    standings.set(host, { state: "dead", pausedUntil: null });
    await worker.handle(job(), 0);
    expect(posted).toEqual([]);
    expect(reports.map((report) => report.outcomes[0])).toEqual([
      { inbox: inbox("a"), outcome: "blocked", status: null, reason: "host is blocked", durationMs: 0 },
      { inbox: inbox("a"), outcome: "parked", status: null, reason: "host is dead", durationMs: 0 },
    ]);
  });

  it("schedules the failed inboxes as the next attempt, in the job's lane", async () => {
    answers.set(inbox("b"), response(503));
    const first = job({ inboxes: [inbox("a"), inbox("b")] });
    await worker.handle(first, 0);
    expect(outcomes().sort()).toEqual([
      [inbox("a"), "delivered"],
      [inbox("b"), "retrying"],
    ]);
    expect(schedule.rows).toMatchObject([
      {
        partition: 0,
        lane: laneOf(first),
        reason: "retry",
        dueAt: now + 500,
        job: { inboxes: [inbox("b")], attempt: 2, firstAttemptAt: now },
      },
    ]);
    // The next job of the lane queues behind the waiting one instead of overtaking it.
    await worker.handle(job({ activityType: "Update" }), 0);
    expect(posted).toHaveLength(2);
    expect(schedule.rows.map((row) => row.reason)).toEqual(["retry", "queued"]);
  });

  it("keeps every job of a host that answered Retry-After waiting until then", async () => {
    answers.set(inbox("a"), response(429, "30"));
    await worker.handle(job(), 0);
    await worker.handle(job({ objectId: "https://origin.example/notes/2" }), 0);
    expect(posted).toEqual([inbox("a")]);
    expect(schedule.rows.map((row) => [row.reason, row.dueAt])).toEqual([
      ["retry-after", now + 30_000],
      ["retry-after", now + 30_000],
    ]);
  });

  it("lets one request through as a breaker's trial and defers the rest of the job", async () => {
    standings.set(host, { state: "failing", pausedUntil: now - 1 });
    await worker.handle(job({ inboxes: [inbox("a"), inbox("b")] }), 0);
    expect(posted).toHaveLength(1);
    expect(schedule.rows).toMatchObject([{ reason: "paused", dueAt: now + 1_000, job: { attempt: 1 } }]);
    expect(schedule.rows[0]?.job.inboxes).toHaveLength(1);
  });

  it("runs a scheduled head, takes it out of the schedule and makes the next row due", async () => {
    const retry = job({ attempt: 2, firstAttemptAt: now - 10_000 });
    const lane = laneOf(retry);
    await waiting.append(0, lane, retry, now, "retry");
    await waiting.append(0, lane, job({ activityType: "Update" }), now, "queued");
    const [head] = schedule.rows;
    await worker.runScheduled(head!);
    expect(posted).toEqual([inbox("a")]);
    expect(reports[0]).toMatchObject({ attempt: 2, firstAttemptAt: now - 10_000 });
    expect(schedule.rows.map((row) => row.reason)).toEqual(["queued"]);
    expect(waiting.isWaiting(0, lane)).toBe(true);
  });

  it("postpones a failing scheduled head in place", async () => {
    answers.set(inbox("a"), response(500));
    const retry = job({ attempt: 2, firstAttemptAt: now - 10_000 });
    await waiting.append(0, laneOf(retry), retry, now, "retry");
    const [head] = schedule.rows;
    await worker.runScheduled(head!);
    expect(schedule.rows).toMatchObject([{ id: head!.id, reason: "retry", dueAt: now + 1_000, job: { attempt: 3 } }]);
  });

  it("holds a reaction back first when configured, so an Undo can still cancel it", async () => {
    build({ reactionHoldMs: 2_000 });
    await worker.handle(job({ activityType: "Like" }), 0);
    expect(posted).toEqual([]);
    expect(schedule.rows).toMatchObject([{ reason: "reaction-hold", dueAt: now + 2_000 }]);
  });

  it("coalesces a Create with its queued Delete without changing the queued job", async () => {
    const create = job({ inboxes: [inbox("a"), inbox("b")] });
    const remove = job({ activityType: "Delete", inboxes: [inbox("a"), inbox("c")] });
    await worker.handle(create, 0, () => [remove]);
    expect(posted).toEqual([inbox("b")]);
    expect(remove.inboxes).toEqual([inbox("a"), inbox("c")]);
    // Handed over later, the Delete accounts for the inbox it lost and sends only the other.
    await worker.handle(remove, 0);
    expect(posted).toEqual([inbox("b"), inbox("c")]);
    expect(outcomes()).toEqual([
      [inbox("a"), "superseded"],
      [inbox("b"), "delivered"],
      [inbox("a"), "superseded"],
      [inbox("c"), "delivered"],
    ]);
  });

  it("sends a host more jobs than its backlog only after the running ones finish", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    build({
      hostBacklog: 1,
      sender: {
        post: async (_host, to) => {
          posted.push(to);
          await gate;
          return response(202);
        },
      },
    });
    const running = worker.handle(job(), 0);
    await worker.handle(job({ objectId: "https://origin.example/notes/2" }), 0);
    expect(schedule.rows).toMatchObject([{ reason: "overflow", dueAt: now + 5_000 }]);
    release();
    await running;
    expect(posted).toEqual([inbox("a")]);
  });
});
