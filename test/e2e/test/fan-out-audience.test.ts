import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topics, type DeliveryJob } from "@fediflow/contracts";
import type { VirtualHost } from "@fediflow/fake-fediverse";
import { createRedis, type Redis } from "@fediflow/redis";
import { TestStack, createNote, readTopic, type LocalActor } from "../src";

// Issue 4, items 1 and 2 end to end: remote actors fetched with a signed GET and cached in
// Redis (hit, miss, invalidation by Update and Delete), shared and personal inboxes folded
// per host, a host with many personal inboxes split into bounded messages.
const activityPubAccept = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';
let t: TestStack;
let actor: LocalActor;
let redis: Redis;
const inboxesPerMessage = 4;

beforeAll(async () => {
  t = await TestStack.start({
    fediverse: {
      hosts: [{ sharedInbox: true, authorizedFetch: true }, { sharedInbox: false }, { sharedInbox: true }, { sharedInbox: false }],
      network: 83,
    },
    serviceEnv: { "fan-out": { FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE: String(inboxesPerMessage) } },
  });
  actor = await t.registerActor("alice");
  redis = createRedis("redis://127.0.0.1:6379", "e2e", t.redisPrefix);
});
afterAll(async () => {
  await redis?.quit();
  await t?.stop();
});

async function deliver(activity: Record<string, unknown>, audience: Record<string, unknown>) {
  const accepted = await t.api("POST", "/v1/activities", { actor: actor.id, activity, audience });
  expect(accepted.status).toBe(202);
  const id = accepted.body.id as string;
  return { id, status: await t.waitUntilDone(id) };
}

const postsOf = (activityId: string) => t.fediverse.allReceived().filter((post) => post.activityId === activityId);

describe("remote actors in the audience", () => {
  it("fetches a named actor once with a signed GET, then answers from the Redis cache", async () => {
    const secure = t.fediverse.hosts[0]!;
    const ann = secure.actorOf("ann");
    const first = createNote(actor.id);
    const { status } = await deliver(first, { actors: [ann] });
    expect(status).toMatchObject({ inboxes: { total: 1, delivered: 1 } });
    expect(postsOf(first.id as string).map((post) => post.inbox)).toEqual([secure.sharedInbox]);
    // The server is in secure mode: it served the document only because the GET was signed.
    expect(secure.fetched).toHaveLength(1);
    expect(secure.fetched[0]).toMatchObject({ url: ann, status: 200, signatureValid: true, keyId: actor.keyId, accept: activityPubAccept });
    const ttl = await redis.pttl(`actor:${ann}`);
    expect(ttl).toBeGreaterThan(3_000_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);

    const second = createNote(actor.id);
    await deliver(second, { actors: [ann] });
    expect(postsOf(second.id as string)).toHaveLength(1);
    expect(secure.fetched).toHaveLength(1);
  });

  it("drops the cached actor when an Update of it passes through, and uses the new document", async () => {
    const secure = t.fediverse.hosts[0]!;
    const ann = secure.actorOf("ann");
    // Ann's server stops advertising a shared inbox; the cache still says it has one.
    secure.hasSharedInbox = false;
    const update = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `${actor.id}/updates/1`,
      type: "Update",
      actor: actor.id,
      object: { id: ann, type: "Person" },
    };
    await deliver(update, { actors: [ann] });
    expect(secure.fetched).toHaveLength(2);
    expect(postsOf(update.id).map((post) => post.inbox)).toEqual([secure.inboxOf("ann")]);
    const after = createNote(actor.id);
    await deliver(after, { actors: [ann] });
    expect(secure.fetched).toHaveLength(2);
    expect(postsOf(after.id as string).map((post) => post.inbox)).toEqual([secure.inboxOf("ann")]);
    secure.hasSharedInbox = true;
  });

  it("drops the cached actor when a Delete of it passes through", async () => {
    const secure = t.fediverse.hosts[0]!;
    const ann = secure.actorOf("ann");
    const other = t.fediverse.hosts[2]!;
    const remove = { id: `${actor.id}/deletes/1`, type: "Delete", actor: actor.id, object: ann };
    await deliver(remove, { inboxes: [other.sharedInbox] });
    expect(await redis.exists(`actor:${ann}`)).toBe(0);
    const next = createNote(actor.id);
    await deliver(next, { actors: [ann] });
    expect(secure.fetched).toHaveLength(3);
    expect(postsOf(next.id as string).map((post) => post.inbox)).toEqual([secure.sharedInbox]);
  });
});

