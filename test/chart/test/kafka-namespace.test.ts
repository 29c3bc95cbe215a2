import { allTopics } from "@fediflow/contracts";
import { describe, expect, it } from "vitest";
import { renderChart } from "../src/helm";
import { componentName, named, ofKind } from "../src/manifests";
import { scenarios } from "../src/paths";

// The services put FEDIFLOW_KAFKA_NAMESPACE in front of every topic and group name
// (packages/kafka's topicName() and groupName()); what the chart creates, allows and scales on
// must carry the same prefix, or the pods find no topics, no rights and no lag.
describe("kafka.namespace", () => {
  const ns = "prod.";

  it("prefixes topics, ACLs, the services' setting and the lag the autoscalers read", async () => {
    const manifests = await renderChart({
      values: scenarios.keda,
      setTyped: { "kafka.user.create": true, "kafka.topics.create": true },
      set: { "kafka.namespace": ns, "kafka.topics.cluster": "fediflow-kafka" },
    });
    const expected = allTopics.map((topic) => `${ns}${topic.name}`).sort();
    const topics = ofKind(manifests, "KafkaTopic").map((topic) => (topic.spec as { topicName: string }).topicName);
    expect(topics.sort()).toEqual(expected);

    const user = ofKind(manifests, "KafkaUser")[0]!;
    const acls = (user.spec as { authorization: { acls: Array<{ resource: { type: string; name?: string; patternType?: string } }> } }).authorization.acls;
    expect(acls.filter((acl) => acl.resource.type === "topic").map((acl) => acl.resource.name).sort()).toEqual(expected);
    expect(acls.filter((acl) => acl.resource.type === "group").map((acl) => acl.resource)).toEqual([{ type: "group", name: `${ns}fediflow-`, patternType: "prefix" }]);

    for (const service of ["outbox", "fan-out", "delivery", "host-health"]) {
      expect((named(manifests, "ConfigMap", componentName(service)).data as Record<string, string>).FEDIFLOW_KAFKA_NAMESPACE).toBe(ns);
    }
    const triggers = ofKind(manifests, "ScaledObject").flatMap(
      (scaled) => (scaled.spec as { triggers: Array<{ type: string; metadata: Record<string, string> }> }).triggers,
    );
    const kafkaTriggers = triggers.filter((trigger) => trigger.type === "kafka");
    expect(kafkaTriggers.length).toBeGreaterThan(0);
    for (const trigger of kafkaTriggers) {
      expect(trigger.metadata.consumerGroup).toMatch(/^prod\.fediflow-/);
      expect(trigger.metadata.topic).toMatch(/^prod\.fediflow\./);
    }
  });

  it("adds nothing without one", async () => {
    const manifests = await renderChart({ setTyped: { "kafka.topics.create": true }, set: { "kafka.topics.cluster": "fediflow-kafka" } });
    const topics = ofKind(manifests, "KafkaTopic").map((topic) => topic.metadata.name);
    expect(topics.sort()).toEqual(allTopics.map((topic) => topic.name).sort());
    expect((named(manifests, "ConfigMap", componentName("delivery")).data as Record<string, string>).FEDIFLOW_KAFKA_NAMESPACE).toBeUndefined();
  });
});
