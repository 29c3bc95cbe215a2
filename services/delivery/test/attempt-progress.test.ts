import { describe, expect, it } from "vitest";
import type { InboxOutcome } from "@fediflow/contracts";
import { AttemptProgress } from "../src/attempt-progress";

const outcome = (inbox: string, kind: InboxOutcome["outcome"]): InboxOutcome => ({ inbox, outcome: kind, status: null, reason: null, durationMs: 1 });

describe("AttemptProgress", () => {
  it("reports what an attempt settled so far, once, and never what is still to be decided", async () => {
    const progress = new AttemptProgress();
    const sent: string[][] = [];
    const send = async (outcomes: InboxOutcome[]) => void sent.push(outcomes.map((o) => o.inbox));
    progress.add(outcome("a", "delivered"));
    progress.add(outcome("b", "retrying"));
    progress.add(outcome("c", "gone"));
    await progress.flush(send);
    progress.add(outcome("d", "rejected"));
    await progress.flush(send);
    await progress.flush(send);
    expect(sent).toEqual([["a", "c"], ["d"]]);
    expect([...progress.reported]).toEqual(["a", "c", "d"]);
  });

  it("leaves outcomes it could not send to the attempt's final report", async () => {
    const progress = new AttemptProgress();
    progress.add(outcome("a", "delivered"));
    await progress.flush(async () => {
      throw new Error("broker away");
    });
    expect(progress.reported.size).toBe(0);
  });
});
