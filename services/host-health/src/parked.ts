import type { DeliveryJob, DeliveryReport } from "@fediflow/contracts";

/** The fields of a delivery job that a parked report carries, enough to send it again. */
export type ParkedJob = Omit<DeliveryJob, "inboxes" | "attempt" | "firstAttemptAt" | "trace" | "host">;

/** One inbox's delivery held for a dead host. Times are epoch milliseconds. */
export interface ParkedDelivery {
  activityId: string;
  inbox: string;
  host: string;
  job: ParkedJob;
  parkedAt: number;
  /** Tried before it was parked: it may have arrived, so coalescing never cancels it. */
  attempted: boolean;
}

/** Every inbox a batch of reports parked, in report order (a later duplicate is dropped). */
export function parkedDeliveries(reports: DeliveryReport[], now: number): ParkedDelivery[] {
  const parked = new Map<string, ParkedDelivery>();
  for (const report of reports) {
    const { outcomes, at: _at, attempt: _attempt, firstAttemptAt: _first, parkExpired: _expired, nextAttemptAt: _next, host, ...job } =
      report;
    for (const outcome of outcomes) {
      if (outcome.outcome !== "parked") continue;
      const key = `${report.activityId}\n${outcome.inbox}`;
      if (!parked.has(key))
        parked.set(key, { activityId: report.activityId, inbox: outcome.inbox, host, job, parkedAt: now, attempted: report.attempt > 1 });
    }
  }
  return [...parked.values()];
}

/** What a revival does with a host's parked deliveries. */
export interface Replay {
  /** Sent again as fresh jobs (attempt 1, a new retry horizon). */
  jobs: DeliveryJob[];
  /** Parked too long: settled failed, with the reason. */
  expired: DeliveryReport[];
}

/** A duration for people: "7 days", "36 hours", "90 s". */
export function spell(ms: number): string {
  const day = 86_400_000;
  const hour = 3_600_000;
  if (ms >= day && ms % day === 0) return `${ms / day} day${ms === day ? "" : "s"}`;
  if (ms >= hour && ms % hour === 0) return `${ms / hour} hour${ms === hour ? "" : "s"}`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/**
 * Turns claimed parked deliveries into jobs (one per activity, at most `inboxesPerJob` inboxes
 * each, as fan-out sizes them) and, for those parked longer than `maxAgeMs`, failed outcomes.
 */
export function planReplay(parked: ParkedDelivery[], now: number, maxAgeMs: number, inboxesPerJob: number): Replay {
  const fresh = new Map<string, ParkedDelivery[]>();
  const stale = new Map<string, ParkedDelivery[]>();
  for (const delivery of parked) {
    const into = now - delivery.parkedAt > maxAgeMs ? stale : fresh;
    const key = `${delivery.host}\n${delivery.activityId}`;
    into.set(key, [...(into.get(key) ?? []), delivery]);
  }
  const jobs: DeliveryJob[] = [];
  for (const group of fresh.values()) {
    const first = group[0]!;
    for (let i = 0; i < group.length; i += inboxesPerJob) {
      const inboxes = group.slice(i, i + inboxesPerJob).map((delivery) => delivery.inbox);
      jobs.push({ ...first.job, host: first.host, inboxes, attempt: 1, firstAttemptAt: null });
    }
  }
  const at = new Date(now).toISOString();
  const reason = `parked longer than ${spell(maxAgeMs)}`;
  const expired: DeliveryReport[] = [...stale.values()].map((group) => ({
    ...group[0]!.job,
    host: group[0]!.host,
    attempt: 0,
    firstAttemptAt: null,
    outcomes: group.map((delivery) => ({ inbox: delivery.inbox, outcome: "expired" as const, status: null, reason, durationMs: 0 })),
    at,
    parkExpired: true,
  }));
  return { jobs, expired };
}

/** Parked deliveries an operator discarded, settled `discarded` (one report per activity). */
export function discardedReports(parked: ParkedDelivery[], now: number): DeliveryReport[] {
  const byActivity = new Map<string, ParkedDelivery[]>();
  for (const delivery of parked) byActivity.set(delivery.activityId, [...(byActivity.get(delivery.activityId) ?? []), delivery]);
  const at = new Date(now).toISOString();
  return [...byActivity.values()].map((group) => ({
    ...group[0]!.job,
    host: group[0]!.host,
    attempt: 0,
    firstAttemptAt: null,
    outcomes: group.map((delivery) => ({
      inbox: delivery.inbox,
      outcome: "discarded" as const,
      status: null,
      reason: "discarded by an operator",
      durationMs: 0,
    })),
    at,
  }));
}

/** How many parked deliveries of one host may go out per replay round, for a per-second rate. */
export const replayAllowance = (perSecond: number, roundMs: number): number => Math.max(1, Math.floor((perSecond * roundMs) / 1000));
