import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeliveryJob, DeliveryReport } from "@fediflow/contracts";
import { HostStandings } from "@fediflow/host-view";
import { createLogger } from "@fediflow/logging";
import { createPool, createScratchDatabase, type Pool, type ScratchDatabase } from "@fediflow/postgres";
import { readActivity } from "../src/activity-reader";
import type { ExplicitAudience } from "../src/explicit-audience";
import { FanOut, type ActivityAudience, type FanOutDependencies } from "../src/fan-out";
import { FollowerPages } from "../src/follower-pages";
import { ProgressStore } from "../src/progress-store";
import { hostEvent } from "./host-events";

// FanOut against the machine's PostgreSQL (followers, checkpoints, leases, totals); the Kafka
// producer is replaced by a recorder, so a "crash" can be placed exactly. End to end with the
// real broker and a real kill -9: test/e2e/test/fan-out-crash.test.ts.
let database: ScratchDatabase;
let pool: Pool;
const actor = "https://local.example/users/alice";
const logger = createLogger("test", "silent");

/** 40 hosts: h00-h19 with a shared inbox (10 followers each), h20-h39 with 12 personal inboxes each. */
const hostName = (i: number) => `h${String(i).padStart(2, "0")}.example`;
const expectedInboxes = 20 + 20 * 12;

beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "fan-out-test", max: 6 });
  await pool.query("INSERT INTO actors (id, key_id, key_type, private_key_sealed) VALUES ($1, $1, 'rsa', '\\x00')", [actor]);
  await pool.query(
    `INSERT INTO followers (actor_id, follower_id, inbox, shared_inbox, target_inbox, target_host)
     SELECT $1, 'https://' || host || '/users/u' || n, 'https://' || host || '/users/u' || n || '/inbox',
            CASE WHEN h < 20 THEN 'https://' || host || '/inbox' END,
            CASE WHEN h < 20 THEN 'https://' || host || '/inbox' ELSE 'https://' || host || '/users/u' || n || '/inbox' END, host
       FROM (SELECT h, n, 'h' || lpad(h::text, 2, '0') || '.example' AS host
               FROM generate_series(0, 39) AS h, generate_series(1, 12) AS n WHERE h >= 20 OR n <= 10) f`,
    [actor],
  );
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

async function storeActivity(type = "Create", audience: ActivityAudience["audience"] = { followers: true, actors: [], inboxes: [] }) {
  const id = randomUUID();
  const objectId = `${actor}/notes/${id}`;
  await pool.query(
    `INSERT INTO activities (id, actor_id, activity_iri, activity_type, object_iri, body, audience, request_digest)
     VALUES ($1, $2, $3, $4, $5, '{}', $6, 'd')`,
    [id, actor, `${actor}/a/${id}`, type, objectId, JSON.stringify(audience)],
  );
  await pool.query("INSERT INTO activity_progress (activity_id) VALUES ($1)", [id]);
  return { activityId: id, actorId: actor, activityType: type, objectId };
}

/** What a fan-out published, and a way to make the Nth publish "crash" after it went out. */
class Recorder {
  jobs: DeliveryJob[] = [];
  reports: DeliveryReport[] = [];
  calls = 0;
  constructor(
    private readonly crashAfterCall = Infinity,
    private readonly delayMs = 0,
  ) {}
  publish = async (jobs: DeliveryJob[], reports: DeliveryReport[]) => {
    this.calls += 1;
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.jobs.push(...jobs);
    this.reports.push(...reports);
    // Published, then the process dies before its checkpoint: the worst moment.
    if (this.calls > this.crashAfterCall) throw new Error("process killed");
  };
  inboxes(): string[] {
    return [...this.jobs.flatMap((job) => job.inboxes), ...this.reports.flatMap((report) => report.outcomes.map((o) => o.inbox))];
  }
}

function fanOut(recorder: Recorder, options: Partial<FanOutDependencies> & { owner?: string; leaseMs?: number } = {}) {
  const pages = new FollowerPages(pool, 25);
  const noExplicit: ExplicitAudience = { targets: [], settled: [] };
  return new FanOut({
    readActivity: (id) => readActivity(pool, id),
    progress: new ProgressStore(pool, options.owner ?? randomUUID(), options.leaseMs ?? 10_000),
    followerPages: (actorId, after) => pages.after(actorId, after),
    explicitAudience: async () => noExplicit,
    forgetActor: async () => undefined,
    hosts: new HostStandings(),
    publish: recorder.publish,
    inboxesPerMessage: 5,
    checkpointMessages: 10,
    logger,
    ...options,
  });
}

const progressOf = async (activityId: string) =>
  (await pool.query("SELECT total, blocked, completed_at FROM activity_progress WHERE activity_id = $1", [activityId])).rows[0];

