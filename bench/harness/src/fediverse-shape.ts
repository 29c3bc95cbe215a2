import { seededRandom, type Behaviour, type HostOptions } from "@fediflow/fake-fediverse";

/** Shares of hosts with each hostile behaviour (S3); the rest are healthy. */
export interface HostileMix {
  blackHole: number;
  refuse: number;
  flaky: number;
  gone: number;
  rateLimited: number;
}

export const noHostiles: HostileMix = { blackHole: 0, refuse: 0, flaky: 0, gone: 0, rateLimited: 0 };

/** Issue 8's hostile fediverse: 20% black holes, 10% refusing, 5% flaky 5xx, 2% 410, 2% 429. */
export const issueHostileMix: HostileMix = { blackHole: 0.2, refuse: 0.1, flaky: 0.05, gone: 0.02, rateLimited: 0.02 };

export interface FediverseShape {
  hosts: number;
  followers: number;
  /** Share of hosts whose actors advertise a shared inbox. */
  sharedInboxShare: number;
  /** Latency of a healthy host's answer, uniform in [min, max] ms. */
  latencyMs: [number, number];
  seed: number;
}

export interface ShapedFediverse {
  /** One entry per host, all healthy. */
  hosts: HostOptions[];
  followersPerHost: number[];
}

/**
 * Follower i of n lives on host ⌊hosts · ((i − ½)/n)³⌋, the heavy tail bench/fan-out seeds
 * (the biggest host holds a few percent of the audience, the smallest a handful).
 */
export function followersPerHost(followers: number, hosts: number): number[] {
  const counts = new Array<number>(hosts).fill(0);
  for (let i = 1; i <= followers; i += 1) counts[Math.floor(hosts * ((i - 0.5) / followers) ** 3)]! += 1;
  return counts;
}

export function shapeFediverse(shape: FediverseShape): ShapedFediverse {
  const random = seededRandom(shape.seed);
  const healthy: Behaviour = { kind: "ok", latencyMs: shape.latencyMs };
  const hosts = Array.from({ length: shape.hosts }, () => ({ behaviour: healthy, sharedInbox: random() < shape.sharedInboxShare }));
  return { hosts, followersPerHost: followersPerHost(shape.followers, shape.hosts) };
}

/**
 * Behaviours for the hostile scenario, drawn per host with a seed so every run sees the same
 * hosts misbehave. Flaky hosts fail half their requests; rate-limited ones answer 429 once.
 */
export function hostileBehaviours(hostCount: number, mix: HostileMix, latencyMs: [number, number], seed: number): Behaviour[] {
  const random = seededRandom(seed);
  const shares = [mix.blackHole, mix.refuse, mix.flaky, mix.gone, mix.rateLimited];
  const cut = shares.map((_, i) => shares.slice(0, i + 1).reduce((a, b) => a + b, 0));
  return Array.from({ length: hostCount }, (): Behaviour => {
    const roll = random();
    if (roll < cut[0]!) return { kind: "blackHole" };
    if (roll < cut[1]!) return { kind: "refuse" };
    if (roll < cut[2]!) return { kind: "flaky", failureRate: 0.5, status: 503 };
    if (roll < cut[3]!) return { kind: "status", status: 410 };
    if (roll < cut[4]!) return { kind: "rateLimited", retryAfterSeconds: 2, times: 1 };
    return { kind: "ok", latencyMs };
  });
}

export const isHealthy = (behaviour: Behaviour): boolean => behaviour.kind === "ok";
