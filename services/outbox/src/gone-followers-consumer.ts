import { topics, type DeliveryReport } from "@fediflow/contracts";
import { BatchConsumer, type ConsumerTiming, type Kafka } from "@fediflow/kafka";
import type { Logger } from "@fediflow/logging";
import type { GoneFollowerStore } from "./gone-follower-store";
import type { GoneOutcome } from "./gone-inboxes";

/** The 404/410 answers in a batch of reports. */
export function goneOutcomes(reports: DeliveryReport[]): GoneOutcome[] {
  return reports.flatMap((report) =>
    report.outcomes
      .filter((outcome) => outcome.outcome === "gone")
      .map((outcome) => ({
        actorId: report.actorId,
        inbox: outcome.inbox,
        host: report.host,
        status: outcome.status,
        activityId: report.activityId,
        at: report.at,
      })),
  );
}

/**
 * Feeds the gone-followers feed from the outcomes topic, in its own consumer group so the
 * accounting of activities never waits on it (nor it on accounting).
 */
export function goneFollowersConsumer(
  kafka: Kafka,
  store: GoneFollowerStore,
  logger: Logger,
  timing: ConsumerTiming,
): BatchConsumer<DeliveryReport> {
  return new BatchConsumer({
    kafka,
    groupId: "fediflow-outbox-gone-followers",
    topic: topics.outcomes,
    logger,
    timing,
    handleBatch: async (messages) => {
      const added = await store.record(goneOutcomes(messages.map((message) => message.value)));
      if (added > 0) logger.info({ added }, "gone followers found");
    },
  });
}
