import { followersOf } from "./audience";
import type { BenchWorld } from "./bench-world";
import { sampleDeliveryGauges } from "./delivery-gauges";
import { benchLogFile, FediflowStack } from "./fediflow-stack";
import type { HostileMix } from "./fediverse-shape";
import { inHostileFediverse } from "./hostile-scene";
import { receiptsOf } from "./receipts";
import type { SystemRun } from "./results";
import { SupportCpu } from "./support-cpu";
import { runSteadyStream, type StreamStep } from "./steady-stream";
import { describeRun, measureRun } from "./system-run";

export interface FediflowOptions {
  databaseUrl: string;
  budgetMs: number;
  /** S2's rate steps (activities/s); empty: no S2. */
  streamRates: number[];
  streamStepSeconds: number;
  /** S3's mix of hostile hosts; null: no S3. */
  hostile: HostileMix | null;
  latencyMs: [number, number];
  seed: number;
  /** Settings over the defaults (a lever's). */
  env?: Record<string, string>;
}

export interface FediflowResults {
  runs: SystemRun[];
  stream: StreamStep[];
  /** CPU-s per wall second each process uses with nothing to do. */
  idleByProcess: Record<string, number>;
  /** The same for what FediFlow needs besides itself: its database's backends, the broker, Redis. */
  idleSupportByProcess: Record<string, number>;
  /** S1's makespan over only the inboxes that were healthy in S3 (S3's baseline). */
  s1MakespanForS3Healthy: number | null;
}

const idleSampleMs = 5_000;

/** FediFlow's part of a run: S1, then S2 and S3 on the same stack and followers. */
export async function runFediflow(world: BenchWorld, options: FediflowOptions): Promise<FediflowResults> {
  const { fediverse, hosts, shaped, actor, say } = world;
  const runs: SystemRun[] = [];
  let stream: StreamStep[] = [];
  let s1MakespanForS3Healthy: number | null = null;
  const stack = await FediflowStack.start(options.databaseUrl, benchLogFile, options.env);
  const support = await SupportCpu.start({
    databaseUrl: options.databaseUrl,
    redisUrl: stack.redisUrl,
    kafkaPids: () => stack.kafkaPids(),
  });
  try {
    await stack.registerActor(actor, world.keyId, world.privateKeyPem, followersOf(hosts, shaped.followersPerHost));
    // What the five processes burn doing nothing (pollers, heartbeats, telemetry), so the
    // report can show the CPU per delivery with and without it.
    const idleFrom = Object.fromEntries(stack.cpu());
    const idleSupportFrom = support.cpu();
    await new Promise((resolve) => setTimeout(resolve, idleSampleMs));
    const idleTo = Object.fromEntries(stack.cpu());
    const idleSupportTo = support.cpu();
    const perSecond = (to: Record<string, number>, from: Record<string, number>) =>
      Object.fromEntries(Object.keys(to).map((name) => [name, (to[name]! - (from[name] ?? 0)) / (idleSampleMs / 1000)]));
    const idleByProcess = perSecond(idleTo, idleFrom);
    const idleSupportByProcess = perSecond(idleSupportTo, idleSupportFrom);
    say(
      `  FediFlow idle: ${Object.values(idleByProcess)
        .reduce((a, b) => a + b, 0)
        .toFixed(3)} CPU-s per second over its five processes, ${Object.values(idleSupportByProcess)
        .reduce((a, b) => a + b, 0)
        .toFixed(3)} more for PostgreSQL, the broker and Redis`,
    );

    const submitted = new Map<string, { activityId: string; acceptedAt: number }>();
    const deliverOnce = async (scenario: string, expected: Set<string>) => {
      const activity = world.activityFor(scenario);
      const cpuAtStart = Object.fromEntries(stack.cpu());
      const { acceptedAt } = await stack.submit(actor, activity);
      say(`  FediFlow ${scenario}: 202 Accepted, ${expected.size} healthy inboxes to reach`);
      submitted.set(scenario, { activityId: activity.id, acceptedAt });
      const gauges = sampleDeliveryGauges(stack.metricsUrl("delivery"));
      const run = await measureRun(fediverse, {
        system: "FediFlow",
        scenario,
        activityId: activity.id,
        expected,
        handedOverAt: acceptedAt,
        budgetMs: options.budgetMs,
        cpu: () => Object.fromEntries(stack.cpu()),
        cpuAtStart,
        supportCpu: () => support.cpu(),
        peakRss: () => Object.fromEntries(stack.peakRss()),
        say,
      });
      run.deliveryGauges = await gauges.stop();
      runs.push(run);
      say(describeRun(run));
    };

    await deliverOnce("S1", new Set(world.allInboxes));
    // S2 before S3: after S3, FediFlow rightly holds the hostile hosts as failing or dead.
    if (options.streamRates.length > 0) {
      stream = await runSteadyStream(stack, fediverse, {
        rates: options.streamRates,
        inboxesPerActivity: 20,
        stepSeconds: options.streamStepSeconds,
        drainMs: 5_000,
        backlogMs: 120_000,
        inboxes: world.allInboxes,
        actor,
        say,
      });
    }
    if (options.hostile) {
      const scene = { mix: options.hostile, latencyMs: options.latencyMs, seed: options.seed };
      await inHostileFediverse(world, scene, async (healthyInS3) => {
        await deliverOnce("S3", healthyInS3);
        // The fair baseline for S3: how long S1 took to reach the very inboxes healthy in S3.
        const s1 = submitted.get("S1")!;
        s1MakespanForS3Healthy = (receiptsOf(fediverse, s1.activityId, healthyInS3, s1.acceptedAt).latenciesMs.at(-1) ?? 0) / 1000;
        say(`  S1 reached S3's healthy inboxes in ${s1MakespanForS3Healthy.toFixed(2)} s`);
      });
    }
    return { runs, stream, idleByProcess, idleSupportByProcess, s1MakespanForS3Healthy };
  } finally {
    await support.stop();
    await stack.stop();
  }
}
