import { z } from "zod";
import {
  commonSettings,
  count,
  databaseSettings,
  kafkaSettings,
  keyEncryptionSettings,
  loadConfig,
  millis,
  networkSettings,
} from "@fediflow/config";

export const deliverySettings = z.object({
  ...commonSettings,
  ...databaseSettings,
  ...kafkaSettings,
  ...networkSettings,
  ...keyEncryptionSettings,
  /** Requests in flight to one host at once, from this process. */
  FEDIFLOW_DELIVERY_HOST_CONCURRENCY: count(8),
  /** Open connections to one host (undici pool size per origin). */
  FEDIFLOW_DELIVERY_HOST_CONNECTIONS: count(8),
  /** Requests in flight from this process, all hosts together. */
  FEDIFLOW_DELIVERY_CONCURRENCY: count(512),
  /** Delivery messages admitted and unfinished in this process (the redelivery window). */
  FEDIFLOW_DELIVERY_MAX_IN_FLIGHT_MESSAGES: count(1000),
  /** TCP+TLS connect timeout, ms. */
  FEDIFLOW_DELIVERY_CONNECT_TIMEOUT_MS: millis(5_000),
  /** Whole-request timeout (connect, send, response and body), ms. */
  FEDIFLOW_DELIVERY_REQUEST_TIMEOUT_MS: millis(10_000),
  /** Response bytes read before the rest is discarded. */
  FEDIFLOW_DELIVERY_MAX_RESPONSE_BYTES: count(64 * 1024),
  /** Activity bodies kept in memory (LRU). */
  FEDIFLOW_DELIVERY_BODY_CACHE_SIZE: count(2000),
});

export type DeliveryConfig = z.infer<typeof deliverySettings>;

export const loadDeliveryConfig = (env: NodeJS.ProcessEnv = process.env): DeliveryConfig => loadConfig(deliverySettings, env);
