/** When a webhook attempt is tried again, and when an endpoint is paused. */
export interface WebhookPolicy {
  /** First retry after at most this, ms; doubles per attempt (full jitter). */
  retryBaseMs: number;
  /** Longest wait between attempts, ms. */
  retryMaxMs: number;
  /** An event is given up this long after its first attempt, ms. */
  horizonMs: number;
  /** Failed attempts in a row (any event) that pause an endpoint. */
  pauseAfterFailures: number;
}

export type WebhookVerdict =
  | { kind: "delivered" }
  | { kind: "retry"; at: number }
  | { kind: "failed"; reason: string };

/**
 * What an attempt's answer decides: a 2xx delivers; anything else (an error, a timeout, any
 * other status: the receiver is the application's own code) is tried again with exponential
 * backoff and full jitter, until the horizon.
 */
export function webhookVerdict(
  policy: WebhookPolicy,
  answer: { status: number | null },
  attempt: number,
  firstAttemptAt: number,
  now: number,
  random: () => number = Math.random,
): WebhookVerdict {
  if (answer.status !== null && answer.status >= 200 && answer.status < 300) return { kind: "delivered" };
  const at = now + Math.round(random() * Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(attempt - 1, 30)));
  if (at - firstAttemptAt > policy.horizonMs) return { kind: "failed", reason: `gave up after ${attempt} attempts` };
  return { kind: "retry", at };
}

/** Whether an endpoint with this many failures in a row is paused. */
export const pauses = (policy: WebhookPolicy, failures: number): boolean => failures >= policy.pauseAfterFailures;
