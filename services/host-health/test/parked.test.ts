import type { DeliveryReport } from "@fediflow/contracts";
import { describe, expect, it } from "vitest";
import { contactsByHost } from "../src/health-outcomes";
import { parkedDeliveries, planReplay, replayAllowance, spell, type ParkedDelivery } from "../src/parked";

const day = 86_400_000;
const activity = "0190f1a2-0000-7000-8000-000000000001";
const other = "0190f1a2-0000-7000-8000-000000000002";

function report(activityId: string, outcomes: Array<[string, DeliveryReport["outcomes"][number]["outcome"]]>): DeliveryReport {
  return {
    activityId,
    actorId: "https://local.example/users/alice",
    activityType: "Create",
    objectId: `https://local.example/notes/${activityId}`,
    activityIri: `https://local.example/activities/${activityId}`,
    undoes: null,
    host: "dead.example",
    attempt: 3,
    firstAttemptAt: 1_000,
    outcomes: outcomes.map(([inbox, outcome]) => ({ inbox, outcome, status: null, reason: "host is dead", durationMs: 0 })),
    at: new Date(5_000).toISOString(),
  };
}

const parkedAt = (delivery: ParkedDelivery, at: number): ParkedDelivery => ({ ...delivery, parkedAt: at });

describe("parked deliveries", () => {
  it("parks every parked inbox once, with what it takes to send it again", () => {
    const parked = parkedDeliveries(
      [
        report(activity, [
          ["https://dead.example/inbox", "parked"],
          ["https://dead.example/users/bob/inbox", "delivered"],
        ]),
        report(activity, [["https://dead.example/inbox", "parked"]]),
      ],
      9_000,
    );
    expect(parked).toEqual([
      {
        activityId: activity,
        inbox: "https://dead.example/inbox",
        host: "dead.example",
        parkedAt: 9_000,
        // Attempt 3: tried before the host was found dead; it may have arrived.
        attempted: true,
        job: {
          activityId: activity,
          actorId: "https://local.example/users/alice",
          activityType: "Create",
          objectId: `https://local.example/notes/${activity}`,
          activityIri: `https://local.example/activities/${activity}`,
          undoes: null,
        },
      },
    ]);
  });

  it("replays the young as fresh jobs per activity, in bounded inbox batches, and fails the old with the reason", () => {
    const inboxes = ["a", "b", "c"].map((user) => `https://dead.example/users/${user}/inbox`);
    const young = parkedDeliveries(
      [
        report(
          activity,
          inboxes.map((inbox) => [inbox, "parked"]),
        ),
      ],
      10 * day,
    );
    const old = parkedDeliveries([report(other, [["https://dead.example/inbox", "parked"]])], 0).map((d) => parkedAt(d, 1 * day));
    const replay = planReplay([...young, ...old], 10 * day + 1, 7 * day, 2);
    expect(replay.jobs).toHaveLength(2);
    expect(replay.jobs.map((job) => job.inboxes)).toEqual([inboxes.slice(0, 2), inboxes.slice(2)]);
    expect(replay.jobs[0]).toMatchObject({ activityId: activity, host: "dead.example", attempt: 1, firstAttemptAt: null });
    expect(replay.expired).toEqual([
      expect.objectContaining({
        activityId: other,
        host: "dead.example",
        attempt: 0,
        parkExpired: true,
        outcomes: [
          { inbox: "https://dead.example/inbox", outcome: "expired", status: null, reason: "parked longer than 7 days", durationMs: 0 },
        ],
      }),
    ]);
  });

  it("a parked delivery exactly the maximum age old still goes out", () => {
    const parked = parkedDeliveries([report(activity, [["https://dead.example/inbox", "parked"]])], 0);
    expect(planReplay(parked, 7 * day, 7 * day, 100).jobs).toHaveLength(1);
    expect(planReplay(parked, 7 * day + 1, 7 * day, 100).expired).toHaveLength(1);
  });

  it("host-health's own verdict on an old parked delivery says nothing about the host", () => {
    const expired = { ...report(activity, [["https://dead.example/inbox", "expired"]]), parkExpired: true };
    expect(contactsByHost([expired]).size).toBe(0);
    expect(contactsByHost([report(activity, [["https://dead.example/inbox", "expired"]])]).get("dead.example")).toEqual(["unreachable"]);
  });

  it("sends at a bounded rate: at least one per round", () => {
    expect(replayAllowance(20, 1_000)).toBe(20);
    expect(replayAllowance(20, 100)).toBe(2);
    expect(replayAllowance(1, 100)).toBe(1);
    expect(spell(7 * day)).toBe("7 days");
    expect(spell(3_600_000)).toBe("1 hour");
    expect(spell(1_500)).toBe("1500 ms");
  });
});
