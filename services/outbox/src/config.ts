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
});

export type OutboxConfig = z.infer<typeof outboxSettings>;

export const loadOutboxConfig = (env: NodeJS.ProcessEnv = process.env): OutboxConfig => loadConfig(outboxSettings, env);
