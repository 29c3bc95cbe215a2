import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import path from "node:path";
import { createInterface, type Interface } from "node:readline";

export interface Counts {
  accepted: number;
  rejected: number;
  firstAt: number | null;
  lastAt: number | null;
}

/** Drives the fake fediverse running in its own process (fediverse-process.ts). */
export class FediverseProcess {
  private readonly replies: Array<(line: string) => void> = [];

  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    lines: Interface,
    readonly port: number,
    readonly hosts: Array<{ host: string; origin: string }>,
  ) {
    lines.on("line", (line) => this.replies.shift()?.(line));
  }

  static async start(hosts: number): Promise<FediverseProcess> {
    const child = spawn(process.execPath, [path.join(__dirname, "fediverse-process.js"), String(hosts)], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once("line", resolve);
      child.once("exit", (code) => reject(new Error(`fake fediverse exited with ${code}`)));
    });
    const hello = JSON.parse(first) as { port: number; hosts: Array<{ host: string; origin: string }> };
    return new FediverseProcess(child, lines, hello.port, hello.hosts);
  }

  get pid(): number {
    return this.child.pid!;
  }

  private ask<T>(command: unknown): Promise<T> {
    return new Promise((resolve) => {
      this.replies.push((line) => resolve(JSON.parse(line) as T));
      this.child.stdin.write(`${JSON.stringify(command)}\n`);
    });
  }

  trust(keyId: string, publicKeyPem: string): Promise<unknown> {
    return this.ask({ trust: { keyId, publicKeyPem } });
  }

  counts(): Promise<Counts> {
    return this.ask({ count: true });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin.end();
    await exited;
  }
}
