import { listedOutcomes, type ListedOutcome, type outboxRpc } from "@fediflow/contracts";
import { applicationOf, invalidArgument, notFound, unary } from "@fediflow/grpc";
import type { Logger } from "@fediflow/logging";
import type { InboxOutcomeStore, InboxRecord } from "./inbox-outcomes";
import type { Tenancy } from "./tenancy";
type InboxOutcomeHandlers = Pick<outboxRpc.OutboxServer, "listInboxOutcomes">;

const isInboxOutcome = (value: string): value is ListedOutcome => (listedOutcomes as readonly string[]).includes(value);

function recordMessage(record: InboxRecord): outboxRpc.InboxOutcomeRecord {
  return {
    inbox: record.inbox,
    host: record.host,
    outcome: record.outcome,
    status: record.status ?? undefined,
    reason: record.reason ?? undefined,
    attempts: record.attempts,
    lastAttemptAt: record.lastAttemptAt?.toISOString(),
    nextAttemptAt: record.nextAttemptAt?.toISOString(),
  };
}

/** The per-inbox outcomes of an activity over gRPC (issue 21). */
export function inboxOutcomeHandlers(
  store: InboxOutcomeStore,
  tenancy: Tenancy,
  logger: Logger,
  mapErrors: (error: unknown) => never,
): InboxOutcomeHandlers {
  return {
    listInboxOutcomes: unary(logger, async (request: outboxRpc.ListInboxOutcomesRequest, call) => {
      await tenancy.activity(applicationOf(call), request.activityId).catch(mapErrors);
      const outcome = request.outcome ?? null;
      if (outcome !== null && !isInboxOutcome(outcome)) throw invalidArgument(`unknown outcome ${outcome}`, "invalid-request");
      const limit = Math.min(Math.max(request.limit, 1), 1000);
      const page = await store.page(request.activityId, { outcome, host: request.host ?? null }, request.after, limit).catch(mapErrors);
      if (!page) throw notFound(`no activity ${request.activityId}`, "unknown-activity");
      return { inboxes: page.inboxes.map(recordMessage), more: page.more };
    }),
  };
}
