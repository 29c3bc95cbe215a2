import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleRoutes } from "../src/console";

const servers: Server[] = [];
let build: string;

async function serve(directory: string | null): Promise<string> {
  const app = express();
  app.use("/console", consoleRoutes(directory));
  app.use((_req, res) => void res.status(404).type("application/problem+json").send("{}"));
  const server = await new Promise<Server>((resolve) => {
    const started = app.listen(0, "127.0.0.1", () => resolve(started));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(() => {
  build = mkdtempSync(path.join(tmpdir(), "console-"));
  mkdirSync(path.join(build, "assets"));
  writeFileSync(path.join(build, "index.html"), "<!doctype html><title>console</title>");
  writeFileSync(path.join(build, "assets", "index-abc.js"), "export {};");
});
afterAll(() => {
  for (const server of servers) server.close();
  rmSync(build, { recursive: true, force: true });
});

describe("the console's routes", () => {
  it("serves the page under a policy that allows only its own origin, and its assets for good", async () => {
    const url = await serve(build);
    const page = await fetch(`${url}/console/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>console</title>");
    expect(page.headers.get("content-security-policy")).toMatch(
      /default-src 'none'.*script-src 'self'.*connect-src 'self'.*frame-ancestors 'none'/,
    );
    const asset = await fetch(`${url}/console/assets/index-abc.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    const bare = await fetch(`${url}/console`, { redirect: "manual" });
    expect([bare.status, bare.headers.get("location")]).toEqual([301, "/console/"]);
  });

  it("leaves writes, missing files and a build without the console to the API's 404", async () => {
    const url = await serve(build);
    expect((await fetch(`${url}/console/`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${url}/console/assets/missing.js`)).headers.get("content-type")).toContain("problem+json");
    const without = await serve(null);
    expect((await fetch(`${without}/console/`)).status).toBe(404);
  });
});
