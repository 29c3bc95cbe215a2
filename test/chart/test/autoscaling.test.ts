import { describe, expect, it } from "vitest";
import { renderChart, type Manifest } from "../src/helm";
import { componentName, named, ofKind } from "../src/manifests";
import { scenarios } from "../src/paths";

interface HpaSpec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  minReplicas: number;
  maxReplicas: number;
  metrics: Array<{
    type: string;
    resource?: { name: string };
    external?: { metric: { name: string; selector: { matchLabels: Record<string, string> } } };
  }>;
  behavior: { scaleUp: { stabilizationWindowSeconds: number }; scaleDown: { stabilizationWindowSeconds: number } };
}
interface ScaledObjectSpec {
  scaleTargetRef: { name: string };
  maxReplicaCount: number;
  triggers: Array<{ type: string; metadata: Record<string, string> }>;
}

/** Deployments scaled by an HPA and by a ScaledObject, by Deployment name. */
function scalers(manifests: Manifest[]): { hpa: string[]; keda: string[] } {
  const hpa = ofKind(manifests, "HorizontalPodAutoscaler").map((m) => {
    const target = (m.spec as HpaSpec).scaleTargetRef;
    expect(target.kind).toBe("Deployment");
    named(manifests, "Deployment", target.name);
    return target.name;
  });
  const keda = ofKind(manifests, "ScaledObject").map(
    (m) => named(manifests, "Deployment", (m.spec as ScaledObjectSpec).scaleTargetRef.name).metadata.name,
  );
  return { hpa, keda };
}

describe("autoscaling", () => {
  it("the delivery HPA targets the delivery Deployment, on CPU, with fast scale-up and slow scale-down", async () => {
    const manifests = await renderChart();
    const hpa = named(manifests, "HorizontalPodAutoscaler", componentName("delivery")).spec as HpaSpec;
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: componentName("delivery") });
    expect(hpa.metrics.map((metric) => metric.resource?.name ?? metric.type)).toEqual(["cpu"]);
    expect(hpa.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    expect(hpa.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(60);
    expect(scalers(manifests).hpa.sort()).toEqual([componentName("delivery"), componentName("fan-out")]);
  });

  it("adds the consumer-lag External metric of the right group when enabled (production values)", async () => {
    const manifests = await renderChart({ values: scenarios.production });
    for (const [service, group] of [
      ["delivery", "fediflow-delivery"],
      ["fan-out", "fediflow-fan-out"],
    ] as const) {
      const hpa = named(manifests, "HorizontalPodAutoscaler", componentName(service)).spec as HpaSpec;
      const external = hpa.metrics.find((metric) => metric.type === "External")?.external;
      expect(external?.metric.name).toBe("fediflow_consumer_lag_seconds");
      expect(external?.metric.selector.matchLabels).toEqual({ group });
    }
  });

  it("leaves replicas out of autoscaled Deployments and keeps it on the others", async () => {
    for (const options of [{}, { values: scenarios.production }, { values: scenarios.keda }]) {
      const manifests = await renderChart(options);
      const { hpa, keda } = scalers(manifests);
      for (const deployment of ofKind(manifests, "Deployment")) {
        const scaled = hpa.includes(deployment.metadata.name) || keda.includes(deployment.metadata.name);
        expect("replicas" in (deployment.spec as object), deployment.metadata.name).toBe(!scaled);
      }
    }
    const fixed = await renderChart({ setTyped: { "services.delivery.autoscaling.enabled": false, "services.delivery.replicaCount": 5 } });
    expect((named(fixed, "Deployment", componentName("delivery")).spec as { replicas: number }).replicas).toBe(5);
    expect(ofKind(fixed, "HorizontalPodAutoscaler").map((m) => m.metadata.name)).toEqual([componentName("fan-out")]);
  });

  it("with KEDA renders ScaledObjects with a Kafka trigger on each consumer group, and no HPA", async () => {
    const manifests = await renderChart({ values: scenarios.keda });
    const { hpa, keda } = scalers(manifests);
    expect(hpa).toEqual([]);
    expect(keda.sort()).toEqual([componentName("delivery"), componentName("fan-out")]);
    const delivery = named(manifests, "ScaledObject", componentName("delivery")).spec as ScaledObjectSpec;
    const kafka = delivery.triggers.find((trigger) => trigger.type === "kafka")!;
    expect(kafka.metadata).toMatchObject({
      consumerGroup: "fediflow-delivery",
      topic: "fediflow.deliveries",
      bootstrapServersFromEnv: "FEDIFLOW_KAFKA_BROKERS",
    });
    expect(delivery.triggers.map((trigger) => trigger.type)).toEqual(["kafka", "cpu"]);
  });

  it("never renders both an HPA and a ScaledObject for one Deployment, whatever the switches", async () => {
    for (const kedaEnabled of [false, true]) {
      for (const lag of [false, true]) {
        const manifests = await renderChart({
          setTyped: {
            "keda.enabled": kedaEnabled,
            "services.delivery.autoscaling.consumerLag.enabled": lag,
            "services.fanOut.autoscaling.consumerLag.enabled": lag,
          },
        });
        const { hpa, keda } = scalers(manifests);
        expect(hpa.filter((name) => keda.includes(name))).toEqual([]);
        expect([...hpa, ...keda].sort()).toEqual([componentName("delivery"), componentName("fan-out")]);
      }
    }
  });
});
