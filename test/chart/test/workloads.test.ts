import { describe, expect, it } from "vitest";
import { renderChart, type Manifest } from "../src/helm";
import { componentName, named, ofKind, podSpec, serviceNames, type Container, type Probe } from "../src/manifests";
import { scenarios } from "../src/paths";

const renders = {
  default: () => renderChart(),
  production: () => renderChart({ values: scenarios.production }),
  "gRPC mutual TLS": () =>
    renderChart({
      values: scenarios.production,
      set: { "grpc.tls.secretName": "fediflow-grpc-tls" },
      setTyped: { "grpc.tls.enabled": true },
    }),
};

function expectHardened(container: Container, pod: ReturnType<typeof podSpec>): void {
  const context = { ...pod.securityContext, ...container.securityContext };
  expect(context.runAsNonRoot, container.name).toBe(true);
  expect(Number(context.runAsUser), container.name).toBeGreaterThan(0);
  expect(container.securityContext?.allowPrivilegeEscalation, container.name).toBe(false);
  expect(container.securityContext?.readOnlyRootFilesystem, container.name).toBe(true);
  expect(container.securityContext?.capabilities?.drop, container.name).toEqual(["ALL"]);
  expect((context.seccompProfile as { type?: string } | undefined)?.type, container.name).toBe("RuntimeDefault");
  // A read-only root still needs a writable /tmp.
  const tmp = container.volumeMounts?.find((mount) => mount.mountPath === "/tmp");
  expect(tmp, container.name).toBeDefined();
  expect(pod.volumes?.find((volume) => volume.name === tmp!.name)?.emptyDir, container.name).toBeDefined();
}

function expectResources(container: Container): void {
  expect(container.resources?.requests?.cpu, container.name).toBeTruthy();
  expect(container.resources?.requests?.memory, container.name).toBeTruthy();
  expect(container.resources?.limits?.memory, container.name).toBeTruthy();
}

/** The probe's port must be one the container declares (by name or number). */
function expectProbeOnDeclaredPort(container: Container, probe: Probe | undefined): void {
  expect(probe, container.name).toBeDefined();
  const port = probe!.httpGet?.port ?? probe!.grpc?.port ?? probe!.tcpSocket?.port;
  const declared = (container.ports ?? []).flatMap((p) => [p.name, p.containerPort]);
  expect(declared, `${container.name} probe port ${String(port)}`).toContain(port);
}

