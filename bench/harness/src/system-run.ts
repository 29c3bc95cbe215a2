import { monitorEventLoopDelay } from "node:perf_hooks";
import type { FakeFediverse } from "@fediflow/fake-fediverse";
import { awaitReceipts, percentile, type Receipts } from "./receipts";
import type { SystemRun } from "./results";

export interface RunWindow {
  system: string;
  scenario: string;
  activityId: string;
  expected: ReadonlySet<string>;
  handedOverAt: number;
  budgetMs: number;
  /** CPU seconds of each of the system's processes so far. */
  cpu(): Record<string, number>;
  peakRss(): Record<string, number>;
  cpuAtStart: Record<string, number>;
  /** CPU seconds so far of what the system needs besides itself (SupportCpu), by kind. */
  supportCpu(): Record<string, number>;
  say(line: string): void;
}

/** Waits for the activity to reach its inboxes and turns what was seen into the run's figures. */
export async function measureRun(fediverse: FakeFediverse, window: RunWindow): Promise<SystemRun> {
  // The fake fediverse lives in this process: if it was the bottleneck, this is where it shows.
  const harnessCpuAtStart = process.cpuUsage();
  const supportAtStart = window.supportCpu();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let lastShown = 0;
  const progress = (receipts: Receipts) => {
    if (Date.now() - lastShown < 5_000) return;
    lastShown = Date.now();
    window.say(
      `    ${window.system}: ${receipts.delivered}/${receipts.expected} after ${((Date.now() - window.handedOverAt) / 1000).toFixed(0)} s`,
    );
  };
  const receipts = await awaitReceipts(fediverse, window.activityId, window.expected, window.handedOverAt, window.budgetMs, progress);
  loopDelay.disable();
  const harnessCpu = process.cpuUsage(harnessCpuAtStart);
  const cpuNow = window.cpu();
  const cpuByProcess = Object.fromEntries(
    Object.entries(cpuNow).map(([name, seconds]) => [name, seconds - (window.cpuAtStart[name] ?? 0)]),
  );
  const cpuSeconds = Object.values(cpuByProcess).reduce((a, b) => a + b, 0);
  const supportNow = window.supportCpu();
  const supportCpuByProcess = Object.fromEntries(
    Object.entries(supportNow).map(([name, seconds]) => [name, seconds - (supportAtStart[name] ?? 0)]),
  );
  const supportSeconds = Object.values(supportCpuByProcess).reduce((a, b) => a + b, 0);
  const lastMs = receipts.latenciesMs.at(-1) ?? 0;
  const makespanSeconds = receipts.complete ? lastMs / 1000 : (Date.now() - window.handedOverAt) / 1000;
  return {
    system: window.system,
    scenario: window.scenario,
    expected: receipts.expected,
    delivered: receipts.delivered,
    complete: receipts.complete,
    requests: receipts.requests,
    badSignatures: receipts.badSignatures,
    statuses: receipts.statuses,
    makespanSeconds,
    deliveriesPerSecond: receipts.delivered / Math.max(makespanSeconds, 0.001),
    cpuSeconds,
    cpuByProcess,
    cpuSecondsPer1000: (cpuSeconds * 1000) / Math.max(receipts.delivered, 1),
    supportCpuByProcess,
    cpuSecondsPer1000All: ((cpuSeconds + supportSeconds) * 1000) / Math.max(receipts.delivered, 1),
    firstMs: receipts.latenciesMs[0] ?? null,
    p50Ms: percentile(receipts.latenciesMs, 50),
    p99Ms: percentile(receipts.latenciesMs, 99),
    peakRssMb: window.peakRss(),
    fakeFediverse: {
      cpuSeconds: (harnessCpu.user + harnessCpu.system) / 1e6,
      eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    },
  };
}

/** One line for the console: the run's figures as they come. */
export const describeRun = (run: SystemRun): string =>
  [
    `  ${run.system} ${run.scenario}: ${run.delivered}/${run.expected} in ${run.makespanSeconds.toFixed(2)} s${run.complete ? "" : " (budget ran out)"}`,
    ` = ${Math.round(run.deliveriesPerSecond)} deliveries/s, ${run.cpuSecondsPer1000.toFixed(2)} CPU-s per 1,000 (${run.cpuSecondsPer1000All.toFixed(2)} with what it needs), p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, first ${run.firstMs} ms`,
    run.deliveryGauges
      ? `; delivery in flight mean ${run.deliveryGauges.inFlightMean.toFixed(0)} max ${run.deliveryGauges.inFlightMax}, lag max ${run.deliveryGauges.lagMessagesMax}, request mean ${run.deliveryGauges.requestMeanMs?.toFixed(0)} ms`
      : "",
    `; CPU-s ${Object.entries(run.cpuByProcess)
      .map(([name, seconds]) => `${name} ${seconds.toFixed(1)}`)
      .join(", ")}`,
  ].join("");
