import { describe, expect, it } from "vitest";
import { DeliveryJobSchema, allTopics, topics } from "../src";

const job = {
  activityId: "6f1c1f2e-8a4b-4c1d-9e2f-0a1b2c3d4e5f",
  actorId: "https://a.example/users/alice",
  activityType: "Create",
  objectId: "https://a.example/notes/1",
  host: "b.example",
  inboxes: ["https://b.example/inbox"],
  attempt: 1,
  firstAttemptAt: null,
};

describe("topics", () => {
  it("names each topic once, with a partition count and a key", () => {
    const names = allTopics.map((topic) => topic.name);
    expect(new Set(names).size).toBe(names.length);
    for (const topic of allTopics) {
      expect(topic.partitions).toBeGreaterThan(0);
      expect(topic.key.length).toBeGreaterThan(0);
    }
    expect(topics.hostEvents.compacted).toBe(true);
  });

  it("refuses a delivery job without inboxes", () => {
    expect(DeliveryJobSchema.safeParse(job).success).toBe(true);
    expect(DeliveryJobSchema.safeParse({ ...job, inboxes: [] }).success).toBe(false);
  });
});

describe("topic keys", () => {
  it("keys each value as the topic says: deliveries, outcomes and host events by host, activities by object", () => {
    expect(topics.deliveries.keyOf(job)).toBe("b.example");
    expect(topics.outcomes.keyOf({ ...job, outcomes: [], at: "2026-01-01T00:00:00Z" })).toBe("b.example");
    expect(topics.activities.keyOf(job)).toBe("https://a.example/notes/1");
    expect(topics.activities.keyOf({ ...job, objectId: null })).toBe(job.activityId);
  });
});
