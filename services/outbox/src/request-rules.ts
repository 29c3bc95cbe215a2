import { z } from "zod";
import { checkedIri, cleanText, iri, maxFollowerEntries, unstorableTextAt, type outboxRpc } from "@fediflow/contracts";
import { invalidArgument } from "@fediflow/grpc";
import type { Json } from "./activity-facts";

/**
 * What outbox accepts over gRPC: the rules ingress applies to the public API, applied again
 * here, so a caller that is not ingress (or an ingress with a bug) cannot store what fan-out
 * or delivery would fail on for ever (an unusable audience IRI, a key id with a line feed).
 * IRIs come out normalised, as ingress sends them.
 */

const registerActorRequest = z.object({ id: iri, keyId: iri, privateKeyPem: z.string().min(1).max(16_384) });

const updateFollowersRequest = z
  .object({
    actorId: iri,
    add: z.array(z.object({ id: iri, inbox: iri, sharedInbox: iri.optional() })),
    remove: z.array(iri),
  })
  .refine((request) => request.add.length + request.remove.length <= maxFollowerEntries, {
    message: `at most ${maxFollowerEntries} entries (add plus remove) per call`,
  });

const appendActivityRequest = z.object({
  actorId: iri,
  activityJson: z.string().min(2),
  audience: z
    .object({
      followers: z.boolean(),
      actors: z.array(iri).max(maxFollowerEntries),
      inboxes: z.array(iri).max(maxFollowerEntries),
    })
    .optional(),
  idempotencyKey: cleanText(255).optional(),
  requestDigest: z.string().max(128),
});

/** The activity's own fields, checked as ingress checks them (and kept as written). */
const activityFields = z.looseObject({
  id: checkedIri,
  type: cleanText(64),
  actor: z.union([checkedIri, z.looseObject({ id: checkedIri })]),
});

function parsed<S extends z.ZodType>(schema: S, request: unknown): z.infer<S> {
  const result = schema.safeParse(request);
  if (result.success) return result.data;
  const detail = result.error.issues.map((issue) => `/${issue.path.join("/")}: ${issue.message}`).join("; ");
  throw invalidArgument(detail, "invalid-request");
}

export const checkRegisterActor = (request: outboxRpc.RegisterActorRequest) => parsed(registerActorRequest, request);

export const checkUpdateFollowers = (request: outboxRpc.UpdateFollowersRequest) => parsed(updateFollowersRequest, request);

/** The request with normalised IRIs, and its activity parsed; throws INVALID_ARGUMENT. */
export function checkAppendActivity(request: outboxRpc.AppendActivityRequest) {
  const checked = parsed(appendActivityRequest, request);
  let activity: Record<string, Json>;
  try {
    activity = JSON.parse(checked.activityJson) as Record<string, Json>;
  } catch {
    throw invalidArgument("activity_json is not JSON", "invalid-activity");
  }
  if (activity === null || typeof activity !== "object" || Array.isArray(activity)) {
    throw invalidArgument("activity_json is not a JSON object", "invalid-activity");
  }
  const pointer = unstorableTextAt(activity);
  if (pointer !== null) throw invalidArgument(`activity${pointer}: holds U+0000 or a lone surrogate`, "invalid-activity");
  parsed(activityFields, activity);
  return { ...checked, activity };
}
