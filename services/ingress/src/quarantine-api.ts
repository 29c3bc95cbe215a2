import express, { type Router } from "express";
import type { outboxRpc } from "@fediflow/contracts";
import { call } from "@fediflow/grpc";
import { decodeCursor, encodeCursor, pageQuery, parseQuery } from "./keyset";
import { requireOperator } from "./auth";
import { callerOf } from "./principal";
import { Problem } from "./problem";

function quarantineIdParameter(value: string): number {
  if (!/^[0-9]{1,15}$/.test(value)) {
    throw new Problem(400, "invalid-request", "Invalid request", "{id} must be a quarantined message's id (decimal digits)");
  }
  return Number(value);
}

/** An entry as the API shows it: ids as strings, absent fields left out. */
function messageDocument(message: outboxRpc.QuarantinedMessage) {
  return {
    id: String(message.id),
    topic: message.topic,
    ...(message.partition !== undefined ? { partition: message.partition } : {}),
    ...(message.offset !== undefined ? { offset: message.offset } : {}),
    key: message.key,
    group: message.group,
    reason: message.reason,
    error: message.error,
    quarantinedAt: message.quarantinedAt,
    ...(message.redrivenAt ? { redrivenAt: message.redrivenAt } : {}),
  };
}

/**
 * The quarantine (v1 extension, issue 24): messages a consumer set aside because handling them
 * failed permanently, oldest first, and sending one again to its topic. Ingress has no Kafka:
 * outbox republishes through its relay.
 */
export function quarantineRoutes(outbox: outboxRpc.OutboxClient): Router {
  const routes = express.Router();

  routes.get("/quarantine", async (req, res) => {
    requireOperator(res);
    const { limit, cursor } = parseQuery(pageQuery, req.query);
    const after = decodeCursor(cursor, 1);
    const answer = await call(outbox, outbox.listQuarantined, { limit, after: after ? quarantineIdParameter(after[0]!) : 0 }, 5_000, callerOf(res));
    const last = answer.messages[answer.messages.length - 1];
    res.json({ messages: answer.messages.map(messageDocument), next: answer.more && last ? encodeCursor([String(last.id)]) : null });
  });

  routes.post("/quarantine/:id/redrive", async (req, res) => {
    requireOperator(res);
    const answer = await call(outbox, outbox.redriveQuarantined, { id: quarantineIdParameter(req.params.id) }, 5_000, callerOf(res));
    res.status(202).json({ redriven: answer.redriven });
  });

  return routes;
}
