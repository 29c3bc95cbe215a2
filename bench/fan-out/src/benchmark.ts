import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { topics } from "@fediflow/contracts";
import { TopicProducer, createKafka } from "@fediflow/kafka";
import { kafkaWithTopics } from "@fediflow/kafka-cluster";
import { createLogger } from "@fediflow/logging";
import type { AudienceShape } from "./audience-shape";
import { FanOutProcess, cpuSeconds, residentSet } from "./fan-out-process";
import { publishedDeliveries, type PublishedDeliveries } from "./published-deliveries";
import { crashRun, type CrashResult } from "./crash-run";
import { kafkaFloor, postgresFloor, type StageTime } from "./stage-floors";
import { benchActor, dropAudience, seededAudience, storeActivity } from "./seed-audience";

export interface BenchmarkOptions extends AudienceShape {
  /** Activities fanned out one after the other to the same audience. */
  runs: number;
  /** Read the deliveries topic afterwards and check every inbox was published once. */
  verify: boolean;
  /** PostgreSQL server (the benchmark creates its own database there). */
  serverUrl?: string;
  /** Also time PostgreSQL and Kafka alone (the floors a fan-out cannot go under), with these Kafka chunk sizes. */
  floors?: number[];
  /** After the runs, kill -9 the fan-out half way through one more activity and measure what a new process republishes. */
  crash?: boolean;
  /** Drop the seeded database afterwards (default: keep it for the next run). */
  dropDatabase?: boolean;
  /** Extra environment for the fan-out process (FEDIFLOW_FANOUT_*, NODE_OPTIONS=--cpu-prof ...). */
  env?: NodeJS.ProcessEnv;
  onLine?(line: string): void;
}

export interface RunResult {
  activityId: string;
  inboxes: number;
  messages: number;
  /** As the service measured it: taking the activity to fixing its total. */
  serviceMs: number | null;
  /** From publishing the activity message to the completion log line (adds consumer fetch latency). */
  wallMs: number;
  inboxesPerSecond: number;
  /** CPU seconds the fan-out process used during the run (user + system). */
  cpuSeconds: number;
  deliveries: PublishedDeliveries | null;
}

export interface BenchmarkResult {
  shape: AudienceShape;
  targets: number;
  hosts: number;
  seededMs: number | null;
  runs: RunResult[];
  /** Peak resident set of the fan-out process over its whole life (VmHWM), MB. */
  peakRssMb: number;
  /** Resident set at the end, MB. */
  endRssMb: number;
  /** V8 heap and memory outside it at the end, MB, from the service's /metrics. */
  heap: Record<string, number>;
  /** PostgreSQL and Kafka alone, measured in the benchmark process after the runs. */
  floors?: { postgres: StageTime & { targets: number }; kafka: Array<StageTime & { chunk: number; messages: number }> };
  crash?: CrashResult;
  /** The machine is shared: the load average at the end says how much the figures can be trusted. */
  environment: { node: string; cpus: number; loadAverage: number[] };
}

/** The memory gauges of prom-client's default metrics, in MB. */
function heapOf(metrics: string): Record<string, number> {
  const heap: Record<string, number> = {};
  for (const name of ["nodejs_heap_size_total_bytes", "nodejs_heap_size_used_bytes", "nodejs_external_memory_bytes"]) {
    const match = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, "m").exec(metrics);
    if (match) heap[name.replace(/^nodejs_|_bytes$/g, "")] = Math.round(Number(match[1]) / (1 << 20));
  }
  return heap;
}

/**
 * Fans out `runs` activities, one at a time, to a seeded audience with the real fan-out
 * service against PostgreSQL, Redis and Apache Kafka, and measures each.
 */
