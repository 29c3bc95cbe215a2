import { randomBytes } from "node:crypto";
import { Queue, Worker } from "bullmq";
import type { Peer, PeerJob } from "./peer-job";
import { postSigned, privateKeyOf } from "./signed-post";

interface InboxJob {
  inbox: string;
}

/**
 * The usual Node.js answer: a BullMQ queue in Redis with one job per inbox and a Worker with
 * `concurrency` jobs in flight; the activity body is shared, as an application would cache it.
 * Its own key prefix, so it never touches anything else in that Redis.
 */
export function bullmqWorker(): Peer {
  const prefix = `fediflow-bench-${randomBytes(4).toString("hex")}`;
  const queueName = "deliveries";
  let queue: Queue<InboxJob> | undefined;
  let worker: Worker<InboxJob> | undefined;
  const connectionOf = (url: string) => {
    const parsed = new URL(url);
    return { host: parsed.hostname, port: Number(parsed.port || 6379), maxRetriesPerRequest: null };
  };
  return {
    async prepare(job: PeerJob) {
      const connection = connectionOf(job.redisUrl);
      queue = new Queue<InboxJob>(queueName, { connection, prefix });
      await queue.waitUntilReady();
    },
    async deliver(job: PeerJob) {
      const key = privateKeyOf(job.privateKeyPem);
      const body = JSON.stringify(job.activity);
      worker = new Worker<InboxJob>(
        queueName,
        async ({ data }) => {
          const status = await postSigned(data.inbox, body, job.keyId, key);
          if (status >= 500 || status === 429) throw new Error(`inbox answered ${status}`);
        },
        {
          connection: connectionOf(job.redisUrl),
          prefix,
          concurrency: job.concurrency,
          removeOnComplete: { count: 0 },
          removeOnFail: { count: 0 },
        },
      );
      // addBulk in slices: one Redis pipeline per slice keeps the enqueue off the critical path.
      for (let i = 0; i < job.inboxes.length; i += 1000) {
        await queue!.addBulk(job.inboxes.slice(i, i + 1000).map((inbox) => ({ name: "deliver", data: { inbox }, opts: { attempts: 3 } })));
      }
    },
    async close() {
      await worker?.close(true);
      await queue?.obliterate({ force: true }).catch(() => undefined);
      await queue?.close();
    },
  };
}
