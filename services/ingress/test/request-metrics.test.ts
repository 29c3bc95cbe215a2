import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, expect, it } from "vitest";
import { closeServer, createMetricsRegistry } from "@fediflow/runtime";
import { requestMetrics } from "../src/request-metrics";

const registry = createMetricsRegistry("ingress");
const app = express();
const v1 = express.Router();
v1.use(requestMetrics(registry));
v1.get("/activities/:id", (req, res) => {
  if (req.params.id === "broken") throw new Error("boom");
  res.json({ id: req.params.id });
});
app.use("/v1", v1);
app.use((_req, res) => res.status(404).end());
app.use(((_error, _req, res, _next) => res.status(503).end()) as express.ErrorRequestHandler);
const server = app.listen(0, "127.0.0.1");
afterAll(() => closeServer(server));

it("counts requests and their latency per route pattern and status, never per path", async () => {
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const path of ["/v1/activities/0192-a", "/v1/activities/0192-b", "/v1/activities/broken", "/v1/elsewhere"]) await fetch(base + path);
  const text = await registry.metrics();
  const line = (labels: string) => text.split("\n").find((entry) => entry.startsWith(`fediflow_http_server_requests_total{${labels}`));
  expect(line('method="GET",route="/v1/activities/:id",status_code="200"')).toMatch(/ 2$/);
  expect(line('method="GET",route="/v1/activities/:id",status_code="503"')).toMatch(/ 1$/);
  expect(line('method="GET",route="unmatched",status_code="404"')).toMatch(/ 1$/);
  expect(text).toContain(
    'fediflow_http_server_request_duration_seconds_count{service="ingress",method="GET",route="/v1/activities/:id",status_code="200"} 2',
  );
  expect(text).not.toContain("0192-a");
});
