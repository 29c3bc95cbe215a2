import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, createNote, type ApiResponse, type LocalActor } from "../src";

let t: TestStack;
let actor: LocalActor;

beforeAll(async () => {
  t = await TestStack.start({ fediverse: { hosts: [{ sharedInbox: true }, { sharedInbox: false }, { sharedInbox: false }] } });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

describe("one activity through ingress → outbox → fan-out → delivery → remote inboxes", () => {
  it("delivers exactly one signed POST per distinct inbox and reaches done", async () => {
    const [a, b, c] = t.fediverse.hosts;
    const followers = [
      // Two followers on a server with a shared inbox: one delivery between them.
      { id: a!.actorOf("a1"), inbox: a!.inboxOf("a1"), sharedInbox: a!.sharedInbox },
      { id: a!.actorOf("a2"), inbox: a!.inboxOf("a2"), sharedInbox: a!.sharedInbox },
      { id: b!.actorOf("b1"), inbox: b!.inboxOf("b1") },
      { id: b!.actorOf("b2"), inbox: b!.inboxOf("b2") },
      { id: c!.actorOf("c1"), inbox: c!.inboxOf("c1") },
      { id: c!.actorOf("c2"), inbox: c!.inboxOf("c2") },
    ];
    const added = await t.api("POST", "/v1/followers", { actor: actor.id, add: followers });
    expect(added).toMatchObject({ status: 200, body: { added: 6, removed: 0 } });

    const activity = createNote(actor.id);
    const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity, audience: { followers: true } });
    expect(accepted.status).toBe(202);
    const id = accepted.body.id as string;
    expect(accepted.body.status).toBe(`/v1/activities/${id}`);

    const status = await t.waitUntilDone(id);
    expect(status).toMatchObject({
      id,
      state: "done",
      inboxes: { total: 5, delivered: 5, failed: 0, pending: 0, parked: 0 },
    });
    expect(typeof status.completedAt).toBe("string");

    const received = (host: typeof a) => host!.received.map((post) => post.inbox).sort();
    expect(received(a)).toEqual([a!.sharedInbox]);
    expect(received(b)).toEqual([b!.inboxOf("b1"), b!.inboxOf("b2")]);
    expect(received(c)).toEqual([c!.inboxOf("c1"), c!.inboxOf("c2")]);
    for (const post of t.fediverse.allReceived()) {
      expect(post).toMatchObject({
        activityId: activity.id,
        activityType: "Create",
        keyId: actor.keyId,
        signatureValid: true,
        digestValid: true,
        dateValid: true,
        status: 202,
      });
      expect(post.userAgent).toMatch(/^FediFlow\//);
      expect(post.deliveryId).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it("refuses invalid requests with the documented problem and stores nothing", async () => {
    const before = await t.count("activities");
    const note = createNote(actor.id);
    const cases: Array<[string, () => Promise<ApiResponse>, number, string]> = [
      [
        "no token",
        () => t.api("POST", "/v1/activities", { actor: actor.id, activity: note, audience: { followers: true } }, { authorization: "" }),
        401,
        "unauthorized",
      ],
      ["wrong token", () => t.api("GET", "/v1/hosts", undefined, { authorization: "Bearer nope" }), 401, "unauthorized"],
      ["malformed JSON", () => t.api("POST", "/v1/activities", '{"actor": ', {}), 400, "invalid-json"],
      [
        "wrong content type",
        () => t.api("POST", "/v1/activities", "actor=x", { "content-type": "text/plain" }),
        415,
        "unsupported-media-type",
      ],
      ["missing audience", () => t.api("POST", "/v1/activities", { actor: actor.id, activity: note }), 400, "invalid-request"],
      ["empty audience", () => t.api("POST", "/v1/activities", { actor: actor.id, activity: note, audience: {} }), 400, "invalid-request"],
      [
        "actor mismatch",
        () =>
          t.api("POST", "/v1/activities", {
            actor: actor.id,
            activity: { ...note, actor: "https://local.example/users/mallory" },
            audience: { followers: true },
          }),
        400,
        "actor-mismatch",
      ],
      [
        "unregistered actor",
        () => {
          const ghost = "https://local.example/users/ghost";
          return t.api("POST", "/v1/activities", { actor: ghost, activity: createNote(ghost), audience: { followers: true } });
        },
        400,
        "unregistered-actor",
      ],
      [
        "non-http inbox",
        () => t.api("POST", "/v1/activities", { actor: actor.id, activity: note, audience: { inboxes: ["ftp://b.example/inbox"] } }),
        400,
        "invalid-request",
      ],
      [
        "oversize body",
        () =>
          t.api("POST", "/v1/activities", {
            actor: actor.id,
            activity: { ...note, content: "x".repeat(1_100_000) },
            audience: { followers: true },
          }),
        413,
        "body-too-large",
      ],
      ["unknown activity", () => t.api("GET", "/v1/activities/00000000-0000-4000-8000-000000000000"), 404, "unknown-activity"],
    ];
    for (const [name, request, status, slug] of cases) {
      const response = await request();
      expect([name, response.status], JSON.stringify(response.body)).toEqual([name, status]);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      expect(response.body).toMatchObject({ type: `urn:fediflow:problem:${slug}`, status });
      expect(typeof response.body.title).toBe("string");
      expect(typeof response.body.detail).toBe("string");
    }
    expect(await t.count("activities")).toBe(before);
  });
});
