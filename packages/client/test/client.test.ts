import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "@fediflow/ingress/dist/openapi";
import { FediFlowClient, FediFlowProblem, operations, retryDelayMs } from "../src";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end();
let server: Server;
let baseUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { "content-type": status >= 400 ? "application/problem+json" : "application/json", ...headers }).end(JSON.stringify(body));

describe("the client", () => {
  it("covers exactly the operations of the OpenAPI document", () => {
    const document = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    expect(Object.values(operations).map(([method, path]) => `${method} ${path}`).sort()).toEqual(documented.sort());
  });

  it("retries 429 and 503 as Retry-After says, then answers", async () => {
    const answers = [
      (res: ServerResponse) => json(res, 429, { type: "urn:fediflow:problem:rate-limited", title: "t", status: 429, detail: "d" }, { "retry-after": "2" }),
      (res: ServerResponse) => json(res, 503, { type: "urn:fediflow:problem:storage-unavailable", title: "t", status: 503, detail: "d" }),
      (res: ServerResponse) => json(res, 202, { id: "a1", status: "/v1/activities/a1", traceId: null }),
    ];
    handler = (_req, res) => answers.shift()!(res);
    const slept: number[] = [];
    const client = new FediFlowClient({ baseUrl, token: "secret", retryBaseMs: 100, sleep: async (ms) => void slept.push(ms) });
    const accepted = await client.submitActivity({
      actor: "https://local.example/users/a",
      activity: { id: "https://local.example/a/1", type: "Create", actor: "https://local.example/users/a" },
      audience: { followers: true },
    });
    expect(accepted.id).toBe("a1");
    expect(slept).toEqual([2000, 200]);
    expect(seen.slice(-3).every((line) => line === "POST /v1/activities Bearer secret")).toBe(true);
  });

  it("throws typed problems, and gives up retrying after maxRetries", async () => {
    handler = (_req, res) => json(res, 404, { type: "urn:fediflow:problem:unknown-activity", title: "Unknown activity", status: 404, detail: "no activity x" });
    const client = new FediFlowClient({ baseUrl, token: "t", sleep: async () => {} });
    const problem = await client.activityStatus("x").catch((error: unknown) => error);
    expect(problem).toBeInstanceOf(FediFlowProblem);
    expect(problem).toMatchObject({ status: 404, slug: "unknown-activity", detail: "no activity x" });
    let calls = 0;
    handler = (_req, res) => {
      calls += 1;
      json(res, 503, { type: "urn:fediflow:problem:service-unavailable", title: "t", status: 503, detail: "d" });
    };
    await expect(new FediFlowClient({ baseUrl, token: "t", maxRetries: 2, sleep: async () => {} }).host("a.example")).rejects.toMatchObject({ status: 503 });
    expect(calls).toBe(3);
  });

  it("walks keyset pages with an iterator", async () => {
    handler = (req, res) => {
      const cursor = new URL(req.url!, baseUrl).searchParams.get("cursor");
      const pages: Record<string, unknown> = {
        "": { inboxes: [{ inbox: "i1" }, { inbox: "i2" }], next: "c2" },
        c2: { inboxes: [{ inbox: "i3" }], next: null },
      };
      json(res, 200, pages[cursor ?? ""]);
    };
    const client = new FediFlowClient({ baseUrl, token: "t" });
    const inboxes: string[] = [];
    for await (const record of client.allActivityInboxes("0190f1a2-0000-7000-8000-000000000001", { outcome: "rejected", limit: 2 })) inboxes.push(record.inbox);
    expect(inboxes).toEqual(["i1", "i2", "i3"]);
    expect(seen.at(-2)).toContain("/inboxes?outcome=rejected&limit=2 ");
    expect(seen.at(-1)).toContain("&cursor=c2");
  });

  it("reads Retry-After as seconds or a date, capped", () => {
    expect(retryDelayMs("3", 0, 500, 30_000)).toBe(3000);
    expect(retryDelayMs(new Date(10_000).toUTCString(), 0, 500, 30_000, 4_000)).toBe(6000);
    expect(retryDelayMs("86400", 0, 500, 30_000)).toBe(30_000);
    expect(retryDelayMs(null, 3, 500, 30_000)).toBe(4000);
  });
});
