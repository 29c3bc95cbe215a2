#!/usr/bin/env node
// `pnpm stack`: the whole pipeline in the foreground on this machine. Ready when
// GET http://127.0.0.1:$FEDIFLOW_INGRESS_PORT/readyz answers 200; Ctrl-C stops everything.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { repositoryRoot } from "@fediflow/kafka-cluster";
import { prefixedLogPrinter } from "./log-lines";
import { startStack } from "./stack";

async function localApiToken(): Promise<string> {
  const file = path.join(repositoryRoot, ".local", "api-token");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    const token = randomBytes(24).toString("base64url");
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    return token;
  }
}

async function main(): Promise<void> {
  const print = prefixedLogPrinter();
  const token = process.env.FEDIFLOW_API_TOKENS ? null : await localApiToken();
  const stack = await startStack({
    fixedPorts: true,
    env: token ? { FEDIFLOW_API_TOKENS: token } : {},
    onLine: print,
    onKafkaLog: (line) => print("kafka", line),
  });
  print("stack", `ready: ${stack.ingressUrl} (Kafka ${stack.kafkaBrokers.join(",")})`);
  if (token) print("stack", `API token (from .local/api-token): ${token}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    print("stack", `${signal}: stopping every process`);
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  for (const [name, child] of stack.processes) {
    void child.exited().then(({ code, signal }) => {
      if (!stopping) print("stack", `${name} exited (${signal ?? code}); stopping the rest`);
      void stop("exit");
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`stack failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
