import { z } from "zod";
import {
  commonSettings,
  list,
  count,
  databaseSettings,
  kafkaSettings,
  keyEncryptionSettings,
  loadConfig,
  flag,
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
  /**
   * A request unanswered this long stops counting against FEDIFLOW_DELIVERY_CONCURRENCY (it
   * only waits on a socket), so servers that never answer cannot take the process's capacity, ms.
   */
  FEDIFLOW_DELIVERY_PATIENCE_MS: millis(2_000),
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
  /** Requests per second to one host from one process; 0 for no pacing. */
  FEDIFLOW_DELIVERY_HOST_RATE_LIMIT: z.coerce.number().nonnegative().default(0),
  /** Jobs of one host attempted at once per process; more wait in the schedule. */
  FEDIFLOW_DELIVERY_HOST_BACKLOG: count(64),
  /** Upper bound of the first retry delay, ms (full jitter draws from 0 up to it). */
  FEDIFLOW_RETRY_BASE_MS: millis(60_000),
  /** Upper bound of any retry delay, ms (6 hours). */
  FEDIFLOW_RETRY_MAX_DELAY_MS: millis(6 * 3_600_000),
  /** Retries stop this long after the first attempt and the delivery fails, ms (48 hours). */
  FEDIFLOW_RETRY_HORIZON_MS: millis(48 * 3_600_000),
  /** How often the schedule is polled for due deliveries, ms. */
  FEDIFLOW_SCHEDULE_POLL_MS: millis(250),
  /** Scheduled deliveries run at once per process. */
  FEDIFLOW_SCHEDULE_CONCURRENCY: count(200),
  /** Signature scheme tried first: draft-cavage (what Mastodon verifies) or rfc9421. */
  FEDIFLOW_SIGNATURE_SCHEME: z.enum(["draft-cavage", "rfc9421"]).default("draft-cavage"),
  /** Hosts to sign with RFC 9421 first (comma-separated host[:port]). */
  FEDIFLOW_RFC9421_HOSTS: list(),
  /** Skip deliveries a newer activity about the same object replaces or cancels (issue 12). */
  FEDIFLOW_COALESCING: flag(true),
  /** Likes and Announces wait this long before sending so a quick Undo cancels both, ms; 0 = off. */
  FEDIFLOW_REACTION_HOLD_MS: millis(0),
  /** On SIGTERM, how long in-flight deliveries may take to finish before they are handed back, ms. */
  FEDIFLOW_DELIVERY_SHUTDOWN_GRACE_MS: millis(20_000),
  /**
   * While one message's attempt runs longer than this, the inboxes it has settled so far are
   * reported every interval (ms; default 1 s), so a crash or a rebalance re-sends only what was
   * not settled. Quicker attempts report once, at their end.
   */
  FEDIFLOW_DELIVERY_PROGRESS_REPORT_MS: millis(1_000),
  /**
   * After a partition moves, how long a message that may be a redelivery waits (counted from
   * the assignment) before it reads which inboxes the earlier owner settled (ms; default 2 s).
   * The earlier owner is still finishing what it started; this lets its outcomes land first.
   */
  FEDIFLOW_DELIVERY_REDELIVERY_GRACE_MS: millis(2_000),
});

export type DeliveryConfig = z.infer<typeof deliverySettings>;

export const loadDeliveryConfig = (env: NodeJS.ProcessEnv = process.env): DeliveryConfig => loadConfig(deliverySettings, env);
