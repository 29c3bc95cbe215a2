import { foldedInboxes } from "./audience";
import type { BenchWorld } from "./bench-world";
import { hostileBehaviours, isHealthy, type HostileMix } from "./fediverse-shape";

export interface HostileScene {
  mix: HostileMix;
  latencyMs: [number, number];
  seed: number;
}

/**
 * Runs `inside` with the fake fediverse turned hostile (S3: black holes, refused connections,
 * flaky, 410 and 429 hosts, the same hosts for every system), handing it the inboxes that stay
 * healthy; the hosts' S1 behaviours are put back afterwards.
 */
export async function inHostileFediverse<T>(
  world: BenchWorld,
  scene: HostileScene,
  inside: (healthy: Set<string>) => Promise<T>,
): Promise<T> {
  const { fediverse, hosts, shaped } = world;
  const behaviours = hostileBehaviours(hosts.length, scene.mix, scene.latencyMs, scene.seed + 1);
  for (const [i, host] of hosts.entries()) await fediverse.setBehaviour(host.host, behaviours[i]!);
  try {
    return await inside(new Set(foldedInboxes(hosts, shaped.followersPerHost, (host) => isHealthy(host.behaviour))));
  } finally {
    for (const [i, host] of hosts.entries()) await fediverse.setBehaviour(host.host, shaped.hosts[i]!.behaviour!);
  }
}
