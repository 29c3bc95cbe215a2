import { cpuSeconds, peakRssMb } from "@fediflow/local-stack";
import type { BenchWorld } from "./bench-world";
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
}

const display: Record<PeerName, string> = { fedify: "Fedify", bullmq: "BullMQ", naive: "naive loop" };

/** S1 through each peer in turn, each in its own process, handed the same folded inboxes. */
export async function runPeers(world: BenchWorld, options: PeerOptions): Promise<{ runs: SystemRun[]; notes: string[] }> {
  const runs: SystemRun[] = [];
  const notes: string[] = [];
  for (const name of options.peers) {
    if (name === "fedify" && !fedifyInstalled()) {
      notes.push("Fedify skipped: bench/harness/fedify-peer is not installed (`pnpm --filter @fediflow/bench-harness bench:setup`)");
      world.say(`  ${notes.at(-1)}`);
      continue;
    }
    const activity = world.activityFor(`S1-${name}`);
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
        scenario: "S1",
        activityId: activity.id,
        expected: new Set(world.allInboxes),
        handedOverAt,
        budgetMs: name === "naive" ? options.naiveBudgetMs : options.budgetMs,
        cpu: () => ({ [name]: cpuSeconds(peer.pid) }),
        cpuAtStart,
        supportCpu: () => support?.cpu() ?? {},
        peakRss: () => ({ [name]: peakRssMb(peer.pid) }),
        say: world.say,
      });
      runs.push(run);
      world.say(describeRun(run));
    } finally {
      await support?.stop();
      await peer.stop();
    }
  }
  return { runs, notes };
}
