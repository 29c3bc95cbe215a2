import { describe, expect, it } from "vitest";
import { pauses, webhookVerdict, type WebhookPolicy } from "../src/webhook-policy";

const policy: WebhookPolicy = { retryBaseMs: 1_000, retryMaxMs: 60_000, horizonMs: 3_600_000, pauseAfterFailures: 5 };

describe("webhook attempts", () => {
  it("a 2xx delivers; anything else is retried with doubling backoff, capped", () => {
    expect(webhookVerdict(policy, { status: 204 }, 1, 0, 0)).toEqual({ kind: "delivered" });
    expect(webhookVerdict(policy, { status: 500 }, 1, 0, 0, () => 1)).toEqual({ kind: "retry", at: 1_000 });
    expect(webhookVerdict(policy, { status: null }, 3, 0, 0, () => 1)).toEqual({ kind: "retry", at: 4_000 });
    expect(webhookVerdict(policy, { status: 301 }, 20, 0, 0, () => 1)).toEqual({ kind: "retry", at: 60_000 });
  });

  it("gives up past the horizon, and pauses an endpoint after enough failures in a row", () => {
    expect(webhookVerdict(policy, { status: 503 }, 9, 0, 3_600_000, () => 0.5)).toMatchObject({ kind: "failed" });
    expect(pauses(policy, 4)).toBe(false);
    expect(pauses(policy, 5)).toBe(true);
  });
});
