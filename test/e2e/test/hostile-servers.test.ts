import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxReasonBytes } from "@fediflow/contracts";
import { FakeDns } from "@fediflow/fake-fediverse";
import { TestStack, acceptedCounts, createNote, storedOutcomes, waitFor, type LocalActor } from "../src";

const timeoutMs = 3_000;
const names = ["ok", "trickle", "huge", "reset", "redirect", "tls", "blackhole"] as const;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

describe("hostile remote servers", () => {
  let t: TestStack;
  let dns: FakeDns;
  let actor: LocalActor;

  beforeAll(async () => {
    dns = await FakeDns.start();
    t = await TestStack.start({
      fediverse: {
        hosts: [
          { behaviour: { kind: "ok" } },
          { behaviour: { kind: "trickle" } },
          { behaviour: { kind: "huge", megabytes: 200 } },
          { behaviour: { kind: "reset" } },
          { behaviour: { kind: "ok" } }, // redirect loop, set below once its own URL is known
          { behaviour: { kind: "ok" }, selfSignedTls: true },
          { behaviour: { kind: "blackHole" } },
        ],
      },
      env: {
        FEDIFLOW_DNS_SERVERS: dns.address,
        FEDIFLOW_DELIVERY_REQUEST_TIMEOUT_MS: String(timeoutMs),
        FEDIFLOW_DELIVERY_CONNECT_TIMEOUT_MS: "2000",
        // One attempt each: the first failure is final, with its reason on record.
        FEDIFLOW_RETRY_HORIZON_MS: "1",
      },
    });
    t.fediverse.hosts.forEach((host, i) => dns.set(`${names[i]}.fedi.test`, [host.address]));
    const redirect = t.fediverse.hosts[4]!;
    await t.fediverse.setBehaviour(redirect.host, {
      kind: "redirect",
      status: 302,
      location: `http://redirect.fedi.test:${redirect.port}/inbox`,
    });
    actor = await t.registerActor("alice");
  });
  afterAll(async () => {
    await t?.stop();
    await dns?.stop();
  });

  it("hold no worker past its timeout and cost bounded memory", async () => {
    const inbox = (name: string, host: { port: number; origin: string }) =>
      `${host.origin.startsWith("https") ? "https" : "http"}://${name}.fedi.test:${host.port}/inbox`;
    const inboxes = names.map((name, i) => inbox(name, t.fediverse.hosts[i]!));
    inboxes.push(`http://missing.fedi.test:${t.fediverse.port}/inbox`);
    const pid = t.stack.processes.get("delivery")!.pid!;
    const rssBefore = rssMb(pid);
    const submitted = Date.now();
    const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity: createNote(actor.id), audience: { inboxes } });
    const status = await t.waitUntilDone(accepted.body.id as string, 30_000);
    const settledIn = Date.now() - submitted;
    // Every attempt ended by the request timeout (plus the pipeline's own latency).
    expect(settledIn).toBeLessThan(timeoutMs + 5_000);
    expect(status.inboxes).toMatchObject({ total: 8, delivered: 2, failed: 6 });

    const outcomes = await storedOutcomes(t, accepted.body.id as string);
    const of = (i: number) => outcomes.get(inboxes[i]!);
    expect(of(0)?.outcome).toBe("delivered");
    expect(of(1)?.reason).toMatch(/^timeout; gave up/);
    expect(of(2)).toMatchObject({ outcome: "delivered", status: 202 }); // a huge answer is read up to 64 KiB, then dropped
    expect(of(3)?.reason).toMatch(/^connection reset; gave up/);
    expect(of(4)).toMatchObject({ outcome: "rejected", status: 302 });
    expect(of(4)?.reason).toContain("redirect to http://redirect.fedi.test");
    expect(of(5)?.reason).toMatch(/^TLS: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN); gave up/);
    expect(of(6)?.reason).toMatch(/^timeout; gave up/);
    expect(outcomes.get(inboxes[7]!)?.reason).toMatch(/^DNS lookup failed; gave up/);

    // 200 MB offered; the process read 64 KiB of it.
    expect(rssMb(pid) - rssBefore).toBeLessThan(100);
    // The redirect was never followed: its host saw exactly one request.
    expect(t.fediverse.hosts[4]!.received).toHaveLength(1);
  });
});

