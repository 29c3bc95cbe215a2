import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, createNote, storedOutcomes, waitFor, type LocalActor } from "../src";

let t: TestStack;
let actor: LocalActor;

beforeAll(async () => {
  t = await TestStack.start({ fediverse: { hosts: 4 } });
  actor = await t.registerActor("alice");
});
afterAll(async () => {
  await t?.stop();
});

describe("a new actor key", () => {
  it("takes effect at once: rotated in the middle of a stream, no delivery is refused for good", async () => {
    const inboxes = t.fediverse.hosts.map((host) => host.sharedInbox);
    const post = async () => {
      const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity: createNote(actor.id), audience: { inboxes } });
      expect(accepted.status).toBe(202);
      return accepted.body.id as string;
    };
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await post());
    // The old key is in every signer's memory: some deliveries went out signed with it.
    await waitFor("a first delivery", () => t.fediverse.allReceived().some((received) => received.status === 202), 30_000, 20);

    // Registered again with a new key; the remote servers (the actor document) know only the new one now.
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const rotated = await t.api("PUT", "/v1/actors", { id: actor.id, keyId: actor.keyId, privateKeyPem });
    expect(rotated.status).toBe(200);
    t.fediverse.trustKey(actor.keyId, publicKey.export({ type: "spki", format: "pem" }).toString());
    for (let i = 0; i < 10; i++) ids.push(await post());

    for (const id of ids) {
      const status = await t.waitUntilDone(id, 60_000);
      expect(status.inboxes, id).toMatchObject({ total: inboxes.length, delivered: inboxes.length, failed: 0 });
      for (const outcome of (await storedOutcomes(t, id)).values()) expect(outcome.outcome).toBe("delivered");
    }
    // Deliveries after the rotation were signed with the new key: the servers accepted them.
    const accepted = t.fediverse.allReceived().filter((received) => received.status === 202);
    expect(accepted).toHaveLength(ids.length * inboxes.length);
  });
});
