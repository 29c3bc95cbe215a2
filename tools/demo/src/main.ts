#!/usr/bin/env node
// The demo: a simulated fediverse of a few hundred servers on loopback addresses, the whole
// FediFlow stack as separate processes, one post by an actor with a few thousand followers,
// live progress, and a summary checked against what the servers really received.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FediFlowClient, type ActivityStatus } from "@fediflow/client";
import { FakeFediverse } from "@fediflow/fake-fediverse";
import { repositoryRoot, startStack } from "@fediflow/local-stack";
import { recreateDatabase } from "@fediflow/postgres";
import { demoScenario, isHealthy } from "./scenario";

const hostCount = Number(process.env.DEMO_HOSTS ?? 300);
const followerCount = Number(process.env.DEMO_FOLLOWERS ?? 3000);
const timeoutMs = Number(process.env.DEMO_TIMEOUT_MS ?? 120_000);

async function main(): Promise<void> {
  const out = process.stdout;
  const say = (text: string) => out.write(`${text}\n`);
  const logDirectory = path.join(repositoryRoot, ".local", "demo");
  mkdirSync(logDirectory, { recursive: true });
  const logFile = path.join(logDirectory, "services.log");
  writeFileSync(logFile, "");

  say(`FediFlow demo: ${followerCount} followers on ${hostCount} simulated servers`);
  const scenario = demoScenario(hostCount, followerCount);
  const fediverse = await FakeFediverse.start({ hosts: scenario.hosts });
  say(`  fake fediverse: ${hostCount} servers on 127.77.x.y:${fediverse.port}`);

  const databaseUrl = process.env.DEMO_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/fediflow_demo";
  await recreateDatabase(databaseUrl);
  const token = randomBytes(16).toString("hex");
  const started = Date.now();
  const stack = await startStack({
    ingressPort: 0,
    env: {
      FEDIFLOW_DATABASE_URL: databaseUrl,
      FEDIFLOW_REDIS_KEY_PREFIX: `fediflow-demo-${randomBytes(4).toString("hex")}:`,
      FEDIFLOW_API_TOKENS: token,
      FEDIFLOW_ALLOW_PRIVATE_NETWORKS: "true",
      FEDIFLOW_KAFKA_BROKERS: process.env.FEDIFLOW_KAFKA_BROKERS ?? "",
    },
    onLine: (name, line) => appendFileSync(logFile, `[${name}] ${line}\n`),
    onKafkaLog: (line) => appendFileSync(logFile, `[kafka] ${line}\n`),
  });
  say(
    `  stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${stack.ingressUrl} (service logs: ${path.relative(process.cwd(), logFile)})`,
  );
  say(
    stack.kafka
      ? `  Kafka: Apache Kafka (KRaft) at ${stack.kafkaBrokers.join(",")}, java pid ${stack.kafka.pids().join(",")}, log ${stack.kafka.nodes[0]!.dir}/server.log`
      : `  Kafka: ${stack.kafkaBrokers.join(",")} (FEDIFLOW_KAFKA_BROKERS)`,
  );

  const api = new FediFlowClient({ baseUrl: stack.ingressUrl, token });

  let exitCode = 0;
  try {
    // The actor and its followers.
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const actor = "https://demo.example/users/alice";
    await api.registerActor({
      id: actor,
      keyId: `${actor}#main-key`,
      privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    });
    fediverse.trustKey(`${actor}#main-key`, publicKey.export({ type: "spki", format: "pem" }).toString());
    const followers = fediverse.hosts.flatMap((host, i) =>
      Array.from({ length: scenario.followersPerHost[i]! }, (_, n) => ({
        id: host.actorOf(`u${n}`),
        inbox: host.inboxOf(`u${n}`),
        ...(host.hasSharedInbox ? { sharedInbox: host.sharedInbox } : {}),
      })),
    );
    await api.updateFollowers({ actor, add: followers });
    const expected = new Set<string>();
    for (const [i, host] of fediverse.hosts.entries()) {
      if (!isHealthy(host.behaviour)) continue;
      if (host.hasSharedInbox) expected.add(host.sharedInbox);
      else for (let n = 0; n < scenario.followersPerHost[i]!; n += 1) expected.add(host.inboxOf(`u${n}`));
    }
    say(`  actor with ${followers.length} followers registered; ${expected.size} inboxes on healthy servers must receive the post`);

    // The post.
    const note = `${actor}/notes/${randomBytes(4).toString("hex")}`;
    const submitted = Date.now();
    const accepted = await api.submitActivity({
      actor,
      activity: {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${note}/activity`,
        type: "Create",
        actor,
        object: { id: note, type: "Note", content: "Hello from FediFlow" },
      },
      audience: { followers: true },
    });
    say(`  202 Accepted: activity ${accepted.id}`);

    // Progress until every healthy inbox has it (and the rest have settled or are retrying).
    let status: ActivityStatus | undefined;
    let healthyDoneAt: number | null = null;
    const tty = out.isTTY === true;
    while (Date.now() - submitted < timeoutMs) {
      status = await api.activityStatus(accepted.id);
      const got = new Set(
        fediverse
          .allReceived()
          .filter((p) => p.status === 202)
          .map((p) => p.inbox),
      );
      const healthyGot = [...expected].filter((inbox) => got.has(inbox)).length;
      if (healthyGot === expected.size && healthyDoneAt === null) healthyDoneAt = Date.now();
      const elapsed = (Date.now() - submitted) / 1000;
      const { total, delivered, failed, pending, parked } = status.inboxes;
      const line = `  ${elapsed.toFixed(1).padStart(5)} s  ${status.state.padEnd(11)} total ${total}  delivered ${delivered}  failed ${failed}  parked ${parked}  pending ${pending}  (${Math.round(delivered / Math.max(elapsed, 0.001))} deliveries/s)`;
      if (tty) out.write(`\r${line}\x1b[K`);
      else say(line);
      if (status.state === "done" || (healthyDoneAt !== null && Date.now() - healthyDoneAt > 3_000)) break;
      await new Promise((resolve) => setTimeout(resolve, tty ? 250 : 1_000));
    }
    if (tty) out.write("\n");

    // Summary, checked against what the simulated servers received.
    const received = fediverse.allReceived();
    const accepted202 = new Set(received.filter((p) => p.status === 202).map((p) => p.inbox));
    const missing = [...expected].filter((inbox) => !accepted202.has(inbox));
    const badSignatures = received.filter((p) => !p.signatureValid || !p.digestValid).length;
    const seconds = ((healthyDoneAt ?? Date.now()) - submitted) / 1000;
    const s = status!.inboxes;
    say("");
    say("  summary");
    say(`    inboxes (after shared-inbox folding)   ${s.total}`);
    say(`    delivered                              ${s.delivered}`);
    say(`    failed (gone, rejected)                ${s.failed}`);
    say(`    parked (dead servers)                  ${s.parked}`);
    say(`    pending (retrying unreachable servers) ${s.pending}`);
    say(`    healthy inboxes delivered              ${expected.size - missing.length} of ${expected.size}`);
    say(
      `    time until every healthy inbox had it  ${seconds.toFixed(2)} s (${Math.round((expected.size - missing.length) / seconds)} deliveries/s)`,
    );
    say(`    signatures and digests verified        ${received.length - badSignatures} of ${received.length} requests`);
    if (accepted.traceId) say(`    trace id                               ${accepted.traceId}`);
    if (missing.length > 0 || badSignatures > 0) {
      say(`  FAILED: ${missing.length} healthy inboxes missing, ${badSignatures} bad signatures`);
      exitCode = 1;
    } else {
      say("  every healthy inbox was delivered");
    }
    say("");
    say(`  the API: FEDIFLOW_URL=${stack.ingressUrl} FEDIFLOW_TOKEN=${token}`);
    say(`  the console: ${stack.ingressUrl}/console/#/activities/${accepted.id} (sign in with the token above)`);
    if (process.env.DEMO_KEEP === "1") {
      say(`  the stack stays up (DEMO_KEEP=1); open the console, or in another terminal, with the two variables above:`);
      say(`    pnpm -s fediflow status ${accepted.id}`);
      say("    pnpm -s fediflow hosts --state dead");
      say("  Ctrl-C stops it");
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
    } else {
      say("  DEMO_KEEP=1 keeps the stack up afterwards, to look at it in the console or with `pnpm -s fediflow`");
    }
  } finally {
    await stack.stop();
    await fediverse.stop();
  }
  process.exit(exitCode);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
