import { describe, expect, it } from "vitest";
import { HostStandings } from "@fediflow/host-view";
import { disposeBatch } from "../src/dispose-batch";
import { hostEvent } from "./host-events";

const activity = { id: "00000000-0000-4000-8000-000000000001", actorId: "https://local.example/users/a", type: "Create", objectId: null };
const batch = { host: "b.example", inboxes: ["https://b.example/inbox"] };
const at = "2026-01-01T00:00:00.000Z";

describe("disposeBatch", () => {
  it("queues healthy and failing hosts, settles blocked ones as blocked and parks dead ones", () => {
    const hosts = new HostStandings();
    const outcome = (state: "healthy" | "failing" | "dead" | "blocked") => {
      hosts.apply("b.example", hostEvent("b.example", state));
      const disposition = disposeBatch(activity, batch, hosts.of("b.example"), at);
      return "job" in disposition ? "job" : disposition.report.outcomes.map((o) => [o.outcome, o.reason, disposition.report.attempt]);
    };
    expect(outcome("healthy")).toBe("job");
    expect(outcome("failing")).toBe("job");
    expect(outcome("blocked")).toEqual([["blocked", "host is blocked", 0]]);
    expect(outcome("dead")).toEqual([["parked", "host is dead", 0]]);
  });
});
