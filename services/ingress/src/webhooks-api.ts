import express, { type Router } from "express";
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { z } from "zod";
import { webhookEventTypes, type outboxRpc } from "@fediflow/contracts";
import { call } from "@fediflow/grpc";
import { parseQuery } from "./keyset";
import { Problem } from "./problem";
import { parseBody, requireJson } from "./validation";
import { callerOf } from "./principal";

/** A Standard Webhooks secret: `whsec_` and base64 of 24 to 64 bytes. */
const secret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, "must be whsec_ followed by base64")
  .refine((value) => {
    const bytes = Buffer.from(value.slice(6), "base64").length;
    return bytes >= 24 && bytes <= 64;
  }, "must hold 24 to 64 bytes");

export const createWebhookBody = z.strictObject({
  url: z
    .string()
    .max(2048)
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password;
      } catch {
        return false;
      }
    }, "must be an http(s) URL without credentials"),
  events: z.array(z.enum(webhookEventTypes)).min(1).max(webhookEventTypes.length),
  secret: secret.optional(),
});

export const webhookAttemptsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(100) });

function webhookIdParameter(value: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(value)) throw new Problem(404, "unknown-webhook", "Unknown webhook", `no webhook ${value}`);
  return value.toLowerCase();
}

/** Webhook subscriptions (v1 extension), one route per handler. */
export function webhooksRoutes(outbox: outboxRpc.OutboxClient): Router {
  const routes = express.Router();

  routes.post("/webhooks", async (req, res) => {
    requireJson(req);
    const body = parseBody(createWebhookBody, req.body);
    const chosen = body.secret ?? `whsec_${randomBytes(32).toString("base64")}`;
    new Webhook(chosen); // refuses a secret the signer could not use
    const answer = await call(
      outbox,
      outbox.createWebhook,
      { url: body.url, events: [...new Set(body.events)], secret: chosen },
      5_000,
      callerOf(res),
    );
    res.status(201).location(`/v1/webhooks/${answer.id}`).json({ id: answer.id, secret: chosen });
  });

  routes.get("/webhooks", async (_req, res) => {
    const answer = await call(outbox, outbox.listWebhooks, {}, 5_000, callerOf(res));
    res.json({
      webhooks: answer.webhooks.map((webhook) => ({
        id: webhook.id,
        url: webhook.url,
        events: webhook.events,
        failures: webhook.failures,
        paused: webhook.pausedAt !== undefined,
        ...(webhook.pausedAt ? { pausedAt: webhook.pausedAt } : {}),
        createdAt: webhook.createdAt,
      })),
    });
  });

  routes.delete("/webhooks/:webhook", async (req, res) => {
    await call(outbox, outbox.deleteWebhook, { id: webhookIdParameter(req.params.webhook) }, 5_000, callerOf(res));
    res.status(204).end();
  });

  routes.post("/webhooks/:webhook/resume", async (req, res) => {
    await call(outbox, outbox.resumeWebhook, { id: webhookIdParameter(req.params.webhook) }, 5_000, callerOf(res));
    res.status(204).end();
  });

  routes.get("/webhooks/:webhook/deliveries", async (req, res) => {
    const { limit } = parseQuery(webhookAttemptsQuery, req.query);
    const answer = await call(
      outbox,
      outbox.listWebhookAttempts,
      { id: webhookIdParameter(req.params.webhook), limit },
      5_000,
      callerOf(res),
    );
    res.json({
      deliveries: answer.attempts.map((attempt) => ({
        eventId: attempt.eventId,
        type: attempt.eventType,
        attempt: attempt.attempt,
        result: attempt.result,
        ...(attempt.status !== undefined ? { status: attempt.status } : {}),
        ...(attempt.error !== undefined ? { error: attempt.error } : {}),
        durationMs: attempt.durationMs,
        at: attempt.at,
      })),
    });
  });

  return routes;
}
