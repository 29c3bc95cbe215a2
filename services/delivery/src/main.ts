import { KeyEncryptionKeys } from "@fediflow/activitypub";
import { SigningKeys } from "@fediflow/signing-keys";
import { consumerGroups, hostViewGroupPrefixes, topics } from "@fediflow/contracts";
import { HostView } from "@fediflow/host-view";
import { DeadLetterTable, ParallelConsumer, Quarantine, TopicProducer, consumerTiming, kafkaForService, registerConsumerLagMetrics } from "@fediflow/kafka";
import { createLogger } from "@fediflow/logging";
import { createPool, databaseReachable } from "@fediflow/postgres";
import { createRemoteAgent, userAgent } from "@fediflow/remote-http";
import { closeServer, createMetricsRegistry, exitOnFailure, onShutdown, startOpsServer } from "@fediflow/runtime";
import { ActivityBodies } from "./activity-bodies";
import { loadDeliveryConfig } from "./config";
import { DeliveryWorker, laneOf } from "./delivery-worker";
import { HostAdmission } from "./host-admission";
import { HostLimiter } from "./host-limiter";
import { InboxSender } from "./inbox-sender";
import { deliveryMetrics } from "./metrics";
import { ScheduleStore } from "./schedule-store";
import { Scheduler } from "./scheduler";
import { SettledInboxes, unsettledInboxes } from "./settled-inboxes";
import { RedeliveryGrace } from "./redelivery-grace";
import { SignatureSchemes } from "./signature-schemes";
import { WaitingLanes } from "./waiting-lanes";

