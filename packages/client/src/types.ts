/** The API's documents, as docs/api.md and GET /v1/openapi.json describe them. */

export type InboxOutcome = "delivered" | "pending" | "parked" | "gone" | "rejected" | "expired" | "superseded" | "blocked" | "discarded";
export type RedrivableOutcome = "gone" | "rejected" | "expired" | "discarded";
export type HostState = "healthy" | "failing" | "dead" | "blocked";

export interface Follower {
  id: string;
  inbox: string;
  sharedInbox?: string;
}

export interface Audience {
  followers?: boolean;
  actors?: string[];
  inboxes?: string[];
}

export interface SubmitActivity {
  actor: string;
  activity: { id: string; type: string; actor: string | { id: string }; [field: string]: unknown };
  audience: Audience;
  idempotencyKey?: string;
}

export interface ActivityAccepted {
  id: string;
  status: string;
  traceId: string | null;
}

export interface InboxCounts {
  total: number;
  delivered: number;
  failed: number;
  pending: number;
  parked: number;
  blocked: number;
  superseded: number;
}

export interface ActivityStatus {
  id: string;
  state: "fanning_out" | "delivering" | "done";
  inboxes: InboxCounts;
  createdAt: string;
  completedAt?: string;
}

export interface InboxRecord {
  inbox: string;
  host: string;
  outcome: InboxOutcome;
  status?: number;
  reason?: string;
  attempts: number;
  lastAttemptAt?: string;
  nextAttemptAt?: string;
}

export interface Page<T> {
  items: T[];
  /** Cursor of the next page, null on the last one. */
  next: string | null;
}

export interface Host {
  host: string;
  state: HostState;
  failures: number;
  firstFailureAt?: string;
  lastSuccessAt?: string;
  nextProbeAt?: string;
}

export interface Attempt {
  at: string;
  inbox: string;
  activityId: string;
  outcome: string;
  status?: number;
  reason?: string;
  durationMs: number;
}

export interface ParkedDelivery {
  activityId: string;
  inbox: string;
  parkedAt: string;
}

export interface GoneFollower {
  id: string;
  kind: "follower" | "sharedInbox";
  follower?: string;
  inbox: string;
  host: string;
  followers: number;
  status?: number;
  goneAt: string;
  activityId?: string;
}

export interface ActivityRedrive {
  outcomes?: RedrivableOutcome[];
  hosts?: string[];
  requestId?: string;
}

export interface HostRedrive {
  since: string;
  until?: string;
  outcomes?: RedrivableOutcome[];
  requestId?: string;
}

export type WebhookEventType = "activity.completed" | "host.failing" | "host.dead" | "host.revived" | "follower.gone";

export interface WebhookSubscription {
  id: string;
  url: string;
  events: WebhookEventType[];
  failures: number;
  paused: boolean;
  pausedAt?: string;
  createdAt: string;
}

export interface WebhookDelivery {
  eventId: string;
  type: WebhookEventType;
  attempt: number;
  result: "delivered" | "retrying" | "failed";
  status?: number;
  error?: string;
  durationMs: number;
  at: string;
}

/** What a webhook request's body holds (verify it with the `standardwebhooks` package and the secret). */
export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: Record<string, unknown>;
}

export interface QuarantinedMessage {
  id: string;
  topic: string;
  partition?: number;
  offset?: number;
  key: string;
  group: string;
  reason: string;
  error: string;
  quarantinedAt: string;
  redrivenAt?: string;
}
