import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, createNote, storedOutcomes, waitFor, type LocalActor } from "../src";

let t: TestStack;
let actor: LocalActor;

// Compressed time: retries within a few hundred ms, give up after 8 s; the breaker trips after
// 4 unreachable attempts and pauses 2 s, doubling.
beforeAll(async () => {
  t = await TestStack.start({
    fediverse: {
      hosts: [
        { behaviour: { kind: "ok" } },
        { behaviour: { kind: "status", status: 410 } },
        { behaviour: { kind: "status", status: 404 } },
        { behaviour: { kind: "status", status: 403 } },
        { behaviour: { kind: "redirect", status: 301, location: "https://elsewhere.example/inbox" } },
        // Within the 1 s cap on any delay here: a longer Retry-After is cut to it (issue 24).
        { behaviour: { kind: "rateLimited", retryAfterSeconds: 1, times: 1 } },
        { behaviour: { kind: "refuse" } },
        { behaviour: { kind: "ok" }, signatures: "rfc9421" },
        // Recovers once it has answered one 503: its delivery is retried until it lands.
        { behaviour: { kind: "status", status: 503, times: 1 } },
        { behaviour: { kind: "status", status: 503 } },
      ],
    },
    env: {
      FEDIFLOW_RETRY_BASE_MS: "300",
      FEDIFLOW_RETRY_MAX_DELAY_MS: "1000",
      FEDIFLOW_RETRY_HORIZON_MS: "8000",
      FEDIFLOW_SCHEDULE_POLL_MS: "100",
      FEDIFLOW_BREAKER_THRESHOLD: "4",
      FEDIFLOW_BREAKER_COOLDOWN_MS: "2000",
      FEDIFLOW_BREAKER_COOLDOWN_MAX_MS: "8000",
    },
  });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

describe("delivery outcomes", () => {
  it("classifies every answer, honours Retry-After, double-knocks, retries and expires", async () => {
    const hosts = t.fediverse.hosts;
    const inboxes = hosts.slice(0, 8).map((host) => host.inboxOf("bob"));
    inboxes.push(hosts[8]!.inboxOf("bob"));
    const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity: createNote(actor.id), audience: { inboxes } });
    expect(accepted.status).toBe(202);
    const id = accepted.body.id as string;
    const status = await t.waitUntilDone(id, 60_000);
    expect(status.inboxes).toEqual({ total: 9, delivered: 4, failed: 5, pending: 0, parked: 0, blocked: 0, superseded: 0 });

    const outcomes = await storedOutcomes(t, id);
    const of = (i: number) => outcomes.get(hosts[i]!.inboxOf("bob"));
    expect(of(0)).toMatchObject({ outcome: "delivered", status: 202, attempt: 1 });
    expect(of(1)).toMatchObject({ outcome: "gone", status: 410 });
    expect(of(2)).toMatchObject({ outcome: "gone", status: 404 });
    expect(of(3)).toMatchObject({ outcome: "rejected", status: 403, reason: "HTTP 403" });
    expect(of(4)).toMatchObject({
      outcome: "rejected",
      status: 301,
      reason: "HTTP 301: redirect to https://elsewhere.example/inbox not followed for POST",
    });
    expect(of(5)).toMatchObject({ outcome: "delivered", status: 202, attempt: 2 });
    expect(of(6)?.outcome).toBe("expired");
    // Expired either by its own retries, or because the circuit breaker held the refusing host
    // past the delivery's horizon (issue 24: no host holds a delivery past it).
    expect(of(6)?.reason).toMatch(/^(connection refused; gave up after \d+ attempts|the host held it past the retry horizon)/);
    expect(of(7)).toMatchObject({ outcome: "delivered", status: 202, attempt: 1 });
    expect(of(8)?.outcome).toBe("delivered");
    expect(of(8)!.attempt).toBeGreaterThan(1);

    // Retry-After: 1 s between the 429 and the accepted retry.
    const limited = hosts[5]!.received;
    expect(limited.map((post) => post.status)).toEqual([429, 202]);
    expect(limited[1]!.receivedAt - limited[0]!.receivedAt).toBeGreaterThanOrEqual(900);

    // Double knock: draft-cavage refused with 401, RFC 9421 accepted; the host is remembered.
    expect(hosts[7]!.received.map((post) => [post.signatureScheme, post.status])).toEqual([
      ["draft-cavage", 401],
      ["rfc9421", 202],
    ]);
    const again = await t.api("POST", "/v1/activities", {
      actor: actor.id,
      activity: createNote(actor.id),
      audience: { inboxes: [hosts[7]!.inboxOf("bob")] },
    });
    await t.waitUntilDone(again.body.id as string);
    expect(hosts[7]!.received.map((post) => post.signatureScheme)).toEqual(["draft-cavage", "rfc9421", "rfc9421"]);
  });

  it("holds a failing host with the circuit breaker instead of hammering it", async () => {
    const failing = t.fediverse.hosts[9]!;
    const lanes = Array.from({ length: 6 }, () => createNote(actor.id));
    for (const activity of lanes) {
      await t.api("POST", "/v1/activities", { actor: actor.id, activity, audience: { inboxes: [failing.inboxOf("carol")] } });
    }
    // host-health trips the breaker after 4 unreachable attempts and publishes the pause.
    const paused = await waitFor(
      "the breaker to trip",
      async () => {
        const host = await t.api("GET", `/v1/hosts/${failing.host}`);
        return host.body.state === "failing" && (host.body.failures as number) >= 4 ? Date.now() : undefined;
      },
      30_000,
      50,
    );
    const before = failing.received.length;
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const during = failing.received.filter((post) => post.receivedAt > paused + 500).length;
    // Without the breaker, six lanes retrying every few hundred ms would send dozens of
    // requests in 6 s; paused (2 s, then 4 s) only single trial requests get through.
    expect(before).toBeGreaterThanOrEqual(4);
    expect(during).toBeLessThanOrEqual(3);
    // ...and the trials do happen: the host is held, not forgotten.
    expect(during).toBeGreaterThanOrEqual(1);
  });
});
