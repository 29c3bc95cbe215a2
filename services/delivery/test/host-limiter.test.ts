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

describe("HostLimiter patience", () => {
  it("gives the total back for requests unanswered too long, so hosts that never answer hold only their own slots", async () => {
    const limiter = new HostLimiter(() => 2, 4, 0, 50);
    const never = new Promise<void>(() => undefined);
    const stuck = ["hole-a.example", "hole-b.example"].flatMap((host) => [limiter.run(host, () => never), limiter.run(host, () => never)]);
    void stuck;
    // All four process slots are held by the black holes, until their patience runs out.
    const started = performance.now();
    await limiter.run("fast.example", async () => undefined);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(45);
    expect(waited).toBeLessThan(500);
    await sleep(10);
    expect(limiter.inFlight).toBe(4);
    expect(limiter.lingeringRequests).toBe(4);
    // The black holes' own slots stay taken: a fifth request to one of them waits.
    let third = false;
    void limiter.run("hole-a.example", async () => void (third = true));
    await sleep(20);
    expect(third).toBe(false);
  });

  it("a request answered in time never lingers", async () => {
    const limiter = new HostLimiter(() => 2, 4, 0, 50);
    await limiter.run("a.example", () => sleep(5));
    await sleep(60);
    expect(limiter.lingeringRequests).toBe(0);
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
