import { grpcTlsFiles } from "@fediflow/config";
import { consumerGroups, topics, type DeliveryReport } from "@fediflow/contracts";
import { BatchConsumer, DeadLetterTable, Quarantine, consumerTiming, kafkaForService, registerConsumerLagMetrics } from "@fediflow/kafka";
import { createLogger } from "@fediflow/logging";
import { createPool, databaseReachable } from "@fediflow/postgres";
import { startGrpcServer } from "@fediflow/grpc";
import { createMetricsRegistry, exitOnFailure, grpcServerMetrics, onShutdown, startOpsServer, closeServer } from "@fediflow/runtime";
import { AccountingStore } from "./accounting-store";
import { ActivityStore } from "./activity-store";
import { ActorStore } from "./actor-store";
import { loadOutboxConfig } from "./config";
import { GoneFollowerStore } from "./gone-follower-store";
import { goneOutcomes } from "./gone-inboxes";
import { outboxService } from "./grpc-server";
import { InboxOutcomeStore } from "./inbox-outcomes";
import { outboxMetrics } from "./metrics";
import { QuarantineStore } from "./quarantine-store";
import { RedriveStore } from "./redrive-store";
import { WebhookStore } from "./webhook-store";
import { WebhookSender, webhookEventsConsumer } from "./webhook-sender";
import { OutboxRelay } from "./relay";
import { Retention } from "./retention";
import { countedOutcomes } from "./tally";
import { Tenancy } from "./tenancy";

async function main(): Promise<void> {
  // 1. Configuration and logs.
  const config = loadOutboxConfig();
  const logger = createLogger("outbox", config.FEDIFLOW_LOG_LEVEL);

  // 2. Dependencies.
  const pool = createPool({
    connectionString: config.FEDIFLOW_DATABASE_URL,
    max: config.FEDIFLOW_DATABASE_POOL_SIZE,
    applicationName: "fediflow-outbox",
  });
  // Status reads may go to a replica; everything that must see its own writes uses the primary.
  const readPool = config.FEDIFLOW_DATABASE_READ_URL
    ? createPool({
        connectionString: config.FEDIFLOW_DATABASE_READ_URL,
        max: config.FEDIFLOW_DATABASE_POOL_SIZE,
        applicationName: "fediflow-outbox-read",
      })
    : pool;
  const kafka = kafkaForService(config, "outbox", logger);
  const keyEncryptionKey = Buffer.from(config.FEDIFLOW_KEY_ENCRYPTION_KEY, "base64");
  const registry = createMetricsRegistry("outbox");
  // Where consumed messages that can never be handled are set aside (an outcome of an activity
  // retention removed); the operator API lists and redrives them.
  const quarantine = new Quarantine({ store: new DeadLetterTable(pool), logger, registry });

  // 3. The relay and the accounting consumer.
  const relay = new OutboxRelay({
    pool,
    kafka,
    logger,
    batchSize: config.FEDIFLOW_RELAY_BATCH_SIZE,
    pollMs: config.FEDIFLOW_RELAY_POLL_MS,
    quarantine,
  });
  await relay.start();
  // Two readers of the outcomes topic, each in a group of its own, so the accounting of
  // activities never waits on the gone-followers feed (nor it on accounting).
  const outcomesConsumer = (groupId: string, handle: (reports: DeliveryReport[]) => Promise<unknown>) =>
    new BatchConsumer({
      kafka,
      groupId,
      topic: topics.outcomes,
      logger,
      timing: consumerTiming(config),
      quarantine,
      handleBatch: async (messages) => void (await handle(messages.map((message) => message.value))),
    });
  const accountingStore = new AccountingStore(pool);
  const accounting = outcomesConsumer(consumerGroups.outboxAccounting, (reports) => accountingStore.record(countedOutcomes(reports)));
  await accounting.start();
  const retention = new Retention(
    pool,
    {
      finishedMs: config.FEDIFLOW_RETENTION_FINISHED_MS,
      maxAgeMs: config.FEDIFLOW_RETENTION_MAX_AGE_MS,
      batchRows: config.FEDIFLOW_RETENTION_BATCH_ROWS,
    },
    logger,
  );
  const sweeping = retention.start(config.FEDIFLOW_RETENTION_INTERVAL_MS);
  const goneFollowers = new GoneFollowerStore(pool);
  const goneFeed = outcomesConsumer(consumerGroups.outboxGoneFollowers, async (reports) => {
    const added = await goneFollowers.record(goneOutcomes(reports));
    if (added > 0) logger.info({ added }, "gone followers found");
  });
  await goneFeed.start();

  const webhookPolicy = {
    retryBaseMs: config.FEDIFLOW_WEBHOOK_RETRY_BASE_MS,
    retryMaxMs: config.FEDIFLOW_WEBHOOK_RETRY_MAX_MS,
    horizonMs: config.FEDIFLOW_WEBHOOK_RETRY_HORIZON_MS,
    pauseAfterFailures: config.FEDIFLOW_WEBHOOK_PAUSE_AFTER_FAILURES,
  };
  const webhooks = new WebhookStore(pool, keyEncryptionKey, webhookPolicy);
  const webhookEvents = webhookEventsConsumer(kafka, webhooks, logger, consumerTiming(config), quarantine);
  await webhookEvents.start();
  const webhookSender = new WebhookSender({
    store: webhooks,
    policy: webhookPolicy,
    logger,
    pollMs: config.FEDIFLOW_WEBHOOK_POLL_MS,
    concurrency: 16,
    timeoutMs: config.FEDIFLOW_WEBHOOK_TIMEOUT_MS,
  });
  webhookSender.start();

  // 4. Servers.
  const grpc = await startGrpcServer(
    [
      outboxService({
        actors: new ActorStore(pool, keyEncryptionKey),
        activities: new ActivityStore(pool, readPool),
        goneFollowers,
        inboxOutcomes: new InboxOutcomeStore(readPool),
        redrives: new RedriveStore(pool, config.FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE),
        quarantine: new QuarantineStore(pool),
        webhooks,
        // Ownership is read from the primary, where the actor was just written.
        tenancy: new Tenancy(pool),
        logger,
        onAppended: () => relay.wake(),
        purgedBefore: () => Date.now() - config.FEDIFLOW_RETENTION_FINISHED_MS,
      }),
    ],
    config.FEDIFLOW_OUTBOX_GRPC_PORT,
    logger,
    config.FEDIFLOW_LISTEN_ADDRESS,
    grpcTlsFiles(config),
    { maxConnectionAgeMs: config.FEDIFLOW_GRPC_MAX_CONNECTION_AGE_MS, onCallEnded: grpcServerMetrics(registry) },
  );
  outboxMetrics(registry, relay, retention);
  const lag = registerConsumerLagMetrics(registry, kafka, [accounting, goneFeed, webhookEvents]);
  const ops = await startOpsServer(
    config.FEDIFLOW_OPS_PORT,
    { registry, readiness: { database: () => databaseReachable(pool) } },
    logger,
    config.FEDIFLOW_LISTEN_ADDRESS,
  );

  // 5. On SIGTERM: refuse new calls, finish the relay's batch, close connections.
  onShutdown(logger, [
    () => grpc.close(),
    () => relay.stop(),
    () => accounting.stop(),
    () => sweeping.stop(),
    () => lag.close(),
    () => goneFeed.stop(),
    () => webhookEvents.stop(),
    () => webhookSender.stop(),
    () => closeServer(ops),
    async () => (readPool === pool ? undefined : readPool.end()),
    () => pool.end(),
  ]);
}

main().catch(exitOnFailure(createLogger("outbox")));
