import { topics, type DeliveryReport } from "@fediflow/contracts";
import { BatchConsumer, type ConsumerTiming, type Kafka } from "@fediflow/kafka";
import type { Logger } from "@fediflow/logging";
import type { AccountingStore } from "./accounting-store";
import type { CountedOutcome } from "./tally";

/** Flattens reports into one outcome per inbox, in the order they were produced. */
export function countedOutcomes(reports: DeliveryReport[]): CountedOutcome[] {
  return reports.flatMap((report) =>
    report.outcomes.map((outcome) => ({
      activityId: report.activityId,
      inbox: outcome.inbox,
      outcome: outcome.outcome,
      status: outcome.status,
      reason: outcome.reason,
      attempt: report.attempt,
    })),
  );
}

/** Keeps every activity's counters in step with the outcomes topic. */
export function accountingConsumer(
  kafka: Kafka,
  accounting: AccountingStore,
  logger: Logger,
  timing: ConsumerTiming,
): BatchConsumer<DeliveryReport> {
  return new BatchConsumer({
    kafka,
    groupId: "fediflow-outbox-accounting",
    topic: topics.outcomes,
    logger,
    timing,
    handleBatch: (messages) => accounting.record(countedOutcomes(messages.map((message) => message.value))),
  });
}
