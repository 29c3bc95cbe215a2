import { cpuSeconds, peakRssMb } from "@fediflow/local-stack";
import type { BenchWorld } from "./bench-world";
import { inHostileFediverse, type HostileScene } from "./hostile-scene";
import { fedifyInstalled, PeerProcess } from "./peers/peer-client";
import type { PeerName } from "./peers/peer-job";
import type { SystemRun } from "./results";
import { SupportCpu } from "./support-cpu";
import { describeRun, measureRun } from "./system-run";

export interface PeerOptions {
  peers: PeerName[];
  concurrency: number;
  budgetMs: number;
  /** The naive loop's budget: it is too slow to finish anything large. */
  naiveBudgetMs: number;
  redisUrl: string;
  /** S3's hostile fediverse, the same FediFlow meets; null: the peers run S1 only. */
  hostile: HostileScene | null;
}

const display: Record<PeerName, string> = { fedify: "Fedify", bullmq: "BullMQ", naive: "naive loop" };

/**
 * One peer's run of a scenario in its own process, handed every folded inbox; `expected` are
 * the inboxes that must receive it (in S3, those on healthy hosts).
 */
async function runPeer(
  world: BenchWorld,
  options: PeerOptions,
  name: PeerName,
  scenario: string,
  expected: Set<string>,
): Promise<SystemRun> {
  const activity = world.activityFor(`${scenario}-${name}`);
  const peer = await PeerProcess.start(name, {
    activity,
    inboxes: world.allInboxes,
    keyId: world.keyId,
    privateKeyPem: world.privateKeyPem,
    concurrency: options.concurrency,
    redisUrl: options.redisUrl,
  });
  // BullMQ's queue is Redis; Fedify's is in its own process.
  const support = name === "bullmq" ? await SupportCpu.start({ redisUrl: options.redisUrl }) : null;
  try {
    const cpuAtStart = { [name]: cpuSeconds(peer.pid) };
    const handedOverAt = Date.now();
    peer.go();
    const run = await measureRun(world.fediverse, {
      system: display[name],
      scenario,
      activityId: activity.id,
      expected,
      handedOverAt,
      budgetMs: name === "naive" ? options.naiveBudgetMs : options.budgetMs,
      cpu: () => ({ [name]: cpuSeconds(peer.pid) }),
      cpuAtStart,
      supportCpu: () => support?.cpu() ?? {},
      peakRss: () => ({ [name]: peakRssMb(peer.pid) }),
      say: world.say,
    });
    world.say(describeRun(run));
    return run;
  } finally {
    await support?.stop();
    await peer.stop();
  }
}

/** S1, and S3 when asked, through each peer in turn, each in its own process, handed the same folded inboxes. */
export async function runPeers(world: BenchWorld, options: PeerOptions): Promise<{ runs: SystemRun[]; notes: string[] }> {
  const runs: SystemRun[] = [];
  const notes: string[] = [];
  for (const name of options.peers) {
    if (name === "fedify" && !fedifyInstalled()) {
      notes.push("Fedify skipped: bench/harness/fedify-peer is not installed (`pnpm --filter @fediflow/bench-harness bench:setup`)");
      world.say(`  ${notes.at(-1)}`);
      continue;
    }
    runs.push(await runPeer(world, options, name, "S1", new Set(world.allInboxes)));
    // The naive loop is too slow to finish S1 at size; a hostile run would tell nothing more.
    if (options.hostile && name !== "naive") {
      runs.push(await inHostileFediverse(world, options.hostile, (healthy) => runPeer(world, options, name, "S3", healthy)));
    }
  }
  return { runs, notes };
}
