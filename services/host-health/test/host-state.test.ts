import { describe, expect, it } from "vitest";
import {
  block,
  contactOf,
  newHost,
  recordContact,
  recordInbound,
  recordProbe,
  unblock,
  type HealthPolicy,
  type HostRecord,
} from "../src/host-state";

const policy: HealthPolicy = {
  breakerThreshold: 3,
  breakerCooldownMs: 1_000,
  breakerCooldownMaxMs: 4_000,
  deadAfterMs: 60_000,
  probeInitialMs: 10_000,
  probeMaxMs: 40_000,
};

function fail(record: HostRecord, times: number, at: number) {
  let result = { record, transition: null as unknown };
  for (let i = 0; i < times; i += 1) result = recordContact(result.record, "unreachable", at, policy);
  return result as ReturnType<typeof recordContact>;
}

describe("host state machine", () => {
  it("only unreachability counts: 4xx and 429 mean the host is alive", () => {
    expect(contactOf("retrying", 429)).toBe("answered");
    expect(contactOf("retrying", 503)).toBe("unreachable");
    expect(contactOf("retrying", null)).toBe("unreachable");
    expect(contactOf("gone", 410)).toBe("answered");
    expect(contactOf("rejected", 403)).toBe("answered");
    expect(contactOf("parked", null)).toBeNull();
    const failing = fail(newHost("h"), 2, 0).record;
    expect(failing.state).toBe("failing");
    expect(recordContact(failing, "answered", 1, policy).record).toMatchObject({ state: "healthy", failures: 0 });
  });

  it("trips the breaker after N failures, doubling the pause up to the cap", () => {
    let record = fail(newHost("h"), 3, 0).record;
    expect(record.pausedUntil).toBe(1_000);
    // During the pause more failures change nothing about the pause.
    record = recordContact(record, "unreachable", 500, policy).record;
    expect(record.pausedUntil).toBe(1_000);
    // The trial after the pause fails: a longer pause.
    record = recordContact(record, "unreachable", 1_000, policy).record;
    expect(record.pausedUntil).toBe(3_000);
    record = recordContact(record, "unreachable", 3_000, policy).record;
    expect(record.pausedUntil).toBe(7_000);
    record = recordContact(record, "unreachable", 7_000, policy).record;
    expect(record.pausedUntil).toBe(11_000);
  });

  it("declares a host dead after failing continuously long enough, then probes at doubling intervals", () => {
    let record = fail(newHost("h"), 1, 0).record;
    const dead = recordContact(record, "unreachable", 60_000, policy);
    expect(dead.transition).toMatchObject({ from: "failing", to: "dead" });
    record = dead.record;
    expect(record.nextProbeAt).toBe(70_000);
    record = recordProbe(record, false, 70_000, policy).record;
    expect(record.nextProbeAt).toBe(90_000);
    record = recordProbe(record, false, 90_000, policy).record;
    record = recordProbe(record, false, 130_000, policy).record;
    expect(record.probeIntervalMs).toBe(40_000);
    const revived = recordProbe(record, true, 170_000, policy);
    expect(revived.transition).toMatchObject({ from: "dead", to: "healthy", reason: "revived by a probe" });
    expect(revived.record).toMatchObject({ failures: 0, nextProbeAt: null, lastSuccessAt: 170_000 });
  });

  it("revives on inbound contact and on a delivery", () => {
    const dead = recordContact(fail(newHost("h"), 1, 0).record, "unreachable", 60_000, policy).record;
    expect(recordInbound(dead, 61_000).transition?.reason).toBe("revived by inbound contact");
    expect(recordContact(dead, "reachable", 61_000, policy).transition?.reason).toBe("revived by a delivery");
  });

  it("keeps a blocked host blocked whatever happens, until unblocked", () => {
    const blocked = block(newHost("h")).record;
    expect(recordContact(blocked, "reachable", 1, policy).record.state).toBe("blocked");
    expect(recordInbound(blocked, 1).record.state).toBe("blocked");
    expect(unblock(blocked, 2).record.state).toBe("healthy");
  });
});
