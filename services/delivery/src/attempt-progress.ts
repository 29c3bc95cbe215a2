import type { InboxOutcome } from "@fediflow/contracts";

/** Outcomes that end an inbox's delivery as soon as they are known (the rest are decided by the fold). */
const settledAtOnce = new Set<InboxOutcome["outcome"]>(["delivered", "gone", "rejected"]);

/**
 * The inboxes a running attempt has settled and not yet reported. A long attempt (one host's
 * many inboxes behind its concurrency cap) reports them as it goes, so that a message replayed
 * after a crash finds them settled; the attempt's final report leaves them out.
 */
export class AttemptProgress {
  private waiting: InboxOutcome[] = [];
  private sending: Promise<void> = Promise.resolve();
  readonly reported = new Set<string>();

  /** An inbox's outcome in this attempt, as it arrives. */
  add(outcome: InboxOutcome): void {
    if (settledAtOnce.has(outcome.outcome)) this.waiting.push(outcome);
  }

  /** Sends what arrived since the last call; what fails to send goes into the final report. */
  flush(send: (outcomes: InboxOutcome[]) => Promise<void>): Promise<void> {
    this.sending = this.sending.then(async () => {
      const batch = this.waiting;
      if (batch.length === 0) return;
      this.waiting = [];
      try {
        await send(batch);
        for (const outcome of batch) this.reported.add(outcome.inbox);
      } catch {
        // Left for the final report, which is sent (or retried) with the attempt's outcome.
      }
    });
    return this.sending;
  }

  /** Resolves once no progress report is being sent. */
  idle(): Promise<void> {
    return this.sending;
  }
}
