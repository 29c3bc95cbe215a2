import { generateKeyPairSync, randomBytes } from "node:crypto";
import { FakeFediverse, type HostOptions } from "@fediflow/fake-fediverse";
import { cpuSeconds, peakRssMb } from "@fediflow/local-stack";
import { followersOf, foldedInboxes } from "./audience";
import { benchLogFile, FediflowStack } from "./fediflow-stack";
import { measureFloor, type Floor } from "./floor";
import { receiptsOf } from "./receipts";
import { sampleDeliveryGauges } from "./delivery-gauges";
import { hostileBehaviours, isHealthy, shapeFediverse, type FediverseShape, type HostileMix } from "./fediverse-shape";
import { fedifyInstalled, PeerProcess } from "./peers/peer-client";
import type { PeerName } from "./peers/peer-job";
import type { SystemRun } from "./results";
import { runSteadyStream, type StreamStep } from "./steady-stream";
import { measureRun } from "./system-run";

export interface ViralPostOptions {
  shape: FediverseShape;
  /** Run S3 (the same post, a hostile fediverse) after S1. */
  hostile: HostileMix | null;
  peers: PeerName[];
  peerConcurrency: number;
  /** How long any one system may take before its rate is taken from what it delivered, ms. */
  budgetMs: number;
  /** The naive loop's budget: it is too slow to finish anything large. */
  naiveBudgetMs: number;
  /** S2's rate steps (activities/s), run on the same stack between S1 and S3; empty: no S2. */
  streamRates: number[];
  streamStepSeconds: number;
  databaseUrl: string;
  redisUrl: string;
  say(line: string): void;
}

export interface ViralPostResults {
  floor: Floor;
  runs: SystemRun[];
  stream: StreamStep[];
  /** CPU-s per wall second the FediFlow processes use when idle. */
  idleCpuPerSecond: number;
  idleByProcess: Record<string, number>;
  /** S1's makespan over only the inboxes that were healthy in S3 (S3's baseline). */
  s1MakespanForS3Healthy: number | null;
  notes: string[];
}

const floorHostCount = 20;
const floorInboxesPerHost = 250;
const idleSampleMs = 5_000;
const display: Record<PeerName, string> = { fedify: "Fedify", bullmq: "BullMQ", naive: "naive loop" };

/**
 * S1 (then S2 and S3): one post to every follower on a shaped fake fediverse, first through FediFlow,
 * then through each peer handed the same folded inboxes, all signing with the same key; the
 * floor is measured first on extra hosts that answer at once.
 */
