import { topics, type DeliveryJob, type DeliveryReport } from "@fediflow/contracts";
import type { Logger } from "@fediflow/logging";
import { Rounds } from "@fediflow/runtime";
import type { ParkedStore } from "./parked-store";
import { planReplay, replayAllowance, type ParkedDelivery } from "./parked";

export interface ReplayPolicy {
  /** Parked longer than this, a delivery is counted failed instead of sent, ms. */
  maxAgeMs: number;
  /** Parked deliveries sent again per second to one revived host (per host-health process). */
  perHostPerSecond: number;
  /** How often revived hosts' parks are looked at, ms. */
  roundMs: number;
  /** Inboxes per replayed job. */
  inboxesPerJob: number;
}

export interface ReplayOutlet {
  sendJobs(jobs: DeliveryJob[]): Promise<void>;
  sendReports(reports: DeliveryReport[]): Promise<void>;
}

export interface ReplayCounts {
  replayed: number;
  expired: number;
}

/**
 * Sends revived hosts' parked deliveries out again, oldest first, a bounded number per host
 * per round so a server that just came back is not flooded with everything it missed.
 */
export class Replayer {
  private readonly rounds: Rounds;
  readonly counts: ReplayCounts = { replayed: 0, expired: 0 };

  constructor(
    private readonly store: ParkedStore,
    private readonly outlet: ReplayOutlet,
    private readonly policy: ReplayPolicy,
    private readonly logger: Logger,
    private readonly clock: () => number,
  ) {
    this.rounds = new Rounds(
      () => this.round(),
      this.policy.roundMs,
      (error: unknown) => this.logger.warn({ err: error }, "replaying parked deliveries failed; trying again"),
    );
  }

  start(): void {
    this.rounds.start();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  /** One round: every replayable host gets its allowance, then the too old are settled. */
  async round(): Promise<void> {
    const hosts = await this.store.replayableHosts(1000);
    const fresh = replayAllowance(this.policy.perHostPerSecond, this.policy.roundMs);
    for (const host of hosts) {
      const now = this.clock();
      await this.store.replay(host, now - this.policy.maxAgeMs, { fresh, stale: 1000 }, (deliveries) => this.send(deliveries, now));
    }
    const now = this.clock();
    let settled: number;
    do settled = await this.store.expire(now - this.policy.maxAgeMs, 1000, (deliveries) => this.send(deliveries, now));
    while (settled === 1000);
  }

  private async send(deliveries: ParkedDelivery[], now: number): Promise<void> {
    const replay = planReplay(deliveries, now, this.policy.maxAgeMs, this.policy.inboxesPerJob);
    await this.outlet.sendReports(replay.expired);
    await this.outlet.sendJobs(replay.jobs);
    const replayed = replay.jobs.reduce((n, job) => n + job.inboxes.length, 0);
    const expired = deliveries.length - replayed;
    this.counts.replayed += replayed;
    this.counts.expired += expired;
    if (replayed > 0) this.logger.debug({ host: deliveries[0]!.host, replayed, expired }, "parked deliveries of a revived host sent again");
    if (replayed === 0 && expired > 0) this.logger.info({ expired }, "parked deliveries too old to send counted failed");
  }
}
