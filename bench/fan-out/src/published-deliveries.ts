import { randomUUID } from "node:crypto";
import { topics, type DeliveryJob } from "@fediflow/contracts";
import { decodeValue, type Kafka } from "@fediflow/kafka";

/** What the deliveries topic holds for one activity. */
export interface PublishedDeliveries {
  messages: number;
  inboxes: number;
  distinctInboxes: number;
  /** Inboxes published more than once. */
  repeated: number;
  largestMessage: number;
  /** Messages whose Kafka key is not their host. */
  misKeyed: number;
  /**
   * The broker dropped the oldest messages of a partition before they were read (retention), so
   * the tally of an activity published before much else may be short.
   */
  truncated: boolean;
}

async function partitionEnds(kafka: Kafka): Promise<Array<[number, number]>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(kafka.topicName(topics.deliveries)))
      .map((p) => [p.partition, Number(p.high)] as [number, number])
      .sort((a, b) => a[0] - b[0]);
  } finally {
    await admin.disconnect();
  }
}

/** Messages the deliveries topic holds now (end minus start offsets, all partitions), and whether any were dropped. */
async function deliveriesHeld(kafka: Kafka): Promise<{ held: number; truncated: boolean }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(kafka.topicName(topics.deliveries));
    return {
      held: offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0),
      truncated: offsets.some((partition) => Number(partition.low) > 0),
    };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads the whole deliveries topic and tallies one activity's messages: the check that a
 * fan-out published every inbox once, in bounded messages keyed by host. Run after the
 * timed part, so reading does not compete with the fan-out for the two cores.
 */
export async function publishedDeliveries(kafka: Kafka, activityId: string, expectedMessages: number): Promise<PublishedDeliveries> {
  const seen = new Set<string>();
  const { held: end, truncated } = await deliveriesHeld(kafka);
  const tally: PublishedDeliveries = {
    messages: 0,
    inboxes: 0,
    distinctInboxes: 0,
    repeated: 0,
    largestMessage: 0,
    misKeyed: 0,
    truncated,
  };
  let read = 0;
  const reached = new Map<number, number>();
  const consumer = kafka.consumer({ groupId: `bench-verify-${randomUUID()}`, maxBytes: 64 << 20, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: kafka.topicName(topics.deliveries), fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        async () =>
          reject(
            new Error(
              `read ${read} of ${end} delivery messages in 60 s; partitions read up to ${JSON.stringify([...reached].sort((a, b) => a[0] - b[0]))}, ends ${JSON.stringify(await partitionEnds(kafka))}`,
            ),
          ),
        60_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (batch.messages.length > 0) reached.set(batch.partition, Number(batch.lastOffset()));
            for (const message of batch.messages) {
              read += 1;
              const job: DeliveryJob = decodeValue(topics.deliveries, message.value);
              if (job.activityId !== activityId) continue;
              tally.messages += 1;
              tally.inboxes += job.inboxes.length;
              tally.largestMessage = Math.max(tally.largestMessage, job.inboxes.length);
              if (message.key?.toString() !== job.host) tally.misKeyed += 1;
              for (const inbox of job.inboxes) {
                if (seen.has(inbox)) tally.repeated += 1;
                else seen.add(inbox);
              }
            }
            if (read >= end && (truncated || tally.messages >= expectedMessages)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  tally.distinctInboxes = seen.size;
  return tally;
}
