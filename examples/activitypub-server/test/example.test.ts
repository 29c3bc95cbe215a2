import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestStack, waitFor } from "@fediflow/e2e/src";
import { createExample, type Example } from "../src/server";

let t: TestStack;
let server: Server;
let example: Example;
let url: string;

beforeAll(async () => {
  // Two Mastodon-like servers whose actors have no shared inbox, so each follower is its own inbox.
  t = await TestStack.start({
    fediverse: { hosts: [{ sharedInbox: false }, { sharedInbox: false }] },
    env: { FEDIFLOW_WEBHOOK_RETRY_BASE_MS: "200", FEDIFLOW_WEBHOOK_POLL_MS: "100" },
  });
  let handle: Example["app"] | undefined;
  server = createServer((req, res) => handle!(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  example = createExample({ publicUrl: url, fediflow: t.client });
  handle = example.app;
  await example.register();
  // What a remote server would learn by fetching the actor document.
  t.fediverse.trustKey(example.keyId, example.publicKeyPem);
  await example.subscribe();
});
afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await t?.stop();
});

const host = (i: number) => t.fediverse.hosts[i]!;
const signedTo = (inbox: string, type: string) =>
  t.fediverse.allReceived().filter((post) => post.inbox === inbox && post.activityType === type && post.signatureValid && post.status === 202);

async function follow(remoteActor: string): Promise<void> {
  const response = await fetch(`${url}/users/alice/inbox`, {
    method: "POST",
    headers: { "content-type": "application/activity+json" },
    body: JSON.stringify({ id: `${remoteActor}#follows/1`, type: "Follow", actor: remoteActor, object: example.actorId }),
  });
  expect(response.status).toBe(202);
}

async function post(content: string): Promise<string> {
  const response = await fetch(`${url}/posts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ content }) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { delivery: string }).delivery;
}

describe("an ActivityPub server that federates through FediFlow", () => {
  it("accepts follows from a Mastodon-like server, posts to its followers, and prunes a follower FediFlow finds gone", async () => {
    const bob = host(0).actorOf("bob");
    const carol = host(1).actorOf("carol");
    // A follow arrives; the follower is registered with FediFlow and receives a signed Accept.
    await follow(bob);
    await follow(carol);
    expect([...example.followers.keys()].sort()).toEqual([bob, carol].sort());
    await waitFor("the Accepts", () => signedTo(host(0).inboxOf("bob"), "Accept").length === 1 && signedTo(host(1).inboxOf("carol"), "Accept").length === 1);

    // A post reaches every follower, signed.
    const first = await post("hello, followers");
    await t.waitUntilDone(first);
    expect(signedTo(host(0).inboxOf("bob"), "Create")).toHaveLength(1);
    expect(signedTo(host(1).inboxOf("carol"), "Create")).toHaveLength(1);

    // carol's server now answers 410 Gone: the next post finds out, follower.gone prunes her.
    await t.fediverse.setBehaviour(host(1).host, { kind: "status", status: 410 });
    await t.waitUntilDone(await post("second post"));
    await waitFor("carol pruned by the follower.gone webhook", () => !example.followers.has(carol));
    expect([...example.followers.keys()]).toEqual([bob]);

    // FediFlow no longer delivers to her: the third post goes to bob alone.
    const third = await t.waitUntilDone(await post("third post"));
    expect(third.inboxes).toMatchObject({ total: 1, delivered: 1 });
  });
});
