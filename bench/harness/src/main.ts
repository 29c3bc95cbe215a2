#!/usr/bin/env node
// Issue 8's benchmark: FediFlow against its peers on one fake fediverse in the same run.
//   node bench/harness/dist/main.js [--scale 0.2] [--no-hostile] [--peers fedify,bullmq,naive]
//     [--peer-concurrency 64] [--budget-s 120] [--naive-budget-s 20] [--stream-rates 5,10,20,40,80]
//     [--stream-step-s 10] [--fan-out] [--peers-first]
//     [--shared-inbox-share 0.7] [--name harness] [--lever NAME:FEDIFLOW_X=V[,...]]...
import { parseArgs } from "node:util";
import { runBenchmark } from "./benchmark";
import { parseLever } from "./lever";
import { peerNames, type PeerName } from "./peers/peer-job";

async function main(): Promise<void> {
  // `pnpm bench -- --scale 1` hands the "--" on: drop it rather than read what follows as positionals.
  const args = process.argv.slice(2);
  const { values } = parseArgs({
    args: args[0] === "--" ? args.slice(1) : args,
    options: {
      scale: { type: "string", default: "0.2" },
      "no-hostile": { type: "boolean", default: false },
      peers: { type: "string", default: peerNames.join(",") },
      "peer-concurrency": { type: "string", default: "64" },
      "budget-s": { type: "string", default: "120" },
      "naive-budget-s": { type: "string", default: "20" },
      "stream-rates": { type: "string", default: "5,10,20,40,80" },
      "stream-step-s": { type: "string", default: "10" },
      "fan-out": { type: "boolean", default: false },
      "peers-first": { type: "boolean", default: false },
      "shared-inbox-share": { type: "string", default: "0.7" },
      name: { type: "string", default: "harness" },
      lever: { type: "string", multiple: true, default: [] },
    },
  });
  const peers = values.peers.split(",").filter(Boolean) as PeerName[];
  const unknown = peers.filter((peer) => !peerNames.includes(peer));
  if (unknown.length > 0) throw new Error(`unknown peers: ${unknown.join(", ")} (known: ${peerNames.join(", ")})`);
  const { files } = await runBenchmark({
    scale: Number(values.scale),
    hostile: !values["no-hostile"],
    peers,
    peerConcurrency: Number(values["peer-concurrency"]),
    budgetMs: Number(values["budget-s"]) * 1000,
    naiveBudgetMs: Number(values["naive-budget-s"]) * 1000,
    streamRates: values["stream-rates"].split(",").filter(Boolean).map(Number),
    streamStepSeconds: Number(values["stream-step-s"]),
    fanOut: values["fan-out"],
    peersFirst: values["peers-first"],
    sharedInboxShare: Number(values["shared-inbox-share"]),
    name: values.name,
    levers: values.lever.map(parseLever),
    say: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`results: ${files.join(", ")}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
