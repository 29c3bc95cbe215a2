import { generateKeyPairSync, randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { FediFlowClient, type SubmitActivity } from "@fediflow/client";
import { FakeFediverse, type FakeFediverseOptions } from "@fediflow/fake-fediverse";
import { startStack, type RunningStack, type StackOptions } from "@fediflow/local-stack";
import { createScratchDatabase, type ScratchDatabase } from "@fediflow/postgres";
import { createKafka, type Kafka } from "@fediflow/kafka";
import { createLogger } from "@fediflow/logging";
import { waitFor } from "./wait";

export interface TestStackOptions extends Omit<StackOptions, "onLine" | "env"> {
  fediverse?: FakeFediverseOptions;
  env?: NodeJS.ProcessEnv;
  /** FEDIFLOW_API_TOKENS entries beside the stack's own admin token (`app:NAME=T`, `operator=T`). */
  tokens?: string[];
  database?: {
    /** Server to create the scratch database on (default: this machine's PostgreSQL). */
    server?: string;
    /** The URL services use for the scratch database (e.g. through PgBouncer); default direct. */
    serviceUrl?(directUrl: string, name: string): string;
    /** A read replica's URL for the scratch database, as FEDIFLOW_DATABASE_READ_URL. */
    readUrl?(directUrl: string, name: string): string;
  };
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface LocalActor {
  id: string;
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * The real stack for one test file: a scratch database, its own Redis key prefix, its own
 * Kafka namespace on the test run's cluster (or a cluster of its own with `kafkaNodes`), its
 * own ports, a fake fediverse, and service logs in a file (printed path on failure).
 */
export class TestStack {
  /** The typed client (@fediflow/client) on this stack's ingress; `api` stays for raw HTTP checks. */
  readonly client: FediFlowClient;

  private constructor(
    readonly token: string,
    readonly stack: RunningStack,
    readonly fediverse: FakeFediverse,
    readonly database: ScratchDatabase,
    readonly db: pg.Pool,
    readonly logFile: string,
    readonly redisPrefix: string,
  ) {
    this.client = new FediFlowClient({ baseUrl: stack.ingressUrl, token });
  }

  static async start(options: TestStackOptions = {}): Promise<TestStack> {
    const database = await createScratchDatabase(options.database?.server, "fediflow_e2e");
    const fediverse = await FakeFediverse.start(options.fediverse ?? { hosts: 3 });
    const logDirectory = path.join(os.tmpdir(), "fediflow-e2e");
    mkdirSync(logDirectory, { recursive: true });
    const logFile = path.join(logDirectory, `${database.name}.log`);
    const redisPrefix = `${database.name}:`;
    const token = randomBytes(16).toString("hex");
    // The run's shared Kafka (found by startStack through FEDIFLOW_TEST_KAFKA_BROKERS, which
    // tools/kafka's globalSetup sets) unless the test needs several nodes to kill one.
    const ownKafka = options.kafkaNodes !== undefined;
    let stack: RunningStack;
    try {
      stack = await startStack({
        ...options,
        ingressPort: 0,
        kafkaNamespace: ownKafka ? "" : `${database.name}.`,
        env: {
          FEDIFLOW_DATABASE_URL: options.database?.serviceUrl?.(database.url, database.name) ?? database.url,
          ...(options.database?.readUrl ? { FEDIFLOW_DATABASE_READ_URL: options.database.readUrl(database.url, database.name) } : {}),
          FEDIFLOW_REDIS_KEY_PREFIX: redisPrefix,
          FEDIFLOW_API_TOKENS: [token, ...(options.tokens ?? [])].join(","),
          FEDIFLOW_ALLOW_PRIVATE_NETWORKS: "true",
          FEDIFLOW_KEY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
          FEDIFLOW_LOG_LEVEL: "info",
          // Several stacks may share this machine's PostgreSQL (max_connections 100).
          FEDIFLOW_DATABASE_POOL_SIZE: "4",
          // Black holes would otherwise hold every stop for the full default grace.
          FEDIFLOW_DELIVERY_SHUTDOWN_GRACE_MS: "5000",
          ...options.env,
        },
        onLine: (name, line) => appendFileSync(logFile, `[${name}] ${line}\n`),
        onKafkaLog: (line) => appendFileSync(logFile, `[kafka] ${line}\n`),
      });
    } catch (error) {
      await fediverse.stop();
      await database.drop();
      throw new Error(`${(error as Error).message}\n(logs: ${logFile})`);
    }
    const db = new pg.Pool({ connectionString: database.url, max: 4 });
    // pg-pool's end() resolves before its connections are closed, so the drop's forced
    // termination can reach one of them: an error on a pool being closed is of no interest.
    db.on("error", () => undefined);
    return new TestStack(token, stack, fediverse, database, db, logFile, redisPrefix);
  }

  /** A Kafka client in this stack's namespace, to look at its topics. */
  kafka(): Kafka {
    return createKafka({
      brokers: this.stack.kafkaBrokers,
      clientId: `e2e-${randomBytes(4).toString("hex")}`,
      namespace: this.stack.kafkaNamespace,
      logger: createLogger("e2e-kafka", "error"),
    });
  }

  async stop(): Promise<void> {
    await this.stack.stop();
    await this.fediverse.stop();
    await this.db.end();
    await this.database.drop();
  }

  /** Calls the public API with the bearer token (unless headers say otherwise). */
  async api<T = Record<string, unknown>>(
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.stack.ingressUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /** Registers a local actor with a fresh RSA key that the fake fediverse trusts. */
  async registerActor(name = "alice"): Promise<LocalActor> {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const id = `https://local.example/users/${name}`;
    const actor = {
      id,
      keyId: `${id}#main-key`,
      privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
    await this.client.registerActor({ id: actor.id, keyId: actor.keyId, privateKeyPem: actor.privateKeyPem });
    this.fediverse.trustKey(actor.keyId, actor.publicKeyPem);
    return actor;
  }

  /** Waits until an activity's status reaches done and returns it. */
  async waitUntilDone(id: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return waitFor(
      `activity ${id} done`,
      async () => {
        const status = await this.client.activityStatus(id);
        return status.state === "done" ? (status as unknown as Record<string, unknown>) : undefined;
      },
      timeoutMs,
      200,
    );
  }

  async count(table: string): Promise<number> {
    const result = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return result.rows[0]!.n;
  }
}

/** A Create of a Note by the actor, with a unique id. */
export function createNote(actor: string, text = "hello fediverse"): SubmitActivity["activity"] {
  const id = randomBytes(6).toString("hex");
  return {
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${actor}/activities/${id}`,
    type: "Create",
    actor,
    object: { id: `${actor}/notes/${id}`, type: "Note", attributedTo: actor, content: text },
  };
}
