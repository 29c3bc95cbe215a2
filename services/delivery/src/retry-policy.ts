/** When retries happen and when they stop. */
export interface RetryPolicy {
  /** Upper bound of the first delay (full jitter draws from [0, base]), ms. */
  baseMs: number;
  /** Upper bound of any one delay, ms. */
  maxDelayMs: number;
  /** Attempts stop this long after the first one; the delivery then fails for good, ms. */
  horizonMs: number;
}

/** Defaults in the spirit of Mastodon's Sidekiq retries: first within a minute, hours later on, ~2 days. */
export const defaultRetryPolicy: RetryPolicy = { baseMs: 60_000, maxDelayMs: 6 * 3_600_000, horizonMs: 48 * 3_600_000 };

/** Hours from the first attempt to now, to one decimal. */
const hoursSince = (firstAttemptAt: number, now: number): number => Math.round((now - firstAttemptAt) / 360_000) / 10;

export type RetryDecision = { kind: "retry"; at: number } | { kind: "expired"; reason: string };

/**
 * Exponential backoff with full jitter (a uniform draw in [0, min(cap, base·2^(attempt-1))]),
 * so a host that failed for many deliveries at once is not hit by all their retries at once.
 * A server's Retry-After wins over the draw. Past the horizon the delivery expires.
 */
export function nextRetry(
  policy: RetryPolicy,
  attempt: number,
  firstAttemptAt: number,
  now: number,
  retryAt: number | null,
  random: () => number = Math.random,
): RetryDecision {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  // Retry-After is the server's to choose: it is honoured up to maxDelayMs ahead, no further.
  const at = retryAt !== null ? Math.min(retryAt, now + policy.maxDelayMs) : now + Math.round(random() * ceiling);
  if (at - firstAttemptAt > policy.horizonMs) {
    return { kind: "expired", reason: `gave up after ${attempt} attempts over ${hoursSince(firstAttemptAt, now)} h` };
  }
  return { kind: "retry", at };
}

/**
 * A job that must wait for its host (the host's Retry-After, already bounded by maxDelayMs,
 * or its circuit breaker's pause) without an attempt of its own. A job already tried expires
 * rather than wait past its horizon: a host that keeps asking for time never keeps a delivery
 * longer than its retries would have.
 */
export function deferral(policy: RetryPolicy, firstAttemptAt: number | null, now: number, until: number): RetryDecision {
  if (firstAttemptAt !== null && until - firstAttemptAt > policy.horizonMs) {
    return { kind: "expired", reason: `the host held it past the retry horizon; gave up over ${hoursSince(firstAttemptAt, now)} h` };
  }
  return { kind: "retry", at: until };
}
