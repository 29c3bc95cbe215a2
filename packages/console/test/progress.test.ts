import { describe, expect, it } from "vitest";
import { progressOf } from "../src/progress";
import { parseRoute, href } from "../src/route";

describe("progressOf", () => {
  it("splits the bar by outcome and counts what has settled", () => {
    const progress = progressOf({ total: 8, delivered: 4, failed: 1, parked: 1, pending: 2, blocked: 0, superseded: 0 });
    expect(progress.settled).toBe(6);
    expect(progress.parts.map(({ part, percent }) => [part, percent])).toEqual([
      ["delivered", 50],
      ["failed", 12.5],
      ["parked", 12.5],
      ["pending", 25],
      ["blocked", 0],
      ["superseded", 0],
    ]);
  });

  it("draws an empty bar for an activity with no inbox", () => {
    const progress = progressOf({ total: 0, delivered: 0, failed: 0, parked: 0, pending: 0, blocked: 0, superseded: 0 });
    expect(progress.parts.every(({ percent }) => percent === 0)).toBe(true);
  });
});

describe("routes", () => {
  it("round-trips every page through the location's hash, names with slashes and all", () => {
    for (const route of [
      { page: "activities" },
      { page: "activity", id: "01a24327-9cbe-76c8-9e83-da9cd452a0c2" },
      { page: "hosts" },
      { page: "host", host: "xn--bcher-kva.example:8443" },
      { page: "webhooks" },
    ] as const) {
      expect(parseRoute(href(route))).toEqual(route);
    }
    expect(parseRoute("#/nowhere")).toEqual({ page: "activities" });
    expect(parseRoute("")).toEqual({ page: "activities" });
  });
});
