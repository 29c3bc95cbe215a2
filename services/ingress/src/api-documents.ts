import { z } from "zod";
import { hostStates, listedOutcomes } from "@fediflow/contracts";

/**
 * What the API answers, as zod schemas: the OpenAPI document describes responses with them (the
 * request schemas are the ones the routes validate with). Absent optional fields are left out of
 * answers, never sent as null.
 */
const time = z.string().describe("RFC 3339 time");
const next = z.string().nullable().describe("cursor of the next page; null on the last one");

export const problemDocument = z.object({
  type: z.string().describe("urn:fediflow:problem:<slug>"),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
});

export const actorRegistered = z.object({ id: z.string() });
export const followersUpdated = z.object({ added: z.number().int(), removed: z.number().int() });
export const activityAccepted = z.object({ id: z.string(), status: z.string(), traceId: z.string().nullable() });

export const inboxCounts = z.object({
  total: z.number().int(),
  delivered: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int(),
  parked: z.number().int(),
  blocked: z.number().int(),
  superseded: z.number().int(),
});

export const activityStatusDocument = z.object({
  id: z.string(),
  state: z.enum(["fanning_out", "delivering", "done"]),
  inboxes: inboxCounts,
  createdAt: time,
  completedAt: time.optional(),
});

export const inboxOutcomeDocument = z.object({
  inbox: z.string(),
  host: z.string(),
  outcome: z.enum(listedOutcomes),
  status: z.number().int().optional(),
  reason: z.string().optional(),
  attempts: z.number().int(),
  lastAttemptAt: time.optional(),
  nextAttemptAt: time.optional(),
});
export const inboxesPage = z.object({ inboxes: z.array(inboxOutcomeDocument), next });
export const activitiesPage = z.object({ activities: z.array(activityStatusDocument), next });

export const redriveAccepted = z.object({ redriven: z.number().int() });

export const quarantinedMessage = z.object({
  id: z.string().describe("the entry's id (decimal digits)"),
  topic: z.string().describe("the topic's contract name"),
  partition: z.number().int().optional().describe("absent for an outbox row the relay could not publish"),
  offset: z.number().int().optional(),
  key: z.string(),
  group: z.string().describe("the consumer group that could not handle it (outbox-relay: the relay)"),
  reason: z.enum(["data-exception", "integrity-constraint", "unusable-url", "message-too-large", "marked-permanent"]),
  error: z.string().describe("<error class>: <message>"),
  quarantinedAt: time,
  redrivenAt: time.optional(),
});
export const quarantinePage = z.object({ messages: z.array(quarantinedMessage), next });

export const hostDocument = z.object({
  host: z.string(),
  state: z.enum(hostStates),
  failures: z.number().int(),
  firstFailureAt: time.optional(),
  lastSuccessAt: time.optional(),
  nextProbeAt: time.optional(),
});
export const hostsList = z.object({ hosts: z.array(hostDocument) });

export const attemptsList = z.object({
  attempts: z.array(
    z.object({
      at: time,
      inbox: z.string(),
      activityId: z.string(),
      outcome: z.string(),
      status: z.number().int().optional(),
      reason: z.string().optional(),
      durationMs: z.number(),
    }),
  ),
});
export const parkedPage = z.object({ parked: z.array(z.object({ activityId: z.string(), inbox: z.string(), parkedAt: time })), next });
export const parkedDiscarded = z.object({ discarded: z.number().int() });

export const goneFollowersPage = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(["follower", "sharedInbox"]),
      follower: z.string().optional(),
      inbox: z.string(),
      host: z.string(),
      followers: z.number().int(),
      status: z.number().int().optional(),
      goneAt: time,
      activityId: z.string().optional(),
    }),
  ),
  next: z.string().nullable(),
});
export const goneFollowersAcknowledged = z.object({ acknowledged: z.number().int() });

export const webhookCreated = z.object({ id: z.string(), secret: z.string().describe("the signing secret, shown only now") });
export const webhooksList = z.object({
  webhooks: z.array(
    z.object({
      id: z.string(),
      url: z.string(),
      events: z.array(z.string()),
      failures: z.number().int(),
      paused: z.boolean(),
      pausedAt: time.optional(),
      createdAt: time,
    }),
  ),
});
export const webhookDeliveries = z.object({
  deliveries: z.array(
    z.object({
      eventId: z.string(),
      type: z.string(),
      attempt: z.number().int(),
      result: z.enum(["delivered", "retrying", "failed"]),
      status: z.number().int().optional(),
      error: z.string().optional(),
      durationMs: z.number(),
      at: time,
    }),
  ),
});
