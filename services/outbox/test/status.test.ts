import { describe, expect, it } from "vitest";
import { activityFacts } from "../src/activity-facts";
import { activityStatus } from "../src/status";

const row = { total: null, fannedOut: 0, delivered: 0, failed: 0, parked: 0, blocked: 0, superseded: 0, completedAt: null };

describe("activityStatus", () => {
  it("is fanning_out until fan-out fixes the total", () => {
    expect(activityStatus({ ...row, fannedOut: 5, delivered: 2 })).toEqual({
      state: "fanning_out",
      inboxes: { total: 5, delivered: 2, failed: 0, pending: 3, parked: 0, blocked: 0, superseded: 0 },
    });
  });

  it("is done once completed, with nothing pending", () => {
    const status = activityStatus({ ...row, total: 5, delivered: 2, failed: 1, parked: 1, superseded: 1, completedAt: new Date() });
    expect(status.state).toBe("done");
    expect(status.inboxes.pending).toBe(0);
    expect(status.inboxes.superseded).toBe(1);
  });
});

describe("activityFacts", () => {
  it("uses the object's id as the lane, and the undone activity's object for Undo", () => {
    expect(activityFacts({ id: "https://a/1", type: "Create", actor: "https://a/u", object: { id: "https://a/n" } }).laneObject).toBe(
      "https://a/n",
    );
    expect(
      activityFacts({
        id: "https://a/3",
        type: "Undo",
        actor: { id: "https://a/u" },
        object: { id: "https://a/2", type: "Like", object: "https://b/n" },
      }),
    ).toEqual({ id: "https://a/3", type: "Undo", actor: "https://a/u", laneObject: "https://b/n", undoes: "https://a/2" });
    expect(activityFacts({ id: "https://a/4", type: "Follow", actor: "https://a/u" }).laneObject).toBeNull();
  });
});
