import { grpcTlsFiles } from "@fediflow/config";
import { hostHealthRpc, outboxRpc } from "@fediflow/contracts";
import { channelConnected, connectedOnce, createGrpcClient } from "@fediflow/grpc";
import { createLogger } from "@fediflow/logging";
import { closeServer, createMetricsRegistry, exitOnFailure, listen, onShutdown, startOpsServer } from "@fediflow/runtime";
import { loadIngressConfig } from "./config";
import { consoleDirectory } from "./console";
import { createApi } from "./http-api";

async function main(): Promise<void> {
  // 1. Configuration and logs.
  const config = loadIngressConfig();
  const logger = createLogger("ingress", config.FEDIFLOW_LOG_LEVEL);

  // 2. The services behind the API.
  const outbox = createGrpcClient(outboxRpc.OutboxClient, config.FEDIFLOW_OUTBOX_ADDRESS, grpcTlsFiles(config));
  const hostHealth = createGrpcClient(hostHealthRpc.HostHealthClient, config.FEDIFLOW_HOST_HEALTH_ADDRESS, grpcTlsFiles(config));

  // 3. The API on its port; /metrics and the detailed /readyz on the ops port only.
  // Ready means this pod serves: it has reached the outbox behind every write once, and from
  // then on answers every route, those whose peer is unreachable with a 503. Tying readiness
  // to the peers' current state took the whole API out of rotation when one of them was (a
  // Redis outage made host-health unready, and with it every ingress pod).
  const registry = createMetricsRegistry("ingress");
  const readiness = { outbox: connectedOnce(outbox) };
  const dependencies = { outbox: () => channelConnected(outbox), hostHealth: () => channelConnected(hostHealth) };
  const ops = await startOpsServer(
    config.FEDIFLOW_OPS_PORT,
    { registry, readiness, dependencies },
    logger,
    config.FEDIFLOW_LISTEN_ADDRESS,
  );
  const consoleBuild = config.FEDIFLOW_CONSOLE ? consoleDirectory() : null;
  if (config.FEDIFLOW_CONSOLE && !consoleBuild) logger.warn("the console is not built (pnpm build): /console answers 404");
  const app = createApi({
    consoleDirectory: consoleBuild,
    outbox,
    hostHealth,
    tokens: config.FEDIFLOW_API_TOKENS,
    maxBodyBytes: config.FEDIFLOW_MAX_BODY_BYTES,
    maxJsonDepth: config.FEDIFLOW_MAX_JSON_DEPTH,
    rateLimitPerMinute: config.FEDIFLOW_API_RATE_LIMIT_PER_MINUTE,
    maxFollowersBodyBytes: config.FEDIFLOW_MAX_FOLLOWERS_BODY_BYTES,
    registry,
    readiness,
    logger,
  });
  const server = await listen(app, config.FEDIFLOW_INGRESS_PORT, config.FEDIFLOW_LISTEN_ADDRESS, logger, "api");

  // 4. On SIGTERM: stop accepting, let requests in progress finish, close channels.
  onShutdown(logger, [() => closeServer(server), () => closeServer(ops), async () => outbox.close(), async () => hostHealth.close()]);
}

main().catch(exitOnFailure(createLogger("ingress")));
