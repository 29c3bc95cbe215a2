import { z } from "zod";
import {
  commonSettings,
  count,
  databaseSettings,
  kafkaSettings,
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
  /** Followers read from PostgreSQL per keyset page. */
  FEDIFLOW_FANOUT_PAGE_SIZE: count(5000),
  /** Inboxes in one delivery message; a host with more personal inboxes gets several messages. */
  FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE: count(100),
  /** Delivery messages published between two checkpoints (the redelivery window after a crash). */
  FEDIFLOW_FANOUT_CHECKPOINT_MESSAGES: count(500),
  /** Activities fanned out concurrently by this process. */
  FEDIFLOW_FANOUT_CONCURRENCY: count(8),
  /** How long a fetched remote actor (its inboxes) is cached, ms (1 hour). */
  FEDIFLOW_ACTOR_CACHE_TTL_MS: millis(3_600_000),
});

export type FanOutConfig = z.infer<typeof fanOutSettings>;

export const loadFanOutConfig = (env: NodeJS.ProcessEnv = process.env): FanOutConfig => loadConfig(fanOutSettings, env);
