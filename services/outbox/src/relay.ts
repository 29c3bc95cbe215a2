import type { Logger } from "@fediflow/logging";
import { inTransaction, type Pool } from "@fediflow/postgres";
import { contextFromHeaders } from "@fediflow/telemetry";
import { TopicProducer, classifyFailure, type Kafka, type DeadLetter, type PermanentReason, type Quarantine } from "@fediflow/kafka";

/** A fixed key for the transaction-scoped lock that makes one relay publish at a time. */
const relayLockKey = 0x0fed1f11;

export interface RelayOptions {
  pool: Pool;
  kafka: Kafka;
  logger: Logger;
  batchSize: number;
  pollMs: number;
  /** Where rows the broker can never accept (larger than its message size) are set aside. */
  quarantine?: Quarantine;
}

/** The dead letters' consumer group for rows the relay set aside (they were never consumed). */
export const relayGroup = "outbox-relay";

interface OutboxRow {
  id: number;
  topic: string;
  message_key: string;
  payload: string;
  headers: Record<string, string>;
}

/**
 * The transactional outbox relay: publishes committed outbox rows in id order and deletes
 * them in the same transaction. One relay publishes at a time (a transaction-level advisory
 * lock, safe behind PgBouncer), so activities about one object enter Kafka in the order they
 * were accepted. A crash after publishing and before COMMIT republishes those rows; fan-out
 * recognises the activity and does not start a second fan-out.
 */
export class OutboxRelay {
  private producer: TopicProducer | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private running = false;
  private loop: Promise<void> | undefined;
  /** Rows published since start. */
  published = 0;

  constructor(private readonly options: RelayOptions) {}

  async start(): Promise<void> {
    // One request in flight: a retried send cannot overtake the next one.
    this.producer = await TopicProducer.connect(this.options.kafka, true);
    this.running = true;
    this.loop = this.run();
  }

  /** Called after a commit in this process, so the relay does not wait for its next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await this.producer?.disconnect();
  }

  /** Rows waiting to be published: the relay backlog. */
  async backlog(): Promise<number> {
    const result = await this.options.pool.query<{ count: number }>("SELECT count(*)::int AS count FROM outbox_messages");
    return result.rows[0]?.count ?? 0;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let published = 0;
      try {
        published = await this.publishBatch();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.options.logger.warn({ err: error }, "relay failed; will try again");
        await this.sleep(Math.min(100 * 2 ** failures, 5_000));
        continue;
      }
      if (published === 0) await this.sleep(this.options.pollMs);
    }
  }

  private async publishBatch(): Promise<number> {
    const producer = this.producer;
    if (!producer) return 0;
    return inTransaction(this.options.pool, async (client) => {
      const lock = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS locked", [relayLockKey]);
      if (!lock.rows[0]?.locked) return 0;
      const rows = await client.query<OutboxRow>(
        "SELECT id, topic, message_key, payload, headers FROM outbox_messages ORDER BY id LIMIT $1",
        [this.options.batchSize],
      );
      if (rows.rows.length === 0) return 0;
      // One request for the batch, in id order; each row's send span lives in the trace of the
      // API call that accepted it (its stored W3C context).
      const byTopic = new Map<string, OutboxRow[]>();
      for (const row of rows.rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
      for (const [topic, batch] of byTopic) await this.publishRows(producer, topic, batch);
      await client.query("DELETE FROM outbox_messages WHERE id = ANY($1::bigint[])", [rows.rows.map((row) => row.id)]);
      this.published += rows.rows.length;
      return rows.rows.length;
    });
  }

  /**
   * Publishes the rows in id order. When the broker refuses them for good (a row larger than
   * its message size), the rows are bisected down to the one it refuses, which is quarantined
   * (and deleted with the others), so one row never stops the relay. Halves sent before the
   * refusal may be sent again: at least once, as after a crash.
   */
  private async publishRows(producer: TopicProducer, topic: string, rows: OutboxRow[]): Promise<void> {
    try {
      await producer.sendEncoded(
        topic,
        rows.map((row) => ({ key: row.message_key, value: row.payload, parent: contextFromHeaders(row.headers) })),
      );
      return;
    } catch (error) {
      const failure = classifyFailure(error);
      const { quarantine } = this.options;
      if (failure.kind !== "permanent" || !quarantine) throw error;
      if (rows.length > 1) {
        const half = Math.ceil(rows.length / 2);
        await this.publishRows(producer, topic, rows.slice(0, half));
        await this.publishRows(producer, topic, rows.slice(half));
        return;
      }
      if (!(await quarantine.hold(relayLetter(topic, rows[0]!, failure.reason, error), () => !this.running))) throw error;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.woken = false;
        this.wakeUp = undefined;
        done();
      };
    });
  }
}

function relayLetter(topic: string, row: OutboxRow, reason: PermanentReason, error: unknown): DeadLetter {
  const failure = error instanceof Error ? error : new Error(String(error));
  return {
    topic,
    partition: null,
    offset: null,
    key: row.message_key,
    value: Buffer.from(row.payload, "utf8"),
    headers: row.headers,
    group: relayGroup,
    reason,
    errorClass: failure.name,
    errorMessage: failure.message.slice(0, 4_000),
    quarantinedAt: new Date(),
  };
}
