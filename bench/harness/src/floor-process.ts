// The floor in a process of its own (the harness process serves the fake fediverse, whose CPU
// must not count): bench/delivery's measurement, on hosts that answer at once.
// argv: <job file> with {inboxesByHost, body, keyId, privateKeyPem, perHost, signSeconds}.
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { keepAlivePosts, signaturesPerSecond } from "@fediflow/bench-delivery/dist/floor";
import type { FloorJob } from "./floor";

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as FloorJob;
  const key = createPrivateKey(job.privateKeyPem);
  const inboxesByHost = new Map(Object.entries(job.inboxesByHost));
  // Warm up first (JIT, connections): a cold floor would be flattering to everyone measured against it.
  signaturesPerSecond(key, 0.3);
  await keepAlivePosts(
    new Map([...inboxesByHost].map(([host, inboxes]) => [host, inboxes.slice(0, 20)])),
    job.body,
    job.keyId,
    key,
    job.perHost,
  );
  const signatures = signaturesPerSecond(key, job.signSeconds);
  const posts = await keepAlivePosts(inboxesByHost, job.body, job.keyId, key, job.perHost);
  process.stdout.write(`${JSON.stringify({ signaturesPerSecond: signatures, ...posts })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`floor failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
