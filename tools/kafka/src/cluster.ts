import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { allTopics, type TopicSpec } from "@fediflow/contracts";
import { createKafka, ensureTopics, whileSettling, type Kafka, type TopicsEnsured } from "@fediflow/kafka";
import { createLogger } from "@fediflow/logging";
import { kafkaLibs } from "./jars";
import { jvmOptions, logConfig, nodeProperties, type KafkaNode } from "./node-config";
import { freePort } from "./ports";
import { throwawayTls, type ThrowawayTls } from "./throwaway-tls";

const run = promisify(execFile);

export interface KafkaClusterOptions {
  /** Nodes, each a broker and a controller (default 1; 3 for fault tests). */
  nodes?: number;
  /** Repository root (where tools/kafka is). */
  root?: string;
  /**
   * Folder for the nodes' data and logs. Cleared at start and kept after stop (to read the
   * logs); without it, a temporary folder that stop removes.
   */
  dir?: string;
  /** Client ports of the nodes (each node's controller listens on its port + 1); default free ports. */
  ports?: number[];
  /** Heap per node, MB (default 512). */
  heapMb?: number;
  /** Create FediFlow's topics under this namespace (default: ""; null: create none). */
  namespace?: string | null;
  /** Lines the JVMs print outside their log files (start-up failures). */
  onLog?(line: string): void;
  /** How long to wait for the cluster, or a restarted node, ms (default 180 s: a loaded machine starts JVMs slowly). */
  readyTimeoutMs?: number;
  /** Also a TLS client listener on each node, with a CA and certificate made for this cluster. */
  tls?: boolean;
  /** Also a SASL/SCRAM-SHA-512 client listener on each node, knowing this one user. */
  scram?: { username: string; password: string };
}

