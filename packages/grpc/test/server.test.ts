import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectivityState, status } from "@grpc/grpc-js";
import { hostHealthRpc } from "@fediflow/contracts";
import { createLogger } from "@fediflow/logging";
import {
  call,
  checkHealth,
  createGrpcClient,
  describeFailure,
  notFound,
  startGrpcServer,
  unary,
  unavailable,
  type RunningGrpcServer,
} from "../src";

const logger = createLogger("test", "silent");
const warnings: Array<{ err: unknown; message: string }> = [];
logger.warn = ((fields: { err: unknown }, message: string) => void warnings.push({ err: fields.err, message })) as typeof logger.warn;
let server: RunningGrpcServer;
let client: hostHealthRpc.HostHealthClient;

beforeAll(async () => {
  const implementation: Partial<hostHealthRpc.HostHealthServer> = {
    checkHost: unary(logger, async (request: hostHealthRpc.CheckHostRequest) => {
      if (request.host === "unknown.example") throw notFound("never seen", "unknown-host");
      if (request.host === "boom.example") throw new Error("secret internals");
      if (request.host === "down.example")
        throw unavailable("storage is unavailable", "storage-unavailable", new Error("connect ECONNREFUSED 127.0.0.1:5432"));
      return { host: { host: request.host, state: "healthy", failures: 0 } };
    }),
  };
  server = await startGrpcServer(
    [{ name: "fediflow.v1.HostHealth", definition: hostHealthRpc.HostHealthService, implementation }],
    0,
    logger,
    "127.0.0.1",
  );
  client = createGrpcClient(hostHealthRpc.HostHealthClient, `127.0.0.1:${server.port}`);
});

afterAll(async () => {
  client?.close();
  await server?.close(100);
});

describe("gRPC server", () => {
  it("answers calls and grpc.health.v1 for each service", async () => {
    const answer = await call(client, client.checkHost, { host: "a.example" });
    expect(answer.host?.state).toBe("healthy");
    expect(await checkHealth(`127.0.0.1:${server.port}`, "fediflow.v1.HostHealth")).toBe(true);
    expect(await checkHealth(`127.0.0.1:${server.port}`)).toBe(true);
    server.health.setStatus("fediflow.v1.HostHealth", "NOT_SERVING");
    expect(await checkHealth(`127.0.0.1:${server.port}`, "fediflow.v1.HostHealth")).toBe(false);
    server.health.setStatus("fediflow.v1.HostHealth", "SERVING");
  });

  it("carries typed errors and hides unexpected ones", async () => {
    const unknown = await call(client, client.checkHost, { host: "unknown.example" }).catch(describeFailure);
    expect(unknown).toEqual({ code: status.NOT_FOUND, details: "never seen", problem: "unknown-host" });
    const boom = await call(client, client.checkHost, { host: "boom.example" }).catch(describeFailure);
    expect(boom).toMatchObject({ code: status.INTERNAL, details: "internal error" });
  });

  it("sends an outage as UNAVAILABLE without its cause, and logs the cause", async () => {
    const down = await call(client, client.checkHost, { host: "down.example" }).catch(describeFailure);
    expect(down).toEqual({ code: status.UNAVAILABLE, details: "storage is unavailable", problem: "storage-unavailable" });
    expect(warnings).toEqual([{ err: new Error("connect ECONNREFUSED 127.0.0.1:5432"), message: "storage is unavailable" }]);
  });

  it("lets a call made between connection attempts wait for a peer that starts after it, within the deadline", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const early = createGrpcClient(hostHealthRpc.HostHealthClient, `127.0.0.1:${port}`);
    const channel = early.getChannel();
    // The first connection is refused (as a caller's readiness check meets a peer not yet up);
    // a call made now, between attempts, used to fail at once.
    while (channel.getConnectivityState(false) !== connectivityState.TRANSIENT_FAILURE) {
      const current = channel.getConnectivityState(true);
      await new Promise((resolve) => channel.watchConnectivityState(current, Date.now() + 5_000, resolve));
    }
    const answer = call(early, early.checkHost, { host: "late.example" }, 10_000);
    const late = await startGrpcServer(
      [
        {
          name: "fediflow.v1.HostHealth",
          definition: hostHealthRpc.HostHealthService,
          implementation: { checkHost: unary(logger, async () => ({ host: { host: "late.example", state: "healthy", failures: 0 } })) },
        },
      ],
      port,
      logger,
      "127.0.0.1",
    );
    try {
      expect((await answer).host?.host).toBe("late.example");
    } finally {
      early.close();
      await late.close(100);
    }
  });
});
