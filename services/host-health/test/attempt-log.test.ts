import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeliveryReport } from "@fediflow/contracts";
import { createRedis, type Redis } from "@fediflow/redis";
import { AttemptLog, attemptsByHost } from "../src/attempt-log";

const report = (host: string, n: number, outcome: DeliveryReport["outcomes"][number]["outcome"], extra: Partial<DeliveryReport> = {}): DeliveryReport => ({
  activityId: `0190f1a2-0000-7000-8000-${String(n).padStart(12, "0")}`,
  actorId: "https://local.example/users/alice",
  activityType: "Create",
  objectId: null,
  host,
  attempt: 1,
  firstAttemptAt: null,
  outcomes: [{ inbox: `https://${host}/users/u${n}/inbox`, outcome, status: outcome === "delivered" ? 202 : 401, reason: null, durationMs: 12.5 }],
  at: new Date(1_700_000_000_000 + n).toISOString(),
  ...extra,
});

let redis: Redis;
const prefix = `attempt-log-test-${randomBytes(4).toString("hex")}:`;
beforeAll(() => {
  redis = createRedis(process.env.FEDIFLOW_REDIS_URL ?? "redis://127.0.0.1:6379", "attempt-log-test", prefix);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys.map((k) => k.slice(prefix.length)));
  await redis.quit();
});

describe("a host's recent attempts", () => {
  it("are the requests made: not what was settled without one", () => {
    const byHost = attemptsByHost([
      report("a.example", 1, "delivered"),
      report("a.example", 2, "retrying"),
      report("a.example", 3, "parked", { attempt: 0 }),
      report("a.example", 4, "superseded"),
      report("a.example", 5, "expired", { attempt: 0, parkExpired: true }),
      report("b.example", 6, "rejected"),
    ]);
    expect(byHost.get("a.example")?.map((a) => [a.inbox, a.outcome])).toEqual([
      ["https://a.example/users/u1/inbox", "delivered"],
      ["https://a.example/users/u2/inbox", "pending"],
    ]);
    expect(byHost.get("b.example")?.[0]).toMatchObject({ outcome: "rejected", status: 401, durationMs: 12.5 });
  });

  it("are kept newest first, at most `kept` per host", async () => {
    const log = new AttemptLog(redis, 3, 60_000);
    await log.record([report("c.example", 1, "delivered"), report("c.example", 2, "retrying")]);
    await log.record([report("c.example", 3, "delivered"), report("c.example", 4, "rejected"), report("d.example", 5, "delivered")]);
    const recent = await log.recent("c.example", 10);
    expect(recent.map((a) => a.inbox)).toEqual([4, 3, 2].map((n) => `https://c.example/users/u${n}/inbox`));
    expect(await redis.llen("attempts:c.example")).toBe(3);
    expect((await log.recent("c.example", 1)).map((a) => a.outcome)).toEqual(["rejected"]);
    expect(await log.recent("never.example", 10)).toEqual([]);
  });
});
