import express, { type Router } from "express";
import { z } from "zod";
import { redrivableOutcomes, type outboxRpc } from "@fediflow/contracts";
import { call } from "@fediflow/grpc";
import { activityIdParameter } from "./inboxes-api";
import { parseBody, parseHostParameter, requireJson } from "./validation";
import { requireOperator } from "./auth";
import { callerOf } from "./principal";

const requestId = z.string().min(1).max(255);
const outcomes = z.array(z.enum(redrivableOutcomes)).min(1).max(4);
const rfc3339 = z.iso.datetime({ offset: true });

export const activityRedriveBody = z.strictObject({
  outcomes: outcomes.optional(),
  hosts: z.array(z.string().min(1).max(255)).min(1).max(10_000).optional(),
  requestId: requestId.optional(),
});

export const hostRedriveBody = z
  .strictObject({
    since: rfc3339,
    until: rfc3339.optional(),
    outcomes: outcomes.optional(),
    requestId: requestId.optional(),
  })
  .refine((body) => body.until === undefined || Date.parse(body.until) > Date.parse(body.since), {
    message: "until must be after since",
    path: ["until"],
  });

/** Redrive (v1 extension): settled failures sent again through the normal pipeline, one route per handler. */
export function redriveRoutes(outbox: outboxRpc.OutboxClient): Router {
  const routes = express.Router();

  routes.post("/activities/:id/redrive", async (req, res) => {
    const activityId = activityIdParameter(req.params.id);
    // An empty body takes every default.
    const body = parseBody(activityRedriveBody, req.body === undefined ? {} : (requireJson(req), req.body));
    const answer = await call(
      outbox,
      outbox.redriveActivity,
      { activityId, outcomes: body.outcomes ?? [], hosts: (body.hosts ?? []).map(parseHostParameter), requestId: body.requestId },
      30_000,
      callerOf(res),
    );
    res.status(202).json({ redriven: answer.redriven });
  });

  routes.post("/hosts/:host/redrive", async (req, res) => {
    requireOperator(res);
    requireJson(req);
    const host = parseHostParameter(req.params.host);
    const body = parseBody(hostRedriveBody, req.body);
    const answer = await call(
      outbox,
      outbox.redriveHost,
      { host, since: body.since, until: body.until, outcomes: body.outcomes ?? [], requestId: body.requestId },
      30_000,
    );
    res.status(202).json({ redriven: answer.redriven });
  });

  return routes;
}
