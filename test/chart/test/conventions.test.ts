import { describe, expect, it } from "vitest";
import { renderChart } from "../src/helm";
import { componentName, named, ofKind, podSpec, serviceNames } from "../src/manifests";
import { scenarios } from "../src/paths";

describe("chart conventions", () => {
  it("runs a helm test that checks /readyz and an authenticated API call", async () => {
    const manifests = await renderChart();
    const pod = named(manifests, "Pod", "fediflow-test-api");
    expect(pod.metadata.annotations?.["helm.sh/hook"]).toBe("test");
    const container = (pod.spec as { containers: Array<{ args: string[]; env: Array<{ name: string; valueFrom?: unknown }> }> })
      .containers[0]!;
    expect(container.args[0]).toContain("http://fediflow-ingress:8080");
    expect(container.args[0]).toContain("/readyz");
    expect(container.args[0]).toContain('"Bearer " + token');
    expect(container.env).toEqual([
      { name: "FEDIFLOW_API_TOKENS", valueFrom: { secretKeyRef: { name: "fediflow-keys", key: "api-tokens" } } },
    ]);
  });

  it("takes extra env, volumes, mounts, pod metadata, a priority class and sidecars per service", async () => {
    const manifests = await renderChart({
      inline: {
        podAnnotations: { shared: "all", overridden: "global" },
        services: {
          delivery: {
            extraEnv: [{ name: "NODE_OPTIONS", value: "--max-old-space-size=256" }],
            extraVolumes: [{ name: "ca", configMap: { name: "corporate-ca" } }],
            extraVolumeMounts: [{ name: "ca", mountPath: "/etc/ssl/corporate", readOnly: true }],
            podAnnotations: { overridden: "delivery", "sidecar.istio.io/inject": "false" },
            podLabels: { team: "federation" },
            priorityClassName: "high-priority",
            sidecars: [{ name: "proxy", image: "registry.example/egress-proxy:1.0" }],
          },
        },
      },
    });
    const deployment = named(manifests, "Deployment", componentName("delivery"));
    const template = (
      deployment.spec as { template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } }
    ).template;
    expect(template.metadata.annotations).toMatchObject({ shared: "all", overridden: "delivery", "sidecar.istio.io/inject": "false" });
    expect(template.metadata.labels.team).toBe("federation");
    const pod = podSpec(deployment) as ReturnType<typeof podSpec> & { priorityClassName?: string; volumes: Array<{ name: string }> };
    expect(pod.priorityClassName).toBe("high-priority");
    expect(pod.containers.map((container) => container.name)).toEqual(["delivery", "proxy"]);
    expect(pod.containers[0]!.env).toContainEqual({ name: "NODE_OPTIONS", value: "--max-old-space-size=256" });
    expect(pod.containers[0]!.volumeMounts).toContainEqual({ name: "ca", mountPath: "/etc/ssl/corporate", readOnly: true });
    expect(pod.volumes.map((volume) => volume.name)).toContain("ca");
    // The others are untouched.
    const outbox = podSpec(named(manifests, "Deployment", componentName("outbox")));
    expect(outbox.containers).toHaveLength(1);
    await expect(renderChart({ inline: { services: { delivery: { extraEnv: [{ value: "no name" }] } } } })).rejects.toThrow(/extraEnv/);
  });

  it("scales ingress and outbox on CPU when asked, with or without KEDA", async () => {
    expect(ofKind(await renderChart(), "HorizontalPodAutoscaler").map((hpa) => hpa.metadata.name)).not.toContain("fediflow-ingress");
    for (const values of [[], scenarios.keda]) {
      const manifests = await renderChart({
        values,
        setTyped: { "services.ingress.autoscaling.enabled": true, "services.outbox.autoscaling.enabled": true },
      });
      for (const service of ["ingress", "outbox"]) {
        const hpa = named(manifests, "HorizontalPodAutoscaler", componentName(service)).spec as {
          minReplicas: number;
          maxReplicas: number;
          metrics: Array<{ resource?: { name: string; target: { averageUtilization: number } } }>;
        };
        expect(hpa).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
        expect(hpa.metrics).toEqual([
          { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
        ]);
        // The HPA owns the replica count.
        expect((named(manifests, "Deployment", componentName(service)).spec as { replicas?: number }).replicas).toBeUndefined();
      }
      expect(ofKind(manifests, "ScaledObject").map((object) => object.metadata.name)).not.toContain("fediflow-ingress");
    }
    expect(serviceNames).toContain("ingress");
  });
});
