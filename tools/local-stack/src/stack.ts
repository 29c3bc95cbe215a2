import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { kafkaSettingsSchema, loadConfig } from "@fediflow/config";
import { allTopics } from "@fediflow/contracts";
import { createKafka, ensureTopics, kafkaSecurity } from "@fediflow/kafka";
import { KafkaCluster, freePort, repositoryRoot, testKafkaVariable } from "@fediflow/kafka-cluster";
import { createLogger } from "@fediflow/logging";
import { ensureDatabase, migrate } from "@fediflow/postgres";
import { ServiceProcess, serviceNames, type ServiceName } from "./service-process";

export interface StackOptions {
  root?: string;
  /** Port of the public API (default FEDIFLOW_INGRESS_PORT or 8080; 0 picks a free one). */
  ingressPort?: number;
  /** The fixed ports of `localStackPorts` instead of free ones (the foreground stack a person uses). */
  fixedPorts?: boolean;
  /** Environment for every service, over the caller's own. */
  env?: NodeJS.ProcessEnv;
  /** Environment for one service, over everything else. */
  serviceEnv?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
  /** Environment for one process by name ("outbox-2"), over its service's. */
  processEnv?: Record<string, NodeJS.ProcessEnv>;
  /** Nodes of the Kafka cluster this stack starts (default 1). Ignored when FEDIFLOW_KAFKA_BROKERS is set. */
  kafkaNodes?: number;
  /** Prefix of the stack's topics and consumer groups (FEDIFLOW_KAFKA_NAMESPACE; default none). */
  kafkaNamespace?: string;
  /** Processes per service (default 1 each). */
  replicas?: Partial<Record<ServiceName, number>>;
  /** Every line a service prints (JSON log lines). */
  onLine?(process: string, line: string): void;
  /** What the Kafka nodes print outside their own log files. */
  onKafkaLog?(line: string): void;
  /** How long to wait for every process to be ready, ms. */
  readyTimeoutMs?: number;
}

export interface RunningStack {
  ingressUrl: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  kafkaNamespace: string;
  /** The Kafka cluster, when this stack started one (not with FEDIFLOW_KAFKA_BROKERS). */
  kafka: KafkaCluster | null;
  processes: Map<string, ServiceProcess>;
  /** The environment every process was started with (without per-process ports). */
  env: NodeJS.ProcessEnv;
  opsUrl(process: string): string;
  /** Starts another process of a service and waits until it is ready; returns its name. */
  addProcess(service: ServiceName): Promise<string>;
  /** Restarts a stopped (or killed) process and waits until it is ready. */
  restart(process: string): Promise<void>;
  waitReady(process: string): Promise<void>;
  stop(): Promise<void>;
}

/** The key that seals actors' keys in local runs, generated once per checkout. */
async function localKeyEncryptionKey(root: string): Promise<string> {
  const file = path.join(root, ".local", "key-encryption-key");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    const key = randomBytes(32).toString("base64");
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}