export async function runViralPost(options: ViralPostOptions): Promise<ViralPostResults> {
  const { say } = options;
  const shaped = shapeFediverse(options.shape);
  const floorHosts: HostOptions[] = Array.from({ length: floorHostCount }, () => ({ behaviour: { kind: "ok" }, sharedInbox: false }));
  const fediverse = await FakeFediverse.start({ hosts: [...shaped.hosts, ...floorHosts], network: 79, seed: options.shape.seed });
  const hosts = fediverse.hosts.slice(0, shaped.hosts.length);
  const notes: string[] = [];
  const runs: SystemRun[] = [];
  let stream: StreamStep[] = [];
  let idleCpuPerSecond = 0;
  let idleByProcess: Record<string, number> = {};
  let s1MakespanForS3Healthy: number | null = null;

  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const actor = "https://bench.example/users/alice";
  const keyId = `${actor}#main-key`;
  fediverse.trustKey(keyId, publicKey.export({ type: "spki", format: "pem" }).toString());
  const activityFor = (run: string) => {
    const id = `${actor}/activities/${run}-${randomBytes(4).toString("hex")}`;
    return { "@context": "https://www.w3.org/ns/activitystreams", id, type: "Create", actor, object: { id: `${id}/note`, type: "Note", attributedTo: actor, content: "x".repeat(600) } };
  };
  const allInboxes = foldedInboxes(hosts, shaped.followersPerHost);
  say(`  fake fediverse: ${hosts.length} hosts (+${floorHostCount} for the floor) on 127.79.x.y:${fediverse.port}, ${options.shape.followers} followers, ${allInboxes.length} inboxes after folding`);

  try {
    // 1. The floor, in its own process.
    const floorBody = JSON.stringify(activityFor("floor"));
    const inboxesByHost = Object.fromEntries(
      fediverse.hosts.slice(shaped.hosts.length).map((h) => [h.host, Array.from({ length: floorInboxesPerHost }, (_, i) => h.inboxOf(`f${i}`))]),
    );
    const floor = await measureFloor({ inboxesByHost, body: floorBody, keyId, privateKeyPem, perHost: 8, signSeconds: 2 });
    say(`  floor: ${Math.round(floor.signaturesPerSecond)} RSA-2048 signatures/s, ${Math.round(floor.postsPerSecond)} keep-alive POSTs/s → ${floor.cpuMsPerDelivery.toFixed(3)} ms CPU per delivery (${Math.round(floor.deliveriesPerCoreSecond)} per core-second)`);

    // 2. FediFlow: S1, then S3 on the same stack and followers.
    const stack = await FediflowStack.start(options.databaseUrl, benchLogFile);
    try {
      await stack.registerActor(actor, keyId, privateKeyPem, followersOf(hosts, shaped.followersPerHost));
      // What the five processes burn doing nothing (pollers, heartbeats, telemetry), so the
      // report can show the CPU per delivery with and without it.
      const idleFrom = Object.fromEntries(stack.cpu());
      await new Promise((resolve) => setTimeout(resolve, idleSampleMs));
      const idleTo = Object.fromEntries(stack.cpu());
      idleByProcess = Object.fromEntries(Object.keys(idleTo).map((name) => [name, (idleTo[name]! - (idleFrom[name] ?? 0)) / (idleSampleMs / 1000)]));
      idleCpuPerSecond = Object.values(idleByProcess).reduce((a, b) => a + b, 0);
      say(`  FediFlow idle: ${idleCpuPerSecond.toFixed(3)} CPU-s per second over its five processes`);
      const submitted = new Map<string, { activityId: string; acceptedAt: number }>();
      const fediflowRun = async (scenario: string, expected: Set<string>) => {
        const activity = activityFor(scenario);
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
          peakRss: () => Object.fromEntries(stack.peakRss()),
          say,
        });
        run.deliveryGauges = await gauges.stop();
        return run;
      };
      runs.push(await fediflowRun("S1", new Set(allInboxes)));
      say(summary(runs.at(-1)!));
      // S2 before S3: after S3, FediFlow rightly holds the hostile hosts as failing or dead.
      if (options.streamRates.length > 0) {
        stream = await runSteadyStream(stack, fediverse, {
          rates: options.streamRates,
          inboxesPerActivity: 20,
          stepSeconds: options.streamStepSeconds,
          drainMs: 5_000,
          backlogMs: 120_000,
          inboxes: allInboxes,
          actor,
          say,
        });
      }
      if (options.hostile) {
        const behaviours = hostileBehaviours(hosts.length, options.hostile, options.shape.latencyMs, options.shape.seed + 1);
        for (const [i, host] of hosts.entries()) await fediverse.setBehaviour(host.host, behaviours[i]!);
        const healthyInS3 = new Set(foldedInboxes(hosts, shaped.followersPerHost, (h) => isHealthy(h.behaviour)));
        runs.push(await fediflowRun("S3", healthyInS3));
        say(summary(runs.at(-1)!));
        // The fair baseline for S3: how long S1 took to reach the very inboxes healthy in S3.
        const s1 = submitted.get("S1")!;
        const s1Latencies = receiptsOf(fediverse, s1.activityId, healthyInS3, s1.acceptedAt).latenciesMs;
        s1MakespanForS3Healthy = (s1Latencies.at(-1) ?? 0) / 1000;
        say(`  S1 reached S3's healthy inboxes in ${s1MakespanForS3Healthy.toFixed(2)} s`);
        for (const [i, host] of hosts.entries()) await fediverse.setBehaviour(host.host, shaped.hosts[i]!.behaviour!);
      }
    } finally {
      await stack.stop();
    }

    // 3. The peers, one at a time, on the same fediverse with the same inboxes.
    for (const name of options.peers) {
      if (name === "fedify" && !fedifyInstalled()) {
        notes.push("Fedify skipped: bench/harness/fedify-peer is not installed (see docs/performance.md)");
        say(`  ${notes.at(-1)}`);
        continue;
      }
      const activity = activityFor(`S1-${name}`);
      const peer = await PeerProcess.start(name, {
        activity,
        inboxes: allInboxes,
        keyId,
        privateKeyPem,
        concurrency: options.peerConcurrency,
        redisUrl: options.redisUrl,
      });
      try {
        const cpuAtStart = { [name]: cpuSeconds(peer.pid) };
        const handedOverAt = Date.now();
        peer.go();
        runs.push(
          await measureRun(fediverse, {
            system: display[name],
            scenario: "S1",
            activityId: activity.id,
            expected: new Set(allInboxes),
            handedOverAt,
            budgetMs: name === "naive" ? options.naiveBudgetMs : options.budgetMs,
            cpu: () => ({ [name]: cpuSeconds(peer.pid) }),
            cpuAtStart,
            peakRss: () => ({ [name]: peakRssMb(peer.pid) }),
            say,
          }),
        );
        say(summary(runs.at(-1)!));
      } finally {
        await peer.stop();
      }
    }
    return { floor, runs, stream, idleCpuPerSecond, idleByProcess, s1MakespanForS3Healthy, notes };
  } finally {
    await fediverse.stop();
  }
}

const summary = (run: SystemRun) =>
  `  ${run.system} ${run.scenario}: ${run.delivered}/${run.expected} in ${run.makespanSeconds.toFixed(2)} s${run.complete ? "" : " (budget ran out)"} = ${Math.round(run.deliveriesPerSecond)} deliveries/s, ${run.cpuSecondsPer1000.toFixed(2)} CPU-s per 1,000, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, first ${run.firstMs} ms${run.deliveryGauges ? `; delivery in flight mean ${run.deliveryGauges.inFlightMean.toFixed(0)} max ${run.deliveryGauges.inFlightMax}, lag max ${run.deliveryGauges.lagMessagesMax}, request mean ${run.deliveryGauges.requestMeanMs?.toFixed(0)} ms` : ""}; CPU-s ${Object.entries(run.cpuByProcess).map(([n, c]) => `${n} ${c.toFixed(1)}`).join(", ")}`;
