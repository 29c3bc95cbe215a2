import { describe, expect, it } from "vitest";
import type { ActivityStatus } from "@fediflow/client";
import { progressLine } from "../src/progress-bar";

const status = (state: ActivityStatus["state"], counts: Partial<ActivityStatus["inboxes"]>): ActivityStatus => ({
  id: "a",
  state,
  createdAt: "2026-12-05T00:00:00Z",
  inboxes: { total: 0, delivered: 0, failed: 0, pending: 0, parked: 0, blocked: 0, superseded: 0, ...counts },
});

describe("progressLine", () => {
  it("splits the bar by outcome, pending last, and counts every outcome", () => {
    const line = progressLine(status("delivering", { total: 10, delivered: 5, failed: 2, parked: 1, pending: 2 }), 10);
    expect(line).toBe("[#####xxp..] 8/10 delivering: delivered 5, failed 2, parked 1, blocked 0, superseded 0, pending 2");
  });

  it("is full only when nothing is pending", () => {
    expect(progressLine(status("delivering", { total: 3, delivered: 2, pending: 1 }), 9)).toMatch(/^\[######\.\.\.\]/);
    expect(progressLine(status("done", { total: 3, delivered: 3 }), 9)).toMatch(/^\[#########\] 3\/3 done/);
  });

  it("shows an empty bar while the audience is being worked out, and a full one for a done activity of no inboxes", () => {
    expect(progressLine(status("fanning_out", {}), 5)).toBe(
      "[.....] 0/0 fanning_out: delivered 0, failed 0, parked 0, blocked 0, superseded 0, pending 0",
    );
    expect(progressLine(status("done", {}), 5)).toMatch(/^\[#####\]/);
  });
});
