import { grpcTlsFiles } from "@fediflow/config";
import { topics } from "@fediflow/contracts";
import { startGrpcServer } from "@fediflow/grpc";
import { TopicProducer, consumerTiming, createKafka } from "@fediflow/kafka";
import { createLogger } from "@fediflow/logging";
import { createPool, databaseReachable } from "@fediflow/postgres";
import { createRedis, redisReachable } from "@fediflow/redis";
import { closeServer, createMetricsRegistry, exitOnFailure, onShutdown, startOpsServer } from "@fediflow/runtime";
import { loadHostHealthConfig } from "./config";
import { hostHealthService } from "./grpc-server";
import { HostBook } from "./host-book";
import type { HealthPolicy } from "./host-state";
import { healthConsumer } from "./outcome-consumer";

async function main(): Promise<void> {
  // 1. Configuration and logs.
  const config = loadHostHealthConfig();
  const logger = createLogger("host-health", config.FEDIFLOW_LOG_LEVEL);
  const policy: HealthPolicy = {
    breakerThreshold: config.FEDIFLOW_BREAKER_THRESHOLD,
    breakerCooldownMs: config.FEDIFLOW_BREAKER_COOLDOWN_MS,
    breakerCooldownMaxMs: config.FEDIFLOW_BREAKER_COOLDOWN_MAX_MS,
    deadAfterMs: config.FEDIFLOW_DEAD_AFTER_MS,
    probeInitialMs: config.FEDIFLOW_PROBE_INITIAL_MS,
    probeMaxMs: config.FEDIFLOW_PROBE_MAX_MS,
  };
  const clock = () => Date.now();

  // 2. Dependencies.
  const pool = createPool({
    connectionString: config.FEDIFLOW_DATABASE_URL,
    max: config.FEDIFLOW_DATABASE_POOL_SIZE,
    applicationName: "fediflow-host-health",
  });
  const redis = createRedis(config.FEDIFLOW_REDIS_URL, "fediflow-host-health", config.FEDIFLOW_REDIS_KEY_PREFIX);
  const kafka = createKafka({ brokers: config.FEDIFLOW_KAFKA_BROKERS, clientId: `${config.FEDIFLOW_KAFKA_CLIENT_ID}-host-health`, logger });
  const producer = await TopicProducer.connect(kafka, true);
  const book = new HostBook(pool, redis, (events) =>
    producer.send(
      topics.hostEvents,
      events.map((event) => ({ key: event.host, value: event })),
    ),
  );

  // 3. The outcome consumer that feeds every host's state machine.
  const consumer = healthConsumer(kafka, book, policy, logger, clock, consumerTiming(config));
  await consumer.start();

  // 4. Servers.
  const grpc = await startGrpcServer(
    [hostHealthService(book, logger, clock)],
    config.FEDIFLOW_HOST_HEALTH_GRPC_PORT,
    logger,
    config.FEDIFLOW_LISTEN_ADDRESS,
    grpcTlsFiles(config),
  );
  const registry = createMetricsRegistry("host-health");
  const ops = await startOpsServer(
    config.FEDIFLOW_OPS_PORT,
    { registry, readiness: { database: () => databaseReachable(pool), redis: () => redisReachable(redis) } },
    logger,
    config.FEDIFLOW_LISTEN_ADDRESS,
  );

  // 5. On SIGTERM: refuse new calls, stop consuming, close connections.
  onShutdown(logger, [
    () => grpc.close(),
    () => consumer.stop(),
    () => producer.disconnect(),
    () => closeServer(ops),
    () => pool.end(),
    () => redis.quit(),
  ]);
}

main().catch(exitOnFailure(createLogger("host-health")));
