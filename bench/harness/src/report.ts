import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { checkAims } from "./aims";
import { barChart } from "./chart";
import { leverTable } from "./lever";
import type { BenchResults, SystemRun } from "./results";

const fixed = (value: number | null, digits = 0) => (value === null ? "–" : value.toFixed(digits));

export function markdownTable(results: BenchResults): string {
  const { floor } = results;
  const fediflow = results.runs.find((run) => run.system === "FediFlow" && run.scenario === "S1");
  const lines = [
    `Sizes: ${results.sizes.followers.toLocaleString("en-US")} followers on ${results.sizes.hosts.toLocaleString("en-US")} hosts (scale ${results.sizes.scale}), ${Math.round(results.sizes.sharedInboxShare * 100)}% with a shared inbox, healthy latency ${results.sizes.latencyMs[0]}–${results.sizes.latencyMs[1]} ms; load average at the end ${results.loadAverage.map((l) => l.toFixed(1)).join(", ")}.`,
    "",
    `Floor (same run, one core): ${Math.round(floor.signaturesPerSecond)} RSA-2048 signatures/s, ${Math.round(floor.postsPerSecond)} keep-alive POSTs/s, ${floor.cpuMsPerDelivery.toFixed(3)} ms CPU per delivery = ${floor.cpuMsPerDelivery.toFixed(2)} CPU-s per 1,000.`,
    "",
    "| system | scenario | healthy inboxes delivered | makespan (s) | deliveries/s | CPU-s per 1,000 | CPU-s per 1,000, with all it needs | × floor CPU | first (ms) | p50 (ms) | p99 (ms) | requests | bad signatures | peak RSS (MB) | FediFlow ÷ this (deliveries/s) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...results.runs.map((run: SystemRun) =>
      [
        run.system,
        run.scenario,
        `${run.delivered} / ${run.expected}${run.complete ? "" : " (budget)"}`,
        fixed(run.makespanSeconds, 2),
        fixed(run.deliveriesPerSecond),
        fixed(run.cpuSecondsPer1000, 2),
        fixed(run.cpuSecondsPer1000All, 2),
        fixed(run.cpuSecondsPer1000 / floor.cpuMsPerDelivery, 2),
        fixed(run.firstMs),
        fixed(run.p50Ms),
        fixed(run.p99Ms),
        String(run.requests),
        String(run.badSignatures),
        Object.entries(run.peakRssMb)
          .map(([name, mb]) => `${name} ${mb}`)
          .join(", "),
        fediflow && run.scenario === "S1" && run !== fediflow ? `${fixed(fediflow.deliveriesPerSecond / run.deliveriesPerSecond, 1)}×` : "",
      ]
        .join(" | ")
        .replace(/^/, "| ")
        .concat(" |"),
    ),
    "",
    ...results.runs
      .filter((run) => run.deliveryGauges)
      .map(
        (run) =>
          `- FediFlow ${run.scenario}, the delivery process's gauges: ${run.deliveryGauges!.inFlightMean.toFixed(0)} requests in flight on average (max ${run.deliveryGauges!.inFlightMax}), consumer lag up to ${run.deliveryGauges!.lagMessagesMax} messages, ${fixed(run.deliveryGauges!.requestMeanMs)} ms per request on average`,
      ),
    "",
    ...results.runs
      .filter((run) => run.fakeFediverse)
      .map(
        (run) =>
          `- The fake fediverse (harness process) during ${run.system} ${run.scenario}: ${run.fakeFediverse!.cpuSeconds.toFixed(1)} CPU-s (${(run.fakeFediverse!.cpuSeconds / run.makespanSeconds).toFixed(2)} of a core), event-loop delay p99 ${run.fakeFediverse!.eventLoopDelayP99Ms.toFixed(0)} ms`,
      ),
    "",
    "Answers the fake fediverse gave each system (status: requests; 0 = never answered):",
    "",
    ...results.runs.map(
      (run) =>
        `- ${run.system} ${run.scenario}: ${Object.entries(run.statuses)
          .map(([status, n]) => `${status}: ${n}`)
          .join(", ")}`,
    ),
    "",
    `CPU seconds per process during each run (FediFlow idle: ${results.fediflowIdleCpuPerSecond.toFixed(3)} CPU-s per second — ${Object.entries(
      results.fediflowIdleByProcess ?? {},
    )
      .map(([name, rate]) => `${name} ${rate.toFixed(3)}`)
      .join(", ")}; net of it, FediFlow's CPU-s per 1,000: ${results.runs
      .filter((run) => run.system === "FediFlow")
      .map(
        (run) =>
          `${run.scenario} ${((1000 * (run.cpuSeconds - results.fediflowIdleCpuPerSecond * run.makespanSeconds)) / Math.max(run.delivered, 1)).toFixed(2)}`,
      )
      .join(", ")}):`,
    "",
    ...results.runs.map(
      (run) =>
        `- ${run.system} ${run.scenario}: ${Object.entries(run.cpuByProcess)
          .map(([name, seconds]) => `${name} ${seconds.toFixed(2)}`)
          .join(", ")}; what it needs: ${
          Object.entries(run.supportCpuByProcess ?? {})
            .map(([name, seconds]) => `${name} ${seconds.toFixed(2)}`)
            .join(", ") || "nothing (an in-process queue)"
        }`,
    ),
    "",
    `What each system needs is counted by pid: PostgreSQL backends of FediFlow's database, the broker's JVM, and Redis, whose whole CPU is counted (BullMQ's queue; FediFlow's host states and caches). FediFlow idle, what it needs: ${Object.entries(
      results.fediflowIdleSupportByProcess ?? {},
    )
      .map(([name, rate]) => `${name} ${rate.toFixed(3)}`)
      .join(", ")} CPU-s per second.`,
    "",
    ...(results.stream.length > 0
      ? [
          "S2, steady stream (FediFlow; each activity to 20 inboxes given directly; a step is sustained when all its deliveries arrive within 5 s of its last 202):",
          "",
          "| activities/s | offered deliveries/s | achieved deliveries/s | delivered | 202→first p50 / p99 (ms) | 202→last p50 / p99 (ms) | sustained |",
          "| --- | --- | --- | --- | --- | --- | --- |",
          ...results.stream.map(
            (step) =>
              `| ${step.activitiesPerSecond} | ${step.offeredDeliveriesPerSecond} | ${fixed(step.achievedDeliveriesPerSecond)} | ${step.deliveredAfterDrain} / ${step.expected} | ${fixed(step.firstP50Ms)} / ${fixed(step.firstP99Ms)} | ${fixed(step.completeP50Ms)} / ${fixed(step.completeP99Ms)} | ${step.sustained ? "yes" : "no"} |`,
          ),
          "",
        ]
      : []),
    ...fanOutLines(results.fanOut),
    ...leverTable(results.levers ?? []),
    "Aims (benchmark figures, not tests):",
    "",
    "| aim | measured | met |",
    "| --- | --- | --- |",
    ...checkAims(results).map((check) => `| ${check.aim} | ${check.measured} | ${check.met === null ? "–" : check.met ? "yes" : "no"} |`),
    "",
    ...results.notes.map((note) => `- ${note}`),
  ];
  return `${lines.join("\n")}\n`;
}

