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
  redisSettings,
} from "@fediflow/config";

export const fanOutSettings = z.object({
  ...commonSettings,
  ...databaseSettings,
  ...redisSettings,
  ...kafkaSettings,
  ...networkSettings,
  // Opens the activity's actor's key, which signs the GETs of remote actors' documents.
  ...keyEncryptionSettings,
  /** Followers' targets read from PostgreSQL per keyset page (5000). */
  FEDIFLOW_FANOUT_PAGE_SIZE: count(5000),
  /** Inboxes in one delivery message (100); a host with more personal inboxes gets several messages. */
  FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE: count(100),
  /**
   * The redelivery window (200): at most this many messages are published again after a crash.
   * Checkpoints come every half of it, two halves in flight; bench/fan-out measures the trade-off.
   */
  FEDIFLOW_FANOUT_CHECKPOINT_MESSAGES: count(200),
  /** Per activity, this many host messages are traced as children; later ones only when they fail. */
  FEDIFLOW_TRACE_HOSTS_PER_ACTIVITY: count(100),
  /** Activities fanned out concurrently by this process (8). */
  FEDIFLOW_FANOUT_CONCURRENCY: count(8),
  /**
   * How long a fan-out process holds an activity without renewing its lease, ms (15 s); it
   * renews every third of that. After a kill -9 the activity waits this long for a new owner.
   */
  FEDIFLOW_FANOUT_LEASE_MS: count(15_000),
  /** How long a fetched remote actor (its inboxes) is cached in Redis, ms (1 hour). */
  FEDIFLOW_ACTOR_CACHE_TTL_MS: millis(3_600_000),
  /** Timeout of one remote actor fetch, ms (10 s). */
  FEDIFLOW_ACTOR_FETCH_TIMEOUT_MS: count(10_000),
});

export type FanOutConfig = z.infer<typeof fanOutSettings>;

export const loadFanOutConfig = (env: NodeJS.ProcessEnv = process.env): FanOutConfig => loadConfig(fanOutSettings, env);
