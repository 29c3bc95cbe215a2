import { Validator } from "@seriousme/openapi-schema-validator";
import type { Express } from "express";
import { describe, expect, it } from "vitest";
import { hostHealthRpc, outboxRpc } from "@fediflow/contracts";
import { createLogger } from "@fediflow/logging";
import { createMetricsRegistry } from "@fediflow/runtime";
import { createApi } from "../src/http-api";
import { openApiDocument } from "../src/openapi";

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every route of the routers mounted under /v1 (the ops endpoints sit on the app itself). */
function servedV1Routes(app: Express): string[] {
  const top = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const routes: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== "_all"))
          routes.push(`${method} /v1${layer.route.path.replace(/:([a-z]+)/g, "{$1}")}`);
      } else if (layer.handle.stack) walk(layer.handle.stack);
    }
  };
  for (const layer of top) if (!layer.route && layer.handle.stack) walk(layer.handle.stack);
  return routes.sort();
}

const api = createApi({
  consoleDirectory: null,
  // Nothing is called: the test only reads the routes.
  outbox: {} as outboxRpc.OutboxClient,
  hostHealth: {} as hostHealthRpc.HostHealthClient,
  tokens: [{ token: "t", principal: { kind: "admin" } }],
  maxBodyBytes: 1024,
  maxJsonDepth: 8,
  rateLimitPerMinute: 0,
  maxFollowersBodyBytes: 1024,
  registry: createMetricsRegistry("ingress-test"),
  readiness: {},
  logger: createLogger("test", "silent"),
});

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const document = openApiDocument() as { openapi: string };
    expect(document.openapi).toBe("3.1.0");
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("names every route the ingress serves, and nothing it does not", () => {
    const document = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();
    const served = servedV1Routes(api);
    expect(served.length).toBeGreaterThan(15);
    expect(documented).toEqual(served);
  });

  it("describes requests with the schemas the routes validate with", () => {
    const document = openApiDocument() as { paths: Record<string, Record<string, { requestBody?: unknown; parameters?: Array<{ name: string; in: string }> }>> };
    const submit = JSON.stringify(document.paths["/v1/activities"]!.post!.requestBody);
    expect(submit).toContain("idempotencyKey");
    const inboxes = document.paths["/v1/activities/{id}/inboxes"]!.get!.parameters!;
    expect(inboxes.map((p) => `${p.in}:${p.name}`).sort()).toEqual(["path:id", "query:cursor", "query:host", "query:limit", "query:outcome"]);
  });
});