describe.each(Object.entries(renders))("workloads (%s)", (_name, render) => {
  let manifests: Manifest[];
  const rendered = async () => (manifests ??= await render());

  it("has one Deployment, Service, ServiceAccount, ConfigMap and PDB per service", async () => {
    const all = await rendered();
    for (const service of serviceNames) {
      for (const kind of ["Deployment", "Service", "ServiceAccount", "ConfigMap", "PodDisruptionBudget"]) {
        expect(named(all, kind, componentName(service)).metadata.labels?.["app.kubernetes.io/component"]).toBe(service);
      }
    }
  });

  it("every Deployment container has startup, liveness and readiness probes on its own ports", async () => {
    for (const deployment of ofKind(await rendered(), "Deployment")) {
      for (const container of podSpec(deployment).containers) {
        expectProbeOnDeclaredPort(container, container.startupProbe);
        expectProbeOnDeclaredPort(container, container.livenessProbe);
        expectProbeOnDeclaredPort(container, container.readinessProbe);
        expect(container.livenessProbe!.httpGet?.path).toBe("/healthz");
        expect(container.readinessProbe!.httpGet?.path).toBe("/readyz");
      }
    }
  });

  it("every container (Deployments and the migrations Job) has resources and a hardened, non-root context", async () => {
    const workloads = [...ofKind(await rendered(), "Deployment"), ...ofKind(await rendered(), "Job")];
    expect(workloads).toHaveLength(serviceNames.length + 1);
    for (const workload of workloads) {
      const pod = podSpec(workload);
      for (const container of pod.containers) {
        expectResources(container);
        expectHardened(container, pod);
      }
    }
  });

  it("each container starts its own service through the image's entrypoint", async () => {
    for (const service of serviceNames) {
      const [container] = podSpec(named(await rendered(), "Deployment", componentName(service))).containers;
      expect(container!.args).toEqual([service]);
    }
    const [migrate] = podSpec(ofKind(await rendered(), "Job")[0]!).containers;
    expect(migrate!.args).toEqual(["migrate"]);
  });

  it("the migrations Job runs as a Helm hook before install and upgrade", async () => {
    const [job] = ofKind(await rendered(), "Job");
    expect(job!.metadata.annotations?.["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    const env = podSpec(job!).containers[0]!.env ?? [];
    expect(env.find((variable) => variable.name === "FEDIFLOW_DATABASE_URL")?.valueFrom?.secretKeyRef).toBeDefined();
  });
});

describe("gRPC", () => {
  it("uses Kubernetes' native gRPC probe on the gRPC servers when TLS is off", async () => {
    const manifests = await renderChart();
    for (const [service, port, name] of [
      ["outbox", 50051, "fediflow.v1.Outbox"],
      ["host-health", 50052, "fediflow.v1.HostHealth"],
    ] as const) {
      const [container] = podSpec(named(manifests, "Deployment", componentName(service))).containers;
      expect(container!.startupProbe?.grpc).toEqual({ port, service: name });
    }
  });

  it("with grpc.tls mounts the Secret and sets the three file variables on ingress, outbox and host-health only", async () => {
    const manifests = await renderChart({ set: { "grpc.tls.secretName": "fediflow-grpc-tls" }, setTyped: { "grpc.tls.enabled": true } });
    for (const service of serviceNames) {
      const pod = podSpec(named(manifests, "Deployment", componentName(service)));
      const data = named(manifests, "ConfigMap", componentName(service)).data as Record<string, string>;
      const party = ["ingress", "outbox", "host-health"].includes(service);
      expect(
        pod.volumes?.some((volume) => volume.secret?.secretName === "fediflow-grpc-tls"),
        service,
      ).toBe(party);
      for (const variable of ["FEDIFLOW_GRPC_TLS_CERT_FILE", "FEDIFLOW_GRPC_TLS_KEY_FILE", "FEDIFLOW_GRPC_TLS_CA_FILE"]) {
        expect(data[variable] !== undefined, `${service} ${variable}`).toBe(party);
      }
      if (party) {
        const mount = pod.containers[0]!.volumeMounts!.find((m) => m.name === "grpc-tls")!;
        expect(data.FEDIFLOW_GRPC_TLS_CERT_FILE).toBe(`${mount.mountPath}/tls.crt`);
        expect(data.FEDIFLOW_GRPC_TLS_CA_FILE).toBe(`${mount.mountPath}/ca.crt`);
      }
      // The kubelet cannot present a client certificate, so no gRPC probe remains.
      expect(pod.containers[0]!.startupProbe?.grpc, service).toBeUndefined();
    }
  });

  it("fails to render grpc.tls without a Secret name", async () => {
    await expect(renderChart({ setTyped: { "grpc.tls.enabled": true } })).rejects.toThrow(/grpc.tls.secretName is required/);
  });

  it("points ingress at headless gRPC Services of outbox and host-health, resolved by the client", async () => {
    const manifests = await renderChart();
    const data = named(manifests, "ConfigMap", componentName("ingress")).data as Record<string, string>;
    for (const [variable, service] of [
      ["FEDIFLOW_OUTBOX_ADDRESS", "outbox"],
      ["FEDIFLOW_HOST_HEALTH_ADDRESS", "host-health"],
    ] as const) {
      // dns:/// makes grpc-js resolve the name to every pod and balance round_robin over them.
      const [, host, port] = /^dns:\/\/\/([^:]+):(\d+)$/.exec(data[variable]!)!;
      expect(host).toBe(`${componentName(service)}-grpc`);
      const headless = named(manifests, "Service", host!).spec as {
        clusterIP: string;
        selector: Record<string, string>;
        ports: Array<{ name: string; port: number }>;
      };
      expect(headless.clusterIP).toBe("None");
      expect(headless.ports).toEqual([expect.objectContaining({ name: "grpc", port: Number(port) })]);
      const deployment = named(manifests, "Deployment", componentName(service)).spec as { selector: { matchLabels: Record<string, string> } };
      expect(headless.selector).toEqual(deployment.selector.matchLabels);
    }
  });
});

interface NetworkPolicySpec {
  ingress: Array<{ ports: Array<{ port: string }>; from?: Array<Record<string, unknown>> }>;
}

describe("NetworkPolicy", () => {
  const monitoring = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } };
  const app = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "app" } } };

  it("admits gRPC from ingress pods only, and metrics from the monitoring peers", async () => {
    const manifests = await renderChart({ values: scenarios.production });
    for (const service of ["outbox", "host-health"]) {
      const rules = (named(manifests, "NetworkPolicy", componentName(service)).spec as NetworkPolicySpec).ingress;
      const grpc = rules.find((rule) => rule.ports.some((port) => port.port === "grpc"));
      expect(grpc?.from).toEqual([
        {
          podSelector: {
            matchLabels: {
              "app.kubernetes.io/name": "fediflow",
              "app.kubernetes.io/instance": "fediflow",
              "app.kubernetes.io/component": "ingress",
            },
          },
        },
      ]);
      expect(rules.find((rule) => rule.ports.some((port) => port.port === "ops"))?.from).toEqual([monitoring]);
    }
    const delivery = (named(manifests, "NetworkPolicy", componentName("delivery")).spec as NetworkPolicySpec).ingress;
    expect(delivery.map((rule) => rule.ports.map((port) => port.port))).toEqual([["ops"]]);
  });

  it("narrows the API to apiFrom once it is set, and keeps ingress's /metrics on the ops port for the scrapers", async () => {
    const open = await renderChart({ values: scenarios.production });
    expect((named(open, "NetworkPolicy", componentName("ingress")).spec as NetworkPolicySpec).ingress).toEqual([
      { ports: [{ port: "http", protocol: "TCP" }] },
      { ports: [{ port: "ops", protocol: "TCP" }], from: [monitoring] },
    ]);
    const narrowed = await renderChart({ values: scenarios.production, inline: { networkPolicy: { apiFrom: [app] } } });
    const rules = (named(narrowed, "NetworkPolicy", componentName("ingress")).spec as NetworkPolicySpec).ingress;
    expect(rules).toEqual([
      { ports: [{ port: "http", protocol: "TCP" }], from: [app] },
      { ports: [{ port: "ops", protocol: "TCP" }], from: [monitoring] },
    ]);
  });
});
