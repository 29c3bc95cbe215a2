import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, ThrowawayRedis, createNote, waitFor, type LocalActor } from "../src";

// Readiness says "this pod can serve". A Redis outage must not take the activity API out of
// rotation: host-health stays ready (its listings and changes are PostgreSQL's), ingress stays
// ready whatever its peers do, and only the requests that need the missing part answer 503.
let redis: ThrowawayRedis;
let t: TestStack;
let actor: LocalActor;

const readyz = async (url: string) => {
  const response = await fetch(`${url}/readyz`);
  return {
    status: response.status,
    body: (await response.json()) as { checks: Record<string, string>; dependencies?: Record<string, string> },
  };
};
beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  t = await TestStack.start({ fediverse: { hosts: 1 }, env: { FEDIFLOW_REDIS_URL: redis.url } });
  actor = await t.registerActor("alice");
  const accepted = await t.api("POST", "/v1/activities", {
    actor: actor.id,
    activity: createNote(actor.id),
    audience: { inboxes: [t.fediverse.hosts[0]!.sharedInbox] },
  });
  await t.waitUntilDone(accepted.body.id as string);
  // Ingress no longer waits for host-health to be ready; the lookups below need its channel up.
  // Its detailed /readyz, with the peers, is on its ops port (issue 24).
  await waitFor(
    "ingress connected to host-health",
    async () => ((await readyz(t.stack.opsUrl("ingress"))).body.dependencies?.hostHealth === "ok" ? true : undefined),
    20_000,
  );
}, 240_000);
afterAll(async () => {
  await t?.stop();
  await redis?.stop();
});

const postActivity = () =>
  t.api("POST", "/v1/activities", {
    actor: actor.id,
    activity: createNote(actor.id),
    audience: { inboxes: [t.fediverse.hosts[0]!.sharedInbox] },
  });

describe("readiness through a Redis outage", () => {
  it("keeps host-health and ingress ready, and answers 503 only where Redis is needed", async () => {
    const host = t.fediverse.hosts[0]!.host;
    expect((await t.api("GET", `/v1/hosts/${host}`)).status).toBe(200);
    await redis.stop();

    const hostHealth = await waitFor(
      "host-health to notice Redis is gone",
      async () => {
        const answer = await readyz(t.stack.opsUrl("host-health"));
        return answer.body.dependencies?.redis !== "ok" ? answer : undefined;
      },
      20_000,
    );
    expect(hostHealth.status).toBe(200);
    expect(hostHealth.body.checks).toEqual({ database: "ok" });

    // A host lookup reads Redis: 503 with the documented problem, not a 500.
    const lookup = await t.api("GET", `/v1/hosts/${host}`);
    expect(lookup.status).toBe(503);
    expect(lookup.body.type).toBe("urn:fediflow:problem:storage-unavailable");
    // A listing reads PostgreSQL only, and the activity API needs no Redis at all.
    const listing = await t.api<{ hosts: Array<{ host: string }> }>("GET", "/v1/hosts?state=healthy");
    expect(listing.status).toBe(200);
    expect(listing.body.hosts.map((entry) => entry.host)).toContain(host);
    expect((await postActivity()).status).toBe(202);
    expect((await readyz(t.stack.opsUrl("ingress"))).status).toBe(200);
  });

  it("keeps ingress ready when host-health is out of its Service, even across a restart", async () => {
    // An unready host-health pod leaves its Service: to ingress it is simply unreachable.
    await t.stack.processes.get("host-health")!.stop();
    await t.stack.restart("ingress"); // resolves once /readyz answers 200
    expect((await postActivity()).status).toBe(202);
    const ingress = await readyz(t.stack.opsUrl("ingress"));
    expect(ingress.status).toBe(200);
    expect(ingress.body.dependencies?.outbox).toBe("ok");
    expect(ingress.body.dependencies?.hostHealth).not.toBe("ok");
    const hosts = await t.api("GET", "/v1/hosts");
    expect(hosts.status).toBe(503);
    expect(hosts.body.type).toBe("urn:fediflow:problem:service-unavailable");
  });

  it("serves host lookups again once Redis and host-health are back", async () => {
    await redis.start();
    await t.stack.restart("host-health");
    const host = t.fediverse.hosts[0]!.host;
    await waitFor(
      "a host lookup to answer",
      async () => ((await t.api("GET", `/v1/hosts/${host}`)).status === 200 ? true : undefined),
      20_000,
    );
  });
});