describe("folding inboxes per host", () => {
  it("delivers once per shared inbox and per personal inbox, mixed hosts included, in bounded messages keyed by host", async () => {
    const [a, personal, shared, big] = [0, 1, 2, 3].map((i) => t.fediverse.hosts[i]!) as [
      VirtualHost,
      VirtualHost,
      VirtualHost,
      VirtualHost,
    ];
    const followers = [
      ...Array.from({ length: 30 }, (_, i) => ({
        id: shared.actorOf(`s${i}`),
        inbox: shared.inboxOf(`s${i}`),
        sharedInbox: shared.sharedInbox,
      })),
      ...Array.from({ length: 3 }, (_, i) => ({ id: personal.actorOf(`p${i}`), inbox: personal.inboxOf(`p${i}`) })),
      ...Array.from({ length: 10 }, (_, i) => ({ id: big.actorOf(`b${i}`), inbox: big.inboxOf(`b${i}`) })),
      { id: a.actorOf("m0"), inbox: a.inboxOf("m0"), sharedInbox: a.sharedInbox },
    ];
    expect(await t.api("POST", "/v1/followers", { actor: actor.id, add: followers })).toMatchObject({ status: 200, body: { added: 44 } });
    const activity = createNote(actor.id);
    // A personal inbox on a host whose other follower uses its shared inbox (a mixed host), and
    // a follower's inbox named again: one delivery each.
    const { id, status } = await deliver(activity, { followers: true, inboxes: [a.inboxOf("x"), personal.inboxOf("p0")] });
    const expected = new Map([
      [shared.host, [shared.sharedInbox]],
      [personal.host, [0, 1, 2].map((i) => personal.inboxOf(`p${i}`))],
      [big.host, Array.from({ length: 10 }, (_, i) => big.inboxOf(`b${i}`)).sort()],
      [a.host, [a.sharedInbox, a.inboxOf("x")].sort()],
    ]);
    const total = [...expected.values()].reduce((sum, inboxes) => sum + inboxes.length, 0);
    expect(status).toMatchObject({ state: "done", inboxes: { total, delivered: total, failed: 0, pending: 0 } });
    for (const [host, inboxes] of expected) {
      expect(
        postsOf(activity.id as string)
          .filter((post) => post.host === host)
          .map((post) => post.inbox)
          .sort(),
      ).toEqual(inboxes);
    }

    const messages = (await readTopic<DeliveryJob>(t.kafka(), topics.deliveries)).filter(
      (m) => m.value.activityId === id,
    );
    for (const message of messages) {
      expect(message.key).toBe(message.value.host);
      expect(message.value.inboxes.length).toBeLessThanOrEqual(inboxesPerMessage);
    }
    const sizes = (host: string) => messages.filter((m) => m.value.host === host).map((m) => m.value.inboxes.length);
    expect(sizes(big.host)).toEqual([4, 4, 2]);
    expect(sizes(shared.host)).toEqual([1]);
    expect(sizes(personal.host)).toEqual([3]);
    expect(sizes(a.host)).toEqual([2]);
  });
});

describe("the follower index", () => {
  it("takes 10,000 followers in one call (more than 1 MiB of JSON), idempotently, and refuses 10,001", async () => {
    const bulk = await t.registerActor("bulk");
    const host = "mastodon.example.social";
    const add = Array.from({ length: 10_000 }, (_, i) => ({
      id: `https://${host}/users/someone_with_a_long_name_${i}`,
      inbox: `https://${host}/users/someone_with_a_long_name_${i}/inbox`,
      sharedInbox: `https://${host}/inbox`,
    }));
    expect(Buffer.byteLength(JSON.stringify({ actor: bulk.id, add }))).toBeGreaterThan(1024 * 1024);
    expect(await t.api("POST", "/v1/followers", { actor: bulk.id, add })).toMatchObject({
      status: 200,
      body: { added: 10_000, removed: 0 },
    });
    expect(await t.api("POST", "/v1/followers", { actor: bulk.id, add })).toMatchObject({ status: 200, body: { added: 0, removed: 0 } });
    const tooMany = await t.api("POST", "/v1/followers", {
      actor: bulk.id,
      add: [...add, { id: "https://x.example/u", inbox: "https://x.example/u/inbox" }],
    });
    expect(tooMany).toMatchObject({ status: 400, body: { type: "urn:fediflow:problem:invalid-request" } });
    const removed = await t.api("POST", "/v1/followers", { actor: bulk.id, remove: add.map((f) => f.id) });
    expect(removed).toMatchObject({ status: 200, body: { added: 0, removed: 10_000 } });
  });
});
