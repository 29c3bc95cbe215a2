import type { DeliveryJob, DeliveryReport, InboxOutcome } from "@fediflow/contracts";
import type { ActivityBodies } from "./activity-bodies";
import { classifyOutcome, type Classified } from "./classify-outcome";
import type { HostLimiter } from "./host-limiter";
import type { InboxSender } from "./inbox-sender";
import { MissingSigningKey, type SigningKeys } from "@fediflow/actor-keys";

export interface Attempted {
  report: DeliveryReport;
  /** Per inbox, what classification decided (retry times included). */
  classified: Map<string, Classified>;
}

export interface DeliverDependencies {
  bodies: ActivityBodies;
  keys: SigningKeys;
  sender: InboxSender;
  limiter: HostLimiter;
  clock: () => number;
}

/** Attempts every inbox of a job once, within the host's limits, and reports each outcome. */
export async function attemptJob(job: DeliveryJob, deps: DeliverDependencies): Promise<Attempted> {
  const classified = new Map<string, Classified>();
  const outcomes: InboxOutcome[] = [];
  const body = await deps.bodies.get(job.activityId);
  let key;
  try {
    key = body ? await deps.keys.get(job.actorId) : null;
  } catch (error) {
    if (!(error instanceof MissingSigningKey)) throw error;
    key = null;
  }
  if (!body || !key) {
    const reason = !body ? "activity no longer stored" : "actor has no signing key";
    for (const inbox of job.inboxes) {
      outcomes.push({ inbox, outcome: "rejected", status: null, reason, durationMs: 0 });
      classified.set(inbox, { outcome: "rejected", status: null, reason, retryAt: null });
    }
  } else {
    await Promise.all(
      job.inboxes.map((inbox) =>
        deps.limiter.run(job.host, async () => {
          const started = performance.now();
          const result = await deps.sender.post(inbox, job.activityId, body, key);
          const durationMs = Math.round((performance.now() - started) * 10) / 10;
          const outcome = classifyOutcome(result, deps.clock());
          classified.set(inbox, outcome);
          outcomes.push({ inbox, outcome: outcome.outcome, status: outcome.status, reason: outcome.reason, durationMs });
        }),
      ),
    );
  }
  const { inboxes: _inboxes, ...fields } = job;
  return {
    report: { ...fields, firstAttemptAt: job.firstAttemptAt ?? deps.clock(), outcomes, at: new Date(deps.clock()).toISOString() },
    classified,
  };
}
