import type { DeliveryJob, DeliveryReport, OutcomeClass } from "@fediflow/contracts";
import type { HostStandings } from "@fediflow/host-view";
import { attemptJob, type DeliverDependencies } from "./deliver";

export interface WorkerDependencies extends DeliverDependencies {
  hosts: HostStandings;
  report(reports: DeliveryReport[]): Promise<void>;
  onReport?(report: DeliveryReport): void;
}

/** Decides, per delivery job, whether to send, skip (blocked) or park (dead), and reports it. */
export class DeliveryWorker {
  constructor(private readonly deps: WorkerDependencies) {}

  async handle(job: DeliveryJob): Promise<void> {
    const standing = this.deps.hosts.of(job.host);
    if (standing.state === "blocked") return this.settle(job, "blocked", "host is blocked");
    if (standing.state === "dead") return this.settle(job, "parked", "host is dead");
    const { report } = await attemptJob(job, this.deps);
    await this.deps.report([report]);
    this.deps.onReport?.(report);
  }

  private async settle(job: DeliveryJob, outcome: OutcomeClass, reason: string): Promise<void> {
    const { inboxes, ...fields } = job;
    const report: DeliveryReport = {
      ...fields,
      outcomes: inboxes.map((inbox) => ({ inbox, outcome, status: null, reason, durationMs: 0 })),
      at: new Date(this.deps.clock()).toISOString(),
    };
    await this.deps.report([report]);
    this.deps.onReport?.(report);
  }
}
