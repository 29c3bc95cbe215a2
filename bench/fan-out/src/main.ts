#!/usr/bin/env node
// The fan-out benchmark: `pnpm --filter @fediflow/bench-fan-out bench -- --followers 1000000 --hosts 30000`.
// Prints one JSON document with the figures; see bench/fan-out/README.md for what they mean.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { runBenchmark } from "./benchmark";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      followers: { type: "string", default: "1000000" },
      hosts: { type: "string", default: "30000" },
      "personal-hosts": { type: "string", default: "0.1" },
      runs: { type: "string", default: "3" },
      verify: { type: "boolean", default: false },
      crash: { type: "boolean", default: false },
      output: { type: "string" },
      logs: { type: "boolean", default: false },
      "node-options": { type: "string" },
      // e.g. --floors 50,250: time PostgreSQL and Kafka alone too (Kafka in chunks of 50 and 250).
      floors: { type: "string" },
    },
  });
  const result = await runBenchmark({
    followers: Number(values.followers),
    hosts: Number(values.hosts),
    personalHosts: Number(values["personal-hosts"]),
    runs: Number(values.runs),
    verify: values.verify,
    crash: values.crash,
    floors: values.floors ? values.floors.split(",").map(Number) : undefined,
    // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the fan-out process.
    env: values["node-options"] ? { NODE_OPTIONS: values["node-options"] } : {},
    onLine: values.logs ? (line) => process.stderr.write(`[fan-out] ${line}\n`) : undefined,
  });
  const text = JSON.stringify(result, null, 2);
  process.stdout.write(`${text}\n`);
  if (values.output) writeFileSync(values.output, `${text}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
