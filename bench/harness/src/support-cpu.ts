import { cpuSeconds } from "@fediflow/local-stack";
import { Redis } from "ioredis";
import pg from "pg";

/** CPU seconds of a process, or null once it has exited. */
function cpuOf(pid: number): number | null {
  try {
    return cpuSeconds(pid);
  } catch {
    return null;
  }
}

/**
 * The CPU a system costs beyond its own processes: the PostgreSQL backends of its database, the
 * broker and Redis, each counted by pid. Backends come and go (pools open and close them), so
 * their pids are looked up twice a second; a backend born after the sampler started counts
 * from birth, one that was there counts from the start. Redis is shared by the machine: its
 * whole CPU is counted, which the report says.
 */
export class SupportCpu {
  /** pid → [what it is, CPU-s when first seen or 0 when born later, CPU-s when last read]. */
  private readonly pids = new Map<number, { kind: string; from: number; last: number }>();
  private readonly timer: NodeJS.Timeout;
  private db: pg.Client | null = null;

  private constructor(
    private readonly databaseName: string | null,
    private readonly kafkaPids: () => number[],
  ) {
    this.timer = setInterval(() => void this.lookUpBackends(), 500);
    this.timer.unref();
  }

  static async start(options: { databaseUrl?: string; redisUrl?: string; kafkaPids?: () => number[] }): Promise<SupportCpu> {
    const sampler = new SupportCpu(
      options.databaseUrl ? new URL(options.databaseUrl).pathname.slice(1) : null,
      options.kafkaPids ?? (() => []),
    );
    if (options.databaseUrl) {
      // Connected to the maintenance database, so this client is never one of the backends counted.
      const maintenance = new URL(options.databaseUrl);
      maintenance.pathname = "/postgres";
      sampler.db = new pg.Client({ connectionString: maintenance.toString(), application_name: "fediflow-bench-cpu" });
      await sampler.db.connect();
    }
    if (options.redisUrl) {
      const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      const pid = Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1]);
      redis.disconnect();
      if (pid) sampler.see(pid, "redis", true);
    }
    for (const pid of sampler.kafkaPids()) sampler.see(pid, "kafka", true);
    await sampler.lookUpBackends(true);
    return sampler;
  }

  /** CPU-s each kind (postgres, kafka, redis) used since the sampler started. */
  cpu(): Record<string, number> {
    for (const pid of this.kafkaPids()) this.see(pid, "kafka", false);
    const totals: Record<string, number> = {};
    for (const [pid, seen] of this.pids) {
      seen.last = cpuOf(pid) ?? seen.last;
      totals[seen.kind] = (totals[seen.kind] ?? 0) + (seen.last - seen.from);
    }
    return totals;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.db?.end();
  }

  private see(pid: number, kind: string, atStart: boolean): void {
    if (this.pids.has(pid)) return;
    const now = cpuOf(pid);
    if (now !== null) this.pids.set(pid, { kind, from: atStart ? now : 0, last: now });
  }

  private async lookUpBackends(atStart = false): Promise<void> {
    if (!this.db || !this.databaseName) return;
    try {
      const result = await this.db.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1", [this.databaseName]);
      for (const { pid } of result.rows) this.see(pid, "postgres", atStart);
      // Read every known backend now: one that exits before the next read keeps its last figure.
      this.cpu();
    } catch {
      // The database may be recreated or stopping between runs: the next look finds it again.
    }
  }
}
