import { generateKeyPairSync, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SigningKey } from "@fediflow/signing-keys";
import { FakeFediverse } from "@fediflow/fake-fediverse";
import { createLogger } from "@fediflow/logging";
import { createRedis, type Redis } from "@fediflow/redis";
import { createRemoteAgent, type Agent } from "@fediflow/remote-http";
import { ActorCache } from "../src/actor-cache";
import { UnresolvableActor } from "../src/actor-document";
import { ActorFetcher, actorAccept } from "../src/actor-fetcher";

// The real thing on loopback: fake servers that check signatures, and the machine's Redis.
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signing: SigningKey = { keyId: "https://local.example/users/alice#main-key", type: "rsa", key: privateKey };
const key = () => Promise.resolve(signing);
let fediverse: FakeFediverse;
let redis: Redis;
let agent: Agent;
let cache: ActorCache;
const prefix = `fan-out-test-${randomBytes(4).toString("hex")}:`;

beforeAll(async () => {
  fediverse = await FakeFediverse.start({ hosts: [{ authorizedFetch: true }, { sharedInbox: false }], network: 81 });
  fediverse.trustKey(signing.keyId, publicKey.export({ type: "spki", format: "pem" }).toString());
  redis = createRedis(process.env.FEDIFLOW_REDIS_URL ?? "redis://127.0.0.1:6379", "fan-out-test", prefix);
  agent = createRemoteAgent({ allowPrivateNetworks: true, connectTimeoutMs: 2_000, connectionsPerOrigin: 2 });
  const fetcher = new ActorFetcher({ dispatcher: agent, allowPlainHttp: true, userAgent: "FediFlow/test", timeoutMs: 5_000 });
  cache = new ActorCache({
    redis,
    fetch: (actorId, k) => fetcher.fetch(actorId, k),
    ttlMs: 3_600_000,
    logger: createLogger("test", "silent"),
  });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys.map((k) => k.slice(prefix.length)));
  await redis.quit();
  await agent.close();
  await fediverse.stop();
});

describe("remote actors: signed fetch and the Redis cache", () => {
  it("fetches a miss with a signed GET that a secure-mode server accepts, then answers from the cache", async () => {
    const host = fediverse.hosts[0]!;
    const actor = host.actorOf("bob");
    expect(await cache.resolve(actor, key)).toEqual({ inbox: host.inboxOf("bob"), sharedInbox: host.sharedInbox });
    expect(host.fetched).toHaveLength(1);
    expect(host.fetched[0]).toMatchObject({ status: 200, signatureValid: true, keyId: signing.keyId, accept: actorAccept });
    // A hit: nothing fetched, and the entry expires after the TTL.
    expect(await cache.resolve(actor, key)).toEqual({ inbox: host.inboxOf("bob"), sharedInbox: host.sharedInbox });
    expect(host.fetched).toHaveLength(1);
    const ttl = await redis.pttl(`actor:${actor}`);
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect([cache.fetched, cache.hits]).toEqual([1, 1]);
  });

  it("fetches again after forget (an Update or Delete of the actor passed through) and sees the change", async () => {
    const host = fediverse.hosts[1]!;
    const actor = host.actorOf("carol");
    expect(await cache.resolve(actor, key)).toEqual({ inbox: host.inboxOf("carol"), sharedInbox: null });
    host.hasSharedInbox = true;
    expect(await cache.resolve(actor, key)).toEqual({ inbox: host.inboxOf("carol"), sharedInbox: null });
    await cache.forget(actor);
    expect(await cache.resolve(actor, key)).toEqual({ inbox: host.inboxOf("carol"), sharedInbox: host.sharedInbox });
    expect(host.fetched).toHaveLength(2);
  });

  it("shares one fetch between concurrent lookups, and reports how an unresolvable actor failed", async () => {
    const host = fediverse.hosts[1]!;
    const before = host.fetched.length;
    const actor = host.actorOf("dave");
    await Promise.all(Array.from({ length: 5 }, () => cache.resolve(actor, key)));
    expect(host.fetched.length - before).toBe(1);
    // An unsigned fetch from a secure-mode server: it answered, 401.
    const refused = await cache.resolve(fediverse.hosts[0]!.actorOf("erin"), () => Promise.resolve(null)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnresolvableActor);
    expect((refused as UnresolvableActor).answer).toEqual({ status: 401 });
    const missing = await cache.resolve(`${host.origin}/nobody`, key).catch((error: unknown) => error);
    expect((missing as UnresolvableActor).answer).toEqual({ status: 404 });
    // Nothing listens on port 1: the server was never reached.
    const unreachable = await cache.resolve("http://127.0.0.1:1/users/x", key).catch((error: unknown) => error);
    expect((unreachable as UnresolvableActor).answer).toBe("unreachable");
  });
});
