import type { BenchResults, SystemRun } from "./results";

/** One of issue 19's aims, checked against this run's figures (a report, never a test). */
export interface AimCheck {
  aim: string;
  measured: string;
  /** null: this run did not measure it. */
  met: boolean | null;
}

const peersOf = (results: BenchResults, scenario: string) =>
  results.runs.filter((run) => run.system !== "FediFlow" && run.scenario === scenario && run.complete);
const fediflowRun = (results: BenchResults, scenario: string) =>
  results.runs.find((run) => run.system === "FediFlow" && run.scenario === scenario);
const notMeasured = (aim: string, why: string): AimCheck => ({ aim, measured: `not measured: ${why}`, met: null });

function best(runs: SystemRun[], figure: (run: SystemRun) => number, lowest: boolean): SystemRun | undefined {
  return [...runs].sort((a, b) => (lowest ? figure(a) - figure(b) : figure(b) - figure(a)))[0];
}

/**
 * Issue 19's aims at `--scale 0.5`: FediFlow against the best peer of the same run, on speed,
 * on CPU per delivery (its own processes, then with everything each system needs), idle, in the
 * hostile scenario, and from the 202 to the first delivery.
 */
export function checkAims(results: BenchResults): AimCheck[] {
  const s1 = fediflowRun(results, "S1");
  const peers = peersOf(results, "S1");
  const checks: AimCheck[] = [];

  const speed = "S1 deliveries/s ≥ the best peer's";
  const fastest = best(peers, (run) => run.deliveriesPerSecond, false);
  checks.push(
    s1 && fastest
      ? {
          aim: speed,
          measured: `${s1.deliveriesPerSecond.toFixed(0)} vs ${fastest.system}'s ${fastest.deliveriesPerSecond.toFixed(0)} (${(s1.deliveriesPerSecond / fastest.deliveriesPerSecond).toFixed(2)}×)`,
          met: s1.deliveriesPerSecond >= fastest.deliveriesPerSecond,
        }
      : notMeasured(speed, "no complete S1 run of FediFlow and a peer"),
  );

  const own = "CPU per delivery, own processes, ≤ the best peer's";
  const leanest = best(peers, (run) => run.cpuSecondsPer1000, true);
  checks.push(
    s1 && leanest
      ? {
          aim: own,
          measured: `${s1.cpuSecondsPer1000.toFixed(2)} vs ${leanest.system}'s ${leanest.cpuSecondsPer1000.toFixed(2)} CPU-s per 1,000 (${(s1.cpuSecondsPer1000 / leanest.cpuSecondsPer1000).toFixed(2)}×)`,
          met: s1.cpuSecondsPer1000 <= leanest.cpuSecondsPer1000,
        }
      : notMeasured(own, "no complete S1 run of FediFlow and a peer"),
  );

  const all = "CPU per delivery, everything each system needs, ≤ 1.25× the best peer's";
  const leanestAll = best(peers, (run) => run.cpuSecondsPer1000All, true);
  checks.push(
    s1 && leanestAll
      ? {
          aim: all,
          measured: `${s1.cpuSecondsPer1000All.toFixed(2)} vs ${leanestAll.system}'s ${leanestAll.cpuSecondsPer1000All.toFixed(2)} CPU-s per 1,000 (${(s1.cpuSecondsPer1000All / leanestAll.cpuSecondsPer1000All).toFixed(2)}×)`,
          met: s1.cpuSecondsPer1000All <= 1.25 * leanestAll.cpuSecondsPer1000All,
        }
      : notMeasured(all, "no complete S1 run of FediFlow and a peer"),
  );

  checks.push({
    aim: "idle, the five processes ≤ 0.05 CPU-s per second",
    measured: `${results.fediflowIdleCpuPerSecond.toFixed(3)} CPU-s per second`,
    met: results.fediflowIdleCpuPerSecond <= 0.05,
  });

  const hostile = "S3 healthy deliveries/s ≥ 5× Fedify's";
  const s3 = fediflowRun(results, "S3");
  const fedifyS3 = results.runs.find((run) => run.system === "Fedify" && run.scenario === "S3");
  checks.push(
    s3 && fedifyS3
      ? {
          aim: hostile,
          measured: `${s3.deliveriesPerSecond.toFixed(0)} vs ${fedifyS3.deliveriesPerSecond.toFixed(0)} (${(s3.deliveriesPerSecond / fedifyS3.deliveriesPerSecond).toFixed(2)}×)${
            fedifyS3.complete ? "" : `; Fedify's budget ran out with ${fedifyS3.delivered} of ${fedifyS3.expected} delivered`
          }`,
          met: s3.deliveriesPerSecond >= 5 * fedifyS3.deliveriesPerSecond,
        }
      : notMeasured(hostile, s3 ? "the peers do not run S3 yet" : "S3 did not run"),
  );

  const first = "S2 median 202 → first delivery ≤ 50 ms at 10 activities/s";
  const atTen = results.stream.find((step) => step.activitiesPerSecond === 10);
  checks.push(
    atTen?.firstP50Ms != null
      ? { aim: first, measured: `${atTen.firstP50Ms} ms`, met: atTen.firstP50Ms <= 50 }
      : notMeasured(first, "S2 did not run at 10 activities/s (--stream-rates)"),
  );
  return checks;
}
