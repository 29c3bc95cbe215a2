import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { perTokenRateLimit } from "../src/rate-limit";
import { problemHandler } from "../src/problem";
import { createLogger } from "@fediflow/logging";

let server: ReturnType<express.Express["listen"]>;
let url: string;

beforeAll(async () => {
  const app = express();
  app.use(perTokenRateLimit(2));
  app.get("/", (_req, res) => {
    res.status(204).end();
  });
  app.use(problemHandler(createLogger("test", "silent")));
  await new Promise<void>((resolve) => {
    server = app.listen(0, "127.0.0.1", resolve);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => {
  server.close();
});

describe("perTokenRateLimit", () => {
  it("counts one budget per token, however the Authorization header spells it", async () => {
    const statuses: number[] = [];
    for (const authorization of ["Bearer T", "bearer  T", "BEARER T"]) {
      statuses.push((await fetch(url, { headers: { authorization } })).status);
    }
    expect(statuses).toEqual([204, 204, 429]);
    // Another token has its own budget.
    expect((await fetch(url, { headers: { authorization: "Bearer U" } })).status).toBe(204);
  });
});
