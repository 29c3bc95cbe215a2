import type { outboxRpc } from "@fediflow/contracts";
import { applicationOf, notFound, unary, type Caller } from "@fediflow/grpc";
import type { Logger } from "@fediflow/logging";
import type { Tenancy } from "./tenancy";
import type { WebhookStore } from "./webhook-store";

type WebhookHandlers = Pick<
  outboxRpc.OutboxServer,
  "createWebhook" | "listWebhooks" | "deleteWebhook" | "resumeWebhook" | "listWebhookAttempts"
>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const unknownWebhook = (id: string) => notFound(`no webhook ${id}`, "unknown-webhook");

/** Webhook subscriptions over gRPC (issue 21); ingress has validated url, events and secret. */
export function webhookHandlers(
  store: WebhookStore,
  tenancy: Tenancy,
  logger: Logger,
  mapErrors: (error: unknown) => never,
): WebhookHandlers {
  /** The webhook's id, once it is known to exist in form and to be the caller's own. */
  const owned = async (id: string, call: Caller): Promise<string> => {
    if (!uuidPattern.test(id)) throw unknownWebhook(id);
    await tenancy.webhook(applicationOf(call), id).catch(mapErrors);
    return id;
  };
  return {
    createWebhook: unary(logger, async (request: outboxRpc.CreateWebhookRequest, call) => {
      const id = await store.create(request.url, request.events, request.secret, applicationOf(call)).catch(mapErrors);
      logger.info({ webhook: id, events: request.events }, "webhook subscribed");
      return { id };
    }),

    listWebhooks: unary(logger, async (_request: outboxRpc.ListWebhooksRequest, call) => {
      const endpoints = await store.list(applicationOf(call)).catch(mapErrors);
      return {
        webhooks: endpoints.map((endpoint) => ({
          id: endpoint.id,
          url: endpoint.url,
          events: endpoint.events,
          failures: endpoint.failures,
          pausedAt: endpoint.pausedAt?.toISOString(),
          createdAt: endpoint.createdAt.toISOString(),
        })),
      };
    }),

    deleteWebhook: unary(logger, async (request: outboxRpc.WebhookRequest, call) => {
      if (!(await store.delete(await owned(request.id, call)).catch(mapErrors))) throw unknownWebhook(request.id);
      return {};
    }),

    resumeWebhook: unary(logger, async (request: outboxRpc.WebhookRequest, call) => {
      if (!(await store.resume(await owned(request.id, call)).catch(mapErrors))) throw unknownWebhook(request.id);
      return {};
    }),

    listWebhookAttempts: unary(logger, async (request: outboxRpc.ListWebhookAttemptsRequest, call) => {
      const attempts = await store.attempts(await owned(request.id, call), Math.min(Math.max(request.limit, 1), 100)).catch(mapErrors);
      if (!attempts) throw unknownWebhook(request.id);
      return {
        attempts: attempts.map((attempt) => ({
          ...attempt,
          status: attempt.status ?? undefined,
          error: attempt.error ?? undefined,
          at: attempt.at.toISOString(),
        })),
      };
    }),
  };
}
