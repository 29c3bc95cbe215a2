import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { allTopics } from "@fediflow/contracts";

const run = promisify(execFile);

export const repositoryRoot = path.resolve(__dirname, "..", "..", "..");

/** Builds the mock broker when needed (installing librdkafka-dev first) and returns its path. */
export async function buildMockBroker(root = repositoryRoot): Promise<string> {
  const { stdout } = await run("bash", [path.join(root, "tools", "mock-broker", "build.sh")], { maxBuffer: 1 << 20 });
  return stdout.trim().split("\n").pop()!;
}

/**
 * The Kafka-protocol cluster for this machine: librdkafka's mock cluster with FediFlow's
 * topics created at their partition counts. Brokers can be taken down and brought back.
 */
export class MockBroker {
  private pending: Array<(line: string) => void> = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly bootstrapServers: string[],
  ) {}

  static async start(options: { brokers?: number; root?: string; onLog?: (line: string) => void } = {}): Promise<MockBroker> {
    const binary = await buildMockBroker(options.root);
    const args = ["--brokers", String(options.brokers ?? 3)];
    for (const topic of allTopics) args.push("--topic", `${topic.name}:${topic.partitions}`);
    const child = spawn(binary, args, { stdio: ["pipe", "pipe", "pipe"] });
    const lines = createInterface({ input: child.stdout });
    createInterface({ input: child.stderr }).on("line", (line) => options.onLog?.(line));
    const bootstrap = await new Promise<string>((resolve, reject) => {
      lines.once("line", resolve);
      child.once("exit", (code) => reject(new Error(`mock broker exited with ${code} before it was ready`)));
      child.once("error", reject);
    });
    const broker = new MockBroker(child, bootstrap.split(","));
    lines.on("line", (line) => broker.pending.shift()?.(line));
    return broker;
  }

  /** Takes broker `id` (1..N) down: its connections drop and new ones are refused. */
  down(id: number): Promise<string> {
    return this.command(`down ${id}`);
  }

  up(id: number): Promise<string> {
    return this.command(`up ${id}`);
  }

  private command(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.pending.push((line) => (line.startsWith("ok") ? resolve(line) : reject(new Error(line))));
      this.child.stdin.write(`${text}\n`);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}
