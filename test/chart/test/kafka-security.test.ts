import { allTopics } from "@fediflow/contracts";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderChart, type Manifest } from "../src/helm";
import { componentName, named, ofKind, podSpec } from "../src/manifests";
import { deployDir, scenarios } from "../src/paths";

const kafkaServices = ["outbox", "fan-out", "delivery", "host-health"];
const configOf = (manifests: Manifest[], service: string) =>
  named(manifests, "ConfigMap", componentName(service)).data as Record<string, string>;

describe("secured Kafka", () => {
  it("with a Strimzi KafkaUser over SCRAM: ACLs for FediFlow's topics and groups only, its password, the cluster CA", async () => {
    const manifests = await renderChart({
      values: scenarios.production,
      setTyped: { "kafka.user.create": true },
      set: { "kafka.security.tls.caSecret": "fediflow-kafka-cluster-ca-cert" },
    });
    const user = named(manifests, "KafkaUser", "fediflow");
    expect(user.metadata.labels?.["strimzi.io/cluster"]).toBe("fediflow-kafka");
    const spec = user.spec as {
      authentication: { type: string };
      authorization: { acls: Array<{ resource: { type: string; name?: string; patternType?: string } }> };
    };
    expect(spec.authentication.type).toBe("scram-sha-512");
    const topics = ofKind(manifests, "KafkaTopic")
      .map((topic) => topic.metadata.name)
      .sort();
    expect(topics).toHaveLength(allTopics.length);
    expect(
      spec.authorization.acls
        .filter((acl) => acl.resource.type === "topic")
        .map((acl) => acl.resource.name)
        .sort(),
    ).toEqual(topics);
    expect(spec.authorization.acls.filter((acl) => acl.resource.type === "group")).toEqual([
      { resource: { type: "group", name: "fediflow-", patternType: "prefix" }, operations: ["Describe", "Read"] },
    ]);
    for (const service of kafkaServices) {
      expect(configOf(manifests, service)).toMatchObject({
        FEDIFLOW_KAFKA_TLS: "true",
        FEDIFLOW_KAFKA_TLS_CA_FILE: "/etc/fediflow/kafka/ca/ca.crt",
        FEDIFLOW_KAFKA_SASL_MECHANISM: "scram-sha-512",
        FEDIFLOW_KAFKA_SASL_USERNAME: "fediflow",
      });
      const pod = podSpec(named(manifests, "Deployment", componentName(service))) as ReturnType<typeof podSpec> & {
        volumes: Array<{ name: string; secret?: { secretName: string } }>;
      };
      expect(pod.containers[0]!.env).toContainEqual({
        name: "FEDIFLOW_KAFKA_SASL_PASSWORD",
        valueFrom: { secretKeyRef: { name: "fediflow", key: "password" } },
      });
      expect(pod.volumes).toContainEqual(
        expect.objectContaining({ name: "kafka-ca", secret: expect.objectContaining({ secretName: "fediflow-kafka-cluster-ca-cert" }) }),
      );
    }
    // ingress never talks to Kafka: no credentials reach it.
    expect(configOf(manifests, "ingress").FEDIFLOW_KAFKA_SASL_USERNAME).toBeUndefined();
  });

  it("with a KafkaUser over mutual TLS mounts its certificate", async () => {
    const manifests = await renderChart({
      values: scenarios.production,
      setTyped: { "kafka.user.create": true },
      set: { "kafka.user.authentication": "tls", "kafka.security.tls.caSecret": "fediflow-kafka-cluster-ca-cert" },
    });
    expect(configOf(manifests, "delivery")).toMatchObject({
      FEDIFLOW_KAFKA_TLS_CERT_FILE: "/etc/fediflow/kafka/client/user.crt",
      FEDIFLOW_KAFKA_TLS_KEY_FILE: "/etc/fediflow/kafka/client/user.key",
    });
    expect(configOf(manifests, "delivery").FEDIFLOW_KAFKA_SASL_MECHANISM).toBeUndefined();
  });

  it("renders the managed-Kafka example: TLS against public roots, SASL PLAIN from its own Secret", async () => {
    const manifests = await renderChart({ values: [...scenarios.production, path.join(deployDir, "values-managed-kafka.yaml")] });
    expect(ofKind(manifests, "KafkaTopic")).toEqual([]);
    expect(configOf(manifests, "outbox")).toMatchObject({
      FEDIFLOW_KAFKA_TLS: "true",
      FEDIFLOW_KAFKA_SASL_MECHANISM: "plain",
      FEDIFLOW_KAFKA_SASL_USERNAME: "API_KEY",
    });
    expect(configOf(manifests, "outbox").FEDIFLOW_KAFKA_TLS_CA_FILE).toBeUndefined();
    // Its topics come from the `fediflow topics` hook Job, with the same credentials and brokers.
    const job = ofKind(manifests, "Job").find((m) => m.metadata.name?.endsWith("-topics"));
    const env = (job?.spec as { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string; valueFrom?: unknown }> }> } } } | undefined)
      ?.template.spec.containers[0]?.env;
    expect(env?.map((entry) => entry.name)).toEqual(
      expect.arrayContaining(["FEDIFLOW_KAFKA_BROKERS", "FEDIFLOW_KAFKA_TLS", "FEDIFLOW_KAFKA_SASL_MECHANISM", "FEDIFLOW_KAFKA_SASL_PASSWORD"]),
    );
  });
});
