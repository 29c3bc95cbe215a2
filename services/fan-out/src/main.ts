import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { KeyEncryptionKeys } from "@fediflow/activitypub";
import { SigningKeys } from "@fediflow/signing-keys";
import { consumerGroups, hostViewGroupPrefixes, topics } from "@fediflow/contracts";
import { HostView } from "@fediflow/host-view";
import { DeadLetterTable, ParallelConsumer, Quarantine, TopicProducer, consumerTiming, kafkaForService, registerConsumerLagMetrics } from "@fediflow/kafka";
import { attributes, trace } from "@fediflow/telemetry";
import { createLogger } from "@fediflow/logging";
import { createPool, databaseReachable } from "@fediflow/postgres";
import { createRedis, redisReachable } from "@fediflow/redis";
import { createRemoteAgent, userAgent } from "@fediflow/remote-http";
import { closeServer, createMetricsRegistry, exitOnFailure, onShutdown, startOpsServer } from "@fediflow/runtime";
import { readActivity } from "./activity-reader";
import { ActorCache } from "./actor-cache";
import { ActorFetcher } from "./actor-fetcher";
import { loadFanOutConfig } from "./config";
import { deliveryPublisher } from "./delivery-publisher";
import { resolveExplicitAudience } from "./explicit-audience";
import { FanOut } from "./fan-out";
import { FollowerPages } from "./follower-pages";
import { fanOutMetrics } from "./metrics";
import { ProgressStore } from "./progress-store";

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
  const kafka = kafkaForService(config, "fan-out", logger);
  const producer = await TopicProducer.connect(kafka);
  const hosts = new HostView(kafka, logger, hostViewGroupPrefixes.fanOut);
  await hosts.start();
  const keys = new SigningKeys(pool, KeyEncryptionKeys.fromBase64(config.FEDIFLOW_KEY_ENCRYPTION_KEY, config.FEDIFLOW_KEY_ENCRYPTION_KEYS_PREVIOUS));
  // The signed GETs of actor documents use a key registered again within a second.
  const stopWatchingKeys = keys.watch(1_000, (error) => logger.warn({ err: error }, "could not look for changed keys"));
  const agent = createRemoteAgent({
    allowPrivateNetworks: config.FEDIFLOW_ALLOW_PRIVATE_NETWORKS,
    dnsServers: config.FEDIFLOW_DNS_SERVERS,
    connectTimeoutMs: 5_000,
    connectionsPerOrigin: 4,
  });
  const fetcher = new ActorFetcher({
    dispatcher: agent,
    allowPlainHttp: config.FEDIFLOW_ALLOW_PRIVATE_NETWORKS,
    userAgent: userAgent(config.FEDIFLOW_INSTANCE_URL),
    timeoutMs: config.FEDIFLOW_ACTOR_FETCH_TIMEOUT_MS,
  });
  const actors = new ActorCache({
    redis,
    fetch: (actorId, key) => fetcher.fetch(actorId, key),
    ttlMs: config.FEDIFLOW_ACTOR_CACHE_TTL_MS,
    logger,
  });
  // Leases name the process: a restarted pod is a new owner and waits for the old lease to run out.
  const owner = `${process.env.POD_NAME ?? hostname()}/${process.pid}/${randomBytes(4).toString("hex")}`;

  // 3. The fan-out, consuming accepted activities; one lane per object keeps their order.
  const followers = new FollowerPages(pool, config.FEDIFLOW_FANOUT_PAGE_SIZE);
  const fanOut = new FanOut({
    readActivity: (id) => readActivity(pool, id),
    progress: new ProgressStore(pool, owner, config.FEDIFLOW_FANOUT_LEASE_MS),
    followerPages: (actorId, after) => followers.after(actorId, after),
    explicitAudience: (activity) =>
      resolveExplicitAudience(activity.audience, {
        resolve: (actorId, key) => actors.resolve(actorId, key),
        hosts,
        signingKey: () => keys.get(activity.actorId),
        concurrency: 16,
      }),
    forgetActor: (actorId) => actors.forget(actorId),
    hosts,
    publish: deliveryPublisher(producer, config.FEDIFLOW_TRACE_HOSTS_PER_ACTIVITY),
    inboxesPerMessage: config.FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE,
    checkpointMessages: config.FEDIFLOW_FANOUT_CHECKPOINT_MESSAGES,
    logger,
  });
  const registry = createMetricsRegistry("fan-out");
  const metrics = fanOutMetrics(registry, hosts, actors);
  const consumer = new ParallelConsumer({
    kafka,
    groupId: consumerGroups.fanOut,
    timing: consumerTiming(config),
    topic: topics.activities,
    logger,
    maxInFlight: config.FEDIFLOW_FANOUT_CONCURRENCY,
    // An activity whose audience fan-out can never use (an unusable actor URL) is set aside.
    quarantine: new Quarantine({ store: new DeadLetterTable(pool), logger, registry }),
    laneOf: (message) => message.key,
    handle: async (message) => {
      const span = trace.getActiveSpan();
      span?.setAttributes({ [attributes.activityId]: message.value.activityId, [attributes.activityType]: message.value.activityType });
      const summary = await fanOut.run(message.value);
      if (summary) {
        span?.setAttributes({ [attributes.inboxCount]: summary.inboxes, [attributes.hostCount]: summary.messages });
        metrics.recordFanOut(summary);
        logger.info({ activityId: message.value.activityId, ...summary }, "fan-out complete");
      }
    },
  });
  const lag = registerConsumerLagMetrics(registry, kafka, [consumer]);
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
    () => lag.close(),
    () => hosts.stop(),
    async () => stopWatchingKeys(),
    () => agent.close(),
    () => closeServer(ops),
    () => pool.end(),
    () => redis.quit(),
  ]);
}

main().catch(exitOnFailure(createLogger("fan-out")));