/** The end of a node's log, for an error message (its folder may be gone by the time one reads it). */
async function logTail(node: KafkaNode, lines = 15): Promise<string> {
  const text = await readFile(path.join(node.dir, "server.log"), "utf8").catch(() => "(no log)");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Kafka's cluster id format: 16 random bytes, base64url without padding. One in 64 starts with
 * "-", which kafka-storage's argument parser takes for an option; Kafka's own Uuid draws again
 * then, and so does this.
 */
export function clusterId(random: () => Buffer = () => randomBytes(16)): string {
  for (;;) {
    const id = random().toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/**
 * Apache Kafka in KRaft mode on loopback, one JVM per node. Nodes can be killed (SIGKILL) and
 * restarted with their data, for fault tests; stop kills every node.
 */
export class KafkaCluster {
  private readonly children = new Map<number, ChildProcess>();
  private readonly killOnExit = () => {
    for (const child of this.children.values()) child.kill("SIGKILL");
  };

  private constructor(
    readonly nodes: readonly KafkaNode[],
    private readonly libs: string,
    private readonly options: KafkaClusterOptions,
    private readonly ownDir: string | null,
    /** The TLS listener's CA and keystore, when there is one. */
    readonly tls: ThrowawayTls | null,
  ) {
    process.on("exit", this.killOnExit);
  }

  get bootstrapServers(): string[] {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`);
  }

  /** The TLS listeners (empty unless started with `tls`). */
  get tlsBootstrapServers(): string[] {
    return this.nodes.flatMap((node) => (node.tlsPort === undefined ? [] : [`127.0.0.1:${node.tlsPort}`]));
  }

  /** The SASL/SCRAM listeners (empty unless started with `scram`). */
  get scramBootstrapServers(): string[] {
    return this.nodes.flatMap((node) => (node.scramPort === undefined ? [] : [`127.0.0.1:${node.scramPort}`]));
  }

  /** The JVM's process id of a running node (for CPU accounting). */
  pid(id: number): number | undefined {
    return this.children.get(id)?.pid;
  }

  pids(): number[] {
    return [...this.children.values()].map((child) => child.pid).filter((pid): pid is number => pid !== undefined);
  }

  static async start(options: KafkaClusterOptions = {}): Promise<KafkaCluster> {
    const count = options.nodes ?? 1;
    const libs = await kafkaLibs(options.root);
    const ownDir = options.dir ? null : await mkdtemp(path.join(os.tmpdir(), "fediflow-kafka-"));
    const base = options.dir ?? ownDir!;
    if (options.dir) await rm(options.dir, { recursive: true, force: true });
    const nodes: KafkaNode[] = [];
    for (let i = 0; i < count; i += 1) {
      const port = options.ports?.[i] ?? (await freePort());
      const controllerPort = options.ports?.[i] !== undefined ? port + 1 : await freePort();
      nodes.push({
        id: i + 1,
        port,
        controllerPort,
        dir: path.join(base, `node-${i + 1}`),
        ...(options.tls ? { tlsPort: await freePort() } : {}),
        ...(options.scram ? { scramPort: await freePort() } : {}),
      });
    }
    await mkdir(base, { recursive: true });
    const tls = options.tls ? await throwawayTls(base) : null;
    const cluster = new KafkaCluster(nodes, libs, options, ownDir, tls);
    try {
      const id = clusterId();
      await Promise.all(nodes.map((node) => cluster.format(node, id)));
      for (const node of nodes) cluster.spawnNode(node);
      await cluster.waitForNodes(nodes.map((node) => node.id));
      if (options.namespace !== null) await cluster.createTopics(options.namespace ?? "");
      await cluster.warmGroupCoordinator();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** A client of this cluster (namespace for topic and group names). */
  client(namespace = "", clientId = "fediflow-kafka-cluster", logLevel = "error"): Kafka {
    return createKafka({ brokers: this.bootstrapServers, clientId, namespace, logger: createLogger("kafka-cluster", logLevel) });
  }

  /**
   * FediFlow's topics (or the given ones) under a namespace, with the contract's partitions and
   * configs; replicated three times with two in sync on a cluster of three or more nodes.
   */
  async createTopics(namespace = "", specs: readonly TopicSpec<unknown>[] = allTopics): Promise<TopicsEnsured> {
    const size = this.nodes.length;
    return ensureTopics(this.client(namespace), specs, {
      replicationFactor: Math.min(size, 3),
      minInsyncReplicas: size >= 3 ? 2 : undefined,
    });
  }

  /** SIGKILL of one node (1..N): its connections drop at once, as in a machine failure. */
  async kill(id: number): Promise<void> {
    const child = this.children.get(id);
    if (!child) throw new Error(`node ${id} is not running`);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    this.children.delete(id);
    child.kill("SIGKILL");
    await exited;
  }

  /** Starts a killed node again on its data; resolves once it is back in the cluster. */
  async restart(id: number): Promise<void> {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id}`);
    if (this.children.has(id)) throw new Error(`node ${id} is running`);
    this.spawnNode(node);
    await this.waitForNodes([id]);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map((id) => this.kill(id)));
    process.off("exit", this.killOnExit);
    if (this.ownDir) await rm(this.ownDir, { recursive: true, force: true });
  }

  private async format(node: KafkaNode, id: string): Promise<void> {
    await mkdir(node.dir, { recursive: true });
    const properties = path.join(node.dir, "server.properties");
    await writeFile(properties, nodeProperties(node, this.nodes, this.tls ?? undefined));
    await writeFile(path.join(node.dir, "log4j2.properties"), logConfig(node));
    // A short-lived JVM: the quick compiler only, and a small heap.
    await run(
      "java",
      ["-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", `-Dlog4j2.configurationFile=${node.dir}/log4j2.properties`, "-cp", `${this.libs}/*`, "kafka.tools.StorageTool", "format", "-t", id, "-c", properties, ...this.scramArguments()],
      { maxBuffer: 1 << 20 },
    );
  }

  /** KRaft stores SCRAM credentials in its metadata log: formatting writes them, no admin call needed. */
  private scramArguments(): string[] {
    const user = this.options.scram;
    return user ? ["--add-scram", `SCRAM-SHA-512=[name=${user.username},password=${user.password}]`] : [];
  }

  private spawnNode(node: KafkaNode): void {
    const args = [...jvmOptions(node, this.options.heapMb ?? 512), "-cp", `${this.libs}/*`, "kafka.Kafka", path.join(node.dir, "server.properties")];
    const child = spawn("java", args, { stdio: ["ignore", "pipe", "pipe"] });
    const onLog = this.options.onLog ?? (() => undefined);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => onLog(`[node ${node.id}] ${line}`));
    }
    child.once("exit", (code, signal) => {
      if (this.children.get(node.id) === child) {
        this.children.delete(node.id);
        onLog(`[node ${node.id}] exited (${signal ?? code}); its log: ${node.dir}/server.log`);
      }
    });
    this.children.set(node.id, child);
  }

  /** Waits until the given nodes accept connections and the cluster lists them as brokers. */
  private async waitForNodes(ids: number[]): Promise<void> {
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 180_000);
    const pending = this.nodes.filter((node) => ids.includes(node.id));
    for (const node of pending) {
      while (!(await portOpen(node.port))) {
        if (!this.children.has(node.id)) throw new Error(`Kafka node ${node.id} exited while starting; its log ends:\n${await logTail(node)}`);
        if (Date.now() > deadline) throw new Error(`Kafka node ${node.id} not listening on ${node.port} in time; its log ends:\n${await logTail(node)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const admin = this.client().admin();
    await admin.connect();
    try {
      for (;;) {
        const { brokers } = await admin.describeCluster();
        if (ids.every((id) => brokers.some((broker) => broker.nodeId === id))) return;
        if (Date.now() > deadline) throw new Error(`Kafka nodes ${ids.join(",")} not in the cluster in time`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Has the broker create its offsets topic now (its first group lookup does), so the services'
   * consumers do not start with "group coordinator not available" retries.
   */
  private async warmGroupCoordinator(): Promise<void> {
    // Silent: kafkajs logs each "coordinator not available" while the broker creates the topic.
    const admin = this.client("", "fediflow-kafka-cluster", "silent").admin();
    await admin.connect();
    try {
      await whileSettling(() => admin.describeGroups(["fediflow-kafka-cluster-warm-up"]));
    } finally {
      await admin.disconnect();
    }
  }
}
