import { describe, expect, it } from "vitest";
import { outcomeKey, tallyOutcomes, type CountedOutcome, type PreviousOutcome } from "../src/tally";

const outcome = (inbox: string, kind: CountedOutcome["outcome"], extra: Partial<CountedOutcome> = {}): CountedOutcome => ({
  activityId: "a1",
  inbox,
  host: "h.example",
  outcome: kind,
  status: null,
  reason: null,
  attempt: 1,
  attemptedAt: null,
  nextAttemptAt: null,
  redriveId: null,
  ...extra,
});

const before = (entries: Array<[string, PreviousOutcome["outcome"], Partial<PreviousOutcome>?]>) =>
  new Map(entries.map(([inbox, kind, extra]) => [outcomeKey("a1", inbox), { outcome: kind, attempt: 1, redriveId: null, ...extra }]));

describe("tallyOutcomes", () => {
  it("counts each inbox once, even when a report is redelivered", () => {
    const tally = tallyOutcomes([outcome("i1", "delivered"), outcome("i2", "gone"), outcome("i1", "delivered")], new Map());
    expect(tally.deltas.get("a1")).toEqual({ delivered: 1, failed: 1, parked: 0, blocked: 0, superseded: 0 });
    expect(tally.writes.map((w) => w.inbox)).toEqual(["i1", "i2"]);
  });

  it("moves a parked inbox to its final bucket and never moves a final one", () => {
    const tally = tallyOutcomes(
      [outcome("i1", "delivered"), outcome("i2", "rejected"), outcome("i1", "parked")],
      before([
        ["i1", "parked"],
        ["i2", "delivered"],
      ]),
    );
    expect(tally.deltas.get("a1")).toEqual({ delivered: 1, failed: 0, parked: -1, blocked: 0, superseded: 0 });
  });

  it("counts superseded inboxes as settled, and a parked one may end superseded", () => {
    const tally = tallyOutcomes([outcome("i1", "superseded"), outcome("i2", "superseded")], before([["i2", "parked"]]));
    expect(tally.deltas.get("a1")).toEqual({ delivered: 0, failed: 0, parked: -1, blocked: 0, superseded: 2 });
  });

  it("counts a discarded parked inbox as failed", () => {
    const tally = tallyOutcomes([outcome("i1", "discarded")], before([["i1", "parked"]]));
    expect(tally.deltas.get("a1")).toEqual({ delivered: 0, failed: 1, parked: -1, blocked: 0, superseded: 0 });
  });

  it("records a retrying inbox as pending without counting it, and its final outcome replaces it", () => {
    const first = tallyOutcomes([outcome("i1", "retrying", { attempt: 2, nextAttemptAt: 5 })], new Map());
    expect(first.deltas.size).toBe(0);
    expect(first.writes.map((w) => [w.inbox, w.outcome, w.attempt])).toEqual([["i1", "retrying", 2]]);
    const settled = tallyOutcomes([outcome("i1", "delivered", { attempt: 3 })], before([["i1", "pending", { attempt: 2 }]]));
    expect(settled.deltas.get("a1")).toEqual({ delivered: 1, failed: 0, parked: 0, blocked: 0, superseded: 0 });
  });

  it("ignores a retry report older than what is recorded, after a final outcome, or after parking", () => {
    const tally = tallyOutcomes(
      [outcome("i1", "retrying", { attempt: 1 }), outcome("i2", "retrying", { attempt: 4 }), outcome("i3", "retrying", { attempt: 4 })],
      before([
        ["i1", "pending", { attempt: 2 }],
        ["i2", "expired", { attempt: 3 }],
        ["i3", "parked", { attempt: 3 }],
      ]),
    );
    expect(tally.writes).toEqual([]);
  });

  it("counts only outcomes of an inbox's newest redrive", () => {
    const previous = before([["i1", "pending", { attempt: 0, redriveId: "7" }]]);
    const stale = tallyOutcomes([outcome("i1", "rejected", { attempt: 1 })], previous);
    expect(stale.writes).toEqual([]);
    const fresh = tallyOutcomes([outcome("i1", "delivered", { attempt: 1, redriveId: "7" })], previous);
    expect(fresh.deltas.get("a1")).toEqual({ delivered: 1, failed: 0, parked: 0, blocked: 0, superseded: 0 });
  });
});
