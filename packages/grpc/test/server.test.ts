import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { status } from "@grpc/grpc-js";
import { hostHealthRpc } from "@fediflow/contracts";
import { createLogger } from "@fediflow/logging";
import { call, checkHealth, createGrpcClient, describeFailure, notFound, startGrpcServer, unary, unavailable, type RunningGrpcServer } from "../src";

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
      if (request.host === "down.example") throw unavailable("storage is unavailable", "storage-unavailable", new Error("connect ECONNREFUSED 127.0.0.1:5432"));
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
});
