import type { outboxRpc } from "@fediflow/contracts";
import { notFound, unary } from "@fediflow/grpc";
import type { Logger } from "@fediflow/logging";
import type { WebhookStore } from "./webhook-store";

type WebhookHandlers = Pick<
  outboxRpc.OutboxServer,
  "createWebhook" | "listWebhooks" | "deleteWebhook" | "resumeWebhook" | "listWebhookAttempts"
>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const unknownWebhook = (id: string) => notFound(`no webhook ${id}`, "unknown-webhook");

/** Webhook subscriptions over gRPC (issue 21); ingress has validated url, events and secret. */
export function webhookHandlers(store: WebhookStore, logger: Logger, mapErrors: (error: unknown) => never): WebhookHandlers {
  const known = (id: string) => {
    if (!uuidPattern.test(id)) throw unknownWebhook(id);
    return id;
  };
  return {
    createWebhook: unary(logger, async (request: outboxRpc.CreateWebhookRequest) => {
      const id = await store.create(request.url, request.events, request.secret).catch(mapErrors);
      logger.info({ webhook: id, events: request.events }, "webhook subscribed");
      return { id };
    }),

    listWebhooks: unary(logger, async () => {
      const endpoints = await store.list().catch(mapErrors);
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

    deleteWebhook: unary(logger, async (request: outboxRpc.WebhookRequest) => {
      if (!(await store.delete(known(request.id)).catch(mapErrors))) throw unknownWebhook(request.id);
      return {};
    }),

    resumeWebhook: unary(logger, async (request: outboxRpc.WebhookRequest) => {
      if (!(await store.resume(known(request.id)).catch(mapErrors))) throw unknownWebhook(request.id);
      return {};
    }),

    listWebhookAttempts: unary(logger, async (request: outboxRpc.ListWebhookAttemptsRequest) => {
      const attempts = await store.attempts(known(request.id), Math.min(Math.max(request.limit, 1), 100)).catch(mapErrors);
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
