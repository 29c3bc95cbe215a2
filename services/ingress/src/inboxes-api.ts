import express, { type Router } from "express";
import { z } from "zod";
import { listedOutcomes, type outboxRpc } from "@fediflow/contracts";
import { call } from "@fediflow/grpc";
import { decodeCursor, encodeCursor, pageQuery, parseQuery } from "./keyset";
import { Problem } from "./problem";
import { parseHostParameter } from "./validation";
import { callerOf } from "./principal";

export const inboxesQuery = pageQuery.extend({
  outcome: z.enum(listedOutcomes).optional(),
  host: z.string().max(255).optional(),
});

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An activity id path segment; anything that cannot be one is an unknown activity. */
export function activityIdParameter(value: string): string {
  const id = value.toLowerCase();
  if (!uuidPattern.test(id)) throw new Problem(404, "unknown-activity", "Unknown activity", `no activity ${value}`);
  return id;
}

/** An inbox as the API shows it: absent fields left out rather than sent as null. */
function inboxDocument(record: outboxRpc.InboxOutcomeRecord) {
  return {
    inbox: record.inbox,
    host: record.host,
    outcome: record.outcome,
    ...(record.status !== undefined ? { status: record.status } : {}),
    ...(record.reason !== undefined ? { reason: record.reason } : {}),
    attempts: record.attempts,
    ...(record.lastAttemptAt ? { lastAttemptAt: record.lastAttemptAt } : {}),
    ...(record.nextAttemptAt ? { nextAttemptAt: record.nextAttemptAt } : {}),
  };
}

/** Per-inbox outcomes of an activity (v1 extension), one route per handler so each can carry its own scope. */
export function inboxesRoutes(outbox: outboxRpc.OutboxClient): Router {
  const routes = express.Router();

  routes.get("/activities/:id/inboxes", async (req, res) => {
    const activityId = activityIdParameter(req.params.id);
    const query = parseQuery(inboxesQuery, req.query);
    const [after] = decodeCursor(query.cursor, 1) ?? [""];
    const answer = await call(
      outbox,
      outbox.listInboxOutcomes,
      {
        activityId,
        outcome: query.outcome,
        host: query.host === undefined ? undefined : parseHostParameter(query.host),
        after: after!,
        limit: query.limit,
      },
      5_000,
      callerOf(res),
    );
    const last = answer.inboxes[answer.inboxes.length - 1];
    res.json({ inboxes: answer.inboxes.map(inboxDocument), next: answer.more && last ? encodeCursor([last.inbox]) : null });
  });

  return routes;
}
