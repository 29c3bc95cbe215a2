import type { outboxRpc } from "@fediflow/contracts";
import { applicationOf, invalidArgument, notFound, permissionDenied, unary } from "@fediflow/grpc";
import type { Logger } from "@fediflow/logging";
import { currentTraceHeaders } from "@fediflow/telemetry";
import { redrivableOutcomes, type RedrivableOutcome } from "@fediflow/contracts";
import { defaultRedriveOutcomes } from "./redrive";
import type { RedriveStore } from "./redrive-store";
import type { Tenancy } from "./tenancy";

type RedriveHandlers = Pick<outboxRpc.OutboxServer, "redriveActivity" | "redriveHost">;

function outcomesOf(requested: string[]): RedrivableOutcome[] {
  if (requested.length === 0) return defaultRedriveOutcomes;
  for (const outcome of requested) {
    if (!(redrivableOutcomes as readonly string[]).includes(outcome))
      throw invalidArgument(`only settled failures can be redriven (${redrivableOutcomes.join(", ")}), not ${outcome}`, "invalid-request");
  }
  return [...new Set(requested)] as RedrivableOutcome[];
}

function timeOf(value: string, name: string): Date {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw invalidArgument(`${name} is not an RFC 3339 time`, "invalid-request");
  return time;
}

/** Redrive over gRPC (issue 21): settled failures sent again through the normal pipeline. */
export function redriveHandlers(
  store: RedriveStore,
  tenancy: Tenancy,
  logger: Logger,
  mapErrors: (error: unknown) => never,
  onRedriven: () => void,
): RedriveHandlers {
  return {
    redriveActivity: unary(logger, async (request: outboxRpc.RedriveActivityRequest, call) => {
      await tenancy.activity(applicationOf(call), request.activityId).catch(mapErrors);
      const result = await store
        .redrive({
          scope: { kind: "activity", activityId: request.activityId, hosts: request.hosts.length > 0 ? request.hosts : null },
          outcomes: outcomesOf(request.outcomes),
          requestId: request.requestId ?? null,
          traceContext: currentTraceHeaders(),
        })
        .catch(mapErrors);
      if (!result) throw notFound(`no activity ${request.activityId}`, "unknown-activity");
      if (result.redriven > 0 && !result.repeated) onRedriven();
      logger.info({ activityId: request.activityId, ...result }, "activity redriven");
      return result;
    }),

    redriveHost: unary(logger, async (request: outboxRpc.RedriveHostRequest, call) => {
      // Across every application's activities: never for a caller confined to one.
      if (applicationOf(call) !== null) throw permissionDenied("a host redrive needs an operator token");
      const since = timeOf(request.since, "since");
      const until = request.until ? timeOf(request.until, "until") : null;
      if (until && until <= since) throw invalidArgument("until must be after since", "invalid-request");
      const result = await store
        .redrive({
          scope: { kind: "host", host: request.host, since, until },
          outcomes: outcomesOf(request.outcomes),
          requestId: request.requestId ?? null,
          traceContext: currentTraceHeaders(),
        })
        .catch(mapErrors);
      if (!result) throw new Error("a host redrive has no activity to miss");
      if (result.redriven > 0 && !result.repeated) onRedriven();
      logger.info({ host: request.host, ...result }, "host redriven");
      return result;
    }),
  };
}
