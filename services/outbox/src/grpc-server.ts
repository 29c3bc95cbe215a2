import { UnusableKey } from "@fediflow/activitypub";
import { normalIri, outboxRpc } from "@fediflow/contracts";
import {
  alreadyExists,
  applicationOf,
  failedPrecondition,
  invalidArgument,
  isStorageUnavailable,
  notFound,
  permissionDenied,
  unavailable,
  unary,
  type GrpcService,
} from "@fediflow/grpc";
import type { Logger } from "@fediflow/logging";
import { attributes, currentTraceHeaders, trace } from "@fediflow/telemetry";
import { activityFacts } from "./activity-facts";
import { mintedAt } from "./activity-id";
import { IdempotencyConflict, type ActivityStore, type StoredStatus } from "./activity-store";
import { UnregisteredActor, type ActorStore } from "./actor-store";
import type { GoneFollowerStore } from "./gone-follower-store";
import { goneFollowerHandlers } from "./gone-followers-rpc";
import { checkAppendActivity, checkRegisterActor, checkUpdateFollowers } from "./request-rules";
import type { InboxOutcomeStore } from "./inbox-outcomes";
import { inboxOutcomeHandlers } from "./inbox-outcomes-rpc";
import { quarantineHandlers } from "./quarantine-rpc";
import type { QuarantineStore } from "./quarantine-store";
import { redriveHandlers } from "./redrive-rpc";
import type { RedriveStore } from "./redrive-store";
import type { WebhookStore } from "./webhook-store";
import { webhookHandlers } from "./webhooks-rpc";
import { activityStatus } from "./status";
import { ForeignResource, type Tenancy } from "./tenancy";

export interface OutboxHandlers {
  actors: ActorStore;
  activities: ActivityStore;
  goneFollowers: GoneFollowerStore;
  inboxOutcomes: InboxOutcomeStore;
  redrives: RedriveStore;
  quarantine: QuarantineStore;
  webhooks: WebhookStore;
  tenancy: Tenancy;
  logger: Logger;
  /** Activities minted before this time may have been removed by retention (epoch ms). */
  purgedBefore(): number;
  /** Called after an activity, or a redrive's jobs, are committed to the transactional outbox. */
  onAppended(): void;
}

function mapStorageErrors(error: unknown): never {
  if (error instanceof UnregisteredActor) throw failedPrecondition(error.message, "unregistered-actor");
  if (error instanceof UnusableKey) throw invalidArgument(error.message, "unusable-key");
  if (error instanceof ForeignResource) throw permissionDenied(error.message);
  if (error instanceof IdempotencyConflict) throw alreadyExists(error.message, "idempotency-conflict");
  if (isStorageUnavailable(error)) throw unavailable("storage is unavailable; nothing was stored", "storage-unavailable", error);
  throw error;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The status document of a stored activity. */
function statusMessage(stored: StoredStatus): outboxRpc.GetActivityStatusResponse {
  const { state, inboxes } = activityStatus(stored);
  return {
    id: stored.id,
    state,
    inboxes,
    createdAt: stored.createdAt.toISOString(),
    completedAt: stored.completedAt?.toISOString(),
  };
}

function sameIri(a: string, b: string): boolean {
  try {
    return normalIri(a) === normalIri(b);
  } catch {
    return false;
  }
}

export function outboxService({
  actors,
  activities,
  goneFollowers,
  inboxOutcomes,
  redrives,
  quarantine,
  webhooks,
  tenancy,
  logger,
  onAppended,
  purgedBefore,
}: OutboxHandlers): GrpcService {
  const implementation: outboxRpc.OutboxServer = {
    registerActor: unary(logger, async (request: outboxRpc.RegisterActorRequest, call) => {
      const { id, keyId, privateKeyPem } = checkRegisterActor(request);
      const owner = { confinedTo: applicationOf(call), assign: request.application || null };
      if (owner.confinedTo !== null && owner.assign !== null) throw permissionDenied("only an unrestricted caller assigns an actor");
      await actors.registerActor(id, keyId, privateKeyPem, owner).catch(mapStorageErrors);
      return { id };
    }),

    updateFollowers: unary(logger, async (request: outboxRpc.UpdateFollowersRequest, call) => {
      const { actorId, add, remove } = checkUpdateFollowers(request);
      return actors.updateFollowers(actorId, add, remove, applicationOf(call)).catch(mapStorageErrors);
    }),

    appendActivity: unary(logger, async (request: outboxRpc.AppendActivityRequest, call) => {
      const { activity, ...checked } = checkAppendActivity(request);
      await tenancy.actor(applicationOf(call), checked.actorId).catch(mapStorageErrors);
      let facts;
      try {
        facts = activityFacts(activity);
      } catch (error) {
        throw invalidArgument((error as Error).message, "invalid-activity");
      }
      // Ingress sends the actor normalised and the activity as written: the same IRI in either spelling.
      if (!sameIri(facts.actor, checked.actorId)) throw invalidArgument("activity.actor differs from actor", "actor-mismatch");
      // Stored with the activity, so the relay publishes it in this call's trace.
      const traceContext = currentTraceHeaders();
      const result = await activities
        .append({
          actorId: checked.actorId,
          body: checked.activityJson,
          facts,
          audience: {
            followers: checked.audience?.followers ?? false,
            actors: checked.audience?.actors ?? [],
            inboxes: checked.audience?.inboxes ?? [],
          },
          idempotencyKey: checked.idempotencyKey ?? null,
          requestDigest: checked.requestDigest,
          traceContext,
        })
        .catch(mapStorageErrors);
      trace.getActiveSpan()?.setAttributes({ [attributes.activityId]: result.id, [attributes.activityType]: facts.type });
      if (result.created) onAppended();
      return result;
    }),

    getActivityStatus: unary(logger, async (request: outboxRpc.GetActivityStatusRequest, call) => {
      await tenancy.activity(applicationOf(call), request.id).catch(mapStorageErrors);
      const stored = await activities.status(request.id).catch(mapStorageErrors);
      if (!stored) {
        const minted = mintedAt(request.id);
        if (minted !== null && minted < purgedBefore()) {
          throw notFound(`activity ${request.id} was accepted more than the retention period ago and has been removed`, "activity-purged");
        }
        throw notFound(`no activity ${request.id}`, "unknown-activity");
      }
      return statusMessage(stored);
    }),

    listActivities: unary(logger, async (request: outboxRpc.ListActivitiesRequest, call) => {
      const limit = Math.min(Math.max(request.limit, 1), 1000);
      const before = request.before === "" ? null : request.before;
      if (before !== null && !uuidPattern.test(before)) throw invalidArgument("before is not an activity id", "invalid-request");
      // One more than asked, to tell whether another page follows.
      const stored = await activities.recent(applicationOf(call), before, limit + 1).catch(mapStorageErrors);
      return { activities: stored.slice(0, limit).map(statusMessage), more: stored.length > limit };
    }),

    ...goneFollowerHandlers(goneFollowers, tenancy, logger, mapStorageErrors),
    ...inboxOutcomeHandlers(inboxOutcomes, tenancy, logger, mapStorageErrors),
    ...redriveHandlers(redrives, tenancy, logger, mapStorageErrors, onAppended),
    ...webhookHandlers(webhooks, tenancy, logger, mapStorageErrors),
    ...quarantineHandlers(quarantine, logger, mapStorageErrors, onAppended),
  };
  return { name: "fediflow.v1.Outbox", definition: outboxRpc.OutboxService, implementation };
}
