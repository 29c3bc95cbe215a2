import { loadavg } from "node:os";
import path from "node:path";
import { runBenchmark as runFanOut } from "@fediflow/bench-fan-out/dist/benchmark";
import { repositoryRoot } from "@fediflow/local-stack";
import { issueHostileMix } from "./fediverse-shape";
import type { Lever } from "./lever";
import type { PeerName } from "./peers/peer-job";
import { writeReport } from "./report";
import type { BenchResults } from "./results";
import { runSameRun } from "./same-run";

export interface BenchmarkOptions {
  /** 1 is issue 8's S1: 50,000 followers on 5,000 hosts; 0.1 is a tenth of both. */
  scale: number;
  hostile: boolean;
  peers: PeerName[];
  peerConcurrency: number;
  budgetMs: number;
  naiveBudgetMs: number;
  /** S2's rate steps in activities/s (each to 20 inboxes); empty: no S2. */
  streamRates: number[];
  streamStepSeconds: number;
  /** Also run bench/fan-out's S4 (one activity to 1,000,000 followers on 30,000 hosts). */
  fanOut: boolean;
  /** Share of hosts with a shared inbox (issue 8: 0.7). */
  sharedInboxShare: number;
  /** Run the peers before FediFlow (default after). */
  peersFirst: boolean;
  /** Settings to measure against FediFlow's defaults in the same run. */
  levers: Lever[];
  /** File names under bench/results/: <name>.json, .md, .svg. */
  name: string;
  say(line: string): void;
}

export const resultsDirectory = path.join(repositoryRoot, "bench", "results");

export async function runBenchmark(options: BenchmarkOptions): Promise<{ results: BenchResults; files: string[] }> {
  const shape = {
    hosts: Math.max(10, Math.round(5_000 * options.scale)),
    followers: Math.max(100, Math.round(50_000 * options.scale)),
    sharedInboxShare: options.sharedInboxShare,
    latencyMs: [5, 80] as [number, number],
    seed: 8,
  };
  options.say(
    `FediFlow benchmark: S1${options.hostile ? " + S3" : ""} at scale ${options.scale}, peers: ${options.peers.join(", ") || "none"}`,
  );
  const sameRun = await runSameRun({
    shape,
    fediflow: {
      databaseUrl: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/fediflow_bench_harness",
      budgetMs: options.budgetMs,
      streamRates: options.streamRates,
      streamStepSeconds: options.streamStepSeconds,
      hostile: options.hostile ? issueHostileMix : null,
    },
    peers: {
      peers: options.peers,
      concurrency: options.peerConcurrency,
      budgetMs: options.budgetMs,
      naiveBudgetMs: options.naiveBudgetMs,
      redisUrl: process.env.FEDIFLOW_REDIS_URL ?? "redis://127.0.0.1:6379",
      hostile: options.hostile ? { mix: issueHostileMix, latencyMs: shape.latencyMs, seed: shape.seed } : null,
    },
    peersFirst: options.peersFirst,
    levers: options.levers,
    say: options.say,
  });
  let fanOut: unknown = null;
  if (options.fanOut) {
    // S4 is bench/fan-out's measurement, reused as it is.
    options.say("  S4: bench/fan-out, 1,000,000 followers on 30,000 hosts, 10% without a shared inbox");
    try {
      fanOut = await runFanOut({ followers: 1_000_000, hosts: 30_000, personalHosts: 0.1, runs: 2, verify: false });
    } catch (error) {
      // The other scenarios' figures stand on their own: report S4's failure beside them.
      fanOut = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  const results: BenchResults = {
    at: new Date().toISOString(),
    sizes: { ...shape, scale: options.scale },
    loadAverage: loadavg(),
    floor: sameRun.floor,
    runs: sameRun.runs,
    stream: sameRun.stream,
    fediflowIdleCpuPerSecond: Object.values(sameRun.idleByProcess).reduce((a, b) => a + b, 0),
    fediflowIdleByProcess: sameRun.idleByProcess,
    fediflowIdleSupportByProcess: sameRun.idleSupportByProcess,
    s1MakespanForS3Healthy: sameRun.s1MakespanForS3Healthy,
    fanOut,
    levers: sameRun.levers,
    notes: [
      ...sameRun.notes,
      `Order: ${options.peersFirst ? "peers, then FediFlow" : "FediFlow, then the peers"}. Peers ran with ${options.peerConcurrency} requests in flight (Fedify: ParallelMessageQueue workers, BullMQ: Worker concurrency); FediFlow with its defaults (8 per host, 512 per process).`,
      "CPU-s per 1,000 counts a system's own processes (FediFlow: its five services); the next column adds what it needs: FediFlow's database backends, broker and Redis, BullMQ's Redis.",
    ],
  };
  return { results, files: writeReport(resultsDirectory, options.name, results) };
}
