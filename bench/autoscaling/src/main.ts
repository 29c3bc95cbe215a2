#!/usr/bin/env node
// Autoscaling (issue 11): a viral post to followers with personal inboxes on many hosts that
// answer in 30-300 ms, once with one fixed delivery process and once with the local HPA model
// (the chart's behaviour, controller clock 20x faster) scaling delivery on consumer lag.
// `pnpm --filter @fediflow/bench-autoscaling bench` (full) or `... test` (smoke: checks it works).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { topics } from "@fediflow/contracts";
import { TestStack, createNote } from "@fediflow/e2e";
import { LocalAutoscaler, type ScalingSample } from "@fediflow/local-stack";
import { scalingChart } from "./chart";
import { perSecond, timeline, type TimelinePoint } from "./timeline";

const smoke = process.argv.includes("--smoke");
const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const hostCount = Number(flag("--hosts") ?? (smoke ? 100 : 1500));
const only = flag("--only");
const followersPerHost = smoke ? 4 : 8;
const speedup = 20;
// A pod's share of the work is bounded by its caps; these model a CPU-limited pod on a machine
// whose two cores the whole stack and the fake fediverse share (docs/scaling.md, per-pod caps).
const requestsInFlightPerProcess = 48;

interface RunResult {
  mode: "fixed" | "autoscaled";
  inboxes: number;
  deliveriesPerSecond: number;
  drainSeconds: number;
  /** From the post to the sync that decided to scale out. */
  scaleOutDecidedSeconds: number | null;
  /** From the post to the first sync that found the new processes running (started, joined, ready). */
  timeToScaleOutSeconds: number | null;
  peakReplicas: number;
  backToMinimumSeconds: number | null;
  duplicates: number;
  timeline: TimelinePoint[];
}

