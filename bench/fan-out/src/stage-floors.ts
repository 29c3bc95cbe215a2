import { randomUUID } from "node:crypto";
import { cpuUsage } from "node:process";
import { topics, type DeliveryJob } from "@fediflow/contracts";
import { TopicProducer, type Kafka } from "@fediflow/kafka";
import type { Pool } from "@fediflow/postgres";

/** Wall and CPU time of one stage alone, in this (the benchmark's) process. */
export interface StageTime {
  wallMs: number;
  cpuMs: number;
}

async function timed(work: () => Promise<void>): Promise<StageTime> {
  const cpu = cpuUsage();
  const started = performance.now();
  await work();
  const used = cpuUsage(cpu);
  return { wallMs: Math.round(performance.now() - started), cpuMs: Math.round((used.user + used.system) / 1000) };
}

/**
 * PostgreSQL alone: the audience's distinct targets read in keyset pages exactly as fan-out
 * reads them (same query shape, same page size), and nothing done with them.
 */
export async function postgresFloor(pool: Pool, actorId: string, pageSize: number): Promise<StageTime & { targets: number }> {
  let targets = 0;
  const time = await timed(async () => {
    let cursor: { host: string; inbox: string } | null = null;
    for (;;) {
      const page: { rows: Array<{ host: string; inbox: string }> } = cursor
        ? await pool.query(
            `SELECT DISTINCT target_host AS host, target_inbox AS inbox FROM followers
              WHERE actor_id = $1 AND (target_host, target_inbox) > ($3::text COLLATE "C", $4::text COLLATE "C")
              ORDER BY target_host, target_inbox LIMIT $2`,
            [actorId, pageSize, cursor.host, cursor.inbox],
          )
        : await pool.query(
            "SELECT DISTINCT target_host AS host, target_inbox AS inbox FROM followers WHERE actor_id = $1 ORDER BY target_host, target_inbox LIMIT $2",
            [actorId, pageSize],
          );
      targets += page.rows.length;
      if (page.rows.length < pageSize) return;
      cursor = page.rows[page.rows.length - 1]!;
    }
  });
  return { ...time, targets };
}

/**
 * Kafka alone: as many delivery messages of the fan-out's shape as a run published, sent in
 * chunks with two in flight as fan-out sends them, without reading or folding anything.
 */
export async function kafkaFloor(kafka: Kafka, messages: number, inboxesPerMessage: number, chunk: number): Promise<StageTime> {
  const producer = await TopicProducer.connect(kafka);
  const activityId = randomUUID();
  const job = (i: number): DeliveryJob => {
    const host = `h${i % 30_000}.bench.example`;
    return {
      activityId,
      actorId: "https://local.example/users/bench",
      activityType: "Create",
      objectId: `https://local.example/users/bench/notes/${activityId}`,
      host,
      inboxes: Array.from({ length: inboxesPerMessage }, (_, n) => `https://${host}/users/u${i * inboxesPerMessage + n}/inbox`),
      attempt: 1,
      firstAttemptAt: null,
    };
  };
  try {
    return await timed(async () => {
      const inFlight: Array<Promise<void>> = [];
      for (let start = 0; start < messages; start += chunk) {
        while (inFlight.length >= 2) await inFlight.shift();
        const jobs = Array.from({ length: Math.min(chunk, messages - start) }, (_, i) => job(start + i));
        inFlight.push(producer.send(topics.deliveries, jobs));
      }
      await Promise.all(inFlight);
    });
  } finally {
    await producer.disconnect();
  }
}
