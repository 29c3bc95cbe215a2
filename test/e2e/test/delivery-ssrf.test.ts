import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, createNote, storedOutcomes, type LocalActor } from "../src";

let t: TestStack;
let actor: LocalActor;

// Private networks NOT allowed: the production default. Every target here is on loopback, so
// nothing could leave this machine even if the guard failed.
beforeAll(async () => {
  t = await TestStack.start({ fediverse: { hosts: 1 }, env: { FEDIFLOW_ALLOW_PRIVATE_NETWORKS: "false" } });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

describe("SSRF guard", () => {
  it("refuses loopback addresses, names that resolve to them, and plain http", async () => {
    const { port } = t.fediverse;
    const inboxes = [
      `https://127.77.1.1:${port}/inbox`,
      `https://localhost:${port}/inbox`,
      `https://[::1]:${port}/inbox`,
      `http://127.77.1.1:${port}/users/a/inbox`,
    ];
    const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity: createNote(actor.id), audience: { inboxes } });
    expect(accepted.status).toBe(202);
    const status = await t.waitUntilDone(accepted.body.id as string);
    expect(status.inboxes).toMatchObject({ total: 4, delivered: 0, failed: 4 });
    const outcomes = await storedOutcomes(t, accepted.body.id as string);
    expect(outcomes.get(inboxes[0]!)).toMatchObject({ outcome: "rejected" });
    expect(outcomes.get(inboxes[0]!)?.reason).toMatch(/127\.77\.1\.1 .*loopback.*may not reach/);
    expect(outcomes.get(inboxes[1]!)?.reason).toMatch(/localhost resolves to .*loopback.*may not reach/);
    expect(outcomes.get(inboxes[2]!)?.reason).toMatch(/::1.*loopback.*may not reach/);
    expect(outcomes.get(inboxes[3]!)?.reason).toMatch(/plain http is not allowed/);
    expect(t.fediverse.allReceived()).toEqual([]);
  });
});
