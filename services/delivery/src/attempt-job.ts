import { MissingSigningKey, type SigningKey } from "@fediflow/signing-keys";
import type { DeliveryJob } from "@fediflow/contracts";
import { classifyOutcome, type AttemptResult, type Classified } from "./classify-outcome";
import type { RetryPolicy } from "./retry-policy";
import { refusedSignature } from "./signature-schemes";

/** What became of one inbox in one attempt of a job. */
export type InboxResult =
  | { inbox: string; kind: "attempted"; classified: Classified; durationMs: number }
  /** Not sent: the host was paused or asked to wait while this inbox waited for a slot. */
  | { inbox: string; kind: "deferred"; until: number };

/** An activity as it is sent: the body, with its digests computed once per activity. */
export interface ActivityBody {
  /** The actor outbox stored the activity under: the only actor whose key may sign it. */
  actorId: string;
  body: Buffer;
  /** `Digest` header (draft-cavage), computed once per activity rather than once per request. */
  digest: string;
  /** `Content-Digest` header (RFC 9421), likewise once per activity. */
  contentDigest: string;
}

/** The stored activity bodies (ActivityBodies); null when the activity is gone. */
export interface ActivityBodySource {
  get(activityId: string): Promise<ActivityBody | null>;
}

/** Actors' signing keys (SigningKeys); rejects with MissingSigningKey when an actor has none. */
export interface SigningKeySource {
  get(actorId: string): Promise<SigningKey>;
  /** The key as stored now, past the cache (after a refusal that a key change may explain). */
  current(actorId: string): Promise<SigningKey>;
}

/** Signs and POSTs one activity to one inbox, never throwing (InboxSender). */
export interface InboxPoster {
  post(host: string, inbox: string, activityId: string, body: ActivityBody, key: SigningKey): Promise<AttemptResult>;
}

/** Runs a request within the host's share of concurrency (HostLimiter). */
export interface RequestSlots {
  run<T>(host: string, task: () => Promise<T>): Promise<T>;
}

/** May one request go to the host now (HostAdmission)? The time to wait until, or null. */
export interface RequestAdmission {
  admitRequest(host: string, now: number): number | null;
}

export interface AttemptDependencies {
  bodies: ActivityBodySource;
  keys: SigningKeySource;
  sender: InboxPoster;
  limiter: RequestSlots;
  admission: RequestAdmission;
  clock: () => number;
  /** Bounds what a server's Retry-After can ask for (maxDelayMs). */
  retryPolicy: RetryPolicy;
  /** Each inbox's result as soon as its request ends (progress reports of a long attempt). */
  onAttempted?(result: Extract<InboxResult, { kind: "attempted" }>): void;
}

const rejectedAll = (job: DeliveryJob, reason: string): InboxResult[] =>
  job.inboxes.map((inbox) => ({
    inbox,
    kind: "attempted",
    classified: { outcome: "rejected", status: null, reason, retryAt: null },
    durationMs: 0,
  }));

/** Sends one job's activity to each of its inboxes, within the host's limits. */
export async function attemptJob(job: DeliveryJob, deps: AttemptDependencies): Promise<InboxResult[]> {
  const body = await deps.bodies.get(job.activityId);
  if (!body) return rejectedAll(job, "activity no longer stored");
  // A job names the actor whose key signs it; anyone who can produce to the deliveries topic
  // could name another. Only the actor the activity was stored under may sign it.
  if (body.actorId !== job.actorId) return rejectedAll(job, "the job's actor is not the activity's actor");
  let key: SigningKey;
  try {
    key = await deps.keys.get(job.actorId);
  } catch (error) {
    if (error instanceof MissingSigningKey) return rejectedAll(job, "actor has no signing key");
    throw error;
  }
  return Promise.all(job.inboxes.map((inbox) => deps.limiter.run(job.host, () => attemptInbox(job, inbox, body, key, deps))));
}

async function attemptInbox(
  job: DeliveryJob,
  inbox: string,
  body: ActivityBody,
  key: SigningKey,
  deps: AttemptDependencies,
): Promise<InboxResult> {
  // Checked again once the slot is ours: a pause may have begun while this inbox waited.
  const until = deps.admission.admitRequest(job.host, deps.clock());
  if (until !== null) return { inbox, kind: "deferred", until };
  const started = performance.now();
  let result = await deps.sender.post(job.host, inbox, job.activityId, body, key);
  let classified = classifyOutcome(result, deps.clock(), deps.retryPolicy.maxDelayMs);
  if (result.kind === "response" && refusedSignature(result.status)) {
    // Refused, perhaps because the key was registered again since it was cached: the delivery
    // goes again, signed with the key as stored now.
    const current = await deps.keys.current(job.actorId).catch(() => key);
    if (current.version > key.version) {
      result = await deps.sender.post(job.host, inbox, job.activityId, body, current);
      classified = classifyOutcome(result, deps.clock(), deps.retryPolicy.maxDelayMs);
      // Still refused: the server may hold the old public key a while longer. A refusal of a
      // key that was just replaced is no permanent verdict on the delivery.
      if (result.kind === "response" && refusedSignature(result.status)) {
        classified = { ...classified, outcome: "retrying", reason: `${classified.reason}: signature refused just after a key change` };
      }
    }
  }
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  const attempted = { inbox, kind: "attempted" as const, classified, durationMs };
  deps.onAttempted?.(attempted);
  return attempted;
}
