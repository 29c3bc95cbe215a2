import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

export const serviceNames = ["host-health", "outbox", "fan-out", "delivery", "ingress"] as const;
export type ServiceName = (typeof serviceNames)[number];

export interface ServiceProcessOptions {
  /** Process name: the service, or "delivery-2" for a second replica. */
  name: string;
  service: ServiceName;
  root: string;
  env: NodeJS.ProcessEnv;
  onLine(name: string, line: string): void;
}

/** One service running as its own process, started the way the container image starts it. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exitListeners: Array<(code: number | null, signal: NodeJS.Signals | null) => void> = [];
  /** The last lines it printed, for error messages. */
  readonly tail: string[] = [];

  constructor(readonly options: ServiceProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    const directory = path.join(this.options.root, "services", this.options.service);
    const child = spawn(process.execPath, ["--require", "@fediflow/telemetry/register", "dist/main.js"], {
      cwd: directory,
      env: this.options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on("line", (line) => {
        this.tail.push(line);
        if (this.tail.length > 40) this.tail.shift();
        this.options.onLine(this.options.name, line);
      });
    }
    child.on("exit", (code, signal) => {
      for (const listener of this.exitListeners.splice(0)) listener(code, signal);
    });
    this.child = child;
  }

  /** Resolves with the exit code (null when killed by a signal) once the process is gone. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return Promise.resolve({ code: this.child?.exitCode ?? null, signal: this.child?.signalCode ?? null });
    return new Promise((resolve) => this.exitListeners.push((code, signal) => resolve({ code, signal })));
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child!.kill(signal);
  }

  /** SIGTERM, then SIGKILL after graceMs. */
  async stop(graceMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exited();
    const exit = this.exited();
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    const result = await exit;
    clearTimeout(timer);
    return result;
  }
}
