import { z } from "zod";

/**
 * Every Kafka topic FediFlow uses: its key, its value schema and its partition count.
 * The local broker, the Helm chart's KafkaTopic objects and every producer and consumer
 * take their names from here.
 */

/** Outcome classes a delivery can end an attempt with. */
export const outcomeClasses = [
  /** 2xx: the inbox has it. */
  "delivered",
  /** 404/410: the inbox is gone; counted failed and fed to the gone-followers feed. */
  "gone",
  /** Any other 4xx (and 3xx, which is never followed for POST): permanent, with the reason. */
  "rejected",
  /** 5xx, 429, timeouts, resets, DNS and TLS failures: tried again later. */
  "retrying",
  /** Retries exhausted: permanent failure. */
  "expired",
  /** Held for a dead host; replayed when it is revived. */
  "parked",
  /** The host is blocked by an operator: never sent. */
  "blocked",
  /** A newer activity about the same object replaced this one before it was sent. */
  "superseded",
  /** An operator discarded the parked delivery (DELETE /v1/hosts/{host}/parked): counted failed. */
  "discarded",
] as const;
export type OutcomeClass = (typeof outcomeClasses)[number];

export const ActivityAcceptedSchema = z.object({
  activityId: z.string().uuid(),
  actorId: z.string(),
  activityType: z.string(),
  /** The object the activity is about; activities about one object keep their order per host. */
  objectId: z.string().nullable(),
});
export type ActivityAccepted = z.infer<typeof ActivityAcceptedSchema>;

export const DeliveryJobSchema = z.object({
  activityId: z.string().uuid(),
  actorId: z.string(),
  activityType: z.string(),
  objectId: z.string().nullable(),
  host: z.string(),
  /** Distinct target inboxes on this host (shared inboxes already folded). */
  inboxes: z.array(z.string()).min(1),
  /** The activity's own IRI (coalescing matches an Undo to what it undoes). */
  activityIri: z.string().optional(),
  /** For an Undo: the IRI of the activity it undoes. */
  undoes: z.string().nullable().optional(),
  /** 1 for the first attempt. */
  attempt: z.number().int().positive(),
  /** Epoch milliseconds of the first attempt, so retries know when to give up. */
  firstAttemptAt: z.number().int().nullable(),
  /**
   * Set on the jobs of a redrive (the redrive's id): outbox counts only the outcomes of the
   * newest redrive of an inbox, so a late report from before it changes nothing.
   */
  redriveId: z.string().optional(),
  /**
   * For a retry (it waits in the delivery schedule, not in Kafka): the W3C traceparent to run in
   * (the activity's trace) and the first attempt's span, which the retry links to.
   */
  trace: z.object({ parent: z.string().optional(), firstAttempt: z.string().optional() }).optional(),
});
export type DeliveryJob = z.infer<typeof DeliveryJobSchema>;

export const InboxOutcomeSchema = z.object({
  inbox: z.string(),
  outcome: z.enum(outcomeClasses),
  /** HTTP status when a response arrived. */
  status: z.number().int().nullable(),
  /** Why, for anything but delivered: "timeout", "connection refused", "HTTP 503", ... */
  reason: z.string().nullable(),
  durationMs: z.number().nonnegative(),
});
export type InboxOutcome = z.infer<typeof InboxOutcomeSchema>;

export const DeliveryReportSchema = DeliveryJobSchema.omit({ inboxes: true, trace: true }).extend({
  /** 0 when settled without an attempt (blocked or parked at fan-out). */
  attempt: z.number().int().nonnegative(),
  outcomes: z.array(InboxOutcomeSchema).min(1),
  /** ISO-8601 time the attempt ended. */
  at: z.string(),
  /**
   * Set by host-health on a parked delivery it gave up on at revival (parked longer than the
   * maximum age): no request was made, so the outcome says nothing about the host's health.
   */
  parkExpired: z.boolean().optional(),
  /** ISO-8601 time the inboxes still `retrying` in this report are tried next, when known. */
  nextAttemptAt: z.string().optional(),
});
export type DeliveryReport = z.infer<typeof DeliveryReportSchema>;

