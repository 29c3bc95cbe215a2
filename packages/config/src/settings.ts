import { z } from "zod";

/** A TCP port, default given. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** A positive integer, default given. */
export const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Milliseconds, default given. */
export const millis = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);

/** "true"/"false" (also 1/0, yes/no). */
export const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .transform((value) => value === "true" || value === "1" || value === "yes")
    .default(fallback);

/** Comma-separated list; empty entries dropped. */
export const list = () =>
  z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    )
    .default([]);

/** Settings every service shares. */
export const commonSettings = {
  /** Port for /healthz, /readyz and /metrics. */
  FEDIFLOW_OPS_PORT: port(9090),
  /** Address every server of the process listens on (the local stack uses 127.0.0.1). */
  FEDIFLOW_LISTEN_ADDRESS: z.string().default("0.0.0.0"),
  /** pino level: fatal, error, warn, info, debug, trace. */
  FEDIFLOW_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
};

export const databaseSettings = {
  /** PostgreSQL connection string of the primary. */
  FEDIFLOW_DATABASE_URL: z.string().default("postgres://postgres@127.0.0.1:5432/fediflow"),
  /** Connections in this process's pool. */
  FEDIFLOW_DATABASE_POOL_SIZE: count(10),
  /**
   * Optional read replica for status and host listings; reads that must see their own writes
   * stay on the primary. Unset: the primary serves everything.
   */
  FEDIFLOW_DATABASE_READ_URL: z.string().optional(),
};

export const redisSettings = {
  FEDIFLOW_REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  /** Prefix of every key FediFlow writes, so several installations can share one Redis. */
  FEDIFLOW_REDIS_KEY_PREFIX: z.string().default("fediflow:"),
};

export const kafkaSettings = {
  /** Comma-separated bootstrap servers. The local stack sets it to its own broker. */
  FEDIFLOW_KAFKA_BROKERS: list(),
  /** Kafka client id prefix; the pod name is appended when present. */
  FEDIFLOW_KAFKA_CLIENT_ID: z.string().default("fediflow"),
  /**
   * Prefix of every topic name and consumer group id (default none), so several installations
   * or test stacks can share one Kafka cluster. Topics must exist under the prefixed names.
   */
  FEDIFLOW_KAFKA_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only (Kafka topic name characters)")
    .default(""),
  /**
   * Consumer-group session timeout, ms. A member silent this long is evicted; a member that
   * leaves cleanly (SIGTERM) says so at once, so this only matters after a crash.
   */
  FEDIFLOW_KAFKA_SESSION_TIMEOUT_MS: millis(30_000),
  /**
   * Consumer heartbeat interval, ms (default 1 s; at most a third of the session timeout). A
   * member learns of a rebalance from a refused heartbeat, so this bounds how long the group
   * waits for it: 1 s rather than Kafka's 3 s keeps scale events short for one small request a
   * second per member.
   */
  FEDIFLOW_KAFKA_HEARTBEAT_INTERVAL_MS: millis(1_000),
  /**
   * How long each consumer's fetch waits at the broker when there is nothing to read, ms (default
   * 1 s). The broker answers as soon as data arrives (the consumers read uncommitted), so this
   * sets how often an idle consumer wakes, not how late a message is seen.
   */
  FEDIFLOW_KAFKA_FETCH_WAIT_MS: z.coerce.number().int().min(1).max(30_000).default(1_000),
  /** TLS to the brokers, verified against the system's roots unless a CA file is given (default false). */
  FEDIFLOW_KAFKA_TLS: flag(false),
  /** PEM CA that signed the brokers' certificates (Strimzi: <cluster>-cluster-ca-cert, ca.crt); turns TLS on. */
  FEDIFLOW_KAFKA_TLS_CA_FILE: z.string().optional(),
  /** PEM client certificate and its key, for mutual TLS (Strimzi KafkaUser with tls authentication). */
  FEDIFLOW_KAFKA_TLS_CERT_FILE: z.string().optional(),
  FEDIFLOW_KAFKA_TLS_KEY_FILE: z.string().optional(),
  /** SASL mechanism: scram-sha-512, scram-sha-256 or plain (plain only over TLS). Unset: no SASL. */
  FEDIFLOW_KAFKA_SASL_MECHANISM: z.enum(["scram-sha-512", "scram-sha-256", "plain"]).optional(),
  FEDIFLOW_KAFKA_SASL_USERNAME: z.string().optional(),
  /** The SASL password, or a file holding it (a mounted Secret; the file wins). */
  FEDIFLOW_KAFKA_SASL_PASSWORD: z.string().optional(),
  FEDIFLOW_KAFKA_SASL_PASSWORD_FILE: z.string().optional(),
};

