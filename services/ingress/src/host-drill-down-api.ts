import express, { type Router } from "express";
import { z } from "zod";
import type { hostHealthRpc } from "@fediflow/contracts";
import { call } from "@fediflow/grpc";
import { decodeCursor, encodeCursor, pageQuery, parseQuery } from "./keyset";
import { parseHostParameter } from "./validation";
import { requireOperator } from "./auth";

export const attemptsQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) });

/** An attempt as the API shows it: absent fields left out rather than sent as null. */
function attemptDocument(attempt: hostHealthRpc.Attempt) {
  return {
    at: attempt.at,
    inbox: attempt.inbox,
    activityId: attempt.activityId,
    outcome: attempt.outcome,
    ...(attempt.status !== undefined ? { status: attempt.status } : {}),
    ...(attempt.reason !== undefined ? { reason: attempt.reason } : {}),
    durationMs: attempt.durationMs,
  };
}

/** A host's recent attempts and its parked deliveries (v1 extension), one route per handler. */
export function hostDrillDownRoutes(hostHealth: hostHealthRpc.HostHealthClient): Router {
  const routes = express.Router();

  routes.get("/hosts/:host/attempts", async (req, res) => {
    requireOperator(res);
    const host = parseHostParameter(req.params.host);
    const { limit } = parseQuery(attemptsQuery, req.query);
    const answer = await call(hostHealth, hostHealth.recentAttempts, { host, limit });
    res.json({ attempts: answer.attempts.map(attemptDocument) });
  });

  routes.get("/hosts/:host/parked", async (req, res) => {
    requireOperator(res);
    const host = parseHostParameter(req.params.host);
    const query = parseQuery(pageQuery, req.query);
    const [after] = decodeCursor(query.cursor, 1) ?? ["0"];
    const answer = await call(hostHealth, hostHealth.listParked, { host, after: after!, limit: query.limit });
    const last = answer.parked[answer.parked.length - 1];
    res.json({
      parked: answer.parked.map((parked) => ({ activityId: parked.activityId, inbox: parked.inbox, parkedAt: parked.parkedAt })),
      next: answer.more && last ? encodeCursor([last.position]) : null,
    });
  });

  routes.delete("/hosts/:host/parked", async (req, res) => {
    requireOperator(res);
    const host = parseHostParameter(req.params.host);
    const answer = await call(hostHealth, hostHealth.discardParked, { host }, 120_000);
    res.json({ discarded: answer.discarded });
  });

  return routes;
}
