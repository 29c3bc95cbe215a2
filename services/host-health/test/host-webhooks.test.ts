import { describe, expect, it } from "vitest";
import { hostWebhookEvents, hostWebhookType } from "../src/host-webhooks";
import { newHost } from "../src/host-state";

describe("host webhook events", () => {
  it("name a host failing, dead, or revived from dead, and nothing else", () => {
    expect(hostWebhookType({ from: "healthy", to: "failing", reason: "r" })).toBe("host.failing");
    expect(hostWebhookType({ from: "failing", to: "dead", reason: "r" })).toBe("host.dead");
    expect(hostWebhookType({ from: "dead", to: "healthy", reason: "r" })).toBe("host.revived");
    expect(hostWebhookType({ from: "failing", to: "healthy", reason: "r" })).toBeNull();
    expect(hostWebhookType({ from: "healthy", to: "blocked", reason: "r" })).toBeNull();
  });

  it("carry the host document, its previous state and why", () => {
    const [event] = hostWebhookEvents([{ record: { ...newHost("a.example"), state: "dead" }, transition: { from: "failing", to: "dead", reason: "failing for 7 days" } }], 0);
    expect(event).toMatchObject({ type: "host.dead", timestamp: new Date(0).toISOString(), data: { host: "a.example", state: "dead", from: "failing", reason: "failing for 7 days" } });
    expect(event!.id).toMatch(/^evt_/);
  });
});