async function waitForHttp(url: string, child: ServiceProcess, deadline: number): Promise<void> {
  for (;;) {
    if (!child.running) {
      throw new Error(`${child.options.name} exited while starting:\n${child.tail.join("\n")}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.options.name} not ready at ${url}:\n${child.tail.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/**
 * The ports of the foreground stack (`pnpm stack`, the demo), all below Linux's ephemeral range
 * (32768 and up), where an outgoing connection of any process could take them first.
 */
export const localStackPorts = { kafka: 19092, outbox: 15051, hostHealth: 15052, firstOps: 9091 } as const;

/**
 * Starts the whole pipeline on this machine: Apache Kafka (unless FEDIFLOW_KAFKA_BROKERS names
 * a Kafka), the database and its migrations, then the five services as separate processes,
 * and resolves once every one answers /readyz.
 */
export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const root = options.root ?? repositoryRoot;
  const base: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
  const databaseUrl = base.FEDIFLOW_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/fediflow";
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);

  const fixed = options.fixedPorts ?? false;
  let kafkaNamespace = options.kafkaNamespace ?? base.FEDIFLOW_KAFKA_NAMESPACE ?? "";
  let kafka: KafkaCluster | null = null;
  let kafkaBrokers = (base.FEDIFLOW_KAFKA_BROKERS ?? "").split(",").filter(Boolean);
  const testKafka = (process.env[testKafkaVariable] ?? "").split(",").filter(Boolean);
  if (kafkaBrokers.length === 0 && testKafka.length > 0 && options.kafkaNodes === undefined) {
    // Inside a test run: its shared Kafka, under a namespace no other stack uses.
    kafkaBrokers = testKafka;
    if (!kafkaNamespace) kafkaNamespace = `stack-${randomBytes(4).toString("hex")}.`;
  } else if (kafkaBrokers.length === 0) {
    const nodes = options.kafkaNodes ?? 1;
    kafka = await KafkaCluster.start({
      nodes,
      root,
      namespace: null,
      ports: fixed ? Array.from({ length: nodes }, (_, i) => localStackPorts.kafka + 2 * i) : undefined,
      dir: fixed ? path.join(root, ".local", "kafka") : undefined,
      onLog: options.onKafkaLog,
    });
    kafkaBrokers = kafka.bootstrapServers;
  }
  try {
    // On a cluster of the stack's own and on a shared one alike: create what is missing.
    // With the services' own TLS and SASL settings, so a secured listener works here too.
    const kafkaConfig = loadConfig(kafkaSettingsSchema, { ...base, FEDIFLOW_KAFKA_BROKERS: kafkaBrokers.join(",") });
    const client = createKafka({
      brokers: kafkaBrokers,
      clientId: "fediflow-local-stack",
      namespace: kafkaNamespace,
      logger: createLogger("local-stack", "error"),
      security: kafkaSecurity(kafkaConfig),
    });
    const nodes = kafka?.nodes.length;
    await ensureTopics(client, allTopics, nodes === undefined ? {} : { replicationFactor: Math.min(nodes, 3), minInsyncReplicas: nodes >= 3 ? 2 : undefined });
  } catch (error) {
    await kafka?.stop();
    throw error;
  }

  const ingressPort = options.ingressPort ?? Number(base.FEDIFLOW_INGRESS_PORT ?? 8080);
  const ports = {
    ingress: ingressPort === 0 ? await freePort() : ingressPort,
    outbox: fixed ? localStackPorts.outbox : await freePort(),
    hostHealth: fixed ? localStackPorts.hostHealth : await freePort(),
  };
  let nextFixedOps: number = localStackPorts.firstOps;
  const opsPort = async () => (fixed ? nextFixedOps++ : freePort());

  const env: NodeJS.ProcessEnv = {
    FEDIFLOW_LISTEN_ADDRESS: "127.0.0.1",
    // A killed process's partitions wait this long for a new owner: short, for fault tests.
    FEDIFLOW_KAFKA_SESSION_TIMEOUT_MS: "6000",
    ...base,
    FEDIFLOW_DATABASE_URL: databaseUrl,
    FEDIFLOW_KAFKA_BROKERS: kafkaBrokers.join(","),
    FEDIFLOW_KAFKA_NAMESPACE: kafkaNamespace,
    FEDIFLOW_KEY_ENCRYPTION_KEY: base.FEDIFLOW_KEY_ENCRYPTION_KEY ?? (await localKeyEncryptionKey(root)),
    FEDIFLOW_OUTBOX_ADDRESS: `127.0.0.1:${ports.outbox}`,
    FEDIFLOW_HOST_HEALTH_ADDRESS: `127.0.0.1:${ports.hostHealth}`,
    FEDIFLOW_OUTBOX_GRPC_PORT: String(ports.outbox),
    FEDIFLOW_HOST_HEALTH_GRPC_PORT: String(ports.hostHealth),
    FEDIFLOW_INGRESS_PORT: String(ports.ingress),
  };

  const processes = new Map<string, ServiceProcess>();
  const readyUrls = new Map<string, string>();
  const counts = new Map<ServiceName, number>();
  const onLine = options.onLine ?? (() => undefined);

  const create = async (service: ServiceName): Promise<ServiceProcess> => {
    const n = (counts.get(service) ?? 0) + 1;
    counts.set(service, n);
    const name = n === 1 ? service : `${service}-${n}`;
    const ops = await opsPort();
    const child = new ServiceProcess({
      name,
      service,
      root,
      env: { ...env, FEDIFLOW_OPS_PORT: String(ops), POD_NAME: name, ...options.serviceEnv?.[service], ...options.processEnv?.[name] },
      onLine,
    });
    processes.set(name, child);
    // A process may listen on another loopback address (two outbox processes on one gRPC port);
    // ingress too answers its detailed /readyz on its ops port.
    const listening = child.options.env.FEDIFLOW_LISTEN_ADDRESS ?? "127.0.0.1";
    readyUrls.set(name, `http://${listening}:${ops}/readyz`);
    child.start();
    return child;
  };

  const waitReady = async (name: string) => {
    const child = processes.get(name);
    if (!child) throw new Error(`no process ${name}`);
    await waitForHttp(readyUrls.get(name)!, child, Date.now() + readyTimeoutMs);
  };

  const stop = async () => {
    // Front door first, so nothing new arrives while the rest drains.
    const order = [...processes.values()].sort((a, b) => serviceNames.indexOf(b.options.service) - serviceNames.indexOf(a.options.service));
    for (const child of order.filter((c) => c.options.service === "ingress")) await child.stop();
    await Promise.all(order.filter((c) => c.options.service !== "ingress").map((child) => child.stop()));
    await kafka?.stop();
  };

  try {
    for (const service of serviceNames) {
      for (let i = 0; i < (options.replicas?.[service] ?? 1); i += 1) await create(service);
    }
    await Promise.all([...processes.keys()].map(waitReady));
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    ingressUrl: `http://127.0.0.1:${ports.ingress}`,
    databaseUrl,
    kafkaBrokers,
    kafkaNamespace,
    kafka,
    processes,
    env,
    opsUrl: (name) => readyUrls.get(name)!.replace(/\/readyz$/, ""),
    async addProcess(service) {
      const child = await create(service);
      await waitReady(child.options.name);
      return child.options.name;
    },
    async restart(name) {
      const child = processes.get(name);
      if (!child) throw new Error(`no process ${name}`);
      if (child.running) await child.stop();
      child.start();
      await waitReady(name);
    },
    waitReady,
    stop,
  };
}
