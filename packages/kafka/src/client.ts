import { Kafka as KafkaClient, logLevel, type KafkaConfig, type LogEntry } from "kafkajs";
import type { Logger } from "@fediflow/logging";
import { kafkaSecurity, type KafkaSecurity, type KafkaSecuritySettings } from "./security";

export type { Producer } from "kafkajs";

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** TLS and SASL (kafkaSecurity); none: plaintext without authentication. */
  security?: KafkaSecurity;
  /**
   * Prefix of every topic name and consumer group id (default none), so several installations,
   * or several test stacks, share one Kafka cluster without seeing each other's messages.
   */
  namespace?: string;
  /** How long a consumer's fetch waits at the broker for data (kafkajs maxWaitTimeInMs; default 1000). */
  fetchWaitMs?: number;
}

/** A kafkajs client that knows its namespace: topic specs and group ids become real names here. */
export class Kafka extends KafkaClient {
  constructor(
    config: KafkaConfig,
    readonly namespace = "",
    /**
     * Every consumer's fetch wait at the broker: a broker answers as soon as data arrives, so a
     * longer wait costs an idle consumer fewer wake-ups, not latency.
     */
    readonly fetchWaitMs = 1_000,
  ) {
    super(config);
  }

  /**
   * How every FediFlow consumer fetches. FediFlow writes no Kafka transactions, and read-committed
   * fetches made a waiting fetch miss new data until its wait ran out (docs/performance.md,
   * levers), so consumers read uncommitted.
   */
  fetchSettings(): { maxWaitTimeInMs: number; readUncommitted: boolean } {
    return { maxWaitTimeInMs: this.fetchWaitMs, readUncommitted: true };
  }

  /** The topic's name on the cluster. */
  topicName(spec: { name: string }): string {
    return `${this.namespace}${spec.name}`;
  }

  /** The consumer group's id on the cluster. */
  groupName(groupId: string): string {
    return `${this.namespace}${groupId}`;
  }
}

const levels: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

export function createKafka(options: KafkaOptions): Kafka {
  if (options.brokers.length === 0) throw new Error("FEDIFLOW_KAFKA_BROKERS is empty: no Kafka to connect to");
  // kafkajs 2 warns about its partitioner change on every producer; FediFlow always used the default.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = "1";
  const logger = options.logger.child({ component: "kafkajs" });
  return new Kafka(
    {
      clientId: options.clientId,
      brokers: options.brokers,
      ...options.security,
      connectionTimeout: 3_000,
      requestTimeout: 30_000,
      retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }: LogEntry) => {
          const { message, ...rest } = log;
          logger[levels[level] ?? "info"](rest, message);
        },
    },
    options.namespace,
    options.fetchWaitMs,
  );
}

/** The Kafka settings every service reads (packages/config's kafkaSettings). */
export interface KafkaSettings extends KafkaSecuritySettings {
  FEDIFLOW_KAFKA_BROKERS: string[];
  FEDIFLOW_KAFKA_CLIENT_ID: string;
  FEDIFLOW_KAFKA_NAMESPACE: string;
  FEDIFLOW_KAFKA_FETCH_WAIT_MS?: number;
}

/** One service's Kafka client, from its configuration. */
export function kafkaForService(config: KafkaSettings, service: string, logger: Logger): Kafka {
  return createKafka({
    brokers: config.FEDIFLOW_KAFKA_BROKERS,
    clientId: `${config.FEDIFLOW_KAFKA_CLIENT_ID}-${service}`,
    namespace: config.FEDIFLOW_KAFKA_NAMESPACE,
    fetchWaitMs: config.FEDIFLOW_KAFKA_FETCH_WAIT_MS,
    logger,
    security: kafkaSecurity(config),
  });
}

/** Group-membership timing shared by every consumer of a process. */
export interface ConsumerTiming {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

export function consumerTiming(config: {
  FEDIFLOW_KAFKA_SESSION_TIMEOUT_MS: number;
  FEDIFLOW_KAFKA_HEARTBEAT_INTERVAL_MS: number;
}): ConsumerTiming {
  return {
    sessionTimeoutMs: config.FEDIFLOW_KAFKA_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: Math.min(config.FEDIFLOW_KAFKA_HEARTBEAT_INTERVAL_MS, Math.floor(config.FEDIFLOW_KAFKA_SESSION_TIMEOUT_MS / 3)),
  };
}
