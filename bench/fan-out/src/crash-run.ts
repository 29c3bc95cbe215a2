import { topics } from "@fediflow/contracts";
import type { Kafka, TopicProducer } from "@fediflow/kafka";
import type { Pool } from "@fediflow/postgres";
import type { FanOutProcess } from "./fan-out-process";
import { publishedDeliveries } from "./published-deliveries";
import { benchActor, storeActivity } from "./seed-audience";

export interface CrashResult {
  /** What the checkpoint held when the process was killed. */
  killedAt: { messages: number; inboxes: number };
  /** The whole fan-out, each message and inbox once. */
  total: { messages: number; inboxes: number };
  /** Published before the kill and again after the restart. */
  republishedMessages: number;
  republishedInboxes: number;
  /** FEDIFLOW_FANOUT_CHECKPOINT_MESSAGES: the most that may be republished. */
  window: number;
  /** From the restart to the fan-out's completion: lease expiry, rebalance, the rest of the fan-out. */
  restartToDoneMs: number;
  /** Retention dropped old messages, so the republished counts may be short. */
  truncated: boolean;
}

export interface CrashRunDependencies {
  pool: Pool;
  producer: TopicProducer;
  kafka: Kafka;
  fanOut: FanOutProcess;
  /** Starts a new fan-out process (as Kubernetes would restart the pod). */
  restart(): Promise<FanOutProcess>;
  targets: number;
  window: number;
}

/**
 * kill -9 of the fan-out process half way through the audience, then a new process: measures
 * how much was published twice against the redelivery window, at the benchmark's scale.
 */
export async function crashRun(deps: CrashRunDependencies): Promise<{ result: CrashResult; fanOut: FanOutProcess }> {
  const activity = await storeActivity(deps.pool);
  await deps.producer.send(topics.activities, [
    {
      key: activity.objectId,
      value: { activityId: activity.id, actorId: benchActor, activityType: "Create", objectId: activity.objectId },
    },
  ]);
  const checkpoint = async () =>
    (
      await deps.pool.query<{ messages: number; inboxes: number }>(
        "SELECT messages, inboxes FROM fanout_checkpoints WHERE activity_id = $1",
        [activity.id],
      )
    ).rows[0];
  for (;;) {
    const now = await checkpoint();
    if (now && now.inboxes >= deps.targets / 2) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  deps.fanOut.process.signal("SIGKILL");
  await deps.fanOut.process.exited();
  const killedAt = (await checkpoint())!;

  const restarted = performance.now();
  const fanOut = await deps.restart();
  await fanOut.completion(activity.id);
  const restartToDoneMs = Math.round(performance.now() - restarted);
  const total = (await checkpoint())!;
  const published = await publishedDeliveries(deps.kafka, activity.id, total.messages);
  return {
    result: {
      killedAt,
      total,
      republishedMessages: published.messages - total.messages,
      republishedInboxes: published.repeated,
      window: deps.window,
      restartToDoneMs,
      truncated: published.truncated,
    },
    fanOut,
  };
}
