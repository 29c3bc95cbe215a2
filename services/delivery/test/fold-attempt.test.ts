import type { DeliveryJob } from "@fediflow/contracts";
import { describe, expect, it } from "vitest";
import type { InboxResult } from "../src/attempt-job";
import type { Classified } from "../src/classify-outcome";
import { foldAttempt } from "../src/fold-attempt";
import type { RetryPolicy } from "../src/retry-policy";

const policy: RetryPolicy = { baseMs: 1_000, maxDelayMs: 60_000, horizonMs: 100_000 };
const job: DeliveryJob = {
  activityId: "5b0c6a6e-5c5b-4c52-9f57-4f3ad3a8f4a1",
  actorId: "https://example.com/users/alice",
  activityType: "Create",
  objectId: "https://example.com/notes/1",
  host: "remote.example",
  inboxes: ["https://remote.example/a", "https://remote.example/b", "https://remote.example/c"],
  attempt: 2,
  firstAttemptAt: 1_000,
  trace: { parent: "00-aa-bb-01" },
};
const [a, b, c] = job.inboxes as [string, string, string];

const attempted = (inbox: string, classified: Partial<Classified> & Pick<Classified, "outcome">): InboxResult => ({
  inbox,
  kind: "attempted",
  classified: { status: null, reason: null, retryAt: null, ...classified },
  durationMs: 12,
});
const delivered = (inbox: string) => attempted(inbox, { outcome: "delivered", status: 202 });
const failed = (inbox: string, retryAt: number | null = null) =>
  attempted(inbox, { outcome: "retrying", status: 503, reason: "HTTP 503", retryAt });
const deferred = (inbox: string, until: number): InboxResult => ({ inbox, kind: "deferred", until });
const half = () => 0.5;

describe("foldAttempt", () => {
  it("is done when every inbox answered for good", () => {
    const folded = foldAttempt(
      job,
      [delivered(a), attempted(b, { outcome: "gone", status: 410, reason: "HTTP 410" }), delivered(c)],
      policy,
      5_000,
      half,
    );
    expect(folded.next).toBeNull();
    expect(folded.retryAfter).toBeNull();
    expect(folded.outcomes).toEqual([
      { inbox: a, outcome: "delivered", status: 202, reason: null, durationMs: 12 },
      { inbox: b, outcome: "gone", status: 410, reason: "HTTP 410", durationMs: 12 },
      { inbox: c, outcome: "delivered", status: 202, reason: null, durationMs: 12 },
    ]);
  });

  it("retries only the retrying inboxes, as the next attempt, at the policy's jittered delay", () => {
    const folded = foldAttempt(job, [delivered(a), failed(b), delivered(c)], policy, 5_000, half);
    // Attempt 2: ceiling base·2 = 2 s, half of it drawn.
    expect(folded.next).toEqual({ job: { ...job, inboxes: [b], attempt: 3 }, at: 6_000, reason: "retry" });
    expect(folded.outcomes.map((outcome) => outcome.outcome)).toEqual(["delivered", "retrying", "delivered"]);
  });

  it("retries at the latest Retry-After and reports it for the host", () => {
    const folded = foldAttempt(job, [failed(a, 20_000), failed(b, 30_000), delivered(c)], policy, 5_000, half);
    expect(folded.retryAfter).toBe(30_000);
    expect(folded.next).toEqual({ job: { ...job, inboxes: [a, b], attempt: 3 }, at: 30_000, reason: "retry-after" });
  });

  it("sends deferred inboxes again when the pause ends, without counting an attempt", () => {
    const folded = foldAttempt(job, [delivered(a), deferred(b, 9_000), deferred(c, 8_000)], policy, 5_000, half);
    expect(folded.outcomes).toHaveLength(1);
    expect(folded.next).toEqual({ job: { ...job, inboxes: [b, c], attempt: 2 }, at: 9_000, reason: "paused" });
  });

  it("waits for both the retry and the pause when an attempt has both", () => {
    const folded = foldAttempt(job, [failed(a), deferred(b, 50_000), delivered(c)], policy, 5_000, half);
    expect(folded.next).toEqual({ job: { ...job, inboxes: [a, b], attempt: 3 }, at: 50_000, reason: "retry" });
  });

  it("expires retrying inboxes past the horizon, saying why, and deferred ones with them (a host never holds a delivery past its horizon)", () => {
    const late = 200_000;
    const folded = foldAttempt(job, [failed(a), deferred(b, late + 1_000), delivered(c)], policy, late, half);
    expect(folded.outcomes[0]).toEqual({
      inbox: a,
      outcome: "expired",
      status: 503,
      reason: "HTTP 503; gave up after 2 attempts over 0.1 h",
      durationMs: 12,
    });
    expect(folded.outcomes[1]?.outcome).toBe("delivered");
    expect(folded.outcomes[2]).toMatchObject({ inbox: b, outcome: "expired", reason: expect.stringMatching(/past the retry horizon/) });
    expect(folded.next).toBeNull();
  });

  it("expires without a next attempt when nothing was deferred", () => {
    const folded = foldAttempt(job, [failed(a), delivered(b), delivered(c)], policy, 200_000, half);
    expect(folded.outcomes[0]?.outcome).toBe("expired");
    expect(folded.next).toBeNull();
  });

  it("takes a first attempt as made when it finished", () => {
    const first = { ...job, attempt: 1, firstAttemptAt: null };
    const folded = foldAttempt(first, [failed(a), delivered(b), delivered(c)], policy, 5_000, () => 0);
    expect(folded.next).toEqual({ job: { ...first, inboxes: [a], attempt: 2, firstAttemptAt: 5_000 }, at: 5_000, reason: "retry" });
  });

  it("leaves the job and the results it was given as they were", () => {
    const given = structuredClone(job);
    const results = [failed(a), deferred(b, 9_000), delivered(c)];
    const before = structuredClone(results);
    const folded = foldAttempt(given, results, policy, 200_000, half);
    expect(folded.outcomes[0]?.outcome).toBe("expired");
    expect(given).toEqual(job);
    expect(results).toEqual(before);
  });
});
