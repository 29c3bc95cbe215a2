import { z } from "zod";
import {
  commonSettings,
  grpcTlsSettings,
  count,
  databaseSettings,
  kafkaSettings,
  keyEncryptionSettings,
  loadConfig,
  millis,
  port,
} from "@fediflow/config";

export const outboxSettings = z.object({
  ...commonSettings,
  ...databaseSettings,
  ...kafkaSettings,
  ...grpcTlsSettings,
  ...keyEncryptionSettings,
  /** gRPC port of the Outbox service. */
  FEDIFLOW_OUTBOX_GRPC_PORT: port(50051),
  /** Outbox rows the relay publishes per transaction. */
  FEDIFLOW_RELAY_BATCH_SIZE: count(200),
  /** How often the relay looks for rows when nothing woke it (another replica's writes), ms. */
  FEDIFLOW_RELAY_POLL_MS: millis(250),
  /** Finished activities (every inbox settled, none parked) are removed this long after finishing, ms (7 days). */
  FEDIFLOW_RETENTION_FINISHED_MS: millis(7 * 24 * 3_600_000),
  /** Any activity is removed this long after it was accepted, finished or not, ms (30 days). */
  FEDIFLOW_RETENTION_MAX_AGE_MS: millis(30 * 24 * 3_600_000),
  /** How often retention runs, ms (10 minutes). */
  FEDIFLOW_RETENTION_INTERVAL_MS: millis(10 * 60_000),
  /** Rows deleted per statement (each its own short transaction). */
  FEDIFLOW_RETENTION_BATCH_ROWS: count(5000),
  /** Webhooks: first retry within this, ms (1 s); doubles per attempt (full jitter). */
  FEDIFLOW_WEBHOOK_RETRY_BASE_MS: millis(1_000),
  /** Webhooks: longest wait between attempts, ms (1 hour). */
  FEDIFLOW_WEBHOOK_RETRY_MAX_MS: millis(3_600_000),
  /** Webhooks: an event is given up this long after its first attempt, ms (3 days). */
  FEDIFLOW_WEBHOOK_RETRY_HORIZON_MS: millis(3 * 24 * 3_600_000),
  /** Webhooks: failed attempts in a row that pause an endpoint (POST /v1/webhooks/{id}/resume resumes it). */
  FEDIFLOW_WEBHOOK_PAUSE_AFTER_FAILURES: count(50),
  /** Webhooks: how often due events are looked for, ms (500 ms). */
  FEDIFLOW_WEBHOOK_POLL_MS: millis(500),
  /** Webhooks: whole-request timeout, ms (10 s). */
  FEDIFLOW_WEBHOOK_TIMEOUT_MS: millis(10_000),
  /** Inboxes per delivery job of a redrive (fan-out's FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE). */
  FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE: count(100),
});

export type OutboxConfig = z.infer<typeof outboxSettings>;

export const loadOutboxConfig = (env: NodeJS.ProcessEnv = process.env): OutboxConfig => loadConfig(outboxSettings, env);