async function main(): Promise<void> {
  // 1. Configuration and logs.
  const config = loadDeliveryConfig();
  const logger = createLogger("delivery", config.FEDIFLOW_LOG_LEVEL);
  const clock = () => Date.now();

  // 2. Dependencies: PostgreSQL (keys, bodies, schedule), Kafka, the local host view, HTTP pools.
  const pool = createPool({
    connectionString: config.FEDIFLOW_DATABASE_URL,
    max: config.FEDIFLOW_DATABASE_POOL_SIZE,
    applicationName: "fediflow-delivery",
  });
  const kafka = kafkaForService(config, "delivery", logger);
  const producer = await TopicProducer.connect(kafka);
  const hosts = new HostView(kafka, logger, hostViewGroupPrefixes.delivery);
  await hosts.start();
  const agent = createRemoteAgent({
    allowPrivateNetworks: config.FEDIFLOW_ALLOW_PRIVATE_NETWORKS,
    dnsServers: config.FEDIFLOW_DNS_SERVERS,
    connectTimeoutMs: config.FEDIFLOW_DELIVERY_CONNECT_TIMEOUT_MS,
    connectionsPerOrigin: config.FEDIFLOW_DELIVERY_HOST_CONNECTIONS,
  });
  const schedule = new ScheduleStore(pool);
  const waiting = new WaitingLanes(schedule);
  const registry = createMetricsRegistry("delivery");

  // 3. Admission (may a request go to a host now?), shared by the limiter and the worker; the
  // worker sends, reports, and schedules what must wait.
  const admission = new HostAdmission(hosts);
  const limiter = new HostLimiter(
    (host) => (admission.onTrial(host) ? 1 : config.FEDIFLOW_DELIVERY_HOST_CONCURRENCY),
    config.FEDIFLOW_DELIVERY_CONCURRENCY,
    config.FEDIFLOW_DELIVERY_HOST_RATE_LIMIT,
    config.FEDIFLOW_DELIVERY_PATIENCE_MS,
  );
  const sender = new InboxSender({
    dispatcher: agent,
    requestTimeoutMs: config.FEDIFLOW_DELIVERY_REQUEST_TIMEOUT_MS,
    maxResponseBytes: config.FEDIFLOW_DELIVERY_MAX_RESPONSE_BYTES,
    userAgent: userAgent(config.FEDIFLOW_INSTANCE_URL),
    allowPlainHttp: config.FEDIFLOW_ALLOW_PRIVATE_NETWORKS,
    schemes: new SignatureSchemes(config.FEDIFLOW_SIGNATURE_SCHEME, new Set(config.FEDIFLOW_RFC9421_HOSTS)),
  });
  const metrics = deliveryMetrics(registry, { limiter, schedule, sender });
  const keys = new SigningKeys(pool, KeyEncryptionKeys.fromBase64(config.FEDIFLOW_KEY_ENCRYPTION_KEY, config.FEDIFLOW_KEY_ENCRYPTION_KEYS_PREVIOUS));
  // A key registered again is used within a second (and at once after a refused signature).
  const stopWatchingKeys = keys.watch(1_000, (error) => logger.warn({ err: error }, "could not look for changed keys"));
  const worker = new DeliveryWorker({
    bodies: new ActivityBodies(pool, config.FEDIFLOW_DELIVERY_BODY_CACHE_SIZE),
    keys,
    sender,
    limiter,
    hosts,
    admission,
    waiting,
    retryPolicy: {
      baseMs: config.FEDIFLOW_RETRY_BASE_MS,
      maxDelayMs: config.FEDIFLOW_RETRY_MAX_DELAY_MS,
      horizonMs: config.FEDIFLOW_RETRY_HORIZON_MS,
    },
    hostBacklog: config.FEDIFLOW_DELIVERY_HOST_BACKLOG,
    overflowDelayMs: Math.ceil(config.FEDIFLOW_DELIVERY_REQUEST_TIMEOUT_MS / 2),
    report: (reports) => producer.send(topics.outcomes, reports),
    onReport: metrics.recordReport,
    coalescing: config.FEDIFLOW_COALESCING,
    reactionHoldMs: config.FEDIFLOW_REACTION_HOLD_MS,
    progressReportMs: config.FEDIFLOW_DELIVERY_PROGRESS_REPORT_MS,
    onCoalesced: metrics.recordCoalesced,
    clock,
  });

  // 4. Two sources of work: the deliveries topic (one lane per host and object) and the schedule.
  // A message an earlier owner may have started sends only its inboxes not yet settled; the
  // job is trimmed in place because the worker keys lane bookkeeping on the message's object.
  const settled = new SettledInboxes(pool);
  const redeliveryGrace = new RedeliveryGrace(config.FEDIFLOW_DELIVERY_REDELIVERY_GRACE_MS, clock);
  const consumer = new ParallelConsumer({
    kafka,
    groupId: consumerGroups.delivery,
    topic: topics.deliveries,
    timing: consumerTiming(config),
    logger,
    maxInFlight: config.FEDIFLOW_DELIVERY_MAX_IN_FLIGHT_MESSAGES,
    // A job that can never be done (a report too large for the broker) is set aside.
    quarantine: new Quarantine({ store: new DeadLetterTable(pool), logger, registry }),
    laneOf: (message) => laneOf(message.value),
    handle: async (message, behind) => {
      if (message.mayBeRedelivered) {
        await redeliveryGrace.elapsed(message.partition);
        message.value.inboxes = unsettledInboxes(message.value, await settled.of(message.value));
      }
      await worker.handle(message.value, message.partition, () => behind().map((queued) => queued.value));
    },
    onPartitionAssigned: (partition) => {
      redeliveryGrace.assigned(partition);
      return waiting.assign(partition);
    },
    onPartitionRevoked: (partition) => {
      redeliveryGrace.revoked(partition);
      waiting.revoke(partition);
    },
  });
  const scheduler = new Scheduler({
    store: schedule,
    partitions: () => {
      const owned = new Set(consumer.ownedPartitions());
      return waiting.ready().filter((partition) => owned.has(partition));
    },
    run: (row) => worker.runScheduled(row),
    logger,
    clock,
    pollMs: config.FEDIFLOW_SCHEDULE_POLL_MS,
    concurrency: config.FEDIFLOW_SCHEDULE_CONCURRENCY,
    leaseMs: config.FEDIFLOW_DELIVERY_REQUEST_TIMEOUT_MS * 6,
  });
  const lag = registerConsumerLagMetrics(registry, kafka, [consumer]);
  await consumer.start();
  scheduler.start();

  // 5. Servers.
  const ops = await startOpsServer(
    config.FEDIFLOW_OPS_PORT,
    { registry, readiness: { database: () => databaseReachable(pool) } },
    logger,
    config.FEDIFLOW_LISTEN_ADDRESS,
  );

  // 6. On SIGTERM: stop fetching, finish or hand back in-flight deliveries, commit, close.
  const grace = config.FEDIFLOW_DELIVERY_SHUTDOWN_GRACE_MS;
  onShutdown(
    logger,
    [
      () => Promise.all([consumer.stop(grace), scheduler.stop(grace)]),
      () => producer.disconnect(),
      () => lag.close(),
      () => hosts.stop(),
      async () => stopWatchingKeys(),
      () => agent.close(),
      () => closeServer(ops),
      () => pool.end(),
    ],
    grace + 10_000,
  );
}

main().catch(exitOnFailure(createLogger("delivery")));
