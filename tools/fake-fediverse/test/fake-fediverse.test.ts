import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cavageSignature, digestHeader, signedPostHeaders } from "@fediflow/activitypub";
import { FakeFediverse } from "../src";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const keyId = "https://local.example/users/alice#main-key";
let fediverse: FakeFediverse;

beforeAll(async () => {
  fediverse = await FakeFediverse.start({
    hosts: [
      { behaviour: { kind: "ok" } },
      { behaviour: { kind: "status", status: 410 } },
      { behaviour: { kind: "rateLimited", retryAfterSeconds: 7, times: 1 } },
      { behaviour: { kind: "refuse" } },
      { behaviour: { kind: "ok" }, sharedInbox: false },
    ],
  });
  fediverse.trustKey(keyId, publicKey.export({ type: "spki", format: "pem" }).toString());
});
afterAll(() => fediverse?.stop());

async function post(inbox: string, signWith = privateKey) {
  const url = new URL(inbox);
  const body = JSON.stringify({ id: "https://local.example/a/1", type: "Create", object: { id: "https://local.example/n/1" } });
  const headerValues = {
    host: url.host,
    date: new Date().toUTCString(),
    digest: digestHeader(body),
    "content-type": "application/activity+json",
  };
  const signature = cavageSignature({ method: "POST", path: url.pathname, headerValues, headers: signedPostHeaders }, keyId, signWith);
  return fetch(inbox, { method: "POST", headers: { ...headerValues, signature }, body });
}

describe("FakeFediverse", () => {
  it("gives each host its own loopback address and verifies signatures", async () => {
    const [healthy] = fediverse.hosts;
    expect(healthy!.address).toBe("127.77.1.1");
    expect((await post(healthy!.sharedInbox)).status).toBe(202);
    const forged = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    expect((await post(healthy!.sharedInbox, forged)).status).toBe(401);
    expect(healthy!.received.map((r) => [r.signatureValid, r.digestValid, r.activityType, r.objectId])).toEqual([
      [true, true, "Create", "https://local.example/n/1"],
      [false, true, "Create", "https://local.example/n/1"],
    ]);
  });

  it("answers by behaviour: gone, rate limited then accepted, refused", async () => {
    const [, gone, limited, refusing] = fediverse.hosts;
    expect((await post(gone!.sharedInbox)).status).toBe(410);
    const first = await post(limited!.sharedInbox);
    expect([first.status, first.headers.get("retry-after")]).toEqual([429, "7"]);
    expect((await post(limited!.sharedInbox)).status).toBe(202);
    await expect(post(refusing!.sharedInbox)).rejects.toThrow();
  });

  it("serves actor documents with or without a shared inbox", async () => {
    const withShared = await (await fetch(fediverse.hosts[0]!.actorOf("bob"))).json();
    expect(withShared.endpoints.sharedInbox).toBe(fediverse.hosts[0]!.sharedInbox);
    const personal = await (await fetch(fediverse.hosts[4]!.actorOf("carol"))).json();
    expect(personal.endpoints).toBeUndefined();
    expect(personal.inbox).toBe(fediverse.hosts[4]!.inboxOf("carol"));
  });
});

describe("FakeFediverse actor documents", () => {
  it("records each fetch and, in secure mode, serves only signed GETs", async () => {
    const secure = await FakeFediverse.start({ hosts: [{ authorizedFetch: true }], network: 79 });
    try {
      secure.trustKey(keyId, publicKey.export({ type: "spki", format: "pem" }).toString());
      const host = secure.hosts[0]!;
      const actor = new URL(host.actorOf("dave"));
      expect((await fetch(actor)).status).toBe(401);
      const headerValues = { host: actor.host, date: new Date().toUTCString() };
      const signature = cavageSignature(
        { method: "GET", path: actor.pathname, headerValues, headers: ["(request-target)", "host", "date"] },
        keyId,
        privateKey,
      );
      const signed = await fetch(actor, { headers: { ...headerValues, signature, accept: "application/activity+json" } });
      expect(signed.status).toBe(200);
      expect(host.fetched.map((f) => [f.status, f.signatureValid, f.keyId])).toEqual([
        [401, false, null],
        [200, true, keyId],
      ]);
    } finally {
      await secure.stop();
    }
  });
});
