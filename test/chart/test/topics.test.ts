import { readFile } from "node:fs/promises";
import path from "node:path";
import { topics } from "@fediflow/contracts";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderChart } from "../src/helm";
import { ofKind } from "../src/manifests";
import { chartDir, scenarios } from "../src/paths";

interface TopicValues {
  partitions: number;
  config: Record<string, string>;
}
interface KafkaTopicSpec {
  partitions: number;
  replicas: number;
  config?: Record<string, string>;
}

describe("Kafka topics follow packages/contracts/src/topics.ts", () => {
  it("values.yaml defaults every topic's partitions to the contract's count", async () => {
    const values = parse(await readFile(path.join(chartDir, "values.yaml"), "utf8")) as { kafka: { topics: Record<string, TopicValues> } };
    for (const [key, topic] of Object.entries(topics)) {
      expect(values.kafka.topics[key]?.partitions, key).toBe(topic.partitions);
    }
  });

  it("renders one KafkaTopic per contract topic, by name, with its partitions and compaction", async () => {
    const manifests = await renderChart({ setTyped: { "kafka.topics.create": true }, set: { "kafka.topics.cluster": "kafka" } });
    const rendered = ofKind(manifests, "KafkaTopic");
    expect(rendered.map((m) => m.metadata.name).sort()).toEqual(
      Object.values(topics)
        .map((topic) => topic.name)
        .sort(),
    );
    for (const topic of Object.values(topics)) {
      const spec = rendered.find((m) => m.metadata.name === topic.name)!.spec as KafkaTopicSpec;
      expect(spec.partitions, topic.name).toBe(topic.partitions);
      expect(spec.config?.["cleanup.policy"] === "compact", topic.name).toBe(topic.compacted);
    }
  });

  it("the production values keep the contract's partition counts", async () => {
    const manifests = await renderChart({ values: scenarios.production });
    for (const topic of Object.values(topics)) {
      const kafkaTopic = ofKind(manifests, "KafkaTopic").find((m) => m.metadata.name === topic.name);
      expect((kafkaTopic?.spec as KafkaTopicSpec | undefined)?.partitions, topic.name).toBe(topic.partitions);
    }
  });

  it("renders no KafkaTopic unless asked, and refuses create without a cluster name", async () => {
    expect(ofKind(await renderChart(), "KafkaTopic")).toEqual([]);
    await expect(renderChart({ setTyped: { "kafka.topics.create": true } })).rejects.toThrow(/kafka.topics.cluster/);
  });

  it("runs `fediflow topics` as a hook Job before install and upgrade when asked, as an admin principal", async () => {
    const manifests = await renderChart({
      setTyped: { "kafka.topics.job.enabled": true, "kafka.security.tls.enabled": true },
      set: {
        "secrets.kafkaBrokers": "broker-1.example:9093",
        "kafka.namespace": "prod.",
        "kafka.topics.job.minInsyncReplicas": "2",
        "kafka.topics.job.sasl.mechanism": "scram-sha-512",
        "kafka.topics.job.sasl.username": "admin",
        "kafka.topics.job.sasl.passwordSecret.name": "kafka-admin",
      },
    });
    const job = ofKind(manifests, "Job").find((m) => m.metadata.name?.endsWith("-topics"));
    expect(job?.metadata.annotations?.["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    // Before the migrations Job (weight 0), after nothing else.
    expect(Number(job?.metadata.annotations?.["helm.sh/hook-weight"])).toBeLessThan(0);
    const container = (job!.spec as { template: { spec: { containers: Array<{ args: string[]; env: Array<{ name: string; value?: string; valueFrom?: unknown }> }> } } })
      .template.spec.containers[0]!;
    expect(container.args).toEqual(["topics"]);
    const env = Object.fromEntries(container.env.map((entry) => [entry.name, entry.value ?? entry.valueFrom]));
    expect(env).toMatchObject({
      FEDIFLOW_KAFKA_BROKERS: "broker-1.example:9093",
      FEDIFLOW_KAFKA_NAMESPACE: "prod.",
      FEDIFLOW_KAFKA_TOPIC_REPLICATION_FACTOR: "3",
      FEDIFLOW_KAFKA_TOPIC_MIN_INSYNC_REPLICAS: "2",
      FEDIFLOW_KAFKA_TLS: "true",
      FEDIFLOW_KAFKA_SASL_MECHANISM: "scram-sha-512",
      FEDIFLOW_KAFKA_SASL_USERNAME: "admin",
      FEDIFLOW_KAFKA_SASL_PASSWORD: { secretKeyRef: { name: "kafka-admin", key: "password" } },
    });
    expect(ofKind(manifests, "KafkaTopic")).toEqual([]);
  });

  it("refuses the topics Job together with KafkaTopic objects, and without brokers", async () => {
    await expect(
      renderChart({ setTyped: { "kafka.topics.job.enabled": true, "kafka.topics.create": true }, set: { "kafka.topics.cluster": "kafka", "secrets.kafkaBrokers": "b:9092" } }),
    ).rejects.toThrow(/choose one/);
    await expect(renderChart({ setTyped: { "kafka.topics.job.enabled": true } })).rejects.toThrow(/secrets.kafkaBrokers/);
  });
});