/** The Kafka settings alone, for tools that reach the brokers as the services do. */
export const kafkaSettingsSchema = z.object(kafkaSettings);

/** Where the gRPC servers are, for their clients. */
export const grpcClientSettings = {
  FEDIFLOW_OUTBOX_ADDRESS: z.string().default("127.0.0.1:50051"),
  FEDIFLOW_HOST_HEALTH_ADDRESS: z.string().default("127.0.0.1:50052"),
};

/**
 * Lets deliveries and probes reach loopback, private and link-local addresses and use plain
 * http. Only for local runs and tests.
 */
export const networkSettings = {
  FEDIFLOW_ALLOW_PRIVATE_NETWORKS: flag(false),
  /** The application's public URL, named in the User-Agent of every outgoing request. */
  FEDIFLOW_INSTANCE_URL: z.string().url().optional(),
  /** DNS servers (host:port, comma-separated) for remote hosts instead of the system resolver. */
  FEDIFLOW_DNS_SERVERS: list(),
};

const is32Bytes = (value: string) => Buffer.from(value, "base64").length === 32;

export const keyEncryptionSettings = {
  /** 32 bytes, base64: the AES-256-GCM key that seals actors' private keys at rest. */
  FEDIFLOW_KEY_ENCRYPTION_KEY: z.string().refine(is32Bytes, "must be 32 bytes, base64-encoded"),
  /**
   * Comma-separated older keys (32 bytes, base64 each) that still open sealed keys but seal
   * nothing: set while rotating, until `fediflow reseal-keys` has re-sealed every key. Default none.
   */
  FEDIFLOW_KEY_ENCRYPTION_KEYS_PREVIOUS: list().refine((keys) => keys.every(is32Bytes), "every key must be 32 bytes, base64-encoded"),
};

/** Mutual TLS between FediFlow's services: all three set turns it on (a chart option). */
export const grpcTlsSettings = {
  /** PEM certificate this service presents, as server and as client. */
  FEDIFLOW_GRPC_TLS_CERT_FILE: z.string().optional(),
  /** PEM private key of that certificate. */
  FEDIFLOW_GRPC_TLS_KEY_FILE: z.string().optional(),
  /** PEM CA that signed every service's certificate; peers without one are refused. */
  FEDIFLOW_GRPC_TLS_CA_FILE: z.string().optional(),
};

/** Settings of the gRPC servers (outbox, host-health). */
export const grpcServerSettings = {
  /**
   * Connections are closed gracefully after this long, ms (1 minute), so clients re-resolve the
   * headless Service and spread calls over pods added since. 0: never.
   */
  FEDIFLOW_GRPC_MAX_CONNECTION_AGE_MS: millis(60_000),
};

export const grpcTlsFiles = (config: { FEDIFLOW_GRPC_TLS_CERT_FILE?: string; FEDIFLOW_GRPC_TLS_KEY_FILE?: string; FEDIFLOW_GRPC_TLS_CA_FILE?: string }) => ({
  certFile: config.FEDIFLOW_GRPC_TLS_CERT_FILE,
  keyFile: config.FEDIFLOW_GRPC_TLS_KEY_FILE,
  caFile: config.FEDIFLOW_GRPC_TLS_CA_FILE,
});
