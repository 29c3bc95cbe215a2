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
});
