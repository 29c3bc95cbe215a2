import { describe, expect, it } from "vitest";
import type { SigningKey } from "@fediflow/signing-keys";
import type { DeliveryJob } from "@fediflow/contracts";
import { attemptJob, type AttemptDependencies } from "../src/attempt-job";
import { defaultRetryPolicy } from "../src/retry-policy";

const alice = "https://local.example/users/alice";
const mallory = "https://local.example/users/mallory";

/** Delivery's dependencies around a server that accepts only `accepted` key ids. */
function dependencies(storedActor: string, options: { accepted?: (keyId: string) => boolean; rotated?: boolean } = {}) {
  const signedWith: string[] = [];
  const accepted = options.accepted ?? (() => true);
  const keyOf = (actorId: string, version: number) => ({ keyId: `${actorId}#key-${version}`, type: "rsa", version }) as unknown as SigningKey;
  const deps = {
    bodies: { get: async () => ({ actorId: storedActor, body: Buffer.from("{}"), digest: "d", contentDigest: "c" }) },
    keys: {
      get: async (actorId: string) => keyOf(actorId, 1),
      current: async (actorId: string) => keyOf(actorId, options.rotated ? 2 : 1),
    },
    sender: {
      post: async (_host: string, _inbox: string, _id: string, _body: unknown, key: SigningKey) => {
        signedWith.push(key.keyId);
        return { kind: "response" as const, status: accepted(key.keyId) ? 202 : 401, retryAfter: null, location: null };
      },
    },
    limiter: { run: <T>(_host: string, work: () => Promise<T>) => work() },
    clock: () => 0,
    retryPolicy: defaultRetryPolicy,
    admission: { admitRequest: () => null },
  } as unknown as AttemptDependencies;
  return { deps, signedWith };
}

const job = (actorId: string): DeliveryJob => ({
  activityId: "01a24327-9cbe-76c8-9e83-da9cd452a0c2",
  actorId,
  activityType: "Create",
  objectId: null,
  host: "remote.example",
  inboxes: ["https://remote.example/inbox"],
  attempt: 1,
  firstAttemptAt: null,
});

describe("attemptJob", () => {
  it("signs with the key of the actor the activity was stored under", async () => {
    const { deps, signedWith } = dependencies(alice);
    const [result] = await attemptJob(job(alice), deps);
    expect(result).toMatchObject({ kind: "attempted", classified: { outcome: "delivered" } });
    expect(signedWith).toEqual([`${alice}#key-1`]);
  });

  it("refuses a job that names another actor than the activity's, and signs nothing", async () => {
    const { deps, signedWith } = dependencies(alice);
    const [result] = await attemptJob(job(mallory), deps);
    expect(result).toMatchObject({ kind: "attempted", classified: { outcome: "rejected", reason: "the job's actor is not the activity's actor" } });
    expect(signedWith).toEqual([]);
  });

  it("signs again with the key registered since, when a server refuses the cached one", async () => {
    const { deps, signedWith } = dependencies(alice, { rotated: true, accepted: (keyId) => keyId.endsWith("#key-2") });
    const [result] = await attemptJob(job(alice), deps);
    expect(result).toMatchObject({ kind: "attempted", classified: { outcome: "delivered" } });
    expect(signedWith).toEqual([`${alice}#key-1`, `${alice}#key-2`]);
  });

  it("never settles a refusal of a key just replaced for good: it is tried again later", async () => {
    const { deps } = dependencies(alice, { rotated: true, accepted: () => false });
    const [result] = await attemptJob(job(alice), deps);
    expect(result).toMatchObject({ kind: "attempted", classified: { outcome: "retrying", status: 401 } });
  });

  it("settles a refusal of the current key as rejected", async () => {
    const { deps, signedWith } = dependencies(alice, { accepted: () => false });
    const [result] = await attemptJob(job(alice), deps);
    expect(result).toMatchObject({ kind: "attempted", classified: { outcome: "rejected", status: 401 } });
    expect(signedWith).toHaveLength(1);
  });
});
