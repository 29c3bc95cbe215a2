import type { DeliveryReport } from "@fediflow/contracts";
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

export interface OutcomeDependencies {
  book: HostBook;
  park: ParkedStore;
  policy: HealthPolicy;
  clock: () => number;
  /** Publishes the outcomes of parked deliveries that coalescing settled, and counts them. */
  coalesced: { settle(reports: DeliveryReport[]): Promise<void>; count?(pruned: PrunedParked[]): void };
  /** Keeps each host's recent attempts for operators. */
  attempts?: Pick<AttemptLog, "record">;
}

/**
 * A batch of the outcomes topic: every outcome goes into its host's state machine, and what was
 * parked goes into the park.
 */
export async function recordOutcomes(reports: DeliveryReport[], deps: OutcomeDependencies): Promise<void> {
  const { book, park, policy, clock, coalesced } = deps;
  const contacts = contactsByHost(reports);
  const now = clock();
  coalesced.count?.(await park.park(parkedDeliveries(reports, now), now, coalesced.settle));
  await deps.attempts?.record(reports);
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
}
