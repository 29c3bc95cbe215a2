import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runBenchmark } from "../src/benchmark";

// CI runs only this: S1 scaled down to 2,000 followers on 200 hosts through the whole stack and
// one peer (the naive loop, which needs nothing installed), checking that the harness works and
// that every healthy inbox got the post, and one lever measured both ways. No performance figure
// is asserted.
describe("benchmark harness (smoke run)", () => {
  it("delivers a scaled-down S1 through FediFlow and a peer and writes the report", async () => {
    const { results, files } = await runBenchmark({
      scale: 0.04,
      hostile: false,
      peers: ["naive"],
      peerConcurrency: 8,
      budgetMs: 120_000,
      naiveBudgetMs: 120_000,
      streamRates: [],
      streamStepSeconds: 0,
      fanOut: false,
      peersFirst: false,
      sharedInboxShare: 0.7,
      name: "smoke",
      levers: [{ name: "fetch-wait-500ms", env: { FEDIFLOW_KAFKA_FETCH_WAIT_MS: "500" } }],
      say: () => undefined,
    });
    expect(files).toHaveLength(3);
    expect(results.floor.signaturesPerSecond).toBeGreaterThan(0);
    for (const run of results.runs) {
      expect(run.complete, `${run.system} reached every healthy inbox`).toBe(true);
      expect(run.delivered).toBe(run.expected);
      expect(run.badSignatures).toBe(0);
    }
    expect(results.runs.map((run) => run.system)).toEqual(["FediFlow", "naive loop"]);
    // What FediFlow needs besides itself is counted: its database's backends, the broker and Redis did work.
    const fediflow = results.runs[0]!;
    expect(Object.keys(fediflow.supportCpuByProcess).sort()).toEqual(["kafka", "postgres", "redis"]);
    expect(fediflow.supportCpuByProcess.postgres).toBeGreaterThan(0);
    expect(fediflow.cpuSecondsPer1000All).toBeGreaterThan(fediflow.cpuSecondsPer1000);
    // The lever ran FediFlow twice more, each time to every healthy inbox, and is reported.
    const [lever] = results.levers!;
    for (const side of [lever!.before, lever!.after]) {
      expect(side.s1.delivered).toBe(side.s1.expected);
      expect(side.idleCpuPerSecond).toBeGreaterThan(0);
    }
    expect(readFileSync(files.find((file) => file.endsWith(".md"))!, "utf8")).toContain("| fetch-wait-500ms | S1 deliveries/s |");
  });
});
