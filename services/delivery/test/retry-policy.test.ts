import { describe, expect, it } from "vitest";
import { defaultRetryPolicy, deferral, nextRetry } from "../src/retry-policy";

const hour = 3_600_000;

describe("nextRetry", () => {
  it("retries the first time within a minute, with full jitter", () => {
    expect(nextRetry(defaultRetryPolicy, 1, 0, 0, null, () => 0)).toEqual({ kind: "retry", at: 0 });
    expect(nextRetry(defaultRetryPolicy, 1, 0, 0, null, () => 0.999)).toEqual({ kind: "retry", at: 59_940 });
  });

  it("grows to hours and keeps trying for about two days", () => {
    const delays: number[] = [];
    let now = 0;
    let attempt = 1;
    for (;;) {
      // The expected (mean) draw each time.
      const decision = nextRetry(defaultRetryPolicy, attempt, 0, now, null, () => 0.5);
      if (decision.kind === "expired") break;
      delays.push(decision.at - now);
      now = decision.at;
      attempt += 1;
    }
    expect(delays[8]).toBeGreaterThan(hour);
    expect(Math.max(...delays)).toBe(3 * hour);
    expect(now).toBeGreaterThan(44 * hour);
    expect(now).toBeLessThanOrEqual(48 * hour);
    expect(attempt).toBeGreaterThan(15);
  });

  it("honours Retry-After and expires past the horizon", () => {
    expect(nextRetry(defaultRetryPolicy, 3, 0, 1_000, 120_000)).toEqual({ kind: "retry", at: 120_000 });
    const expired = nextRetry(defaultRetryPolicy, 20, 0, 47 * hour, 49 * hour);
    expect(expired).toMatchObject({ kind: "expired" });
    expect(expired.kind === "expired" && expired.reason).toContain("gave up after 20 attempts");
  });

  it("honours a Retry-After at most maxDelayMs ahead", () => {
    expect(nextRetry(defaultRetryPolicy, 2, 0, hour, 8.64e15)).toEqual({ kind: "retry", at: 7 * hour });
    expect(nextRetry(defaultRetryPolicy, 2, 0, 45 * hour, Date.parse("9999-12-31T23:59:59Z"))).toMatchObject({ kind: "expired" });
  });
});

describe("deferral", () => {
  it("waits for the host within the horizon", () => {
    expect(deferral(defaultRetryPolicy, 0, hour, 2 * hour)).toEqual({ kind: "retry", at: 2 * hour });
  });

  it("expires a job already tried rather than wait past its horizon", () => {
    const expired = deferral(defaultRetryPolicy, 0, 46 * hour, 49 * hour);
    expect(expired).toMatchObject({ kind: "expired" });
    expect(expired.kind === "expired" && expired.reason).toContain("past the retry horizon");
    // A job never tried has no horizon yet.
    expect(deferral(defaultRetryPolicy, null, 46 * hour, 49 * hour)).toEqual({ kind: "retry", at: 49 * hour });
  });
});
