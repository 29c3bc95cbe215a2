import { randomBytes } from "node:crypto";
import { allTopics } from "@fediflow/contracts";
import { createKafka, ensureTopics } from "@fediflow/kafka";
import { createLogger } from "@fediflow/logging";
import { KafkaCluster } from "./cluster";

/**
 * Names the Kafka a whole test run shares (scripts/test.sh starts one): every test stack on it
 * works under a namespace of its own. Unset, each test package starts one cluster for itself.
 */
export const testKafkaVariable = "FEDIFLOW_TEST_KAFKA_BROKERS";

function sharedBrokers(): string[] {
  return (process.env[testKafkaVariable] ?? "").split(",").filter(Boolean);
}

export interface TestKafka {
  brokers: string[];
  /** Prefix of the caller's topics and groups ("" on a cluster of its own). */
  namespace: string;
  /** The broker JVMs this call started (none on the shared cluster), for CPU accounting. */
  pids: number[];
  stop(): Promise<void>;
}

/** The run's shared Kafka, or a one-node cluster started for the caller (no topics created). */
export async function kafkaForTests(): Promise<TestKafka> {
  const given = sharedBrokers();
  if (given.length > 0) return { brokers: given, namespace: "", pids: [], stop: async () => undefined };
  const cluster = await KafkaCluster.start({ namespace: null });
  return { brokers: cluster.bootstrapServers, namespace: "", pids: cluster.pids(), stop: () => cluster.stop() };
}

/**
 * FediFlow's topics for one benchmark or test: under a fresh namespace on the run's shared
 * Kafka (smoke runs inside scripts/test.sh), else on a one-node cluster of the caller's own
 * (a real benchmark, which counts the broker's CPU).
 */
export async function kafkaWithTopics(label: string): Promise<TestKafka> {
  const given = sharedBrokers();
  if (given.length === 0) {
    const cluster = await KafkaCluster.start();
    return { brokers: cluster.bootstrapServers, namespace: "", pids: cluster.pids(), stop: () => cluster.stop() };
  }
  const namespace = `${label}-${randomBytes(4).toString("hex")}.`;
  const client = createKafka({ brokers: given, clientId: label, namespace, logger: createLogger(label, "error") });
  await ensureTopics(client, allTopics, {});
  return { brokers: given, namespace, pids: [], stop: async () => undefined };
}
