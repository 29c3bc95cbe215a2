import { describe, expect, it } from "vitest";
import { freePort } from "@fediflow/kafka-cluster";
import { localStackPorts } from "../src/stack";

// Linux hands ports from 32768 up to outgoing connections: a server port there can be taken
// by any process's connection first (host-health once failed with EADDRINUSE on 50052).
describe("local ports stay below the ephemeral range", () => {
  it("the foreground stack's fixed ports", () => {
    for (const [name, port] of Object.entries(localStackPorts)) expect([name, port < 32768]).toEqual([name, true]);
    // Kafka's nodes take two ports each (client, controller) for up to three nodes.
    expect(localStackPorts.kafka + 6).toBeLessThan(32768);
  });

  it("the free ports tests and stacks ask for", async () => {
    for (let i = 0; i < 20; i += 1) expect(await freePort()).toBeLessThan(32768);
  });
});
