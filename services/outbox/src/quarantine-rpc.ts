import type { outboxRpc } from "@fediflow/contracts";
import { applicationOf, failedPrecondition, notFound, permissionDenied, unary, type Caller } from "@fediflow/grpc";
import type { Logger } from "@fediflow/logging";
import { currentTraceHeaders } from "@fediflow/telemetry";
import { UnredrivableMessage, type QuarantineStore, type QuarantinedEntry } from "./quarantine-store";

type QuarantineHandlers = Pick<outboxRpc.OutboxServer, "listQuarantined" | "redriveQuarantined">;

function entryMessage(entry: QuarantinedEntry): outboxRpc.QuarantinedMessage {
  return {
    id: entry.id,
    topic: entry.topic,
    partition: entry.partition ?? undefined,
    offset: entry.offset ?? undefined,
    key: entry.key,
    group: entry.group,
    reason: entry.reason,
    error: entry.error,
    quarantinedAt: entry.quarantinedAt.toISOString(),
    redrivenAt: entry.redrivenAt?.toISOString(),
  };
}

/** The quarantine holds every application's messages: never for a caller confined to one. */
function operatorsOnly(call: Caller): void {
  if (applicationOf(call) !== null) throw permissionDenied("the quarantine needs an operator token");
}

/** The quarantine over gRPC (issue 24): what consumers set aside, and sending it again. */
export function quarantineHandlers(
  store: QuarantineStore,
  logger: Logger,
  mapErrors: (error: unknown) => never,
  onRedriven: () => void,
): QuarantineHandlers {
  return {
    listQuarantined: unary(logger, async (request: outboxRpc.ListQuarantinedRequest, call) => {
      operatorsOnly(call);
      const limit = Math.min(Math.max(request.limit, 1), 1000);
      // One more than asked, to tell whether another page follows.
      const entries = await store.list(request.after, limit + 1).catch(mapErrors);
      return { messages: entries.slice(0, limit).map(entryMessage), more: entries.length > limit };
    }),

    redriveQuarantined: unary(logger, async (request: outboxRpc.RedriveQuarantinedRequest, call) => {
      operatorsOnly(call);
      const result = await store.redrive(request.id, currentTraceHeaders()).catch((error: unknown) => {
        if (error instanceof UnredrivableMessage) throw failedPrecondition(error.message, "unredrivable-message");
        return mapErrors(error);
      });
      if (!result) throw notFound(`no quarantined message ${request.id}`, "unknown-quarantined-message");
      if (result.redriven > 0) onRedriven();
      logger.info({ id: request.id, ...result }, "quarantined message redriven");
      return { redriven: result.redriven, repeated: result.redriven === 0 };
    }),
  };
}