interface FanOutSummary {
  targets?: number;
  peakRssMb?: number;
  error?: string;
  runs?: Array<{ inboxes: number; messages: number; wallMs: number; inboxesPerSecond: number; cpuSeconds: number }>;
}

/** S4 as bench/fan-out measured it, when it ran in this run. */
function fanOutLines(fanOut: unknown): string[] {
  if (!fanOut) return [];
  const summary = fanOut as FanOutSummary;
  if (summary.error) return [`S4 (bench/fan-out) failed: ${summary.error}`, ""];
  return [
    `S4 (bench/fan-out, 1,000,000 followers on 30,000 hosts, 10% without a shared inbox → ${summary.targets} inboxes): peak RSS ${summary.peakRssMb} MB; runs: ${(
      summary.runs ?? []
    )
      .map(
        (run) =>
          `${run.messages} messages in ${(run.wallMs / 1000).toFixed(2)} s = ${Math.round(run.inboxesPerSecond)} inboxes/s, ${run.cpuSeconds.toFixed(2)} CPU-s`,
      )
      .join("; ")}.`,
    "",
  ];
}

/** Writes <name>.json, <name>.md and <name>.svg under bench/results/. */
export function writeReport(directory: string, name: string, results: BenchResults): string[] {
  mkdirSync(directory, { recursive: true });
  const s1 = results.runs.filter((run) => run.scenario === "S1");
  const files = {
    json: path.join(directory, `${name}.json`),
    md: path.join(directory, `${name}.md`),
    svg: path.join(directory, `${name}.svg`),
  };
  writeFileSync(files.json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(files.md, markdownTable(results));
  writeFileSync(
    files.svg,
    barChart(
      `S1: deliveries/s, ${results.sizes.followers.toLocaleString("en-US")} followers on ${results.sizes.hosts.toLocaleString("en-US")} hosts`,
      "/s",
      s1.map((run) => ({ label: run.system, value: run.deliveriesPerSecond })),
    ),
  );
  return Object.values(files);
}
