import { boundedText, type OutcomeClass } from "@fediflow/contracts";

/** The end of one HTTP attempt, as the sender saw it. */
export type AttemptResult =
  { kind: "response"; status: number; retryAfter: string | null; location: string | null } | { kind: "error"; error: unknown };

export interface Classified {
  outcome: Extract<OutcomeClass, "delivered" | "gone" | "rejected" | "retrying">;
  status: number | null;
  reason: string | null;
  /** When the server asked to be retried (Retry-After), epoch ms, at most the bound ahead. */
  retryAt: number | null;
}

/**
 * Parses Retry-After: delta-seconds or an HTTP date. Null when absent or unreadable. The server
 * controls the value, so it is honoured only up to `maxAheadMs` from now: "10000000000000"
 * seconds or a date in year 9999 would otherwise hold the host for ever, and lie outside what
 * PostgreSQL's timestamps (and JavaScript's dates) can hold.
 */
export function parseRetryAfter(value: string | null, now: number, maxAheadMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  let at: number;
  if (/^\d+$/.test(trimmed)) at = now + Number(trimmed) * 1000;
  else {
    at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
  }
  return Math.min(Math.max(at, now), now + maxAheadMs);
}

/** The error's string code (ECONNREFUSED, UND_ERR_…), else its name: an aborted request's
 * DOMException carries a legacy numeric code (23) that says less than its name (TimeoutError). */
function errorCode(error: unknown): string {
  const { code, cause, name } = error as { code?: unknown; cause?: { code?: unknown }; name?: unknown };
  if (typeof code === "string") return code;
  if (typeof cause?.code === "string") return cause.code;
  return typeof name === "string" ? name : "";
}

/** A short, stable reason for a failed connection or request. */
export function describeError(error: unknown): string {
  const code = errorCode(error);
  if (code === "EFORBIDDEN_DESTINATION" || code === "ERR_INVALID_URL") return (error as Error).message;
  if (["UND_ERR_CONNECT_TIMEOUT"].includes(code)) return "connect timeout";
  if (["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "TimeoutError", "AbortError"].includes(code)) return "timeout";
  if (code === "ECONNREFUSED") return "connection refused";
  if (["ECONNRESET", "UND_ERR_SOCKET", "EPIPE", "UND_ERR_CLOSED"].includes(code)) return "connection reset";
  if (["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME"].includes(code)) return "DNS lookup failed";
  if (/CERT|SSL|TLS|ERR_TLS/i.test(code)) return `TLS: ${code}`;
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return "host unreachable";
  return code ? `network error: ${code}` : "network error";
}

/**
 * What an attempt means for the delivery: 2xx delivered; 404/410 gone; 3xx (never followed on
 * POST) and other 4xx rejected for good; 429, 5xx and every network failure tried again, at
 * the server's Retry-After when it gave one, but never more than `maxRetryAfterMs` ahead.
 * A reason that quotes the server (a redirect's Location, an error's message) is cut to
 * maxReasonBytes.
 */
export function classifyOutcome(result: AttemptResult, now: number, maxRetryAfterMs: number): Classified {
  if (result.kind === "error") {
    const code = errorCode(result.error);
    const permanent = code === "EFORBIDDEN_DESTINATION" || code === "ERR_INVALID_URL";
    return { outcome: permanent ? "rejected" : "retrying", status: null, reason: boundedText(describeError(result.error)), retryAt: null };
  }
  const { status } = result;
  if (status >= 200 && status < 300) return { outcome: "delivered", status, reason: null, retryAt: null };
  if (status === 404 || status === 410) return { outcome: "gone", status, reason: `HTTP ${status}`, retryAt: null };
  if (status >= 300 && status < 400) {
    const to = result.location ? ` to ${result.location}` : "";
    return { outcome: "rejected", status, reason: boundedText(`HTTP ${status}: redirect${to} not followed for POST`), retryAt: null };
  }
  if (status === 429 || status === 408 || status >= 500) {
    return { outcome: "retrying", status, reason: `HTTP ${status}`, retryAt: parseRetryAfter(result.retryAfter, now, maxRetryAfterMs) };
  }
  return { outcome: "rejected", status, reason: `HTTP ${status}`, retryAt: null };
}
