import { describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { HostLimiter } from "../src/host-limiter";

describe("HostLimiter", () => {
  it("caps each host and the total, and a saturated host does not hold others", async () => {
    const limiter = new HostLimiter(() => 2, 3);
    const active = new Map<string, number>();
    const peak = new Map<string, number>();
    let peakTotal = 0;
    const task = (host: string, ms: number) =>
      limiter.run(host, async () => {
        active.set(host, (active.get(host) ?? 0) + 1);
        peak.set(host, Math.max(peak.get(host) ?? 0, active.get(host)!));
        peakTotal = Math.max(peakTotal, limiter.inFlight);
        await sleep(ms);
        active.set(host, active.get(host)! - 1);
      });
    const slow = Array.from({ length: 6 }, () => task("slow.example", 40));
    const started = Date.now();
    await task("fast.example", 1);
    expect(Date.now() - started).toBeLessThan(40);
    await Promise.all(slow);
    expect(peak.get("slow.example")).toBe(2);
    expect(peakTotal).toBeLessThanOrEqual(3);
    expect(limiter.inFlight).toBe(0);
  });
});

describe("HostLimiter pacing and changing limits", () => {
  it("paces a host to its requests per second", async () => {
    const limiter = new HostLimiter(() => 10, 100, 20);
    const started = performance.now();
    await Promise.all(Array.from({ length: 30 }, () => limiter.run("a.example", async () => undefined)));
    // 20 in the first burst, then 10 more at 20/s: about half a second.
    expect(performance.now() - started).toBeGreaterThan(400);
  });

  it("lets only one request through while a host is on trial", async () => {
    let limit = 1;
    const limiter = new HostLimiter(() => limit, 100);
    let active = 0;
    let peak = 0;
    const task = () =>
      limiter.run("h", async () => {
        active += 1;
        peak = Math.max(peak, active);
        await sleep(10);
        active -= 1;
      });
    await Promise.all(Array.from({ length: 5 }, task));
    expect(peak).toBe(1);
    limit = 4;
    peak = 0;
    await Promise.all(Array.from({ length: 8 }, task));
    expect(peak).toBe(4);
  });
});