describe("FanOut", () => {
  it("publishes each inbox once in bounded per-host messages, settles blocked and dead hosts, fixes the total", async () => {
    const hosts = new HostStandings();
    hosts.apply(hostName(3), hostEvent(hostName(3), "blocked"));
    hosts.apply(hostName(25), hostEvent(hostName(25), "dead"));
    const explicit: ExplicitAudience = {
      // A follower's shared inbox named again, and a new inbox: one delivery each.
      targets: [
        { host: hostName(0), inbox: `https://${hostName(0)}/inbox` },
        { host: "zz.example", inbox: "https://zz.example/inbox" },
      ],
      settled: [{ actorId: "https://gone.example/users/x", host: "gone.example", outcome: "rejected", status: 410, reason: "HTTP 410" }],
    };
    const recorder = new Recorder();
    const message = await storeActivity("Create", { followers: true, actors: ["https://gone.example/users/x"], inboxes: [] });
    const summary = await fanOut(recorder, { hosts, explicitAudience: async () => explicit }).run(message);

    const inboxes = recorder.inboxes();
    expect(inboxes.length).toBe(expectedInboxes + 2);
    expect(new Set(inboxes).size).toBe(inboxes.length);
    expect(summary).toMatchObject({ total: expectedInboxes + 2, inboxes: expectedInboxes + 2, blocked: 1, parked: 12, resumed: false });
    for (const job of recorder.jobs) {
      expect(job.inboxes.length).toBeLessThanOrEqual(5);
      expect(job.inboxes.every((inbox) => new URL(inbox).host === job.host)).toBe(true);
    }
    // h20-h39 have 12 personal inboxes each: three messages of at most 5.
    expect(recorder.jobs.filter((job) => job.host === hostName(30)).map((job) => job.inboxes.length)).toEqual([5, 5, 2]);
    const settled = recorder.reports.map((r) => [r.host, r.outcomes[0]!.outcome, r.outcomes.length]);
    expect(settled).toEqual(
      expect.arrayContaining([
        ["gone.example", "rejected", 1],
        [hostName(3), "blocked", 1],
        [hostName(25), "parked", 5],
      ]),
    );
    expect(recorder.jobs.some((job) => job.host === hostName(3) || job.host === hostName(25))).toBe(false);
    expect(await progressOf(message.activityId)).toMatchObject({ total: expectedInboxes + 2, completed_at: null });
  });

  it("never starts a second fan-out when the activity message is redelivered", async () => {
    const message = await storeActivity();
    const first = new Recorder();
    await fanOut(first).run(message);
    const again = new Recorder();
    expect(await fanOut(again).run(message)).toBeNull();
    expect(again.calls).toBe(0);
  });

  it("resumes after a crash from its checkpoint: every inbox published, at most the window twice", async () => {
    const message = await storeActivity();
    const crashed = new Recorder(7);
    await expect(fanOut(crashed, { owner: "killed", leaseMs: 400 }).run(message)).rejects.toThrow("process killed");
    const checkpoint = (
      await pool.query("SELECT inboxes, messages, completed_at FROM fanout_checkpoints WHERE activity_id = $1", [message.activityId])
    ).rows[0];
    expect(checkpoint.completed_at).toBeNull();
    expect(checkpoint.inboxes).toBeGreaterThan(0);
    expect(checkpoint.inboxes).toBeLessThan(expectedInboxes);

    // The restarted process is another owner: it waits for the dead one's lease to run out.
    const resumed = new Recorder();
    const started = Date.now();
    const summary = await fanOut(resumed, { owner: "restarted", leaseMs: 400 }).run(message);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(summary).toMatchObject({ resumed: true, total: expectedInboxes });

    const all = [...crashed.inboxes(), ...resumed.inboxes()];
    expect(new Set(all).size).toBe(expectedInboxes);
    const messagesTwice = crashed.jobs.length + resumed.jobs.length - checkpoint.messages - summary!.messages;
    expect(messagesTwice).toBeGreaterThanOrEqual(0);
    expect(messagesTwice).toBeLessThanOrEqual(10);
    expect(all.length - expectedInboxes).toBeLessThanOrEqual(10 * 5);
    expect(await progressOf(message.activityId)).toMatchObject({ total: expectedInboxes });
  });

  it("lets one process fan an activity out while another that got the same message waits, then does nothing", async () => {
    const message = await storeActivity();
    const a = new Recorder(Infinity, 5);
    const b = new Recorder();
    const [first, second] = await Promise.all([
      fanOut(a, { owner: "a", leaseMs: 2_000 }).run(message),
      fanOut(b, { owner: "b", leaseMs: 2_000 }).run(message),
    ]);
    expect([first === null, second === null].sort()).toEqual([false, true]);
    const inboxes = [...a.inboxes(), ...b.inboxes()];
    expect(inboxes.length).toBe(expectedInboxes);
    expect(new Set(inboxes).size).toBe(expectedInboxes);
  });

  it("drops a cached actor when an Update or Delete of it passes through", async () => {
    const forgotten: string[] = [];
    const update = await storeActivity("Update");
    await fanOut(new Recorder(), { forgetActor: async (id) => void forgotten.push(id) }).run(update);
    const create = await storeActivity("Create");
    await fanOut(new Recorder(), { forgetActor: async (id) => void forgotten.push(id) }).run(create);
    expect(forgotten).toEqual([update.objectId]);
  });
});