export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const keyEncryptionKey = randomBytes(32);
  const serverUrl = options.serverUrl ?? process.env.FEDIFLOW_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const audience = await seededAudience(serverUrl, options, keyEncryptionKey);
  const broker = await kafkaWithTopics("bench-fan-out");
  const logger = createLogger("bench-fan-out", "warn");
  const kafka = createKafka({ brokers: broker.brokers, clientId: "bench-fan-out", namespace: broker.namespace, logger });
  let fanOut: FanOutProcess | undefined;
  let producer: TopicProducer | undefined;
  try {
    const env: NodeJS.ProcessEnv = {
      FEDIFLOW_DATABASE_URL: audience.url,
      FEDIFLOW_KAFKA_BROKERS: broker.brokers.join(","),
      FEDIFLOW_KAFKA_NAMESPACE: broker.namespace,
      FEDIFLOW_KAFKA_SESSION_TIMEOUT_MS: "6000",
      FEDIFLOW_KAFKA_HEARTBEAT_INTERVAL_MS: "1000",
      FEDIFLOW_REDIS_KEY_PREFIX: `bench-fan-out-${randomBytes(4).toString("hex")}:`,
      FEDIFLOW_KEY_ENCRYPTION_KEY: keyEncryptionKey.toString("base64"),
      FEDIFLOW_LOG_LEVEL: "info",
      // A killed process's lease runs out quickly, so the crash run does not wait 15 s.
      ...(options.crash ? { FEDIFLOW_FANOUT_LEASE_MS: "3000" } : {}),
      ...options.env,
    };
    fanOut = await FanOutProcess.start(env, options.onLine);
    producer = await TopicProducer.connect(kafka);
    const runs: RunResult[] = [];
    for (let run = 0; run < options.runs; run += 1) {
      const activity = await storeActivity(audience.pool);
      const done = fanOut.completion(activity.id);
      const cpuBefore = cpuSeconds(fanOut.pid);
      const started = performance.now();
      await producer.send(topics.activities, [
        {
          key: activity.objectId,
          value: { activityId: activity.id, actorId: benchActor, activityType: "Create", objectId: activity.objectId },
        },
      ]);
      const logged = await done;
      const wallMs = performance.now() - started;
      const cpu = cpuSeconds(fanOut.pid) - cpuBefore;
      const ms = logged.durationMs ?? wallMs;
      runs.push({
        activityId: activity.id,
        inboxes: logged.inboxes,
        messages: logged.messages,
        serviceMs: logged.durationMs,
        wallMs: Math.round(wallMs),
        inboxesPerSecond: Math.round((logged.inboxes / ms) * 1000),
        cpuSeconds: Math.round(cpu * 100) / 100,
        deliveries: null,
      });
    }
    const rss = residentSet(fanOut.pid);
    const heap = heapOf(await fanOut.metrics());
    let floors: BenchmarkResult["floors"];
    if (options.floors) {
      const messages = runs[0]?.messages ?? 0;
      const averageInboxes = Math.max(1, Math.round((runs[0]?.inboxes ?? 0) / Math.max(messages, 1)));
      floors = {
        postgres: await postgresFloor(audience.pool, benchActor, Number(options.env?.FEDIFLOW_FANOUT_PAGE_SIZE ?? 5000)),
        kafka: [],
      };
      for (const chunk of options.floors)
        floors.kafka.push({ chunk, messages, ...(await kafkaFloor(kafka, messages, averageInboxes, chunk)) });
    }
    if (options.verify) {
      for (const run of runs) run.deliveries = await publishedDeliveries(kafka, run.activityId, run.messages);
    }
    let crash: CrashResult | undefined;
    if (options.crash) {
      const window = Number(env.FEDIFLOW_FANOUT_CHECKPOINT_MESSAGES ?? 200);
      const outcome = await crashRun({
        pool: audience.pool,
        producer,
        kafka,
        fanOut,
        restart: () => FanOutProcess.start(env, options.onLine),
        targets: audience.targets,
        window,
      });
      fanOut = outcome.fanOut;
      crash = outcome.result;
    }
    return {
      shape: { followers: options.followers, hosts: options.hosts, personalHosts: options.personalHosts },
      targets: audience.targets,
      hosts: audience.hosts,
      seededMs: audience.seededMs,
      runs,
      peakRssMb: Math.round(rss.peakMb),
      heap,
      floors,
      crash,
      endRssMb: Math.round(rss.currentMb),
      environment: { node: process.version, cpus: cpus().length, loadAverage: loadavg().map((n) => Math.round(n * 10) / 10) },
    };
  } finally {
    await producer?.disconnect();
    await fanOut?.stop();
    await audience.pool.end();
    await broker.stop();
    if (options.dropDatabase) await dropAudience(serverUrl, options);
  }
}