export const hostStates = ["healthy", "failing", "dead", "blocked"] as const;
export type HostStateName = (typeof hostStates)[number];

export const HostEventSchema = z.object({
  host: z.string(),
  state: z.enum(hostStates),
  failures: z.number().int().nonnegative(),
  firstFailureAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  nextProbeAt: z.string().nullable(),
  /** The circuit breaker holds the host until then (ISO-8601), if set. */
  pausedUntil: z.string().nullable(),
  changedAt: z.string(),
});
export type HostEvent = z.infer<typeof HostEventSchema>;

/** Events an application can subscribe to with a webhook (POST /v1/webhooks). */
export const webhookEventTypes = ["activity.completed", "host.failing", "host.dead", "host.revived", "follower.gone"] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export const WebhookEventSchema = z.object({
  /** Stable event id: the `webhook-id` of every attempt to every endpoint. */
  id: z.string(),
  type: z.enum(webhookEventTypes),
  /** ISO-8601 time the event happened. */
  timestamp: z.string(),
  /** activity.completed: the status document; host.*: the host; follower.gone: the feed entry. */
  data: z.record(z.string(), z.unknown()),
});
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;

export interface TopicSpec<V> {
  name: string;
  /** What the message key is; messages with one key keep their order. */
  key: string;
  value: z.ZodType<V>;
  partitions: number;
  /** Log compaction: only the newest value per key matters (and it never expires). */
  compacted: boolean;
}

/**
 * How long a non-compacted topic keeps messages (7 days, Kafka's default): longer than any
 * consumer may sensibly lag, so a delivery outage of days loses nothing that was published.
 */
export const topicRetentionMs = 7 * 24 * 60 * 60 * 1000;

/** The topic-level configs a topic is created with (the chart's KafkaTopic and the local broker). */
export function topicConfig(spec: Pick<TopicSpec<unknown>, "compacted">): Record<string, string> {
  return spec.compacted ? { "cleanup.policy": "compact" } : { "cleanup.policy": "delete", "retention.ms": String(topicRetentionMs) };
}

export const topics = {
  /** Published by the outbox relay once an activity is committed; consumed by fan-out. */
  activities: {
    name: "fediflow.activities",
    key: "object id (activity id when it has no object): keeps per-object order into fan-out",
    value: ActivityAcceptedSchema,
    partitions: 12,
    compacted: false,
  },
  /** One message per (activity, destination host), produced by fan-out; consumed by delivery. */
  deliveries: {
    name: "fediflow.deliveries",
    key: "destination host: one host's deliveries stay in one partition, in order",
    value: DeliveryJobSchema,
    partitions: 24,
    compacted: false,
  },
  /** Outcomes of every attempt, from delivery and fan-out; consumed by outbox and host-health. */
  outcomes: {
    name: "fediflow.delivery-outcomes",
    key: "destination host",
    value: DeliveryReportSchema,
    partitions: 12,
    compacted: false,
  },
  /** Host state changes from host-health; fan-out and delivery keep a local copy. */
  hostEvents: {
    name: "fediflow.host-events",
    key: "host",
    value: HostEventSchema,
    partitions: 6,
    compacted: true,
  },
  /**
   * Events for the application's webhooks, from outbox (activity.completed, follower.gone) and
   * host-health (host.*); consumed by outbox's webhook dispatcher, never by the delivery path.
   */
  webhookEvents: {
    name: "fediflow.webhook-events",
    key: "the event's subject: activity id, host, or actor",
    value: WebhookEventSchema,
    partitions: 6,
    compacted: false,
  },
} as const satisfies Record<string, TopicSpec<unknown>>;

export type TopicName = keyof typeof topics;
export const allTopics: readonly TopicSpec<unknown>[] = Object.values(topics);
