import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const repositoryRoot = path.resolve(__dirname, "..", "..", "..");

/** Resolves Apache Kafka's jars with Maven (offline after the first time) and returns their folder. */
export async function kafkaLibs(root = repositoryRoot): Promise<string> {
  const { stdout } = await run("bash", [path.join(root, "tools", "kafka", "fetch-jars.sh")], { maxBuffer: 1 << 20 });
  return stdout.trim().split("\n").pop()!;
}
