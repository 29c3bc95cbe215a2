import { describe, expect, it } from "vitest";
import { checkAims } from "../src/aims";
import type { BenchResults, SystemRun } from "../src/results";
import type { StreamStep } from "../src/steady-stream";

const run = (
  system: string,
  scenario: string,
  deliveriesPerSecond: number,
  cpuSecondsPer1000: number,
  cpuSecondsPer1000All: number,
): SystemRun => ({
  system,
  scenario,
  expected: 100,
  delivered: 100,
  complete: true,
  requests: 100,
  badSignatures: 0,
  statuses: {},
  makespanSeconds: 1,
  deliveriesPerSecond,
  cpuSeconds: 1,
  cpuByProcess: {},
  cpuSecondsPer1000,
  supportCpuByProcess: {},
  cpuSecondsPer1000All,
  firstMs: null,
  p50Ms: null,
  p99Ms: null,
  peakRssMb: {},
});

const results = (runs: SystemRun[], idle: number, stream: Array<Pick<StreamStep, "activitiesPerSecond" | "firstP50Ms">>): BenchResults =>
  ({
    at: "",
    sizes: { hosts: 1, followers: 1, sharedInboxShare: 0, latencyMs: [0, 0], scale: 0.5 },
    loadAverage: [],
    floor: { signaturesPerSecond: 1, postsPerSecond: 1, cpuMsPerDelivery: 1 },
    runs,
    stream,
    fediflowIdleCpuPerSecond: idle,
    fediflowIdleByProcess: {},
    fediflowIdleSupportByProcess: {},
    s1MakespanForS3Healthy: null,
    fanOut: null,
    notes: [],
  }) as unknown as BenchResults;

const verdicts = (checked: ReturnType<typeof checkAims>) => checked.map((check) => check.met);

describe("issue 19's aims", () => {
  it("holds FediFlow to the best peer on each figure: met", () => {
    const checked = checkAims(
      results(
        [
          run("FediFlow", "S1", 800, 1.5, 2.3),
          run("Fedify", "S1", 600, 2.2, 2.2),
          run("BullMQ", "S1", 700, 1.9, 2.0),
          run("FediFlow", "S3", 500, 1, 1),
          run("Fedify", "S3", 90, 1, 1),
        ],
        0.04,
        [{ activitiesPerSecond: 10, firstP50Ms: 40 }],
      ),
    );
    expect(verdicts(checked)).toEqual([true, true, true, true, true, true]);
    expect(checked[0]!.measured).toBe("800 vs BullMQ's 700 (1.14×)");
    expect(checked[1]!.measured).toMatch(/vs BullMQ's 1\.90/);
    expect(checked[2]!.measured).toMatch(/2\.30 vs BullMQ's 2\.00 CPU-s per 1,000 \(1\.15×\)/);
    expect(checked[4]!.measured).toBe("500 vs 90 (5.56×)");
  });

  it("says not met, with the figure, and not measured where the run lacks it", () => {
    const checked = checkAims(
      results(
        [
          run("FediFlow", "S1", 261, 3.68, 5.1),
          run("Fedify", "S1", 630, 2.2, 2.2),
          run("BullMQ", "S1", 700, 1.9, 2.4),
          run("FediFlow", "S3", 100, 1, 1),
        ],
        0.27,
        [{ activitiesPerSecond: 5, firstP50Ms: 90 }],
      ),
    );
    expect(verdicts(checked)).toEqual([false, false, false, false, null, null]);
    expect(checked[2]!.measured).toMatch(/5\.10 vs Fedify's 2\.20/);
    expect(checked[3]!.measured).toBe("0.270 CPU-s per second");
    expect(checked[4]!.measured).toBe("not measured: the peers do not run S3 yet");
    expect(checked[5]!.measured).toMatch(/^not measured: S2 did not run at 10/);
  });

  it("measures nothing against peers that did not finish", () => {
    const unfinished = { ...run("BullMQ", "S1", 900, 1, 1), complete: false };
    const checked = checkAims(results([run("FediFlow", "S1", 100, 1, 1), unfinished], 0.01, []));
    expect(verdicts(checked).slice(0, 3)).toEqual([null, null, null]);
  });
});
