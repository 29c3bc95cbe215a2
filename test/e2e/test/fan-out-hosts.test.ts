import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VirtualHost } from "@fediflow/fake-fediverse";
import { TestStack, createNote, metricSample, waitFor, type LocalActor } from "../src";

// Issue 4, items 3 to 5 end to end: blocked hosts never sent anything (counted blocked), dead
// hosts parked (counted parked), the total fixed when fan-out completes so the status is done
// exactly when delivered + failed + parked + blocked = total, and the gone-followers feed.
let t: TestStack;
let actor: LocalActor;
let hosts: Record<"shared" | "personal" | "gone410" | "gone404" | "blocked" | "dead", VirtualHost>;

beforeAll(async () => {
  t = await TestStack.start({
    fediverse: {
      hosts: [
        { sharedInbox: true },
        { sharedInbox: false },
        { sharedInbox: false, behaviour: { kind: "status", status: 410 } },
        { sharedInbox: true, behaviour: { kind: "status", status: 404 } },
        { sharedInbox: false },
        { sharedInbox: false, behaviour: { kind: "refuse" } },
      ],
      network: 85,
    },
    // One unreachable attempt makes a host dead, so the test need not wait seven days.
    serviceEnv: { "host-health": { FEDIFLOW_DEAD_AFTER_MS: "0" } },
  });
  const [shared, personal, gone410, gone404, blocked, dead] = t.fediverse.hosts as VirtualHost[];
  hosts = { shared: shared!, personal: personal!, gone410: gone410!, gone404: gone404!, blocked: blocked!, dead: dead! };
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

const follower = (host: VirtualHost, user: string, shared: boolean) => ({
  id: host.actorOf(user),
  inbox: host.inboxOf(user),
  ...(shared ? { sharedInbox: host.sharedInbox } : {}),
});
const feed = (query = "") => t.api("GET", `/v1/actors/${encodeURIComponent(actor.id)}/gone-followers${query}`);

describe("blocked and dead hosts, and the activity's accounting", () => {
  it("never sends to a blocked host, parks a dead host's inboxes, and is done exactly when every inbox is settled", async () => {
    // An operator blocks one server; another dies (it refuses connections; one failure is enough here).
    expect((await t.api("PUT", `/v1/hosts/${hosts.blocked.host}/block`)).status).toBe(204);
    await t.api("POST", "/v1/activities", {
      actor: actor.id,
      activity: createNote(actor.id),
      audience: { inboxes: [hosts.dead.inboxOf("d0")] },
    });
    const fanOutOps = t.stack.opsUrl("fan-out");
    await waitFor(
      "fan-out to see the blocked and the dead host",
      async () =>
        (await metricSample(fanOutOps, "fediflow_fanout_hosts", { state: "blocked" })) === 1 &&
        (await metricSample(fanOutOps, "fediflow_fanout_hosts", { state: "dead" })) === 1,
    );

    const followers = [
      ...["o1", "o2", "o3"].map((u) => follower(hosts.shared, u, true)),
      ...["p1", "p2"].map((u) => follower(hosts.personal, u, false)),
      ...["g1", "g2"].map((u) => follower(hosts.gone410, u, false)),
      ...["n1", "n2"].map((u) => follower(hosts.gone404, u, true)),
      ...["b1", "b2"].map((u) => follower(hosts.blocked, u, false)),
      ...["d1", "d2"].map((u) => follower(hosts.dead, u, false)),
    ];
    expect((await t.api("POST", "/v1/followers", { actor: actor.id, add: followers })).status).toBe(200);
    const activity = createNote(actor.id);
    const accepted = await t.api("POST", "/v1/activities", {
      actor: actor.id,
      activity,
      // A named actor on the blocked host (never fetched), and one whose document is missing.
      audience: { followers: true, actors: [hosts.blocked.actorOf("b3"), `${hosts.shared.origin}/nobody`] },
    });
    const id = accepted.body.id as string;

    type Status = { state: string; inboxes: Record<"total" | "delivered" | "failed" | "pending" | "parked" | "blocked", number> };
    const seen: Status[] = [];
    const done = await waitFor(
      "the activity to be done",
      async () => {
        const status = (await t.api<Status>("GET", `/v1/activities/${id}`)).body;
        seen.push(status);
        return status.state === "done" ? status : undefined;
      },
      90_000,
      25,
    );
    expect(done.inboxes).toEqual({ total: 12, delivered: 3, failed: 4, pending: 0, parked: 2, blocked: 3, superseded: 0 });
    for (const status of seen) {
      const { total, delivered, failed, parked, blocked, pending } = status.inboxes;
      const settled = delivered + failed + parked + blocked;
      expect(pending).toBe(total - settled);
      // Done exactly when everything is settled against the fixed total, never before.
      if (status.state === "done") expect(settled).toBe(12);
      else expect(status.state === "fanning_out" || settled < total).toBe(true);
    }

    const posts = t.fediverse.allReceived().filter((post) => post.activityId === activity.id);
    expect(posts.map((post) => post.inbox).sort()).toEqual(
      [
        hosts.shared.sharedInbox,
        hosts.personal.inboxOf("p1"),
        hosts.personal.inboxOf("p2"),
        hosts.gone410.inboxOf("g1"),
        hosts.gone410.inboxOf("g2"),
        hosts.gone404.sharedInbox,
      ].sort(),
    );
    expect(hosts.blocked.received).toHaveLength(0);
    expect(hosts.blocked.fetched).toHaveLength(0);
    expect((await t.api("GET", `/v1/hosts/${hosts.dead.host}`)).body).toMatchObject({ state: "dead" });
  });
});

describe("the gone-followers feed (extension)", () => {
  it("lists followers whose inbox answered 404/410 one by one, and a gone shared inbox once", async () => {
    type Entry = {
      id: string;
      kind: string;
      follower?: string;
      inbox: string;
      host: string;
      followers: number;
      status?: number;
      goneAt: string;
    };
    const all = await waitFor("three gone entries", async () => {
      const page = await feed();
      return page.status === 200 && (page.body.entries as Entry[]).length === 3 ? (page.body.entries as Entry[]) : undefined;
    });
    const byKind = (kind: string) => all.filter((entry) => entry.kind === kind);
    expect(byKind("sharedInbox")).toEqual([
      expect.objectContaining({ inbox: hosts.gone404.sharedInbox, host: hosts.gone404.host, followers: 2, status: 404 }),
    ]);
    expect(byKind("sharedInbox")[0]!.follower).toBeUndefined();
    expect(
      byKind("follower")
        .map((e) => [e.follower, e.inbox, e.status, e.followers])
        .sort(),
    ).toEqual([
      [hosts.gone410.actorOf("g1"), hosts.gone410.inboxOf("g1"), 410, 1],
      [hosts.gone410.actorOf("g2"), hosts.gone410.inboxOf("g2"), 410, 1],
    ]);
    const ids = all.map((entry) => Number(entry.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // Keyset pages.
    const first = await feed("?limit=2");
    expect((first.body.entries as Entry[]).map((e) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
    expect(first.body.next).toBe(all[1]!.id);
    const second = await feed(`?limit=2&after=${first.body.next as string}`);
    expect((second.body.entries as Entry[]).map((e) => e.id)).toEqual([all[2]!.id]);
    expect(second.body.next).toBeNull();
  });

  it("forgets acknowledged entries, and those of followers the application removed", async () => {
    const entries = (await feed()).body.entries as Array<{ id: string; kind: string; follower?: string }>;
    const shared = entries.find((e) => e.kind === "sharedInbox")!;
    const route = `/v1/actors/${encodeURIComponent(actor.id)}/gone-followers/acknowledge`;
    expect(await t.api("POST", route, { ids: [shared.id] })).toMatchObject({ status: 200, body: { acknowledged: 1 } });
    expect(await t.api("POST", route, { ids: [shared.id] })).toMatchObject({ status: 200, body: { acknowledged: 0 } });
    const [g1, g2] = entries.filter((e) => e.kind === "follower").sort((a, b) => Number(a.id) - Number(b.id));
    await t.api("POST", "/v1/followers", { actor: actor.id, remove: [g1!.follower!] });
    expect(((await feed()).body.entries as Array<{ id: string }>).map((e) => e.id)).toEqual([g2!.id]);
    expect(await t.api("POST", route, { upTo: g2!.id })).toMatchObject({ status: 200, body: { acknowledged: 1 } });
    expect(await feed()).toMatchObject({ status: 200, body: { entries: [], next: null } });
  });

  it("answers problems like the rest of the API", async () => {
    const ghost = encodeURIComponent("https://local.example/users/ghost");
    const cases: Array<[() => ReturnType<TestStack["api"]>, number, string]> = [
      [() => t.api("GET", `/v1/actors/${ghost}/gone-followers`), 404, "unknown-actor"],
      [() => t.api("POST", `/v1/actors/${ghost}/gone-followers/acknowledge`, { upTo: "5" }), 404, "unknown-actor"],
      [() => feed("?limit=0"), 400, "invalid-request"],
      [() => feed("?after=-1"), 400, "invalid-request"],
      [() => t.api("GET", `/v1/actors/not-an-iri/gone-followers`), 400, "invalid-request"],
      [() => t.api("POST", `/v1/actors/${encodeURIComponent(actor.id)}/gone-followers/acknowledge`, {}), 400, "invalid-request"],
      [() => t.api("GET", `/v1/actors/${ghost}/gone-followers`, undefined, { authorization: "Bearer nope" }), 401, "unauthorized"],
    ];
    for (const [request, status, slug] of cases) {
      const response = await request();
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      expect(response.body).toMatchObject({ type: `urn:fediflow:problem:${slug}`, status });
    }
  });
});
