import { describe, expect, it } from "vitest";
import type { SigningKey } from "@fediflow/actor-keys";
import type { DeliveryJob } from "@fediflow/contracts";
import { attemptJob, type AttemptDependencies } from "../src/deliver";
import { defaultRetryPolicy } from "../src/retry-policy";

const alice = "https://local.example/users/alice";
const mallory = "https://local.example/users/mallory";

function dependencies(storedActor: string) {
  const signedWith: string[] = [];
  const deps = {
    bodies: { get: async () => ({ actorId: storedActor, body: Buffer.from("{}"), digest: "d", contentDigest: "c" }) },
    keys: { get: async (actorId: string) => ({ keyId: `${actorId}#main-key`, type: "rsa" }) as unknown as SigningKey },
    sender: {
      post: async (_host: string, _inbox: string, _id: string, _body: unknown, key: SigningKey) => {
        signedWith.push(key.keyId);
        return { kind: "response" as const, status: 202, retryAfter: null, location: null };
      },
    },
    limiter: { run: <T>(_host: string, work: () => Promise<T>) => work() },
    clock: () => 0,
    retryPolicy: defaultRetryPolicy,
    holdUntil: () => null,
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
    expect(signedWith).toEqual([`${alice}#main-key`]);
  });

  it("refuses a job that names another actor than the activity's, and signs nothing", async () => {
    const { deps, signedWith } = dependencies(alice);
    const [result] = await attemptJob(job(mallory), deps);
    expect(result).toMatchObject({ kind: "attempted", classified: { outcome: "rejected", reason: "the job's actor is not the activity's actor" } });
    expect(signedWith).toEqual([]);
  });
});
