import { outboxRpc } from "@fediflow/contracts";
import { applicationOf, notFound, unary } from "@fediflow/grpc";
import type { Logger } from "@fediflow/logging";
import type { GoneEntry, GoneFollowerStore } from "./gone-follower-store";
import type { Tenancy } from "./tenancy";

type GoneFollowerHandlers = Pick<outboxRpc.OutboxServer, "listGoneFollowers" | "acknowledgeGoneFollowers">;

const unknownActor = (actorId: string) => notFound(`actor ${actorId} is not registered`, "unknown-actor");

function entryMessage(entry: GoneEntry): outboxRpc.GoneEntry {
  return {
    id: entry.id,
    kind: entry.kind,
    followerId: entry.followerId ?? undefined,
    inbox: entry.inbox,
    host: entry.host,
    followers: entry.followers,
    status: entry.status ?? undefined,
    goneAt: entry.goneAt.toISOString(),
    activityId: entry.activityId ?? undefined,
  };
}

/** The gone-followers feed over gRPC (an extension of the API). */
export function goneFollowerHandlers(
  store: GoneFollowerStore,
  tenancy: Tenancy,
  logger: Logger,
  mapErrors: (error: unknown) => never,
): GoneFollowerHandlers {
  return {
    listGoneFollowers: unary(logger, async (request: outboxRpc.ListGoneFollowersRequest, call) => {
      await tenancy.actor(applicationOf(call), request.actorId).catch(mapErrors);
      const entries = await store.list(request.actorId, request.after, Math.min(Math.max(request.limit, 1), 1000)).catch(mapErrors);
      if (!entries) throw unknownActor(request.actorId);
      return { entries: entries.map(entryMessage) };
    }),

    acknowledgeGoneFollowers: unary(logger, async (request: outboxRpc.AcknowledgeGoneFollowersRequest, call) => {
      await tenancy.actor(applicationOf(call), request.actorId).catch(mapErrors);
      const acknowledged = await store.acknowledge(request.actorId, request.ids, request.upTo ?? null).catch(mapErrors);
      if (acknowledged === null) throw unknownActor(request.actorId);
      return { acknowledged };
    }),
  };
}
