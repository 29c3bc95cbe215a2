import { topics } from "@fediflow/contracts";
import { HostView } from "@fediflow/host-view";
import { ParallelConsumer, TopicProducer, consumerTiming, createKafka } from "@fediflow/kafka";
import { createLogger } from "@fediflow/logging";
import { createPool, databaseReachable } from "@fediflow/postgres";
import { createRemoteAgent, userAgent } from "@fediflow/remote-http";
import { closeServer, createMetricsRegistry, exitOnFailure, onShutdown, startOpsServer } from "@fediflow/runtime";
import { ActivityBodies } from "./activity-bodies";
import { loadDeliveryConfig } from "./config";
import { DeliveryWorker } from "./delivery-worker";
import { HostLimiter } from "./host-limiter";
import { InboxSender } from "./inbox-sender";
import { deliveryMetrics } from "./metrics";
import { SigningKeys } from "@fediflow/actor-keys";

async function main(): Promise<void> {
  // 1. Configuration and logs.
  const config = loadDeliveryConfig();
  const logger = createLogger("delivery", config.FEDIFLOW_LOG_LEVEL);

  // 2. Dependencies: PostgreSQL (keys, bodies), Kafka, the local host view, the HTTP pools.
  const pool = createPool({
    connectionString: config.FEDIFLOW_DATABASE_URL,
    max: config.FEDIFLOW_DATABASE_POOL_SIZE,
    applicationName: "fediflow-delivery",
  });
  const kafka = createKafka({ brokers: config.FEDIFLOW_KAFKA_BROKERS, clientId: `${config.FEDIFLOW_KAFKA_CLIENT_ID}-delivery`, logger });
  const producer = await TopicProducer.connect(kafka);
  const hosts = new HostView(kafka, logger, "fediflow-delivery-hosts");
  await hosts.start();
  const agent = createRemoteAgent({
    allowPrivateNetworks: config.FEDIFLOW_ALLOW_PRIVATE_NETWORKS,
    connectTimeoutMs: config.FEDIFLOW_DELIVERY_CONNECT_TIMEOUT_MS,
    connectionsPerOrigin: config.FEDIFLOW_DELIVERY_HOST_CONNECTIONS,
  });
  const registry = createMetricsRegistry("delivery");
  const limiter = new HostLimiter(config.FEDIFLOW_DELIVERY_HOST_CONCURRENCY, config.FEDIFLOW_DELIVERY_CONCURRENCY);
  const metrics = deliveryMetrics(registry, limiter);

  // 3. The worker and the consumer that feeds it; one lane per (host, object) keeps order.
  const worker = new DeliveryWorker({
    bodies: new ActivityBodies(pool, config.FEDIFLOW_DELIVERY_BODY_CACHE_SIZE),
    keys: new SigningKeys(pool, Buffer.from(config.FEDIFLOW_KEY_ENCRYPTION_KEY, "base64")),
    sender: new InboxSender({
      dispatcher: agent,
      requestTimeoutMs: config.FEDIFLOW_DELIVERY_REQUEST_TIMEOUT_MS,
      maxResponseBytes: config.FEDIFLOW_DELIVERY_MAX_RESPONSE_BYTES,
      userAgent: userAgent(config.FEDIFLOW_INSTANCE_URL),
      allowPlainHttp: config.FEDIFLOW_ALLOW_PRIVATE_NETWORKS,
    }),
    limiter,
    hosts,
    report: (reports) =>
      producer.send(
        topics.outcomes,
        reports.map((report) => ({ key: report.host, value: report })),
      ),
    onReport: metrics.recordReport,
    clock: () => Date.now(),
  });
  const consumer = new ParallelConsumer({
    kafka,
    groupId: "fediflow-delivery",
    timing: consumerTiming(config),
    topic: topics.deliveries,
    logger,
    maxInFlight: config.FEDIFLOW_DELIVERY_MAX_IN_FLIGHT_MESSAGES,
    laneOf: (message) => `${message.value.host} ${message.value.objectId ?? message.value.activityId}`,
    handle: (message) => worker.handle(message.value),
  });
  await consumer.start();

  // 4. Servers.
  const ops = await startOpsServer(
    config.FEDIFLOW_OPS_PORT,
    { registry, readiness: { database: () => databaseReachable(pool) } },
    logger,
    config.FEDIFLOW_LISTEN_ADDRESS,
  );

  // 5. On SIGTERM: stop fetching, finish or hand back in-flight deliveries, commit, close.
  onShutdown(logger, [
    () => consumer.stop(20_000),
    () => producer.disconnect(),
    () => hosts.stop(),
    () => agent.close(),
    () => closeServer(ops),
    () => pool.end(),
  ]);
}

main().catch(exitOnFailure(createLogger("delivery")));
