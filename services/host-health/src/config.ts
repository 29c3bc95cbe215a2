import { z } from "zod";
import {
  commonSettings,
  grpcTlsSettings,
  count,
  databaseSettings,
  kafkaSettings,
  loadConfig,
  millis,
  networkSettings,
  port,
  redisSettings,
} from "@fediflow/config";

const hour = 3_600_000;
const day = 24 * hour;

export const hostHealthSettings = z.object({
  ...commonSettings,
  ...databaseSettings,
  ...redisSettings,
  ...kafkaSettings,
  ...grpcTlsSettings,
  ...networkSettings,
  /** gRPC port of the HostHealth service. */
  FEDIFLOW_HOST_HEALTH_GRPC_PORT: port(50052),
  /** Consecutive unreachable attempts that trip the circuit breaker. */
  FEDIFLOW_BREAKER_THRESHOLD: count(10),
  /** First breaker pause, ms (30 s); doubles on every trip in a row. */
  FEDIFLOW_BREAKER_COOLDOWN_MS: millis(30_000),
  /** Longest breaker pause, ms (15 min). */
  FEDIFLOW_BREAKER_COOLDOWN_MAX_MS: millis(15 * 60_000),
  /** Failing continuously this long makes a host dead, ms (7 days). */
  FEDIFLOW_DEAD_AFTER_MS: millis(7 * day),
  /** First probe of a dead host after, ms (1 hour); doubles up to the cap. */
  FEDIFLOW_PROBE_INITIAL_MS: millis(hour),
  /** Longest interval between probes of a dead host, ms (1 week). */
  FEDIFLOW_PROBE_MAX_MS: millis(7 * day),
  /** How often due probes of dead hosts are looked for, ms (10 s). */
  FEDIFLOW_PROBE_POLL_MS: millis(10_000),
  /** Whole-request timeout of one nodeinfo probe, ms (10 s). */
  FEDIFLOW_PROBE_TIMEOUT_MS: millis(10_000),
  /** Probes in flight at once per process. */
  FEDIFLOW_PROBE_CONCURRENCY: count(16),
  /** Parked deliveries older than this are counted failed instead of sent (at revival or while dead), ms (7 days). */
  FEDIFLOW_PARKED_MAX_AGE_MS: millis(7 * day),
  /** Parked deliveries (inboxes) sent again per second to one revived host, per process. */
  FEDIFLOW_REPLAY_RATE_PER_HOST: count(20),
  /** How often revived hosts' parked deliveries are looked for, ms (1 s). */
  FEDIFLOW_REPLAY_POLL_MS: millis(1_000),
  /** Recent attempts kept per host for GET /v1/hosts/{host}/attempts (in Redis, about 300 bytes each); 0 keeps none. */
  FEDIFLOW_HOST_ATTEMPTS_KEPT: z.coerce.number().int().min(0).max(1000).default(100),
  /** A host's attempt history is dropped this long after its last attempt, ms (7 days). */
  FEDIFLOW_HOST_ATTEMPTS_TTL_MS: millis(7 * day),
  /** Inboxes per replayed delivery job (fan-out's FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE). */
  FEDIFLOW_FANOUT_INBOXES_PER_MESSAGE: count(100),
});

export type HostHealthConfig = z.infer<typeof hostHealthSettings>;

export const loadHostHealthConfig = (env: NodeJS.ProcessEnv = process.env): HostHealthConfig => loadConfig(hostHealthSettings, env);
