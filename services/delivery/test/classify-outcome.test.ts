import { describe, expect, it } from "vitest";
import { classifyOutcome, parseRetryAfter } from "../src/classify-outcome";

const now = Date.parse("2026-11-23T10:00:00Z");
const response = (status: number, retryAfter: string | null = null, location: string | null = null) =>
  classifyOutcome({ kind: "response", status, retryAfter, location }, now);
const error = (code: string) => classifyOutcome({ kind: "error", error: Object.assign(new Error(code), { code }) }, now);

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
    );
    expect(aborted).toMatchObject({ outcome: "retrying", reason: "timeout" });
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and dates, ignores garbage", () => {
    expect(parseRetryAfter("0", now)).toBe(now);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("Mon, 23 Nov 2026 09:00:00 GMT", now)).toBe(now);
  });
});
