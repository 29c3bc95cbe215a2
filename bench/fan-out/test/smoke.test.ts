import { describe, expect, it } from "vitest";
import { runBenchmark } from "../src/benchmark";

// CI runs only this: a small audience through the real fan-out service, checking that the
// harness measures a complete, correct fan-out. No performance figure is asserted.
describe("fan-out benchmark (smoke run)", () => {
  it("fans a small audience out completely and reports its figures", async () => {
    const result = await runBenchmark({ followers: 3_000, hosts: 150, personalHosts: 0.3, runs: 1, verify: true, dropDatabase: true });
    expect(result.hosts).toBe(150);
    const [run] = result.runs;
    expect(run!.inboxes).toBe(result.targets);
    expect(run!.deliveries).toMatchObject({
      inboxes: result.targets,
      distinctInboxes: result.targets,
      repeated: 0,
      misKeyed: 0,
      messages: run!.messages,
    });
    expect(run!.deliveries!.largestMessage).toBeLessThanOrEqual(100);
    expect(run!.serviceMs).toBeGreaterThan(0);
    expect(result.peakRssMb).toBeGreaterThan(0);
  });
});
