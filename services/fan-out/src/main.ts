import { topics } from "@fediflow/contracts";
import { HostView } from "@fediflow/host-view";
import { ParallelConsumer, TopicProducer, consumerTiming, createKafka } from "@fediflow/kafka";
import { createLogger } from "@fediflow/logging";
import { createPool, databaseReachable } from "@fediflow/postgres";
import { createRedis, redisReachable } from "@fediflow/redis";
import { createRemoteAgent, userAgent } from "@fediflow/remote-http";
import { closeServer, createMetricsRegistry, exitOnFailure, onShutdown, startOpsServer } from "@fediflow/runtime";
import { ActorResolver } from "./actor-resolver";
import { loadFanOutConfig } from "./config";
import { FanOut } from "./fan-out";
import { FanOutStore } from "./fanout-store";
import { fanOutMetrics } from "./metrics";

async function main(): Promise<void> {
  // 1. Configuration and logs.
  const config = loadFanOutConfig();
  const logger = createLogger("fan-out", config.FEDIFLOW_LOG_LEVEL);

  // 2. Dependencies.
  const pool = createPool({
    connectionString: config.FEDIFLOW_DATABASE_URL,
    max: config.FEDIFLOW_DATABASE_POOL_SIZE,
    applicationName: "fediflow-fan-out",
  });
  const redis = createRedis(config.FEDIFLOW_REDIS_URL, "fediflow-fan-out", config.FEDIFLOW_REDIS_KEY_PREFIX);
  const kafka = createKafka({ brokers: config.FEDIFLOW_KAFKA_BROKERS, clientId: `${config.FEDIFLOW_KAFKA_CLIENT_ID}-fan-out`, logger });
  const producer = await TopicProducer.connect(kafka);
  const hosts = new HostView(kafka, logger, "fediflow-fan-out-hosts");
  await hosts.start();
  const resolver = new ActorResolver({
    redis,
    dispatcher: createRemoteAgent({
      allowPrivateNetworks: config.FEDIFLOW_ALLOW_PRIVATE_NETWORKS,
    dnsServers: config.FEDIFLOW_DNS_SERVERS,
      connectTimeoutMs: 5_000,
      connectionsPerOrigin: 4,
    }),
    ttlMs: config.FEDIFLOW_ACTOR_CACHE_TTL_MS,
    allowPlainHttp: config.FEDIFLOW_ALLOW_PRIVATE_NETWORKS,
    userAgent: userAgent(config.FEDIFLOW_INSTANCE_URL),
  });

  // 3. The fan-out, consuming accepted activities; one lane per object keeps their order.
  const fanOut = new FanOut({
    store: new FanOutStore(pool, config.FEDIFLOW_FANOUT_PAGE_SIZE),
    hosts,
    resolver,
    publish: async (jobs, reports) => {
      await producer.send(
        topics.deliveries,
        jobs.map((job) => ({ key: job.host, value: job })),
      );
      await producer.send(
        topics.outcomes,
        reports.map((report) => ({ key: report.host, value: report })),
      );
    },
    inboxesPerMessage: config.FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE,
    checkpointMessages: config.FEDIFLOW_FANOUT_CHECKPOINT_MESSAGES,
    logger,
  });
  const registry = createMetricsRegistry("fan-out");
  const metrics = fanOutMetrics(registry, hosts);
  const consumer = new ParallelConsumer({
    kafka,
    groupId: "fediflow-fan-out",
    timing: consumerTiming(config),
    topic: topics.activities,
    logger,
    maxInFlight: config.FEDIFLOW_FANOUT_CONCURRENCY,
    laneOf: (message) => message.key,
    handle: async (message) => {
      const summary = await fanOut.run(message.value);
      if (summary) {
        metrics.recordFanOut(summary);
        logger.info({ activityId: message.value.activityId, ...summary }, "fan-out complete");
      }
    },
  });
  await consumer.start();

  // 4. Servers.
  const ops = await startOpsServer(
    config.FEDIFLOW_OPS_PORT,
    { registry, readiness: { database: () => databaseReachable(pool), redis: () => redisReachable(redis) } },
    logger,
    config.FEDIFLOW_LISTEN_ADDRESS,
  );

  // 5. On SIGTERM: stop taking activities, finish or hand back those in progress, close.
  onShutdown(logger, [
    () => consumer.stop(20_000),
    () => producer.disconnect(),
    () => hosts.stop(),
    () => closeServer(ops),
    () => pool.end(),
    () => redis.quit(),
  ]);
}

main().catch(exitOnFailure(createLogger("fan-out")));
