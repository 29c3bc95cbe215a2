import { topics, type DeliveryReport } from "@fediflow/contracts";
import { BatchConsumer, type ConsumerTiming, type Kafka } from "@fediflow/kafka";
import type { Logger } from "@fediflow/logging";
import type { AccountingStore } from "./accounting-store";
import type { CountedOutcome } from "./tally";

/** Flattens reports into one outcome per inbox, in the order they were produced. */
export function countedOutcomes(reports: DeliveryReport[]): CountedOutcome[] {
  return reports.flatMap((report) => {
    // Attempt 0 settles without a request (blocked, parked at fan-out); so does an expired park.
    const attemptedAt = report.attempt > 0 && !report.parkExpired ? Date.parse(report.at) : null;
    const nextAttemptAt = report.nextAttemptAt ? Date.parse(report.nextAttemptAt) : null;
    return report.outcomes.map((outcome) => ({
      activityId: report.activityId,
      inbox: outcome.inbox,
      host: report.host,
      outcome: outcome.outcome,
      status: outcome.status,
      reason: outcome.reason,
      attempt: report.attempt,
      attemptedAt: outcome.outcome === "superseded" || outcome.outcome === "discarded" ? null : attemptedAt,
      nextAttemptAt: outcome.outcome === "retrying" ? nextAttemptAt : null,
      redriveId: report.redriveId ?? null,
    }));
  });
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
