import { generateKeyPairSync, randomBytes } from "node:crypto";
import { FakeFediverse, type HostOptions } from "@fediflow/fake-fediverse";
import { foldedInboxes } from "./audience";
import type { BenchWorld } from "./bench-world";
import { measureFloor, type Floor } from "./floor";
import { shapeFediverse, type FediverseShape } from "./fediverse-shape";
import { runFediflow, type FediflowOptions, type FediflowResults } from "./run-fediflow";
import { runPeers, type PeerOptions } from "./run-peers";
import type { SystemRun } from "./results";
import type { Lever, LeverResult, LeverSide } from "./lever";

export interface SameRunOptions {
  shape: FediverseShape;
  fediflow: Omit<FediflowOptions, "latencyMs" | "seed">;
  peers: PeerOptions;
  /** Run the peers before FediFlow instead of after it. */
  peersFirst: boolean;
  /** Settings to measure against the defaults, each in two more FediFlow runs (idle and S1). */
  levers: Lever[];
  say(line: string): void;
}

export interface SameRunResults extends Omit<FediflowResults, "runs"> {
  floor: Floor;
  runs: SystemRun[];
  notes: string[];
  levers: LeverResult[];
}

const floorHostCount = 20;
const floorInboxesPerHost = 250;

/**
 * One run: a shaped fake fediverse, the floor measured on extra hosts that answer at once, then
 * FediFlow (S1, S2, S3) and each peer (S1) on the same fediverse, all signing with the same key.
 */
export async function runSameRun(options: SameRunOptions): Promise<SameRunResults> {
  const { say } = options;
  const shaped = shapeFediverse(options.shape);
  const floorHosts: HostOptions[] = Array.from({ length: floorHostCount }, () => ({ behaviour: { kind: "ok" }, sharedInbox: false }));
  const fediverse = await FakeFediverse.start({ hosts: [...shaped.hosts, ...floorHosts], network: 79, seed: options.shape.seed });
  try {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const actor = "https://bench.example/users/alice";
    const hosts = fediverse.hosts.slice(0, shaped.hosts.length);
    const world: BenchWorld = {
      fediverse,
      hosts,
      shaped,
      allInboxes: foldedInboxes(hosts, shaped.followersPerHost),
      actor,
      keyId: `${actor}#main-key`,
      privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      activityFor(run) {
        const id = `${actor}/activities/${run}-${randomBytes(4).toString("hex")}`;
        return {
          "@context": "https://www.w3.org/ns/activitystreams",
          id,
          type: "Create",
          actor,
          object: { id: `${id}/note`, type: "Note", attributedTo: actor, content: "x".repeat(600) },
        };
      },
      say,
    };
    fediverse.trustKey(world.keyId, publicKey.export({ type: "spki", format: "pem" }).toString());
    say(
      `  fake fediverse: ${hosts.length} hosts (+${floorHostCount} for the floor) on 127.79.x.y:${fediverse.port}, ${options.shape.followers} followers, ${world.allInboxes.length} inboxes after folding`,
    );

    // 1. The floor, in its own process.
    const inboxesByHost = Object.fromEntries(
      fediverse.hosts
        .slice(shaped.hosts.length)
        .map((host) => [host.host, Array.from({ length: floorInboxesPerHost }, (_, i) => host.inboxOf(`f${i}`))]),
    );
    const floor = await measureFloor({
      inboxesByHost,
      body: JSON.stringify(world.activityFor("floor")),
      keyId: world.keyId,
      privateKeyPem: world.privateKeyPem,
      perHost: 8,
      signSeconds: 2,
    });
    say(
      `  floor: ${Math.round(floor.signaturesPerSecond)} RSA-2048 signatures/s, ${Math.round(floor.postsPerSecond)} keep-alive POSTs/s → ${floor.cpuMsPerDelivery.toFixed(3)} ms CPU per delivery (${Math.round(floor.deliveriesPerCoreSecond)} per core-second)`,
    );

    // 2. FediFlow and 3. the peers, never at the same time; the order can be swapped to show
    // how much the machine's load drifting between them moves the ratios.
    const runFediflowPart = () => runFediflow(world, { ...options.fediflow, latencyMs: options.shape.latencyMs, seed: options.shape.seed });
    const peersBefore = options.peersFirst ? await runPeers(world, options.peers) : null;
    const fediflow = await runFediflowPart();
    const peers = peersBefore ?? (await runPeers(world, options.peers));

    // 4. Each lever: FediFlow with its defaults, then with the lever, back to back (idle and S1).
    const levers: LeverResult[] = [];
    for (const lever of options.levers) {
      const side = async (env: Record<string, string>, label: string): Promise<LeverSide> => {
        say(`  lever ${lever.name}, ${label}:`);
        const part = await runFediflow(world, {
          ...options.fediflow,
          streamRates: [],
          hostile: null,
          latencyMs: options.shape.latencyMs,
          seed: options.shape.seed,
          env,
        });
        const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
        return { idleCpuPerSecond: sum(part.idleByProcess), idleSupportCpuPerSecond: sum(part.idleSupportByProcess), s1: part.runs[0]! };
      };
      levers.push({ ...lever, before: await side({}, "defaults"), after: await side(lever.env, "with the lever") });
    }
    return { ...fediflow, floor, runs: [...fediflow.runs, ...peers.runs], notes: peers.notes, levers };
  } finally {
    await fediverse.stop();
  }
}
