#!/usr/bin/env node
// `fediflow topics`: creates FediFlow's topics (packages/contracts) that are missing on
// FEDIFLOW_KAFKA_BROKERS, under FEDIFLOW_KAFKA_NAMESPACE, with the contract's partitions and
// configs, through the same TLS and SASL settings as the services; checks the ones that exist.
// For a Kafka without Strimzi's topic operator (a managed Kafka). Needs an admin's rights.
import { z } from "zod";
import { allTopics } from "@fediflow/contracts";
import { kafkaSettings, loadConfig } from "@fediflow/config";
import { createLogger } from "@fediflow/logging";
import { kafkaForService } from "./client";
import { ensureTopics } from "./topic-admin";

const schema = z.object({
  ...kafkaSettings,
  /** Replicas of each topic (default: the cluster's default.replication.factor). */
  FEDIFLOW_KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).optional(),
  /** min.insync.replicas of each topic (default: the cluster's). */
  FEDIFLOW_KAFKA_TOPIC_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).optional(),
});

async function main(): Promise<void> {
  const config = loadConfig(schema);
  const kafka = kafkaForService(config, "topics", createLogger("topics", "warn"));
  const ensured = await ensureTopics(kafka, allTopics, {
    replicationFactor: config.FEDIFLOW_KAFKA_TOPIC_REPLICATION_FACTOR,
    minInsyncReplicas: config.FEDIFLOW_KAFKA_TOPIC_MIN_INSYNC_REPLICAS,
  });
  for (const name of ensured.created) process.stdout.write(`created ${name}\n`);
  for (const name of ensured.existing) process.stdout.write(`exists ${name}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`topics failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
