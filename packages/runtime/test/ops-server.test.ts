import { afterEach, describe, expect, it } from "vitest";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@fediflow/logging";
import { closeServer, createMetricsRegistry, startOpsServer } from "../src";

let server: Server | undefined;
afterEach(async () => {
  if (server) await closeServer(server);
  server = undefined;
});

async function start(readiness: Record<string, () => Promise<unknown>>) {
  server = await startOpsServer(
    0,
    { registry: createMetricsRegistry("test"), readiness, checkTimeoutMs: 200 },
    createLogger("test", "silent"),
    "127.0.0.1",
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("ops server", () => {
  it("is ready only when every dependency answers", async () => {
    const base = await start({ database: async () => true, redis: () => new Promise(() => undefined) });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: "not ready",
      checks: { database: "ok", redis: "no answer within 200 ms" },
    });
  });

  it("reports dependencies without letting them decide readiness", async () => {
    server = await startOpsServer(
      0,
      {
        registry: createMetricsRegistry("test"),
        readiness: { database: async () => true },
        dependencies: { redis: async () => Promise.reject(new Error("connection refused")) },
        checkTimeoutMs: 200,
      },
      createLogger("test", "silent"),
      "127.0.0.1",
    );
    const ready = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { database: "ok" }, dependencies: { redis: "connection refused" } });
    const metrics = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)).text();
    expect(metrics).toContain('fediflow_dependency_up{dependency="database",service="test"} 1');
    expect(metrics).toContain('fediflow_dependency_up{dependency="redis",service="test"} 0');
  });

  it("serves Prometheus text with the service label", async () => {
    const base = await start({});
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('process_cpu_user_seconds_total{service="test"}');
  });
});
