import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cpuSeconds, peakRssMb, repositoryRoot, startStack, type RunningStack } from "@fediflow/local-stack";
import { FediFlowClient } from "@fediflow/client";
import { recreateDatabase } from "@fediflow/postgres";
import type { Follower } from "./audience";
import type { BenchActivity } from "./bench-world";
import { pidListeningOn } from "./port-owner";
import { forgetKeys } from "./redis-keys";

export interface ProcessFigures {
  cpuSeconds: number;
  peakRssMb: number;
}

/** The five services as processes (tools/local-stack), driven only through the public API. */
export class FediflowStack {
  /** The public API, through the same typed client applications use. */
  readonly client: FediFlowClient;

  private constructor(
    private readonly stack: RunningStack,
    token: string,
    private readonly redisPrefix: string,
  ) {
    this.client = new FediFlowClient({ baseUrl: stack.ingressUrl, token });
  }

  /** `env`: settings beside the run's own (a lever's), over what the environment says. */
  static async start(databaseUrl: string, logFile: string, env: Record<string, string> = {}): Promise<FediflowStack> {
    await recreateDatabase(databaseUrl);
    mkdirSync(path.dirname(logFile), { recursive: true });
    writeFileSync(logFile, "");
    const token = randomBytes(16).toString("hex");
    const redisPrefix = `fediflow-bench-${randomBytes(4).toString("hex")}:`;
    const stack = await startStack({
      ingressPort: 0,
      env: {
        FEDIFLOW_DATABASE_URL: databaseUrl,
        FEDIFLOW_REDIS_KEY_PREFIX: redisPrefix,
        FEDIFLOW_API_TOKENS: token,
        FEDIFLOW_ALLOW_PRIVATE_NETWORKS: "true",
        FEDIFLOW_LOG_LEVEL: process.env.FEDIFLOW_LOG_LEVEL ?? "warn",
        // The local stack's 6 s session lets a CPU-starved consumer (2 shared cores under a
        // benchmark) miss its heartbeats and be rebalanced mid-run, which costs seconds; 15 s
        // keeps runs comparable. Overridable from the environment.
        FEDIFLOW_KAFKA_SESSION_TIMEOUT_MS: process.env.FEDIFLOW_KAFKA_SESSION_TIMEOUT_MS ?? "15000",
        FEDIFLOW_KAFKA_BROKERS: process.env.FEDIFLOW_KAFKA_BROKERS ?? "",
        ...env,
      },
      onLine: (name, line) => appendFileSync(logFile, `[${name}] ${line}\n`),
      onKafkaLog: (line) => appendFileSync(logFile, `[kafka] ${line}\n`),
    });
    return new FediflowStack(stack, token, redisPrefix);
  }

  async registerActor(id: string, keyId: string, privateKeyPem: string, followers: Follower[]): Promise<void> {
    await this.client.registerActor({ id, keyId, privateKeyPem });
    // The API takes up to 10,000 followers per call.
    for (let i = 0; i < followers.length; i += 10_000)
      await this.client.updateFollowers({ actor: id, add: followers.slice(i, i + 10_000) });
  }

  /** Submits an activity to every follower; resolves at the 202 with its time. */
  async submit(actor: string, activity: BenchActivity): Promise<{ id: string; acceptedAt: number }> {
    const accepted = await this.client.submitActivity({ actor, activity, audience: { followers: true } });
    return { id: accepted.id, acceptedAt: Date.now() };
  }

  /** CPU seconds so far, per process. */
  cpu(): Map<string, number> {
    return new Map([...this.stack.processes].map(([name, child]) => [name, cpuSeconds(child.pid!)]));
  }

  /**
   * The broker's processes: those of the stack's own Kafka, or with FEDIFLOW_KAFKA_BROKERS (a
   * test run's shared Kafka) whatever listens on a loopback broker's port.
   */
  kafkaPids(): number[] {
    if (this.stack.kafka) return this.stack.kafka.pids();
    const local = this.stack.kafkaBrokers.filter((broker) => /^(127\.|localhost:|\[::1\])/.test(broker));
    const pids = local.map((broker) => pidListeningOn(Number(broker.slice(broker.lastIndexOf(":") + 1))));
    return [...new Set(pids.filter((pid): pid is number => pid !== null))];
  }

  get redisUrl(): string {
    return this.stack.env.FEDIFLOW_REDIS_URL ?? "redis://127.0.0.1:6379";
  }

  peakRss(): Map<string, number> {
    return new Map([...this.stack.processes].map(([name, child]) => [name, peakRssMb(child.pid!)]));
  }

  /** The /metrics address of one of the processes (e.g. "delivery"). */
  metricsUrl(process: string): string {
    return `${this.stack.opsUrl(process)}/metrics`;
  }

  async stop(): Promise<void> {
    await this.stack.stop();
    await forgetKeys(this.redisUrl, this.redisPrefix);
  }
}

export const benchLogFile = path.join(repositoryRoot, ".local", "bench", "services.log");
