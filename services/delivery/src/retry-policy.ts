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
  const at = retryAt ?? now + Math.round(random() * ceiling);
  if (at - firstAttemptAt > policy.horizonMs) {
    const hours = Math.round((now - firstAttemptAt) / 360_000) / 10;
    return { kind: "expired", reason: `gave up after ${attempt} attempts over ${hours} h` };
  }
  return { kind: "retry", at };
}
