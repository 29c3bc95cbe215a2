import { describe, expect, it } from "vitest";
import { maxReasonBytes } from "@fediflow/contracts";
import { classifyOutcome, parseRetryAfter } from "../src/classify-outcome";

const now = Date.parse("2026-11-23T10:00:00Z");
const hour = 3_600_000;
const maxAhead = 6 * hour;
const response = (status: number, retryAfter: string | null = null, location: string | null = null) =>
  classifyOutcome({ kind: "response", status, retryAfter, location }, now, maxAhead);
const error = (code: string) => classifyOutcome({ kind: "error", error: Object.assign(new Error(code), { code }) }, now, maxAhead);

describe("classifyOutcome", () => {
  it("sorts answers into delivered, gone, rejected and retrying", () => {
    expect(response(202).outcome).toBe("delivered");
    expect(response(200).outcome).toBe("delivered");
    expect(response(410).outcome).toBe("gone");
    expect(response(404).outcome).toBe("gone");
    expect(response(403)).toMatchObject({ outcome: "rejected", reason: "HTTP 403" });
    expect(response(401).outcome).toBe("rejected");
    expect(response(500).outcome).toBe("retrying");
    expect(response(502).outcome).toBe("retrying");
  });

  it("never follows a redirect on POST and says why", () => {
    expect(response(301, null, "https://elsewhere.example/inbox")).toMatchObject({
      outcome: "rejected",
      reason: "HTTP 301: redirect to https://elsewhere.example/inbox not followed for POST",
    });
  });

  it("honours Retry-After on 429 and 503", () => {
    expect(response(429, "120")).toMatchObject({ outcome: "retrying", retryAt: now + 120_000 });
    expect(response(503, "Mon, 23 Nov 2026 10:05:00 GMT").retryAt).toBe(Date.parse("2026-11-23T10:05:00Z"));
    expect(response(503).retryAt).toBeNull();
  });

  it("honours a hostile Retry-After only up to the bound", () => {
    expect(response(429, "10000000000000").retryAt).toBe(now + maxAhead);
    expect(response(429, "9".repeat(400)).retryAt).toBe(now + maxAhead);
    expect(response(503, "Fri, 31 Dec 9999 23:59:59 GMT").retryAt).toBe(now + maxAhead);
    // What PostgreSQL can store (the schedule's due time) and JavaScript can date.
    expect(new Date(response(429, "10000000000000").retryAt!).toISOString()).toBe("2026-11-23T16:00:00.000Z");
  });

  it("cuts a redirect's Location to a few hundred bytes", () => {
    const location = `https://elsewhere.example/${"a".repeat(16 * 1024)}`;
    const { reason } = response(301, null, location);
    expect(Buffer.byteLength(reason!)).toBeLessThanOrEqual(maxReasonBytes);
    expect(reason).toMatch(/^HTTP 301: redirect to https:\/\/elsewhere\.example\/a+…$/);
    // Multi-byte text is cut between characters, never inside one.
    const wide = response(302, null, `https://elsewhere.example/${"é😀".repeat(4000)}`).reason!;
    expect(Buffer.byteLength(wide)).toBeLessThanOrEqual(maxReasonBytes);
    expect(wide).not.toContain("\uFFFD");
    expect(wide.isWellFormed()).toBe(true);
  });

  it("cuts an error message that quotes a remote value", () => {
    const error = Object.assign(new Error(`destination ${"x".repeat(10_000)} is forbidden`), { code: "EFORBIDDEN_DESTINATION" });
    const classified = classifyOutcome({ kind: "error", error }, now, maxAhead);
    expect(Buffer.byteLength(classified.reason!)).toBeLessThanOrEqual(maxReasonBytes);
  });

  it("retries network failures with a clear reason, refuses forbidden destinations for good", () => {
    expect(error("ECONNREFUSED")).toMatchObject({ outcome: "retrying", reason: "connection refused" });
    expect(error("UND_ERR_HEADERS_TIMEOUT")).toMatchObject({ outcome: "retrying", reason: "timeout" });
    expect(error("ENOTFOUND")).toMatchObject({ outcome: "retrying", reason: "DNS lookup failed" });
    expect(error("ECONNRESET").reason).toBe("connection reset");
    expect(error("CERT_HAS_EXPIRED").reason).toBe("TLS: CERT_HAS_EXPIRED");
    expect(error("EFORBIDDEN_DESTINATION").outcome).toBe("rejected");
    // AbortSignal.timeout() rejects with a DOMException whose numeric code is 23.
    const aborted = classifyOutcome(
      { kind: "error", error: new DOMException("The operation was aborted due to timeout", "TimeoutError") },
      now,
      maxAhead,
    );
    expect(aborted).toMatchObject({ outcome: "retrying", reason: "timeout" });
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and dates, ignores garbage", () => {
    expect(parseRetryAfter("0", now, maxAhead)).toBe(now);
    expect(parseRetryAfter("soon", now, maxAhead)).toBeNull();
    expect(parseRetryAfter(null, now, maxAhead)).toBeNull();
    expect(parseRetryAfter("Mon, 23 Nov 2026 09:00:00 GMT", now, maxAhead)).toBe(now);
  });
});
