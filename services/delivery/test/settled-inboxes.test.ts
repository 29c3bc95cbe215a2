import { describe, expect, it } from "vitest";
import { unsettledInboxes } from "../src/settled-inboxes";

describe("unsettledInboxes", () => {
  const job = { inboxes: ["https://a.example/u/1/inbox", "https://a.example/u/2/inbox", "https://a.example/inbox"] };

  it("keeps what no earlier owner settled, in the job's order", () => {
    expect(unsettledInboxes(job, new Set(["https://a.example/u/2/inbox"]))).toEqual(["https://a.example/u/1/inbox", "https://a.example/inbox"]);
  });

  it("leaves nothing when every inbox is settled, everything when none is", () => {
    expect(unsettledInboxes(job, new Set(job.inboxes))).toEqual([]);
    expect(unsettledInboxes(job, new Set())).toEqual(job.inboxes);
  });
});
