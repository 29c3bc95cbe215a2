import type { DeliveryJob, InboxOutcome } from "@fediflow/contracts";
import type { InboxResult } from "./attempt-job";
import { deferral, nextRetry, type RetryPolicy } from "./retry-policy";
import type { WaitReason } from "./waiting-lanes";

/** What one attempt of a job comes to. */
export interface FoldedAttempt {
  /** One outcome per inbox that was sent to (deferred inboxes have none yet). */
  outcomes: InboxOutcome[];
  /** What is tried again, when and why; null when the job is done. Its trace is the attempted job's. */
  next: { job: DeliveryJob; at: number; reason: WaitReason } | null;
  /** The latest time the host asked to be left alone until (Retry-After), or null. */
  retryAfter: number | null;
}

/**
 * Folds an attempt's per-inbox results into the outcomes to report and the job to try again.
 * Retrying inboxes go again at the policy's next retry (or the server's Retry-After, whichever
 * the policy picks); inboxes deferred by a pause go again when it ends, without counting an
 * attempt. Past the policy's horizon retrying inboxes expire, while deferred ones, never tried
 * this time, go on waiting. `now` is when the attempt finished; a job without firstAttemptAt
 * is taken as first attempted then.
 */
export function foldAttempt(
  job: DeliveryJob,
  results: InboxResult[],
  policy: RetryPolicy,
  now: number,
  random: () => number = Math.random,
): FoldedAttempt {
  const firstAttemptAt = job.firstAttemptAt ?? now;
  const outcomes: InboxOutcome[] = [];
  const again: string[] = [];
  const deferred: string[] = [];
  let retryAfter: number | null = null;
  let deferredUntil = 0;
  for (const result of results) {
    if (result.kind === "deferred") {
      again.push(result.inbox);
      deferred.push(result.inbox);
      deferredUntil = Math.max(deferredUntil, result.until);
      continue;
    }
    const { classified, durationMs } = result;
    outcomes.push({ inbox: result.inbox, outcome: classified.outcome, status: classified.status, reason: classified.reason, durationMs });
    if (classified.outcome === "retrying") {
      again.push(result.inbox);
      if (classified.retryAt !== null) retryAfter = Math.max(retryAfter ?? 0, classified.retryAt);
    }
  }
  if (again.length === 0) return { outcomes, next: null, retryAfter };

  const retried = outcomes.some((outcome) => outcome.outcome === "retrying");
  // Deferred inboxes wait for their host, but never past the delivery's retry horizon.
  const waiting = deferral(policy, firstAttemptAt, now, deferredUntil);
  const decision = retried ? nextRetry(policy, job.attempt, firstAttemptAt, now, retryAfter, random) : waiting;
  if (decision.kind === "expired") {
    const expired = outcomes.map((outcome): InboxOutcome =>
      outcome.outcome === "retrying" ? { ...outcome, outcome: "expired", reason: `${outcome.reason}; ${decision.reason}` } : outcome,
    );
    if (deferred.length > 0 && waiting.kind === "expired") {
      for (const inbox of deferred) expired.push({ inbox, outcome: "expired", status: null, reason: waiting.reason, durationMs: 0 });
      return { outcomes: expired, next: null, retryAfter };
    }
    const next =
      deferred.length > 0 && waiting.kind === "retry"
        ? { job: { ...job, inboxes: deferred, firstAttemptAt }, at: waiting.at, reason: "paused" as const }
        : null;
    return { outcomes: expired, next, retryAfter };
  }
  return {
    outcomes,
    next: {
      job: { ...job, inboxes: again, attempt: retried ? job.attempt + 1 : job.attempt, firstAttemptAt },
      at: Math.max(decision.at, deferredUntil),
      reason: retryAfter !== null ? "retry-after" : retried ? "retry" : "paused",
    },
    retryAfter,
  };
}