describe("hostile Retry-After and Location headers", () => {
  let t: TestStack;
  let actor: LocalActor;
  const maxDelayMs = 2_000;
  const horizonMs = 20_000;
  const healthyCount = 6;
  const hostileRetryAfter = ["10000000000000", "Fri, 31 Dec 9999 23:59:59 GMT", "9".repeat(400)];
  // Under undici's 16 KiB header limit; 100 such reasons in one report would pass Kafka's 1 MB.
  const hugeLocation = `https://elsewhere.example/${"a".repeat(15_000)}`;

  beforeAll(async () => {
    t = await TestStack.start({
      fediverse: {
        hosts: [
          ...Array.from({ length: healthyCount }, () => ({ behaviour: { kind: "ok" as const } })),
          ...hostileRetryAfter.map((value, i) => ({ behaviour: { kind: "retryAfter" as const, value, status: i === 2 ? 503 : 429 } })),
          { behaviour: { kind: "redirect", status: 301, location: hugeLocation } },
        ],
      },
      env: {
        FEDIFLOW_RETRY_BASE_MS: "500",
        FEDIFLOW_RETRY_MAX_DELAY_MS: String(maxDelayMs),
        FEDIFLOW_RETRY_HORIZON_MS: String(horizonMs),
        // Ten activities failing at once must not trip the circuit breaker: its 30 s pause, past
        // the 20 s horizon, expires a delivery without asking again, which is not what this tests
        // (the 503 host stays out of it too: this test is about what the servers ask for).
        FEDIFLOW_BREAKER_THRESHOLD: "1000",
      },
    });
    actor = await t.registerActor("alice");
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("are honoured within the retry policy, cut short in reasons, and healthy hosts keep their pace", async () => {
    const healthy = t.fediverse.hosts.slice(0, healthyCount);
    const hostile = t.fediverse.hosts.slice(healthyCount, healthyCount + hostileRetryAfter.length);
    const redirect = t.fediverse.hosts[healthyCount + hostileRetryAfter.length]!;
    const redirectInboxes = Array.from({ length: 100 }, (_, i) => redirect.inboxOf(`reader${i}`));
    const inboxes = [...[...healthy, ...hostile].map((host) => host.inboxOf("reader")), ...redirectInboxes];
    const submitted = Date.now();
    const ids: string[] = [];
    const activities = Array.from({ length: 10 }, () => createNote(actor.id));
    for (const activity of activities) {
      const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity, audience: { inboxes } });
      expect(accepted.status).toBe(202);
      ids.push(accepted.body.id as string);
    }

    // Every healthy host has all ten before the first hostile delivery could expire.
    const complete = await waitFor(
      "every healthy host to receive all ten activities",
      () => (healthy.every((host) => host.received.filter((post) => post.status === 202).length === 10) ? Date.now() : undefined),
      60_000,
      50,
    );
    expect(complete - submitted).toBeLessThan(horizonMs);
    // The figure issue 24 started from (0 of 60 in 60 s beside one such host), for the record.
    console.info(
      `healthy hosts: ${healthyCount * activities.length} of ${healthyCount * activities.length} deliveries in ${complete - submitted} ms beside ${hostile.length} hosts asking for Retry-After ${hostileRetryAfter.map((v) => v.slice(0, 20)).join(" / ")}`,
    );
    expect([...acceptedCounts(t.fediverse).values()].every((count) => count === 1)).toBe(true);
    // What waits for the hostile hosts waits at most FEDIFLOW_RETRY_MAX_DELAY_MS (the margin: one poll and a slow machine).
    const latest = await t.db.query<{ ms: number | null }>(
      "SELECT max(extract(epoch FROM due_at) * 1000)::float8 AS ms FROM delivery_schedule",
    );
    expect(latest.rows[0]!.ms ?? 0).toBeLessThan(Date.now() + maxDelayMs + 1_000);

    // Every activity settles: the hostile hosts' deliveries expire at the horizon, not in year 9999.
    for (const id of ids) {
      const status = await t.waitUntilDone(id, horizonMs + 45_000);
      expect(status.inboxes).toMatchObject({ total: inboxes.length, delivered: healthyCount, failed: hostile.length + 100 });
    }
    for (const id of ids) {
      const outcomes = await storedOutcomes(t, id);
      for (const host of hostile) expect(outcomes.get(host.inboxOf("reader"))?.outcome).toBe("expired");
      for (const inbox of redirectInboxes) {
        const outcome = outcomes.get(inbox)!;
        expect(outcome).toMatchObject({ outcome: "rejected", status: 301 });
        expect(outcome.reason).toMatch(/^HTTP 301: redirect to https:\/\/elsewhere\.example\/a+…$/);
        expect(Buffer.byteLength(outcome.reason!)).toBeLessThanOrEqual(maxReasonBytes);
      }
    }
    // The hostile hosts were asked again, and no delivery was due past its horizon (the margin:
    // the schedule's poll and a loaded machine between a due time and the request).
    // A host that keeps asking for time holds its other deliveries too, so one activity may
    // reach its horizon before its turn: asked again is checked per host, the horizon per activity.
    for (const host of hostile) {
      expect(host.received.length).toBeGreaterThan(activities.length);
      for (const activity of activities) {
        const times = host.received.filter((post) => post.activityId === activity.id).map((post) => post.receivedAt);
        if (times.length > 0) expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(horizonMs + maxDelayMs);
      }
    }
    expect(readFileSync(t.logFile, "utf8")).not.toMatch(/timestamp out of range|message size too large/i);
  });
});
