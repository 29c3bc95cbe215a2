import express, { type Express } from "express";
import { hostHealthRpc, outboxRpc } from "@fediflow/contracts";
import { call } from "@fediflow/grpc";
import type { Logger } from "@fediflow/logging";
import { mountPublicHealth, type ReadinessCheck, type Registry } from "@fediflow/runtime";
import { attributes, currentTraceId, trace } from "@fediflow/telemetry";
import { bearerAuth, requireActorScope, requireOperator } from "./auth";
import { callerOf, principalOf, type ApiToken } from "./principal";
import { nestsDeeperThan } from "./json-depth";
import { perTokenRateLimit } from "./rate-limit";
import { requestMetrics } from "./request-metrics";
import { goneFollowersRoutes } from "./gone-followers-api";
import { activityIdParameter, inboxesRoutes } from "./inboxes-api";
import { hostDrillDownRoutes } from "./host-drill-down-api";
import { quarantineRoutes } from "./quarantine-api";
import { redriveRoutes } from "./redrive-api";
import { webhooksRoutes } from "./webhooks-api";
import { hostsQuery } from "./http-api-queries";
import { decodeCursor, encodeCursor, pageQuery, parseQuery } from "./keyset";
import { openApiDocument } from "./openapi";
import { Problem, problemHandler } from "./problem";
import {
  activityBody,
  actorIdOf,
  followersBody,
  parseBody,
  parseHostParameter,
  refuseUnstorableText,
  registerActorBody,
  requestDigest,
  requireJson,
} from "./validation";
import { consoleRoutes } from "./console";

export interface ApiDependencies {
  outbox: outboxRpc.OutboxClient;
  hostHealth: hostHealthRpc.HostHealthClient;
  tokens: ApiToken[];
  maxBodyBytes: number;
  maxJsonDepth: number;
  rateLimitPerMinute: number;
  maxFollowersBodyBytes: number;
  /** The metrics registry the ops port serves (request rates, errors and latency per route). */
  registry: Registry;
  /** What the public /readyz answers on (the detailed one, with every peer, is on the ops port). */
  readiness: Record<string, ReadinessCheck>;
  logger: Logger;
  /** The console's static build (packages/console/dist), or null to serve none. */
  consoleDirectory: string | null;
}

/** The status document of an activity: absent optional fields are left out rather than sent as null. */
function statusDocument(status: outboxRpc.GetActivityStatusResponse) {
  return {
    id: status.id,
    state: status.state,
    inboxes: status.inboxes,
    createdAt: status.createdAt,
    ...(status.completedAt ? { completedAt: status.completedAt } : {}),
  };
}

/** API host documents: absent optional fields are left out rather than sent as null. */
function hostDocument(host: hostHealthRpc.Host) {
  return {
    host: host.host,
    state: host.state,
    failures: host.failures,
    ...(host.firstFailureAt ? { firstFailureAt: host.firstFailureAt } : {}),
    ...(host.lastSuccessAt ? { lastSuccessAt: host.lastSuccessAt } : {}),
    ...(host.nextProbeAt ? { nextProbeAt: host.nextProbeAt } : {}),
  };
}

