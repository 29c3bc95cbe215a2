import type { Manifest } from "./helm";

export interface Container {
  name: string;
  image?: string;
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
  grpc?: { port: number; service?: string };
  tcpSocket?: { port: string | number };
}

export interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  volumes?: Array<{ name: string; emptyDir?: object; secret?: { secretName: string } }>;
  serviceAccountName?: string;
}

export const ofKind = (manifests: Manifest[], kind: string): Manifest[] => manifests.filter((m) => m.kind === kind);

export function named(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} named ${name} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(", ")}`);
  return found;
}

/** The pod template of a Deployment or Job. */
export function podSpec(manifest: Manifest): PodSpec {
  return (manifest.spec as { template: { spec: PodSpec } }).template.spec;
}

/** The release's object name of a service, e.g. "fediflow-delivery" for release "fediflow". */
export const componentName = (service: string): string => `fediflow-${service}`;

export const serviceNames = ["ingress", "outbox", "host-health", "fan-out", "delivery"] as const;
