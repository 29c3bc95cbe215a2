import type { Server } from "node:http";
import express, { type Express } from "express";
import { Gauge, type Registry } from "prom-client";
import type { Logger } from "@fediflow/logging";

/** A dependency check for /readyz: resolves when reachable, rejects (or returns false) when not. */
export type ReadinessCheck = () => Promise<unknown>;

export interface OpsEndpoints {
  registry: Registry;
  /** What this process cannot serve without; /readyz is 200 only when all pass. */
  readiness: Record<string, ReadinessCheck>;
  /**
   * Dependencies that only some requests need: /readyz reports them but stays 200 without them,
   * and those requests answer 503. Failing readiness on them would take every pod out of its
   * Service at once in a shared outage, and with it what still works.
   */
  dependencies?: Record<string, ReadinessCheck>;
  /** Per-check time limit, milliseconds (default 2000). */
  checkTimeoutMs?: number;
}

/** Mounts /healthz, /readyz and /metrics on an express app (ingress shares its API port). */
export function mountOpsEndpoints(app: Express, endpoints: OpsEndpoints): void {
  const timeoutMs = endpoints.checkTimeoutMs ?? 2000;
  // Each probe's answer, kept for Prometheus: alerts on an unreachable PostgreSQL or Redis read
  // this rather than guess from error rates.
  const up = new Gauge({
    name: "fediflow_dependency_up",
    help: "1 when the dependency answered the last /readyz check, 0 when it did not",
    labelNames: ["dependency"],
    registers: [endpoints.registry],
  });
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const [main, optional] = await Promise.all([readiness(endpoints.readiness, timeoutMs), readiness(endpoints.dependencies ?? {}, timeoutMs)]);
    for (const [name, result] of Object.entries({ ...main.checks, ...optional.checks })) up.set({ dependency: name }, result === "ok" ? 1 : 0);
    res.status(main.ready ? 200 : 503).json({
      status: main.ready ? "ready" : "not ready",
      checks: main.checks,
      ...(Object.keys(optional.checks).length > 0 ? { dependencies: optional.checks } : {}),
    });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(endpoints.registry.contentType).send(await endpoints.registry.metrics());
  });
}

/**
 * /healthz and a bare /readyz for a public port: 200 or 503 with a status word, no check names
 * or error messages (which name internal services and addresses).
 */
export function mountPublicHealth(app: Express, checks: Record<string, ReadinessCheck>, timeoutMs = 2000): void {
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const { ready } = await readiness(checks, timeoutMs);
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready" });
  });
}

async function readiness(checks: Record<string, ReadinessCheck>, timeoutMs: number) {
  const results = await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const));
  return { ready: results.every(([, result]) => result === "ok"), checks: Object.fromEntries(results) };
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return outcome === false ? "failing" : "ok";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/** A stand-alone ops server for services whose main door is gRPC or Kafka. */
export async function startOpsServer(port: number, endpoints: OpsEndpoints, logger: Logger, host = "0.0.0.0"): Promise<Server> {
  const app = express();
  app.disable("x-powered-by");
  mountOpsEndpoints(app, endpoints);
  return listen(app, port, host, logger, "ops");
}

/** Starts an express app and resolves once it listens. */
export function listen(app: Express, port: number, host: string, logger: Logger, what: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once("listening", () => {
      const address = server.address();
      logger.info({ address }, `${what} server listening`);
      resolve(server);
    });
    server.once("error", reject);
  });
}

/** Closes an HTTP server, ending idle keep-alive connections at once. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
