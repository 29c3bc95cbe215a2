import { Counter, type Registry } from "prom-client";
import type { Logger } from "@fediflow/logging";
import type { ConsumedMessage } from "./codec";
import { permanentReasons, type PermanentReason } from "./failure-kind";

/** A message set aside because handling it failed permanently: everything needed to send it again. */
export interface DeadLetter {
  /** The topic's contract name (packages/contracts), without the Kafka namespace. */
  topic: string;
  /** Null for an outbox row the relay could not publish: it never reached Kafka. */
  partition: number | null;
  offset: number | null;
  key: string;
  /** The value's bytes exactly as consumed (null: a tombstone). */
  value: Buffer | null;
  headers: Record<string, string>;
  /** The consumer group's contract id, without the namespace (or "outbox-relay"). */
  group: string;
  reason: PermanentReason;
  /** The error's class (its name) and message. */
  errorClass: string;
  errorMessage: string;
  quarantinedAt: Date;
}

/** Where dead letters are kept (DeadLetterTable: PostgreSQL). Adding the same message twice keeps one. */
export interface DeadLetterStore {
  add(letter: DeadLetter): Promise<void>;
}

/** PostgreSQL text refuses NUL, and an error message may quote a whole value: both are made storable. */
function storable(text: string, maxLength = 4_000): string {
  return text.replaceAll("\u0000", "\uFFFD").slice(0, maxLength);
}

export function deadLetter<V>(
  message: ConsumedMessage<V>,
  value: Buffer | null,
  topic: string,
  group: string,
  reason: PermanentReason,
  error: unknown,
): DeadLetter {
  const failure = error instanceof Error ? error : new Error(String(error));
  return {
    topic,
    partition: message.partition,
    offset: message.offset,
    key: storable(message.key),
    value,
    headers: Object.fromEntries(Object.entries(message.headers).map(([name, text]) => [storable(name, 200), storable(text)])),
    group,
    reason,
    errorClass: storable(failure.name, 200),
    errorMessage: storable(failure.message),
    quarantinedAt: new Date(),
  };
}

export interface QuarantineOptions {
  store: DeadLetterStore;
  logger: Logger;
  /** Where `fediflow_quarantined_messages_total` is registered; none: not counted. */
  registry?: Registry;
}

/**
 * The consumers' hook for messages that fail permanently: the message is kept in the store and
 * the consumer moves past it. A store that cannot be written is a transient failure, retried
 * with backoff: the message is never dropped, and its offset not committed, until it is kept.
 */
export class Quarantine {
  private readonly counter: Counter<"topic" | "group" | "reason"> | undefined;

  constructor(private readonly options: QuarantineOptions) {
    this.counter = options.registry
      ? new Counter({
          name: "fediflow_quarantined_messages_total",
          help: "Messages set aside in the quarantine because handling them failed permanently, by topic, consumer group and reason",
          labelNames: ["topic", "group", "reason"],
          registers: [options.registry],
        })
      : undefined;
  }

  /**
   * Starts a consumer's series at 0, so that its first quarantine is an increase to Prometheus
   * (a series that appears at 1 shows none).
   */
  count(topic: string, group: string): void {
    for (const reason of permanentReasons) this.counter?.inc({ topic, group, reason }, 0);
  }

  /**
   * Keeps the letter. True once it is stored; false when `abandoned()` turns true first (the
   * consumer stops or lost the partition: the next owner meets the message again). `between`
   * runs between attempts (a heartbeat).
   */
  async hold(letter: DeadLetter, abandoned: () => boolean, between?: () => Promise<void>): Promise<boolean> {
    for (let delayMs = 200; ; delayMs = Math.min(delayMs * 2, 10_000)) {
      try {
        await this.options.store.add(letter);
        break;
      } catch (error) {
        if (abandoned()) return false;
        this.options.logger.warn({ err: error, topic: letter.topic, offset: letter.offset, retryInMs: delayMs }, "could not quarantine a message; trying again");
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        await between?.();
      }
    }
    this.counter?.inc({ topic: letter.topic, group: letter.group, reason: letter.reason });
    this.options.logger.error(
      {
        topic: letter.topic,
        partition: letter.partition,
        offset: letter.offset,
        key: letter.key,
        group: letter.group,
        reason: letter.reason,
        error: `${letter.errorClass}: ${letter.errorMessage}`,
      },
      "message quarantined: handling it failed permanently",
    );
    return true;
  }
}
