import { describe, expect, it } from "vitest";
import { HostStandings } from "../src";

const event = (host: string, state: "healthy" | "dead" | "blocked" | "failing", pausedUntil: string | null = null) => ({
  host,
  state,
  failures: 0,
  firstFailureAt: null,
  lastSuccessAt: null,
  nextProbeAt: null,
  pausedUntil,
  changedAt: new Date().toISOString(),
});

describe("HostStandings", () => {
  it("treats unknown hosts as healthy and keeps only the others", () => {
    const standings = new HostStandings();
    expect(standings.of("a.example")).toEqual({ state: "healthy", pausedUntil: null });
    standings.apply("a.example", event("a.example", "blocked"));
    standings.apply("b.example", event("b.example", "failing", "2030-01-01T00:00:00.000Z"));
    expect(standings.of("a.example").state).toBe("blocked");
    expect(standings.of("b.example").pausedUntil).toBe(Date.parse("2030-01-01T00:00:00.000Z"));
    expect(standings.count("blocked")).toBe(1);
    standings.apply("a.example", event("a.example", "healthy"));
    expect(standings.count("blocked")).toBe(0);
  });
});
