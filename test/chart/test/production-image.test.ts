import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, unlink } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { allTopics } from "@fediflow/contracts";
import { serviceNames } from "../src/manifests";
import { buildOnlyPackages, checkRequires, installedPackages, installProductionTree } from "../src/production-tree";
import { repoRoot } from "../src/paths";

declare module "vitest" {
  export interface ProvidedContext {
    /** The test run's Kafka (tools/kafka's globalSetup). */
    kafkaBrokers: string;
  }
}

// What the Dockerfile's last build step produces, made here without a Docker engine: the same
// script lays out /app in a temporary directory from this checkout's build.
let work: string;
let app: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "fediflow-image-"));
  app = path.join(work, "app");
  await installProductionTree(app);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs the image's entrypoint from the tree with only the given environment. */
function entrypoint(args: string[], env: Record<string, string>) {
  return spawn("sh", [path.join(app, "bin", "fediflow"), ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; output: string }> {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the image's production install", () => {
  it("holds no build-only or test-only package", async () => {
    const buildOnly = await buildOnlyPackages();
    // The list is not empty: TypeScript, vitest, buf and ts-proto are among them.
    expect(buildOnly).toEqual(expect.arrayContaining(["typescript", "vitest", "@bufbuild/buf", "ts-proto"]));
    const installed = await installedPackages(app);
    expect(installed.has("kafkajs")).toBe(true);
    expect(buildOnly.filter((name) => installed.has(name))).toEqual([]);
    expect(await readdir(app)).not.toContain("tools");
  });

  it("resolves and loads every require of every service from production dependencies alone", async () => {
    const report = await checkRequires(app, serviceNames);
    expect(report.unresolved).toEqual([]);
    expect(report.failedToLoad).toEqual([]);
    for (const service of serviceNames) {
      expect(report.services[service]!.ownFiles, service).toBeGreaterThan(10);
      expect(report.services[service]!.packages, service).toBeGreaterThan(5);
    }
  });

  it("the require check notices a dependency that is missing", async () => {
    await unlink(path.join(app, "services", "delivery", "node_modules", "lru-cache"));
    const report = await checkRequires(app, ["delivery"]);
    expect(report.unresolved.length).toBeGreaterThan(0);
    for (const entry of report.unresolved) expect(entry).toMatch(/^services\/delivery\/dist\/.*require\("lru-cache"\)$/);
  });

  it("starts ingress through the entrypoint: /healthz answers, /readyz waits for the outbox and reports both peers, the console is served, SIGTERM exits 0", async () => {
    const port = await freePort();
    const opsPort = await freePort();
    const unused = await freePort();
    const child = entrypoint(["ingress"], {
      FEDIFLOW_INGRESS_PORT: String(port),
      FEDIFLOW_OPS_PORT: String(opsPort),
      FEDIFLOW_LISTEN_ADDRESS: "127.0.0.1",
      FEDIFLOW_API_TOKENS: "image-test-token",
      FEDIFLOW_OUTBOX_ADDRESS: `127.0.0.1:${unused}`,
      FEDIFLOW_HOST_HEALTH_ADDRESS: `127.0.0.1:${unused}`,
    });
    const exit = exited(child);
    try {
      let health: Response | undefined;
      for (let attempt = 0; attempt < 100 && !health; attempt += 1) {
        health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        if (!health) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(health?.status).toBe(200);
      // The API port answers a bare /readyz; the detailed one is on the ops port.
      const bare = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect([bare.status, await bare.json()]).toEqual([503, { status: "not ready" }]);
      const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
      // Not ready before it has reached the outbox once; host-health is reported, never decisive.
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { checks: object; dependencies: object };
      expect(Object.keys(body.checks)).toEqual(["outbox"]);
      expect(Object.keys(body.dependencies).sort()).toEqual(["hostHealth", "outbox"]);
      const unauthorised = await fetch(`http://127.0.0.1:${port}/v1/hosts`);
      expect(unauthorised.status).toBe(401);
      // The console's static build ships in the image and ingress finds it.
      const consolePage = await fetch(`http://127.0.0.1:${port}/console/`);
      expect(consolePage.status).toBe(200);
      const script = (await consolePage.text()).match(/src="(\/console\/assets\/[^"]+\.js)"/)?.[1];
      expect(script).toBeDefined();
      expect((await fetch(`http://127.0.0.1:${port}${script}`)).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    const { code, output } = await exit;
    expect(code, output).toBe(0);
  });

  it("`migrate` applies every migration to an empty database", async () => {
    const server = process.env.FEDIFLOW_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
    const name = `fediflow_image_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(server);
      url.pathname = `/${name}`;
      const { code, output } = await exited(entrypoint(["migrate"], { FEDIFLOW_DATABASE_URL: url.toString() }));
      expect(code, output).toBe(0);
      const migrations = (await readdir(path.join(repoRoot, "packages", "postgres", "migrations"))).filter((file) => file.endsWith(".sql"));
      expect(output.trim().split("\n")).toEqual(migrations.sort().map((file) => `applied ${file.slice(0, -4)}`));
      const database = new pg.Client({ connectionString: url.toString() });
      await database.connect();
      try {
        const applied = await database.query("SELECT count(*)::int AS n FROM schema_migrations");
        expect(applied.rows[0].n).toBe(migrations.length);
      } finally {
        await database.end();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it("`topics` creates FediFlow's topics under the namespace, and finds them the second time", async () => {
    const env = { FEDIFLOW_KAFKA_BROKERS: inject("kafkaBrokers"), FEDIFLOW_KAFKA_NAMESPACE: `image-${process.pid}-${Date.now()}.` };
    const first = await exited(entrypoint(["topics"], env));
    expect(first.code, first.output).toBe(0);
    expect(first.output.match(/^created /gm)).toHaveLength(allTopics.length);
    const second = await exited(entrypoint(["topics"], env));
    expect(second.code, second.output).toBe(0);
    expect(second.output.match(/^exists /gm)).toHaveLength(allTopics.length);
  });

  it("the entrypoint refuses an unknown command", async () => {
    const { code, output } = await exited(entrypoint(["nonsense"], {}));
    expect(code).toBe(64);
    expect(output).toMatch(/usage: fediflow ingress\|outbox\|fan-out\|delivery\|host-health\|migrate\|reseal-keys\|topics\|status\|hosts/);
  });

  it("the entrypoint runs the operator commands, which say in one line what they lack", async () => {
    const help = await exited(entrypoint(["help"], {}));
    expect(help.code, help.output).toBe(0);
    expect(help.output).toMatch(/status \[options\] <id>/);
    const { code, output } = await exited(entrypoint(["hosts", "--state", "dead"], {}));
    expect(code).toBe(64);
    expect(output).toBe("fediflow: FEDIFLOW_URL is not set: the ingress URL, e.g. http://127.0.0.1:8080\n");
    const quarantine = await exited(entrypoint(["quarantine"], {}));
    expect([quarantine.code, quarantine.output]).toEqual([64, output]);
  });
});
