import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRemoteAgent } from "@fediflow/remote-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHost, type ProbeOptions } from "../src/nodeinfo-probe";

let server: Server;
let status = 200;
const paths: string[] = [];
const agent = createRemoteAgent({ allowPrivateNetworks: true, connectTimeoutMs: 500, connectionsPerOrigin: 1 });
const options = (overrides: Partial<ProbeOptions> = {}): ProbeOptions => ({
  dispatcher: agent,
  timeoutMs: 500,
  allowPlainHttp: true,
  userAgent: "FediFlow/test",
  ...overrides,
});
const host = () => `127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(req.url ?? "");
    if (status === 0) return; // never answers
    res.writeHead(status, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await agent.close();
});

describe("nodeinfo probe", () => {
  it("asks for /.well-known/nodeinfo; any answer below 500 (404 and 429 too) means the host is up", async () => {
    for (const answer of [200, 404, 429]) {
      status = answer;
      expect(await probeHost(host(), options())).toBe(true);
    }
    expect(paths.at(-1)).toBe("/.well-known/nodeinfo");
  });

  it("5xx, silence and refused connections mean it is still dead", async () => {
    status = 503;
    expect(await probeHost(host(), options())).toBe(false);
    status = 0;
    expect(await probeHost(host(), options({ timeoutMs: 200 }))).toBe(false);
    expect(await probeHost("127.0.0.1:1", options())).toBe(false);
  });

  it("tries plain http only where it is allowed", async () => {
    status = 200;
    expect(await probeHost(host(), options({ allowPlainHttp: false }))).toBe(false);
  });

  it("never reaches a private address unless allowed (SSRF guard)", async () => {
    const guarded = createRemoteAgent({ allowPrivateNetworks: false, connectTimeoutMs: 500, connectionsPerOrigin: 1 });
    const before = paths.length;
    expect(await probeHost(host(), options({ dispatcher: guarded }))).toBe(false);
    expect(paths.length).toBe(before);
    await guarded.close();
  });
});
