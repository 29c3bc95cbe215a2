import type { DeliveryReport, OutcomeClass } from "@fediflow/contracts";
import type { Redis } from "@fediflow/redis";

/** One request to a host, as GET /v1/hosts/{host}/attempts shows it. */
export interface Attempt {
  at: string;
  inbox: string;
  activityId: string;
  /** The inbox's outcome after this attempt (`pending`: it will be tried again). */
  outcome: string;
  status: number | null;
  reason: string | null;
  durationMs: number;
}

/** Outcomes that come from a request to the host; the others were settled without one. */
const attempted = new Set<OutcomeClass>(["delivered", "gone", "rejected", "retrying", "expired"]);

/** The requests a batch of reports made, per host, oldest first. */
export function attemptsByHost(reports: DeliveryReport[]): Map<string, Attempt[]> {
  const byHost = new Map<string, Attempt[]>();
  for (const report of reports) {
    if (report.attempt === 0 || report.parkExpired) continue;
    for (const outcome of report.outcomes) {
      if (!attempted.has(outcome.outcome)) continue;
      const list = byHost.get(report.host) ?? [];
      list.push({
        at: report.at,
        inbox: outcome.inbox,
        activityId: report.activityId,
        outcome: outcome.outcome === "retrying" ? "pending" : outcome.outcome,
        status: outcome.status,
        reason: outcome.reason,
        durationMs: outcome.durationMs,
      });
      byHost.set(report.host, list);
    }
  }
  return byHost;
}

const key = (host: string) => `attempts:${host}`;

/**
 * The last attempts to each host, in bounded storage: a Redis list per host, newest first,
 * trimmed to `kept` entries and dropped after `ttlMs` without a new attempt, so a host's
 * history costs at most `kept` entries (about 300 bytes each) however much it is sent.
 */
export class AttemptLog {
  constructor(
    private readonly redis: Redis,
    private readonly kept: number,
    private readonly ttlMs: number,
  ) {}

  async record(reports: DeliveryReport[]): Promise<void> {
    const byHost = attemptsByHost(reports);
    if (byHost.size === 0 || this.kept === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [host, attempts] of byHost) {
      // LPUSH puts the last argument at the head: newest first.
      pipeline.lpush(key(host), ...attempts.slice(-this.kept).map((attempt) => JSON.stringify(attempt)));
      pipeline.ltrim(key(host), 0, this.kept - 1);
      pipeline.pexpire(key(host), this.ttlMs);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  /** A host's newest attempts, newest first. */
  async recent(host: string, limit: number): Promise<Attempt[]> {
    const entries = await this.redis.lrange(key(host), 0, Math.min(limit, this.kept) - 1);
    return entries.map((entry) => JSON.parse(entry) as Attempt);
  }
}
