import { topics, type DeliveryReport } from "@fediflow/contracts";
import { BatchConsumer, type ConsumerTiming, type Kafka } from "@fediflow/kafka";
import type { Logger } from "@fediflow/logging";
import type { AttemptLog } from "./attempt-log";
import type { HostBook } from "./host-book";
import { parkedDeliveries } from "./parked";
import type { ParkedStore } from "./parked-store";
import type { PrunedParked } from "./park-coalescing";
import { contactOf, recordContact, type Contact, type HealthPolicy } from "./host-state";

/** The contacts a batch of reports makes with each host, in order. */
export function contactsByHost(reports: DeliveryReport[]): Map<string, Contact[]> {
  const byHost = new Map<string, Contact[]>();
  for (const report of reports) {
    // host-health's own verdict on an old parked delivery: nobody talked to the host.
    if (report.parkExpired) continue;
    for (const outcome of report.outcomes) {
      const contact = contactOf(outcome.outcome, outcome.status);
      if (!contact) continue;
      const list = byHost.get(report.host) ?? [];
      list.push(contact);
      byHost.set(report.host, list);
    }
  }
  return byHost;
}

/** Feeds every delivery outcome into its host's state machine and parks what was parked. */
export function healthConsumer(
  kafka: Kafka,
  book: HostBook,
  park: ParkedStore,
  policy: HealthPolicy,
  logger: Logger,
  clock: () => number,
  timing: ConsumerTiming,
  /** Publishes the outcomes of parked deliveries that coalescing settled, and counts them. */
  coalesced: { settle(reports: DeliveryReport[]): Promise<void>; count?(pruned: PrunedParked[]): void },
  /** Keeps each host's recent attempts for operators. */
  attempts?: AttemptLog,
): BatchConsumer<DeliveryReport> {
  return new BatchConsumer({
    kafka,
    groupId: "fediflow-host-health",
    topic: topics.outcomes,
    logger,
    timing,
    async handleBatch(messages) {
      const reports = messages.map((message) => message.value);
      const contacts = contactsByHost(reports);
      const now = clock();
      coalesced.count?.(await park.park(parkedDeliveries(reports, now), now, coalesced.settle));
      await attempts?.record(reports);
      await book.change(
        [...contacts.keys()],
        (record) => {
          let result = { record, transition: null as ReturnType<typeof recordContact>["transition"] };
          for (const contact of contacts.get(record.host) ?? []) {
            const step = recordContact(result.record, contact, now, policy);
            result = { record: step.record, transition: step.transition ?? result.transition };
          }
          return result;
        },
        now,
      );
    },
  });
}
