import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, createNote, waitFor, type LocalActor } from "../src";

let t: TestStack;
let actor: LocalActor;
const perMinute = 40;

beforeAll(async () => {
  t = await TestStack.start({ fediverse: { hosts: 1 }, env: { FEDIFLOW_API_RATE_LIMIT_PER_MINUTE: String(perMinute) } });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

describe("ingress refuses what it must, precisely, storing nothing", () => {
  it("answers a repeated idempotency key with the same activity, and 409 for another body", async () => {
    const host = t.fediverse.hosts[0]!;
    const activity = createNote(actor.id);
    const request = { actor: actor.id, activity, audience: { inboxes: [host.inboxOf("bob")] }, idempotencyKey: "post-42" };
    const first = await t.api("POST", "/v1/activities", request);
    const again = await t.api("POST", "/v1/activities", request);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    const before = await t.count("activities");
    const conflict = await t.api("POST", "/v1/activities", { ...request, activity: { ...activity, type: "Update" } });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ type: "urn:fediflow:problem:idempotency-conflict", status: 409 });
    expect(await t.count("activities")).toBe(before);
    await t.waitUntilDone(first.body.id as string);
    // Delivered once, not once per request.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(host.received.filter((post) => post.activityId === activity.id)).toHaveLength(1);
  });

  it("refuses bodies nested too deep", async () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 40; i += 1) deep = { next: deep };
    const before = await t.count("activities");
    const response = await t.api("POST", "/v1/activities", {
      actor: actor.id,
      activity: { ...createNote(actor.id), deep },
      audience: { followers: true },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ type: "urn:fediflow:problem:too-deep" });
    expect(await t.count("activities")).toBe(before);
  });

  it("stores IDN hosts in their ASCII form", async () => {
    const response = await t.api("POST", "/v1/followers", {
      actor: actor.id,
      add: [
        {
          id: "https://bücher.example/users/anna",
          inbox: "https://bücher.example/users/anna/inbox",
          sharedInbox: "https://Bücher.Example/inbox",
        },
      ],
    });
    expect(response).toMatchObject({ status: 200, body: { added: 1 } });
    const row = await t.db.query("SELECT target_host, target_inbox FROM followers WHERE follower_id = $1", [
      "https://xn--bcher-kva.example/users/anna",
    ]);
    expect(row.rows[0]).toEqual({ target_host: "xn--bcher-kva.example", target_inbox: "https://xn--bcher-kva.example/inbox" });
  });

  it("limits requests per token, with Retry-After", async () => {
    let limited: Awaited<ReturnType<TestStack["api"]>> | undefined;
    await waitFor(
      "the rate limit",
      async () => {
        const response = await t.api("GET", "/v1/hosts");
        if (response.status === 429) limited = response;
        return limited;
      },
      30_000,
      0,
    );
    expect(limited!.body).toMatchObject({ type: "urn:fediflow:problem:rate-limited", status: 429 });
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
