import { seededRandom, type Behaviour, type HostOptions } from "@fediflow/fake-fediverse";

export interface DemoScenario {
  hosts: HostOptions[];
  /** Followers per host, drawn so a few servers are big and most are small. */
  followersPerHost: number[];
}

/** The part of the simulated fediverse that is healthy: these inboxes must all be delivered. */
export const isHealthy = (behaviour: Behaviour): boolean => behaviour.kind === "ok";

/**
 * A few hundred servers: most healthy with 5-80 ms of latency, some gone (410), some flaky
 * (503 a third of the time), some black holes that never answer, some refusing connections.
 * 60% advertise a shared inbox. Seeded, so every run sees the same fediverse.
 */
export function demoScenario(hostCount: number, followerCount: number, seed = 7): DemoScenario {
  const random = seededRandom(seed);
  const hosts: HostOptions[] = [];
  for (let i = 0; i < hostCount; i += 1) {
    const roll = random();
    const behaviour: Behaviour =
      roll < 0.86
        ? { kind: "ok", latencyMs: [5, 80] }
        : roll < 0.9
          ? { kind: "status", status: 410 }
          : roll < 0.94
            ? { kind: "flaky", failureRate: 0.33 }
            : roll < 0.97
              ? { kind: "blackHole" }
              : { kind: "refuse" };
    hosts.push({ behaviour, sharedInbox: random() < 0.6 });
  }
  // Zipf-like sizes: server i gets a share proportional to 1/(i+1).
  const weights = hosts.map((_, i) => 1 / (i + 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  const followersPerHost = weights.map((w) => Math.max(1, Math.round((w / sum) * followerCount)));
  return { hosts, followersPerHost };
}
