import { grpcTlsFiles } from "@fediflow/config";
import { consumerGroups, topics, type DeliveryReport } from "@fediflow/contracts";
import { startGrpcServer } from "@fediflow/grpc";
import { BatchConsumer, DeadLetterTable, Quarantine, TopicProducer, consumerTiming, kafkaForService, registerConsumerLagMetrics } from "@fediflow/kafka";
import { createLogger } from "@fediflow/logging";
import { createPool, databaseReachable } from "@fediflow/postgres";
import { createRedis, redisReachable } from "@fediflow/redis";
import { createRemoteAgent, userAgent } from "@fediflow/remote-http";
import { closeServer, createMetricsRegistry, exitOnFailure, grpcServerMetrics, onShutdown, startOpsServer } from "@fediflow/runtime";
import { AttemptLog } from "./attempt-log";
import { loadHostHealthConfig } from "./config";
import { hostHealthService } from "./grpc-server";
import { HostBook } from "./host-book";
import { hostWebhookEvents } from "./host-webhooks";
import type { HealthPolicy } from "./host-state";
import { hostHealthMetrics } from "./metrics";
import { probeHost } from "./nodeinfo-probe";
import { recordOutcomes } from "./health-outcomes";
import type { PrunedParked } from "./park-coalescing";
import { ParkedStore } from "./parked-store";
import { Prober } from "./prober";
import { Replayer } from "./replayer";

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
  // Operator listings and metrics may read a replica; state changes stay on the primary.
  const readPool = config.FEDIFLOW_DATABASE_READ_URL
    ? createPool({
        connectionString: config.FEDIFLOW_DATABASE_READ_URL,
        max: config.FEDIFLOW_DATABASE_POOL_SIZE,
        applicationName: "fediflow-host-health-read",
      })
    : pool;
  const redis = createRedis(config.FEDIFLOW_REDIS_URL, "fediflow-host-health", config.FEDIFLOW_REDIS_KEY_PREFIX);
  const kafka = kafkaForService(config, "host-health", logger);
  const producer = await TopicProducer.connect(kafka, true);
  const book = new HostBook(
    pool,
    redis,
    (events) => producer.send(topics.hostEvents, events),
    readPool,
    (changes, now) => producer.send(topics.webhookEvents, hostWebhookEvents(changes, now)),
  );
  const park = new ParkedStore(pool);
  const agent = createRemoteAgent({
    allowPrivateNetworks: config.FEDIFLOW_ALLOW_PRIVATE_NETWORKS,
    dnsServers: config.FEDIFLOW_DNS_SERVERS,
    connectTimeoutMs: Math.min(5_000, config.FEDIFLOW_PROBE_TIMEOUT_MS),
    connectionsPerOrigin: 1,
    keepAliveTimeoutMs: 1_000,
  });

  // 3. The outcome consumer that feeds every host's state machine and the park, the prober of
  //    dead hosts, and the replay of revived hosts' parked deliveries.
  const coalesced = new Map<string, number>();
  const attempts = new AttemptLog(redis, config.FEDIFLOW_HOST_ATTEMPTS_KEPT, config.FEDIFLOW_HOST_ATTEMPTS_TTL_MS);
  const settle = (reports: DeliveryReport[]) => producer.send(topics.outcomes, reports);
  const outcomes = {
    book,
    park,
    policy,
    clock,
    attempts,
    coalesced: {
      settle,
      count: (pruned: PrunedParked[]) => {
        for (const { rule } of pruned) coalesced.set(rule, (coalesced.get(rule) ?? 0) + 1);
      },
    },
  };
  const registry = createMetricsRegistry("host-health");
  const consumer = new BatchConsumer({
    kafka,
    groupId: consumerGroups.hostHealth,
    topic: topics.outcomes,
    logger,
    timing: consumerTiming(config),
    quarantine: new Quarantine({ store: new DeadLetterTable(pool), logger, registry }),
    handleBatch: (messages) => recordOutcomes(messages.map((message) => message.value), outcomes),
  });
  await consumer.start();
  const prober = new Prober(
    pool,
    book,
    policy,
    {
      roundMs: config.FEDIFLOW_PROBE_POLL_MS,
      concurrency: config.FEDIFLOW_PROBE_CONCURRENCY,
      probe: (host) =>
        probeHost(host, {
          dispatcher: agent,
          timeoutMs: config.FEDIFLOW_PROBE_TIMEOUT_MS,
          allowPlainHttp: config.FEDIFLOW_ALLOW_PRIVATE_NETWORKS,
          userAgent: userAgent(config.FEDIFLOW_INSTANCE_URL),
        }),
    },
    logger,
    clock,
  );
  prober.start();
  const replayer = new Replayer(
    park,
    {
      sendJobs: (jobs) => producer.send(topics.deliveries, jobs),
      sendReports: (reports) => producer.send(topics.outcomes, reports),
    },
    {
      maxAgeMs: config.FEDIFLOW_PARKED_MAX_AGE_MS,
      perHostPerSecond: config.FEDIFLOW_REPLAY_RATE_PER_HOST,
      roundMs: config.FEDIFLOW_REPLAY_POLL_MS,
      inboxesPerJob: config.FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE,
    },
    logger,
    clock,
  );
  replayer.start();

  // 4. Servers.
  const grpc = await startGrpcServer(
    [hostHealthService(book, logger, clock, { attempts, park, settle })],
    config.FEDIFLOW_HOST_HEALTH_GRPC_PORT,
    logger,
    config.FEDIFLOW_LISTEN_ADDRESS,
    grpcTlsFiles(config),
    { maxConnectionAgeMs: config.FEDIFLOW_GRPC_MAX_CONNECTION_AGE_MS, onCallEnded: grpcServerMetrics(registry) },
  );
  hostHealthMetrics(registry, readPool, new ParkedStore(readPool), prober, replayer, coalesced);
  const lag = registerConsumerLagMetrics(registry, kafka, [consumer]);
  const ops = await startOpsServer(
    config.FEDIFLOW_OPS_PORT,
    {
      registry,
      // Listings and every change start in PostgreSQL; without Redis only lookups fail (503).
      readiness: { database: () => databaseReachable(pool) },
      dependencies: { redis: () => redisReachable(redis) },
    },
    logger,
    config.FEDIFLOW_LISTEN_ADDRESS,
  );

  // 5. On SIGTERM: refuse new calls, stop probing, replaying and consuming, close connections.
  onShutdown(logger, [
    () => grpc.close(),
    () => prober.stop(),
    () => replayer.stop(),
    () => consumer.stop(),
    () => lag.close(),
    () => producer.disconnect(),
    () => agent.close(),
    () => closeServer(ops),
    async () => (readPool === pool ? undefined : readPool.end()),
    () => pool.end(),
    () => redis.quit(),
  ]);
}

main().catch(exitOnFailure(createLogger("host-health")));
