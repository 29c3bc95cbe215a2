import { z } from "zod";
import {
  commonSettings,
  grpcTlsSettings,
  count,
  databaseSettings,
  kafkaSettings,
  loadConfig,
  millis,
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
});

export type HostHealthConfig = z.infer<typeof hostHealthSettings>;

export const loadHostHealthConfig = (env: NodeJS.ProcessEnv = process.env): HostHealthConfig => loadConfig(hostHealthSettings, env);