async function run(mode: RunResult["mode"]): Promise<RunResult> {
  const t = await TestStack.start({
    fediverse: {
      hosts: Array.from({ length: hostCount }, () => ({ sharedInbox: false, behaviour: { kind: "ok" as const, latencyMs: [30, 300] as [number, number] } })),
    },
    env: {
      FEDIFLOW_DELIVERY_CONCURRENCY: String(requestsInFlightPerProcess),
      FEDIFLOW_DELIVERY_MAX_IN_FLIGHT_MESSAGES: "100",
      FEDIFLOW_DELIVERY_SHUTDOWN_GRACE_MS: "10000",
    },
  });
  const samples: ScalingSample[] = [];
  const autoscaler =
    mode === "autoscaled"
      ? new LocalAutoscaler({
          stack: t.stack,
          service: "delivery",
          partitions: topics.deliveries.partitions,
          speedup,
          overrides: {
            minReplicas: 1,
            maxReplicas: 4,
            targetCPUUtilizationPercentage: undefined,
            // The chart's 60 s of lag, on the controller's clock 20x faster.
            consumerLag: { enabled: true, metricName: "fediflow_consumer_lag_seconds", target: { type: "Value", value: String(60 / speedup) } },
          },
          onSample: (sample) => samples.push(sample),
        })
      : null;
  try {
    const actor = await t.registerActor("viral");
    const followers = t.fediverse.hosts.flatMap((host) =>
      Array.from({ length: followersPerHost }, (_, k) => ({ id: host.actorOf(`f${k}`), inbox: host.inboxOf(`f${k}`) })),
    );
    for (let i = 0; i < followers.length; i += 2_000) {
      await t.client.updateFollowers({ actor: actor.id, add: followers.slice(i, i + 2_000) });
    }
    autoscaler?.start();
    const accepted = await t.client.submitActivity({ actor: actor.id, activity: createNote(actor.id, "viral"), audience: { followers: true } });
    const start = Date.now();
    const status = await t.waitUntilDone(accepted.id, Number(flag("--timeout-s") ?? 600) * 1000).catch(async (error: unknown) => {
      const now = await t.client.activityStatus(accepted.id);
      const waiting = await t.db.query("SELECT partition, lane, head, reason, due_at, claimed_until, job->'inboxes' AS inboxes FROM delivery_schedule");
      process.stdout.write(`schedule: ${JSON.stringify(waiting.rows)}\n`);
      for (const [name, proc] of t.stack.processes) {
        if (proc.options.service !== "delivery" || !proc.running) continue;
        const text = await (await fetch(`${t.stack.opsUrl(name)}/metrics`)).text();
        const lines = text.split("\n").filter((line) => /^fediflow_(consumer_lag_messages|delivery_in_flight|consumer_messages_total)/.test(line) && !/ 0$/.test(line));
        process.stdout.write(`${name}: ${lines.join(" | ")}\n`);
      }
      throw new Error(`${String(error)}; status ${JSON.stringify(now)}; logs in ${t.logFile}`);
    });
    const counts = status.inboxes as Record<string, number>;
    if (counts.delivered !== followers.length) throw new Error(`${counts.delivered} of ${followers.length} inboxes delivered: ${JSON.stringify(counts)}`);
    const receipts = t.fediverse
      .allReceived()
      .filter((post) => post.status === 202)
      .map((post) => post.receivedAt);
    const drainedAt = Math.max(...receipts);
    let backToMinimumSeconds: number | null = null;
    if (autoscaler) {
      const deadline = Date.now() + 240_000;
      while (samples.at(-1)?.replicas !== 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      if (samples.some((s) => s.replicas > 1) && samples.at(-1)?.replicas === 1) backToMinimumSeconds = (samples.at(-1)!.at - start) / 1000;
      await autoscaler.stop();
    }
    const scaledOut = samples.find((s) => s.at >= start && s.replicas > 1);
    const decided = samples.find((s) => s.at >= start && s.desired > s.replicas);
    const rate = perSecond(receipts, start, Math.max(drainedAt, samples.at(-1)?.at ?? 0) + 1);
    return {
      mode,
      inboxes: followers.length,
      deliveriesPerSecond: receipts.length / ((drainedAt - start) / 1000),
      drainSeconds: (drainedAt - start) / 1000,
      scaleOutDecidedSeconds: decided ? (decided.at - start) / 1000 : null,
      timeToScaleOutSeconds: scaledOut ? (scaledOut.at - start) / 1000 : null,
      peakReplicas: Math.max(1, ...samples.map((s) => s.replicas)),
      backToMinimumSeconds,
      duplicates: receipts.length - followers.length,
      timeline: timeline(samples, rate, start, autoscaler ? null : 1),
    };
  } finally {
    await autoscaler?.stop();
    await t.stop();
  }
}

const seconds = (value: number | null) => (value === null ? "–" : `${value.toFixed(1)} s`);

async function main(): Promise<void> {
  const say = (text: string) => process.stdout.write(`${text}\n`);
  say(`autoscaling: 1 activity to ${hostCount * followersPerHost} personal inboxes on ${hostCount} hosts (30-300 ms)${smoke ? " (smoke)" : ""}`);
  if (only === "autoscaled") {
    const scaled = await run("autoscaled");
    say(JSON.stringify({ ...scaled, timeline: undefined }));
    return;
  }
  const fixed = await run("fixed");
  say(`  fixed, 1 process: ${Math.round(fixed.deliveriesPerSecond)} deliveries/s, drained in ${seconds(fixed.drainSeconds)}`);
  const scaled = await run("autoscaled");
  say(
    `  autoscaled: ${Math.round(scaled.deliveriesPerSecond)} deliveries/s, drained in ${seconds(scaled.drainSeconds)}; scale-out decided after ` +
      `${seconds(scaled.scaleOutDecidedSeconds)}, running after ${seconds(scaled.timeToScaleOutSeconds)}, peak ${scaled.peakReplicas} processes, back to 1 after ${seconds(scaled.backToMinimumSeconds)}; ` +
      `${scaled.duplicates} duplicates`,
  );
  say(`  drain time autoscaled/fixed: ${(scaled.drainSeconds / fixed.drainSeconds).toFixed(2)}`);

  const results = path.join(__dirname, "../../results");
  mkdirSync(results, { recursive: true });
  const name = smoke ? "autoscaling-smoke" : "autoscaling";
  writeFileSync(path.join(results, `${name}.json`), JSON.stringify({ hostCount, followersPerHost, speedup, requestsInFlightPerProcess, runs: [fixed, scaled] }, null, 2));
  writeFileSync(path.join(results, `${name}.svg`), scalingChart(fixed.timeline, scaled.timeline));
  writeFileSync(
    path.join(results, `${name}.md`),
    [
      "| run | deliveries/s | drain | scale-out decided after | new processes running after | peak processes | back to 1 after | duplicates |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
      ...[fixed, scaled].map(
        (r) =>
          `| ${r.mode} | ${Math.round(r.deliveriesPerSecond)} | ${seconds(r.drainSeconds)} | ${seconds(r.scaleOutDecidedSeconds)} | ${seconds(r.timeToScaleOutSeconds)} | ${r.peakReplicas} | ${seconds(r.backToMinimumSeconds)} | ${r.duplicates} |`,
      ),
      "",
      `![lag, replicas and deliveries/s over time](${name}.svg)`,
      "",
    ].join("\n"),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
