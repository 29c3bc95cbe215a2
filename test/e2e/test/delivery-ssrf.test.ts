import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeDns } from "@fediflow/fake-fediverse";
import { TestStack, createNote, storedOutcomes, type LocalActor } from "../src";

let t: TestStack;
let dns: FakeDns;
let actor: LocalActor;

// Private networks NOT allowed: the production default. Every target here is on loopback, so
// nothing could leave this machine even if the guard failed.
beforeAll(async () => {
  // Names resolve through a DNS server on loopback: one to a private address (refused before any
  // connection is attempted, so nothing leaves the machine), one to the loopback fake host.
  dns = await FakeDns.start({ "intranet.fedi.test": "10.1.2.3", "sneaky.fedi.test": "127.77.1.1" });
  t = await TestStack.start({
    fediverse: { hosts: 1 },
    env: { FEDIFLOW_ALLOW_PRIVATE_NETWORKS: "false", FEDIFLOW_DNS_SERVERS: dns.address },
  });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
  await dns?.stop();
});

describe("SSRF guard", () => {
  it("refuses loopback addresses, names that resolve to private ranges, and plain http", async () => {
    const { port } = t.fediverse;
    const inboxes = [
      `https://127.77.1.1:${port}/inbox`,
      `https://[::1]:${port}/inbox`,
      `http://127.77.1.1:${port}/users/a/inbox`,
      `https://intranet.fedi.test/inbox`,
      `https://sneaky.fedi.test:${port}/inbox`,
    ];
    const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity: createNote(actor.id), audience: { inboxes } });
    expect(accepted.status).toBe(202);
    const status = await t.waitUntilDone(accepted.body.id as string);
    expect(status.inboxes).toMatchObject({ total: 5, delivered: 0, failed: 5 });
    const outcomes = await storedOutcomes(t, accepted.body.id as string);
    expect(outcomes.get(inboxes[0]!)).toMatchObject({ outcome: "rejected" });
    expect(outcomes.get(inboxes[0]!)?.reason).toMatch(/127\.77\.1\.1 .*loopback.*may not reach/);
    expect(outcomes.get(inboxes[1]!)?.reason).toMatch(/::1.*loopback.*may not reach/);
    expect(outcomes.get(inboxes[2]!)?.reason).toMatch(/plain http is not allowed/);
    expect(outcomes.get(inboxes[3]!)?.reason).toMatch(/intranet\.fedi\.test resolves to 10\.1\.2\.3 \(private\).*may not reach/);
    expect(outcomes.get(inboxes[4]!)?.reason).toMatch(/sneaky\.fedi\.test resolves to 127\.77\.1\.1 \(loopback\).*may not reach/);
    expect(t.fediverse.allReceived()).toEqual([]);
  });
});
