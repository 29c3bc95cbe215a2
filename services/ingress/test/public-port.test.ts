import { createMetricsRegistry } from "@fediflow/runtime";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@fediflow/logging";
import { createApi, type ApiDependencies } from "../src/http-api";

let server: ReturnType<ReturnType<typeof createApi>["listen"]>;
let url: string;

beforeAll(async () => {
  const app = createApi({
    consoleDirectory: null,
    // The routes under test call neither service.
    outbox: {} as ApiDependencies["outbox"],
    hostHealth: {} as ApiDependencies["hostHealth"],
    tokens: [{ token: "t", principal: { kind: "admin" } }],
    maxBodyBytes: 1024,
    maxJsonDepth: 8,
    rateLimitPerMinute: 0,
    maxFollowersBodyBytes: 1024,
    readiness: { outbox: async () => true, hostHealth: async () => false },
    registry: createMetricsRegistry("ingress-test"),
    logger: createLogger("test", "silent"),
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, "127.0.0.1", resolve);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});

describe("the public API port", () => {
  it("serves no /metrics", async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(404);
  });

  it("says whether it is ready, naming no dependency", async () => {
    const response = await fetch(`${url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "not ready" });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
