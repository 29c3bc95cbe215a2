import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentials } from "@grpc/grpc-js";
import { hostHealthRpc } from "@fediflow/contracts";
import { createLogger } from "@fediflow/logging";
import { GrpcTlsConfigError, call, createGrpcClient, startGrpcServer, unary, type RunningGrpcServer } from "../src";

const logger = createLogger("test", "silent");
const dir = mkdtempSync(path.join(os.tmpdir(), "fediflow-grpc-tls-"));
const file = (name: string) => path.join(dir, name);
const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });

/** A CA and one certificate it signed, for 127.0.0.1 (client and server use the same one). */
function makeCertificates(prefix: string) {
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    `/CN=${prefix}-ca`,
    "-keyout",
    file(`${prefix}-ca.key`),
    "-out",
    file(`${prefix}-ca.pem`),
  );
  writeFileSync(file("san.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    `/CN=${prefix}-service`,
    "-keyout",
    file(`${prefix}.key`),
    "-out",
    file(`${prefix}.csr`),
  );
  openssl(
    "x509",
    "-req",
    "-in",
    file(`${prefix}.csr`),
    "-CA",
    file(`${prefix}-ca.pem`),
    "-CAkey",
    file(`${prefix}-ca.key`),
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    file("san.cnf"),
    "-out",
    file(`${prefix}.pem`),
  );
  return { certFile: file(`${prefix}.pem`), keyFile: file(`${prefix}.key`), caFile: file(`${prefix}-ca.pem`) };
}

let server: RunningGrpcServer;
let ours: ReturnType<typeof makeCertificates>;
let strangers: ReturnType<typeof makeCertificates>;

beforeAll(async () => {
  ours = makeCertificates("fediflow");
  strangers = makeCertificates("stranger");
  const implementation: Partial<hostHealthRpc.HostHealthServer> = {
    checkHost: unary(logger, async (request: hostHealthRpc.CheckHostRequest) => ({
      host: { host: request.host, state: "healthy", failures: 0 },
    })),
  };
  server = await startGrpcServer(
    [{ name: "fediflow.v1.HostHealth", definition: hostHealthRpc.HostHealthService, implementation }],
    0,
    logger,
    "127.0.0.1",
    ours,
  );
});
afterAll(async () => {
  await server?.close(100);
});

describe("gRPC mutual TLS", () => {
  it("answers a client presenting a certificate signed by the CA", async () => {
    const client = createGrpcClient(hostHealthRpc.HostHealthClient, `127.0.0.1:${server.port}`, ours);
    expect((await call(client, client.checkHost, { host: "a.example" }, 5_000)).host?.state).toBe("healthy");
    client.close();
  });

  it("refuses plaintext, clients without a certificate, and certificates of another CA", async () => {
    const plaintext = new hostHealthRpc.HostHealthClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    await expect(call(plaintext, plaintext.checkHost, { host: "a" }, 2_000)).rejects.toThrow();
    plaintext.close();
    const anonymous = new hostHealthRpc.HostHealthClient(`127.0.0.1:${server.port}`, credentials.createSsl(readFileSync(ours.caFile)));
    await expect(call(anonymous, anonymous.checkHost, { host: "a" }, 2_000)).rejects.toThrow();
    anonymous.close();
    const stranger = createGrpcClient(hostHealthRpc.HostHealthClient, `127.0.0.1:${server.port}`, { ...strangers, caFile: ours.caFile });
    await expect(call(stranger, stranger.checkHost, { host: "a" }, 2_000)).rejects.toThrow();
    stranger.close();
  });

  it("refuses a half-configured identity at start", () => {
    expect(() => createGrpcClient(hostHealthRpc.HostHealthClient, "127.0.0.1:1", { certFile: ours.certFile })).toThrow(GrpcTlsConfigError);
  });
});