export function createApi(deps: ApiDependencies): Express {
  const { outbox, hostHealth } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  // Callers of the API learn whether it is up, not what is behind it: metrics and the
  // per-dependency checks are on the ops port.
  mountPublicHealth(app, deps.readiness);

  // The one /v1 route without a token: what a client generator or a validator needs first.
  const publicV1 = express.Router();
  publicV1.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument());
  });

  const v1 = express.Router();
  v1.use(requestMetrics(deps.registry));
  v1.use(bearerAuth(deps.tokens));
  v1.use(perTokenRateLimit(deps.rateLimitPerMinute));
  const json = (limit: number) => express.json({ limit, type: ["application/json", "application/*+json"], strict: true });
  // 10,000 followers with their inboxes and shared inboxes are more than 1 MiB of JSON.
  v1.use("/followers", json(Math.max(deps.maxFollowersBodyBytes, deps.maxBodyBytes)));
  v1.use(json(deps.maxBodyBytes));
  v1.use((req, _res, next) => {
    if (req.body !== undefined && nestsDeeperThan(req.body, deps.maxJsonDepth)) {
      next(new Problem(400, "too-deep", "Body nested too deep", `objects and arrays may nest at most ${deps.maxJsonDepth} levels`));
      return;
    }
    next();
  });
  v1.use(refuseUnstorableText);

  v1.put("/actors", async (req, res) => {
    requireActorScope(res);
    requireJson(req);
    const body = parseBody(registerActorBody, req.body);
    if (body.application !== undefined && principalOf(res).kind !== "admin") {
      throw new Problem(403, "forbidden", "Forbidden", "only an admin token assigns an actor to an application");
    }
    const answer = await call(
      outbox,
      outbox.registerActor,
      { id: body.id, keyId: body.keyId, privateKeyPem: body.privateKeyPem, application: body.application ?? "" },
      5_000,
      callerOf(res),
    );
    res.json({ id: answer.id });
  });

  v1.post("/followers", async (req, res) => {
    requireActorScope(res);
    requireJson(req);
    const body = parseBody(followersBody, req.body);
    const answer = await call(
      outbox,
      outbox.updateFollowers,
      { actorId: body.actor, add: body.add, remove: body.remove },
      30_000,
      callerOf(res),
    );
    res.json({ added: answer.added, removed: answer.removed });
  });

  v1.post("/activities", async (req, res) => {
    requireActorScope(res);
    requireJson(req);
    const body = parseBody(activityBody, req.body);
    if (actorIdOf(body.activity) !== body.actor) {
      throw new Problem(400, "actor-mismatch", "Actor mismatch", "activity.actor must equal actor");
    }
    const answer = await call(
      outbox,
      outbox.appendActivity,
      {
        actorId: body.actor,
        activityJson: JSON.stringify(body.activity),
        audience: body.audience,
        idempotencyKey: body.idempotencyKey,
        requestDigest: requestDigest(body),
      },
      5_000,
      callerOf(res),
    );
    trace.getActiveSpan()?.setAttributes({ [attributes.activityId]: answer.id, [attributes.activityType]: body.activity.type });
    res
      .status(202)
      .location(`/v1/activities/${answer.id}`)
      .json({ id: answer.id, status: `/v1/activities/${answer.id}`, traceId: currentTraceId() ?? null });
  });

  v1.get("/activities", async (req, res) => {
    const query = parseQuery(pageQuery, req.query);
    const [before] = decodeCursor(query.cursor, 1) ?? [""];
    const answer = await call(outbox, outbox.listActivities, { limit: query.limit, before: before! }, 5_000, callerOf(res));
    const last = answer.activities[answer.activities.length - 1];
    res.json({ activities: answer.activities.map(statusDocument), next: answer.more && last ? encodeCursor([last.id]) : null });
  });

  v1.get("/activities/:id", async (req, res) => {
    const id = activityIdParameter(req.params.id);
    res.json(statusDocument(await call(outbox, outbox.getActivityStatus, { id }, 5_000, callerOf(res))));
  });

  v1.get("/hosts", async (req, res) => {
    const query = parseQuery(hostsQuery, req.query);
    const answer = await call(hostHealth, hostHealth.listHosts, { state: query.state ?? "", limit: query.limit, after: query.after ?? "" });
    res.json({ hosts: answer.hosts.map(hostDocument) });
  });

  v1.get("/hosts/:host", async (req, res) => {
    const host = parseHostParameter(req.params.host);
    const answer = await call(hostHealth, hostHealth.checkHost, { host });
    if (!answer.host) throw new Problem(404, "unknown-host", "Unknown host", `FediFlow has never seen ${host}`);
    res.json(hostDocument(answer.host));
  });

  v1.post("/hosts/:host/seen", async (req, res) => {
    await call(hostHealth, hostHealth.reportInbound, { host: parseHostParameter(req.params.host) });
    res.status(204).end();
  });

  v1.put("/hosts/:host/block", async (req, res) => {
    requireOperator(res);
    await call(hostHealth, hostHealth.blockHost, { host: parseHostParameter(req.params.host) });
    res.status(204).end();
  });

  v1.delete("/hosts/:host/block", async (req, res) => {
    requireOperator(res);
    await call(hostHealth, hostHealth.unblockHost, { host: parseHostParameter(req.params.host) });
    res.status(204).end();
  });

  v1.use(goneFollowersRoutes(outbox));
  v1.use(inboxesRoutes(outbox));
  v1.use(hostDrillDownRoutes(hostHealth));
  v1.use(redriveRoutes(outbox));
  v1.use(webhooksRoutes(outbox));
  v1.use(quarantineRoutes(outbox));

  app.use("/console", consoleRoutes(deps.consoleDirectory));
  app.use("/v1", publicV1);
  app.use("/v1", v1);
  app.use((req, _res, next) => next(new Problem(404, "not-found", "Not found", `no route for ${req.method} ${req.path}`)));
  app.use(problemHandler(deps.logger));
  return app;
}
