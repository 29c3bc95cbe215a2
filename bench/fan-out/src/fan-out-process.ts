import { readFileSync } from "node:fs";
import { ServiceProcess, freePort, repositoryRoot } from "@fediflow/local-stack";

/** What the fan-out service logged when it finished an activity. */
export interface LoggedFanOut {
  activityId: string;
  inboxes: number;
  messages: number;
  /** Milliseconds from taking the activity to fixing its total, when the service reports it. */
  durationMs: number | null;
}

/** Peak and current resident set of a process, from /proc (kB → MB). */
export function residentSet(pid: number): { peakMb: number; currentMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { peakMb: kb("VmHWM") / 1024, currentMb: kb("VmRSS") / 1024 };
}

/** CPU seconds a process has used so far (user + system), from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * The real fan-out service, started as the local stack and the container start it (with the
 * telemetry preload), against the benchmark's database, Redis prefix and broker.
 */
export class FanOutProcess {
  private readonly finished = new Map<string, (logged: LoggedFanOut) => void>();
  private assigned = false;
  readonly lines: string[] = [];

  private constructor(
    readonly process: ServiceProcess,
    private readonly opsPort: number,
  ) {}

  static async start(env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<FanOutProcess> {
    const opsPort = await freePort();
    let self: FanOutProcess | undefined;
    const child = new ServiceProcess({
      name: "fan-out",
      service: "fan-out",
      root: repositoryRoot,
      env: { ...process.env, ...env, FEDIFLOW_OPS_PORT: String(opsPort), FEDIFLOW_LISTEN_ADDRESS: "127.0.0.1" },
      onLine: (_name, line) => {
        onLine?.(line);
        self?.observe(line);
      },
    });
    self = new FanOutProcess(child, opsPort);
    child.start();
    await self.waitUntil(() => self.assigned, 90_000, "fan-out to join its consumer group");
    return self;
  }

  get pid(): number {
    const pid = this.process.pid;
    if (pid === undefined) throw new Error("fan-out is not running");
    return pid;
  }

  /** Resolves with the service's own report once the activity's fan-out is complete. */
  completion(activityId: string): Promise<LoggedFanOut> {
    return new Promise((resolve) => this.finished.set(activityId, resolve));
  }

  async metrics(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${this.opsPort}/metrics`);
    return response.text();
  }

  async stop(): Promise<void> {
    await this.process.stop(30_000);
  }

  private observe(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 200) this.lines.shift();
    if (!line.startsWith("{")) return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (entry.msg === "partitions assigned" && Array.isArray(entry.partitions) && entry.partitions.length > 0) this.assigned = true;
    if (entry.msg === "fan-out complete" && typeof entry.activityId === "string") {
      this.finished.get(entry.activityId)?.({
        activityId: entry.activityId,
        inboxes: Number(entry.inboxes),
        messages: Number(entry.messages),
        durationMs: typeof entry.durationMs === "number" ? entry.durationMs : null,
      });
      this.finished.delete(entry.activityId);
    }
  }

  private async waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (!this.process.running) throw new Error(`fan-out exited while waiting for ${what}:\n${this.lines.slice(-20).join("\n")}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${this.lines.slice(-20).join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
