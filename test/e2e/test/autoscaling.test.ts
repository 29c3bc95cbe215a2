import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topics } from "@fediflow/contracts";
import { LocalAutoscaler, type ScalingSample } from "@fediflow/local-stack";
import { TestStack, acceptedCounts, createNote, duplicateCount, longestSilenceAfter, waitFor, type LocalActor } from "../src";

let t: TestStack;
let actor: LocalActor;
const hostCount = 200;
const activities = 20;
const window = 100; // FEDIFLOW_DELIVERY_MAX_IN_FLIGHT_MESSAGES

beforeAll(async () => {
  t = await TestStack.start({
    fediverse: {
      hosts: Array.from({ length: hostCount }, () => ({ behaviour: { kind: "ok" as const, latencyMs: [100, 300] as [number, number] } })),
    },
    env: {
      FEDIFLOW_DELIVERY_MAX_IN_FLIGHT_MESSAGES: String(window),
      FEDIFLOW_DELIVERY_SHUTDOWN_GRACE_MS: "10000",
    },
  });
  actor = await t.registerActor("alice");
  await t.api("POST", "/v1/followers", {
    actor: actor.id,
    add: t.fediverse.hosts.map((host) => ({ id: host.actorOf("f"), inbox: host.inboxOf("f"), sharedInbox: host.sharedInbox })),
  });
});
afterAll(async () => {
  await t?.stop();
});

describe("delivery follows the backlog up and back down", () => {
  it("goes 1 → 3 → 1 processes during a stream, losing nothing, and scale-in drains cleanly", async () => {
    const samples: ScalingSample[] = [];
    const scaledIn: Array<{ name: string; code: number | null; stopMs: number }> = [];
    // The chart's behavior (scale up at once, down after a 300 s window at 25 % a minute) on a
    // controller clock 20× faster than the wall clock; a lag target of 5 s of backlog.
    const autoscaler = new LocalAutoscaler({
      stack: t.stack,
      service: "delivery",
      partitions: topics.deliveries.partitions,
      speedup: 20,
      overrides: {
        minReplicas: 1,
        maxReplicas: 3,
        targetCPUUtilizationPercentage: undefined,
        consumerLag: { enabled: true, metricName: "fediflow_consumer_lag_seconds", target: { type: "Value", value: "5" } },
      },
      onSample: (sample) => samples.push(sample),
      onScaledIn: (name, code, stopMs) => scaledIn.push({ name, code, stopMs }),
    });
    autoscaler.start();
    const ids: string[] = [];
    for (let i = 0; i < activities; i += 1) {
      const accepted = await t.api("POST", "/v1/activities", {
        actor: actor.id,
        activity: createNote(actor.id),
        audience: { followers: true },
      });
      ids.push(accepted.body.id as string);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await waitFor("three delivery processes", () => samples.some((s) => s.replicas === 3) || undefined, 90_000, 200);
    for (const id of ids) await t.waitUntilDone(id, 120_000);
    await waitFor("back to one delivery process", () => samples.at(-1)?.replicas === 1 || undefined, 120_000, 200);
    await autoscaler.stop();

    const counts = acceptedCounts(t.fediverse);
    expect(counts.size).toBe(activities * hostCount);
    // Each change of membership moves partitions; each mover may redo its in-flight window.
    const changes = samples.filter((s, i) => i > 0 && s.replicas !== samples[i - 1]!.replicas).length;
    expect(duplicateCount(counts)).toBeLessThanOrEqual(changes * window);
    // 3 → 1 at least; a busy machine may make the controller go up and down once more on the way.
    const removed = samples.reduce((sum, s, i) => sum + (i > 0 ? Math.max(0, samples[i - 1]!.replicas - s.replicas) : 0), 0);
    expect(removed).toBeGreaterThanOrEqual(2);
    expect(scaledIn.length).toBe(removed);
    for (const exit of scaledIn) {
      expect(exit.code).toBe(0);
      expect(exit.stopMs).toBeLessThan(10_000 + 5_000);
    }
    const peak = Math.max(...samples.map((s) => s.replicas));
    // The pause each scale-out costs, as the remote servers see it: kafkajs rebalances eagerly
    // (every member stops), and members learn of the rebalance at their next heartbeat. Timed from the sync that decided it, so the new process's start and
    // the rebalance both fall in the window; the stream still flows (scale-outs happen mid-burst).
    const scaleOuts = samples.filter((s) => s.desired > s.replicas).map((s) => s.at);
    const pauses = longestSilenceAfter(t.fediverse, scaleOuts, 15_000);
    for (const pause of pauses) expect(pause).toBeLessThan(15_000);
    console.log(
      `autoscaling: peak ${peak} processes, ${changes} membership changes, ${duplicateCount(counts)} duplicates; ` +
        `longest silence after each scale-out: ${pauses.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(", ")}; ` +
        `replicas over time: ${samples.map((s) => s.replicas).join("")}`,
    );
  });
});
