import { describe, expect, it } from "vitest";
import { RedeliveryGrace } from "../src/redelivery-grace";

describe("RedeliveryGrace", () => {
  const setup = () => {
    let now = 1_000;
    const slept: number[] = [];
    const grace = new RedeliveryGrace(2_000, () => now, async (ms) => {
      slept.push(ms);
      now += ms;
    });
    return { grace, slept, advance: (ms: number) => (now += ms) };
  };

  it("holds a newly assigned partition's redeliveries until it has been owned for the grace", async () => {
    const { grace, slept, advance } = setup();
    grace.assigned(3);
    advance(500);
    await grace.elapsed(3);
    expect(slept).toEqual([1_500]);
    // Past the grace, nothing waits any more.
    await grace.elapsed(3);
    expect(slept).toEqual([1_500]);
  });

  it("counts from the first assignment, not from the call made again before the first message", async () => {
    const { grace, slept, advance } = setup();
    grace.assigned(1);
    advance(1_800);
    grace.assigned(1);
    await grace.elapsed(1);
    expect(slept).toEqual([200]);
  });

  it("starts over when the partition comes back after a revocation, and never waits for one it does not own", async () => {
    const { grace, slept, advance } = setup();
    grace.assigned(2);
    advance(5_000);
    grace.revoked(2);
    await grace.elapsed(2);
    expect(slept).toEqual([]);
    grace.assigned(2);
    await grace.elapsed(2);
    expect(slept).toEqual([2_000]);
  });
});
