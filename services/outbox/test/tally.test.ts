import { describe, expect, it } from "vitest";
import { outcomeKey, tallyOutcomes, type CountedOutcome } from "../src/tally";

const outcome = (inbox: string, kind: CountedOutcome["outcome"], activityId = "a1"): CountedOutcome => ({
  activityId,
  inbox,
  outcome: kind,
  status: null,
  reason: null,
  attempt: 1,
});

describe("tallyOutcomes", () => {
  it("counts each inbox once, even when a report is redelivered", () => {
    const tally = tallyOutcomes(
      [outcome("i1", "delivered"), outcome("i2", "gone"), outcome("i1", "delivered"), outcome("i3", "retrying")],
      new Map(),
    );
    expect(tally.deltas.get("a1")).toEqual({ delivered: 1, failed: 1, parked: 0, blocked: 0, superseded: 0 });
    expect(tally.writes.map((w) => w.inbox)).toEqual(["i1", "i2"]);
  });

  it("moves a parked inbox to its final bucket and never moves a final one", () => {
    const previous = new Map([
      [outcomeKey("a1", "i1"), "parked" as const],
      [outcomeKey("a1", "i2"), "delivered" as const],
    ]);
    const tally = tallyOutcomes([outcome("i1", "delivered"), outcome("i2", "rejected"), outcome("i1", "parked")], previous);
    expect(tally.deltas.get("a1")).toEqual({ delivered: 1, failed: 0, parked: -1, blocked: 0, superseded: 0 });
  });

  it("counts superseded inboxes as settled, and a parked one may end superseded", () => {
    const tally = tallyOutcomes([outcome("i1", "superseded"), outcome("i2", "superseded")], new Map([[outcomeKey("a1", "i2"), "parked" as const]]));
    expect(tally.deltas.get("a1")).toEqual({ delivered: 0, failed: 0, parked: -1, blocked: 0, superseded: 2 });
  });
});
