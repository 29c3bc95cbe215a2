import { describe, expect, it } from "vitest";
import type { DeliveryJob } from "@fediflow/contracts";
import { pruneLane, supersededOutcomes } from "../src/lane-coalescing";

const job = (activityType: string, inboxes: string[], extra: Partial<DeliveryJob> = {}): DeliveryJob => ({
  activityId: "0190a3f2-7f3a-7000-8000-000000000000",
  actorId: "https://a.example/users/alice",
  activityType,
  objectId: "https://a.example/notes/1",
  host: "b.example",
  inboxes,
  attempt: 1,
  firstAttemptAt: null,
  ...extra,
});

describe("pruneLane", () => {
  it("keeps the head and the newest Update, with what each still sends", () => {
    const behind = [job("Update", ["i1", "i2"]), job("Update", ["i1"])];
    const lane = pruneLane(job("Create", ["i1", "i2"]), behind, (j) => j);
    expect(lane.head).toEqual({ inboxes: ["i1", "i2"], pruned: [] });
    expect(lane.behind).toEqual([{ member: behind[0], inboxes: ["i2"], pruned: [{ inbox: "i1", rule: "replaced" }] }]);
  });

  it("prunes the head itself when a newer one behind it makes it pointless", () => {
    const lane = pruneLane(job("Update", ["i1"]), [job("Delete", ["i1"])], (j) => j);
    expect(lane.head).toEqual({ inboxes: [], pruned: [{ inbox: "i1", rule: "replaced" }] });
    expect(lane.behind).toEqual([]);
  });

  it("never cancels a retried Create with its Delete: the first attempt may have landed", () => {
    const lane = pruneLane(job("Create", ["i1"], { attempt: 3 }), [job("Delete", ["i1"])], (j) => j);
    expect(lane.head.pruned).toEqual([]);
    expect(lane.behind).toEqual([]);
  });

  it("accounts for pruned inboxes as superseded, with the rule", () => {
    expect(supersededOutcomes([{ inbox: "i1", rule: "create-deleted" }])).toEqual([
      { inbox: "i1", outcome: "superseded", status: null, reason: "coalesced: create-deleted", durationMs: 0 },
    ]);
  });
});
