import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, createScratchDatabase, planNodes, sequentialScans, type Pool, type ScratchDatabase } from "@fediflow/postgres";
import type { DeliveryReport } from "@fediflow/contracts";
import type { ParkedDelivery } from "../src/parked";
import { discardedReports } from "../src/parked";
import { ParkedStore, claimFreshSql, claimHostSql, expireSql, laneRowsSql, parkedPageSql, replayableHostsSql } from "../src/parked-store";
import { dueProbesSql } from "../src/prober";

let database: ScratchDatabase;
let pool: Pool;
let store: ParkedStore;

const activity = (n: number) => `0190f1a2-0000-7000-8000-${String(n).padStart(12, "0")}`;
const parked = (host: string, n: number, parkedAt: number): ParkedDelivery => ({
  activityId: activity(n),
  inbox: `https://${host}/users/u${n}/inbox`,
  host,
  parkedAt,
  attempted: false,
  job: { activityId: activity(n), actorId: "https://local.example/users/alice", activityType: "Create", objectId: null },
});
const noSettle = async () => {};
const setState = (host: string, state: string) =>
  pool.query("INSERT INTO hosts (host, state) VALUES ($1, $2) ON CONFLICT (host) DO UPDATE SET state = excluded.state", [host, state]);

beforeAll(async () => {
  database = await createScratchDatabase();
  pool = createPool({ connectionString: database.url, applicationName: "parked-test", max: 4 });
  store = new ParkedStore(pool);
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe("the park", () => {
  it("keeps the first park time, and offers only hosts that are neither dead nor blocked", async () => {
    await store.park([parked("dead.example", 1, 1_000), parked("blocked.example", 2, 1_000), parked("back.example", 3, 1_000)], 0, noSettle);
    await store.park([parked("back.example", 3, 9_000), parked("never-heard.example", 4, 1_000)], 0, noSettle);
    await setState("dead.example", "dead");
    await setState("blocked.example", "blocked");
    await setState("back.example", "healthy");
    expect(await store.replayableHosts(10)).toEqual(["back.example", "never-heard.example"]);
    const sent: ParkedDelivery[][] = [];
    await store.replay("back.example", 0, { fresh: 10, stale: 10 }, async (deliveries) => void sent.push(deliveries));
    expect(sent).toEqual([[expect.objectContaining({ activityId: activity(3), parkedAt: 1_000 })]]);
    await pool.query("DELETE FROM parked_deliveries");
  });

  it("replays each parked delivery once, even with several replayers at once, at most `fresh` per round", async () => {
    const host = "revived.example";
    await store.park(Array.from({ length: 50 }, (_, n) => parked(host, 100 + n, 10_000 + n)), 0, noSettle);
    const sent: string[] = [];
    const round = () =>
      store.replay(host, 0, { fresh: 7, stale: 10 }, async (deliveries) => void sent.push(...deliveries.map((d) => d.inbox)));
    const counts = await Promise.all([round(), round(), round()]);
    expect(counts.every((n) => n <= 7)).toBe(true);
    while ((await round()) > 0);
    expect(sent).toHaveLength(50);
    expect(new Set(sent).size).toBe(50);
  });

  it("replays in the order deliveries were parked, though one batch shares one park time", async () => {
    const host = "ordered.example";
    const order = [7, 3, 9, 1, 5];
    await store.park(order.map((n) => parked(host, 400 + n, 5_000)), 0, noSettle);
    const sent: string[] = [];
    while (
      (await store.replay(host, 0, { fresh: 2, stale: 10 }, async (deliveries) => void sent.push(...deliveries.map((d) => d.activityId)))) >
      0
    );
    expect(sent).toEqual(order.map((n) => activity(400 + n)));
  });

  it("nothing is lost when sending fails: the rows stay parked", async () => {
    const host = "flaky-broker.example";
    await store.park([parked(host, 200, 1_000)], 0, noSettle);
    await expect(
      store.replay(host, 0, { fresh: 10, stale: 10 }, async () => {
        throw new Error("broker down");
      }),
    ).rejects.toThrow("broker down");
    expect(await store.count()).toBe(1);
    await pool.query("DELETE FROM parked_deliveries");
  });

  it("parked longer than the cutoff: taken by the stale claim and by expiry, whatever the host's state", async () => {
    await store.park([parked("dead.example", 300, 1_000), parked("dead.example", 301, 50_000)], 0, noSettle);
    const stale: ParkedDelivery[] = [];
    expect(await store.expire(10_000, 100, async (deliveries) => void stale.push(...deliveries))).toBe(1);
    expect(stale.map((d) => d.activityId)).toEqual([activity(300)]);
    expect(await store.count()).toBe(1);
    await pool.query("DELETE FROM parked_deliveries");
  });

  it("coalesces a lane as it is parked: a Create and its Delete leave together, a newer Update replaces the older", async () => {
    const host = "gone-a-week.example";
    const inbox = `https://${host}/inbox`;
    const about = (n: number, activityType: string, objectId: string, attempted = false): ParkedDelivery => ({
      ...parked(host, n, 1_000),
      inbox,
      attempted,
      job: { activityId: activity(n), actorId: "https://local.example/users/alice", activityType, objectId, activityIri: `https://local.example/a/${n}` },
    });
    const settled: DeliveryReport[] = [];
    const settle = async (reports: DeliveryReport[]) => void settled.push(...reports);
    await store.park([about(500, "Create", "note-1"), about(501, "Update", "note-1")], 0, settle);
    await store.park([about(502, "Update", "note-1"), about(510, "Update", "note-2")], 0, settle);
    expect(settled.map((r) => [r.activityId, r.outcomes[0]!.outcome, r.outcomes[0]!.reason])).toEqual([[activity(501), "superseded", "coalesced: replaced"]]);
    await store.park([about(503, "Delete", "note-1")], 0, settle);
    expect(settled.slice(1).map((r) => r.activityId).sort()).toEqual([activity(500), activity(502), activity(503)]);
    // The other note is untouched; a Create tried before it was parked is never cancelled.
    await store.park([about(520, "Create", "note-3", true), about(521, "Delete", "note-3")], 0, settle);
    const left = await pool.query<{ activity_id: string }>("SELECT activity_id FROM parked_deliveries WHERE host = $1 ORDER BY seq", [host]);
    expect(left.rows.map((row) => row.activity_id)).toEqual([activity(510), activity(520), activity(521)]);
    await pool.query("DELETE FROM parked_deliveries");
  });
});

describe("host-health's hot queries use their indexes (100,000 hosts, 200,000 parked deliveries)", () => {
  beforeAll(async () => {
    await pool.query(
      `INSERT INTO hosts (host, state, next_probe_at)
       SELECT 'h' || n || '.example', CASE WHEN n % 20 = 0 THEN 'dead' ELSE 'healthy' END,
              CASE WHEN n % 20 = 0 THEN now() + interval '1 second' * n END
         FROM generate_series(1, 100000) n ON CONFLICT DO NOTHING`,
    );
    await pool.query(
      `INSERT INTO parked_deliveries (activity_id, inbox, host, job, parked_at)
       SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'https://h' || (n % 2000) * 20 || '.example/users/' || n || '/inbox',
              'h' || (n % 2000) * 20 || '.example', '{}', now() - interval '1 second' * n
         FROM generate_series(1, 200000) n`,
    );
    await pool.query("VACUUM ANALYZE");
  }, 120_000);

  it("due probes: the partial index of dead hosts", async () => {
    const nodes = await planNodes(pool, dueProbesSql, [Date.now(), 500]);
    expect(sequentialScans(nodes)).toEqual([]);
    expect(nodes.some((node) => node["Index Name"] === "hosts_probe_due")).toBe(true);
  });

  it("lists a host's park in arrival order, page by page, and discards it settled discarded", async () => {
    const host = "gone-for-good.example";
    await store.park([1, 2, 3, 4, 5].map((n) => parked(host, 600 + n, 1_000 + n)), 0, noSettle);
    await store.park([parked("other.example", 700, 1_000)], 0, noSettle);
    const first = await store.page(host, "0", 3);
    expect(first.map((row) => row.activityId)).toEqual([601, 602, 603].map(activity));
    const second = await store.page(host, first[2]!.seq, 3);
    expect(second.map((row) => row.activityId)).toEqual([604, 605].map(activity));
    const settled: DeliveryReport[] = [];
    let taken: number;
    let total = 0;
    do {
      taken = await store.discard(host, 2, async (deliveries) => void settled.push(...discardedReports(deliveries, 5_000)));
      total += taken;
    } while (taken === 2);
    expect(total).toBe(5);
    expect(settled.flatMap((r) => r.outcomes.map((o) => [r.activityId, o.outcome]))).toEqual(
      [601, 602, 603, 604, 605].map((n) => [activity(n), "discarded"]),
    );
    expect(await store.page(host, "0", 10)).toEqual([]);
    expect(await store.page("other.example", "0", 10)).toHaveLength(1);
    await pool.query("DELETE FROM parked_deliveries WHERE host = 'other.example'");
  });

  it("a host's park page and discard: index scans of (host, seq)", async () => {
    for (const [sql, params] of [
      [parkedPageSql, ["h1.example", "0", 100]],
      [claimHostSql, ["h1.example", 1000]],
    ] as const) {
      const nodes = await planNodes(pool, sql, [...params]);
      expect(sequentialScans(nodes)).toEqual([]);
      expect(nodes.some((node) => node["Index Name"] === "parked_deliveries_by_host")).toBe(true);
    }
  });

  it("replayable hosts: a loose index scan of the park, one probe per host", async () => {
    expect(sequentialScans(await planNodes(pool, replayableHostsSql, [1000]))).toEqual([]);
  });

  it("claiming a host's oldest and expiring the oldest overall", async () => {
    expect(sequentialScans(await planNodes(pool, claimFreshSql, ["h20.example", new Date(0).toISOString(), 20]))).toEqual([]);
    expect(sequentialScans(await planNodes(pool, expireSql, [new Date().toISOString(), 1000]))).toEqual([]);
  });

  it("a newly parked delivery's lane", async () => {
    const nodes = await planNodes(pool, laneRowsSql, [["h20.example"], ["https://local.example/notes/1"], ["https://h20.example/users/1/inbox"]]);
    expect(sequentialScans(nodes)).toEqual([]);
  });
});
