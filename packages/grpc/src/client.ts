import {
  connectivityState,
  loadPackageDefinition,
  Metadata,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ServiceError,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";
import { channelCredentials, type GrpcTlsFiles } from "./tls";

type ClientConstructor<C> = new (address: string, creds: ChannelCredentials, options?: object) => C;

export function createGrpcClient<C extends Client>(Constructor: ClientConstructor<C>, address: string, tls: GrpcTlsFiles = {}): C {
  return new Constructor(address, channelCredentials(tls), {
    // Keep connections warm and notice a restarted server quickly.
    "grpc.keepalive_time_ms": 30_000,
    "grpc.keepalive_timeout_ms": 5_000,
    "grpc.enable_retries": 1,
    // A peer back from an outage is found within seconds, not after grpc's default backoff of
    // up to two minutes (connection attempts inside a cluster are cheap).
    "grpc.max_reconnect_backoff_ms": 5_000,
    // Every address the name resolves to gets calls in turn: with a headless Service's name
    // (dns:///...) that is every ready pod, not the one a ClusterIP connection happened to reach.
    // The servers' maximum connection age makes the client re-resolve and find new pods.
    "grpc.service_config": JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    "grpc.service_config_disable_resolution": 1,
  });
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

/**
 * Waits, within the deadline, until the channel is connected or a connection attempt has just
 * failed. A channel between attempts (after a refused first connection, or a peer's restart)
 * fails calls at once although the peer may be up by now: a caller that started before its peer
 * answered 503s for a second or more (a CI run failed on it). Waiting before the call, rather
 * than retrying after it, never sends a request twice; a failed attempt still fails the call
 * with its own reason (a refused connection, a TLS handshake), not a bare deadline.
 */
async function connectionSettled(client: Client, deadline: number): Promise<void> {
  const channel = client.getChannel();
  let state = channel.getConnectivityState(true);
  while (state !== connectivityState.READY && state !== connectivityState.SHUTDOWN) {
    const changed = await new Promise<boolean>((resolve) => channel.watchConnectivityState(state, deadline, (error) => resolve(!error)));
    if (!changed) return;
    const next = channel.getConnectivityState(true);
    if (next === connectivityState.TRANSIENT_FAILURE && state !== connectivityState.TRANSIENT_FAILURE) return;
    state = next;
  }
}

/**
 * Calls a unary method with a deadline (milliseconds) and resolves with its response; `metadata`
 * says whom the call acts for (see actingFor).
 */
export async function call<Req, Res>(
  client: Client,
  method: UnaryMethod<Req, Res>,
  request: Req,
  deadlineMs = 5_000,
  metadata: Metadata = new Metadata(),
): Promise<Res> {
  const deadline = Date.now() + deadlineMs;
  await connectionSettled(client, deadline);
  return new Promise((resolve, reject) => {
    method.call(client, request, metadata, { deadline }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** Resolves once the channel is connected (the readiness check of a gRPC caller). */
export function channelReady(client: Client, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve(true)));
  });
}

/**
 * A readiness check that passes from the first time the channel connects on: a starting pod
 * waits for its peer, a running one keeps serving (503s for that peer's routes) through the
 * peer's outage instead of leaving its Service with every other pod at once.
 */
export function connectedOnce(client: Client, timeoutMs = 2_000): () => Promise<boolean> {
  let connected = false;
  return async () => {
    if (!connected) connected = await channelReady(client, timeoutMs);
    return connected;
  };
}

/**
 * Resolves at once when the channel is connected; otherwise asks it to connect and rejects with
 * its state. For /readyz reports, which must answer within a probe's timeout.
 */
export async function channelConnected(client: Client): Promise<true> {
  const state = client.getChannel().getConnectivityState(true);
  if (state === connectivityState.READY) return true;
  throw new Error(state === connectivityState.TRANSIENT_FAILURE ? "unreachable" : connectivityState[state].toLowerCase());
}

type HealthClientConstructor = new (
  address: string,
  creds: ChannelCredentials,
) => Client & {
  check(
    request: { service: string },
    options: Partial<CallOptions>,
    callback: (error: ServiceError | null, response?: { status: string }) => void,
  ): unknown;
};

let healthClientConstructor: HealthClientConstructor | undefined;

function healthClient(): HealthClientConstructor {
  if (!healthClientConstructor) {
    const definition = loadSync(healthProtoPath, { enums: String });
    const loaded = loadPackageDefinition(definition) as unknown as {
      grpc: { health: { v1: { Health: HealthClientConstructor } } };
    };
    healthClientConstructor = loaded.grpc.health.v1.Health;
  }
  return healthClientConstructor;
}

/** Asks grpc.health.v1 whether a service is SERVING (service "" is the whole server). */
export function checkHealth(address: string, service = "", timeoutMs = 2_000, tls: GrpcTlsFiles = {}): Promise<boolean> {
  const Health = healthClient();
  const client = new Health(address, channelCredentials(tls));
  return new Promise<boolean>((resolve, reject) => {
    client.check({ service }, { deadline: Date.now() + timeoutMs }, (error, response) =>
      error ? reject(error) : resolve(response?.status === "SERVING"),
    );
  }).finally(() => client.close());
}
