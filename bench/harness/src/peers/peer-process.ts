// One peer in a process of its own, so its CPU and memory are its alone.
// argv: <peer name> <job file>. Prints "ready" once prepared, starts on a "go" line on stdin,
// prints "sent" when it has handed everything to its own machinery, exits on stdin's end.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { peerNames, type Peer, type PeerJob, type PeerName } from "./peer-job";

async function peerNamed(name: PeerName): Promise<Peer> {
  // Imported lazily: the Fedify peer runs under another Node and must not load BullMQ, and back.
  if (name === "fedify") return (await import("./fedify-queue.js")).fedifyQueue();
  if (name === "bullmq") return (await import("./bullmq-worker.js")).bullmqWorker();
  return (await import("./naive-loop.js")).naiveLoop();
}

async function main(): Promise<void> {
  const [name, jobFile] = process.argv.slice(2) as [PeerName, string | undefined];
  if (!peerNames.includes(name) || !jobFile) throw new Error(`usage: peer-process.js <${peerNames.join("|")}> <job file>`);
  const job = JSON.parse(readFileSync(jobFile, "utf8")) as PeerJob;
  const peer = await peerNamed(name);
  await peer.prepare(job);
  process.stdout.write("ready\n");
  for await (const line of createInterface({ input: process.stdin })) {
    if (line !== "go") continue;
    void peer.deliver(job).then(
      () => process.stdout.write("sent\n"),
      (error: unknown) => process.stderr.write(`${name} failed: ${String(error)}\n`),
    );
  }
  await peer.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`peer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
