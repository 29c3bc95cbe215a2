#!/usr/bin/env node
// One delivery process against the floor measured in the same run on the same fake fediverse:
//   floor = one core signing (RSA-2048) and POSTing over keep-alive connections, nothing else.
// `pnpm --filter @fediflow/bench-delivery bench` (full) or `... test` (smoke, seconds).
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { sealPrivateKey } from "@fediflow/activitypub";
import { topics, type DeliveryJob } from "@fediflow/contracts";
import { TopicProducer, createKafka } from "@fediflow/kafka";
import { createLogger } from "@fediflow/logging";
import { createScratchDatabase } from "@fediflow/postgres";
import { ServiceProcess, cpuSeconds, freePort, peakRssMb, repositoryRoot } from "@fediflow/local-stack";
import { kafkaWithTopics } from "@fediflow/kafka-cluster";
import { FediverseProcess } from "./fediverse-client";
import { keepAlivePosts, newRsaKey, signaturesPerSecond } from "./floor";

const smoke = process.argv.includes("--smoke");
const hostCount = smoke ? 20 : 500;
const inboxesPerHost = smoke ? 10 : 40;
const perHost = 8;
const total = hostCount * inboxesPerHost;

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main(): Promise<void> {
  const logger = createLogger("bench-delivery", "warn");
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const { privateKey, publicKey } = newRsaKey();
  const actor = "https://bench.example/users/alice";
  const keyId = `${actor}#main-key`;
  const activityIri = `${actor}/activities/${randomBytes(4).toString("hex")}`;
  const body = JSON.stringify({
    "@context": "https://www.w3.org/ns/activitystreams",
    id: activityIri,
    type: "Create",
    actor,
    object: { id: `${activityIri}/note`, type: "Note", content: "x".repeat(600) },
  });

  say(`delivery micro-benchmark: ${total} deliveries to ${hostCount} hosts, ${perHost} in flight per host${smoke ? " (smoke)" : ""}`);
  const fediverse = await FediverseProcess.start(hostCount);
  await fediverse.trust(keyId, publicKey.export({ type: "spki", format: "pem" }).toString());
  const inboxesByHost = new Map(
    fediverse.hosts.map((h) => [h.host, Array.from({ length: inboxesPerHost }, (_, i) => `${h.origin}/users/u${i}/inbox`)]),
  );

  // 1. The floor, in this process.
  const signatures = signaturesPerSecond(privateKey, smoke ? 0.3 : 3);
  const posts = await keepAlivePosts(inboxesByHost, body, keyId, privateKey, perHost);
  const floorCpuMs = 1000 / signatures + posts.clientCpuMsPerPost;
  const floorRate = 1000 / floorCpuMs;
  say(
    `  floor: ${Math.round(signatures)} RSA-2048 signatures/s, ${Math.round(posts.postsPerSecond)} keep-alive POSTs/s (${posts.clientCpuMsPerPost.toFixed(3)} ms client CPU each)`,
  );
  say(`         one core signing and posting: ${floorCpuMs.toFixed(3)} ms CPU per delivery = ${Math.round(floorRate)} deliveries/s`);

  // 2. One delivery process, fed delivery jobs straight into Kafka.
  const broker = await kafkaWithTopics("bench-delivery");
  const database = await createScratchDatabase(undefined, "fediflow_bench");
  const kek = randomBytes(32);
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  await db.query("INSERT INTO actors (id, key_id, key_type, private_key_sealed) VALUES ($1, $2, 'rsa', $3)", [
    actor,
    keyId,
    sealPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" }).toString(), kek, actor),
  ]);
  const activityId = randomUUID();
  await db.query(
    `INSERT INTO activities (id, actor_id, activity_iri, activity_type, object_iri, body, audience, request_digest)
     VALUES ($1, $2, $3, 'Create', $4, $5, '{}', 'bench')`,
    [activityId, actor, activityIri, `${activityIri}/note`, body],
  );
  await db.end();
  const opsPort = await freePort();
  const delivery = new ServiceProcess({
    name: "delivery",
    service: "delivery",
    root: repositoryRoot,
    env: {
      ...process.env,
      FEDIFLOW_DATABASE_URL: database.url,
      FEDIFLOW_KAFKA_BROKERS: broker.brokers.join(","),
      FEDIFLOW_KAFKA_NAMESPACE: broker.namespace,
      FEDIFLOW_KEY_ENCRYPTION_KEY: kek.toString("base64"),
      FEDIFLOW_ALLOW_PRIVATE_NETWORKS: "true",
      FEDIFLOW_OPS_PORT: String(opsPort),
      FEDIFLOW_LISTEN_ADDRESS: "127.0.0.1",
      FEDIFLOW_KAFKA_SESSION_TIMEOUT_MS: "6000",
      FEDIFLOW_KAFKA_HEARTBEAT_INTERVAL_MS: "1000",
      FEDIFLOW_DELIVERY_HOST_CONCURRENCY: String(perHost),
      FEDIFLOW_DELIVERY_HOST_CONNECTIONS: String(perHost),
      FEDIFLOW_LOG_LEVEL: "warn",
    },
    onLine: (_name, line) => process.stderr.write(`[delivery] ${line}\n`),
  });
  delivery.start();
  await waitFor(
    "delivery to be ready",
    async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => null))?.status === 200,
    60_000,
  );

  const kafka = createKafka({ brokers: broker.brokers, clientId: "bench", namespace: broker.namespace, logger });
  const producer = await TopicProducer.connect(kafka);
  const jobs: DeliveryJob[] = [...inboxesByHost].map(([host, inboxes]) => ({
    activityId,
    actorId: actor,
    activityType: "Create",
    objectId: `${activityIri}/note`,
    host,
    inboxes,
    attempt: 1,
    firstAttemptAt: null,
  }));
  const before = await fediverse.counts();
  const cpuBefore = cpuSeconds(delivery.pid!);
  const started = Date.now();
  await producer.send(topics.deliveries, jobs);
  await waitFor("every delivery to arrive", async () => (await fediverse.counts()).accepted - before.accepted >= total, 300_000);
  const after = await fediverse.counts();
  const cpuUsed = cpuSeconds(delivery.pid!) - cpuBefore;
  const seconds = (after.lastAt! - started) / 1000;
  const rate = total / seconds;
  const cpuMs = (cpuUsed * 1000) / total;
  const rss = peakRssMb(delivery.pid!);

  say(
    `  FediFlow delivery process: ${Math.round(rate)} deliveries/s, ${cpuMs.toFixed(3)} ms CPU per delivery, peak RSS ${rss} MB, ${after.rejected - before.rejected} rejected`,
  );
  const ratio = floorRate / rate;
  const cpuRatio = cpuMs / floorCpuMs;
  say(`  floor / FediFlow: ${ratio.toFixed(2)}× in deliveries/s, ${cpuRatio.toFixed(2)}× in CPU per delivery (aim: within 1.5×)`);

  const results = {
    at: new Date().toISOString(),
    smoke,
    deliveries: total,
    hosts: hostCount,
    perHost,
    floor: {
      signaturesPerSecond: signatures,
      postsPerSecond: posts.postsPerSecond,
      clientCpuMsPerPost: posts.clientCpuMsPerPost,
      cpuMsPerDelivery: floorCpuMs,
      deliveriesPerSecond: floorRate,
    },
    fediflow: { deliveriesPerSecond: rate, cpuMsPerDelivery: cpuMs, peakRssMb: rss },
    ratio: { throughput: ratio, cpu: cpuRatio },
    loadAverage: (await import("node:os")).loadavg(),
  };
  const directory = path.join(repositoryRoot, "bench", "results");
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, `delivery-${smoke ? "smoke" : "full"}.json`), `${JSON.stringify(results, null, 2)}\n`);

  await producer.disconnect();
  await delivery.stop();
  await broker.stop();
  await fediverse.stop();
  await database.drop();
  if (after.accepted - before.accepted < total || after.rejected > before.rejected) {
    say("FAILED: not every delivery was accepted");
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
