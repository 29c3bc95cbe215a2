import { describe, expect, it } from "vitest";
import { longestSilence } from "../src";

describe("longestSilence", () => {
  it("measures the longest gap after each moment, up to the window's end", () => {
    expect(longestSilence([1_000, 1_200, 4_200, 4_300, 9_000], [1_000], 5_000)).toEqual([3_000]);
    // Deliveries resume only after the window: the pause is cut at the window's end.
    expect(longestSilence([1_100, 20_000], [1_000], 5_000)).toEqual([4_900]);
  });

  it("does not count the quiet after the last delivery of all as a pause", () => {
    expect(longestSilence([1_100, 1_400, 1_500], [1_000], 15_000)).toEqual([300]);
    expect(longestSilence([500], [1_000], 15_000)).toEqual([0]);
  });
});
