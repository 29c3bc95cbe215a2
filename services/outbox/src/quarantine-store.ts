import { inTransaction, type Pool } from "@fediflow/postgres";

/** A quarantined message as the operator sees it (the value and headers stay in the table). */
export interface QuarantinedEntry {
  id: number;
  topic: string;
  partition: number | null;
  offset: number | null;
  key: string;
  group: string;
  reason: string;
  error: string;
  quarantinedAt: Date;
  redrivenAt: Date | null;
}

interface EntryRow {
  id: number;
  topic: string;
  kafka_partition: number | null;
  kafka_offset: number | null;
  message_key: string;
  consumer_group: string;
  reason: string;
  error_class: string;
  error_message: string;
  quarantined_at: Date;
  redriven_at: Date | null;
}

/** Why a quarantined message cannot be sent again. */
export class UnredrivableMessage extends Error {
  constructor(id: number, reason: string) {
    super(`quarantined message ${id} cannot be redriven: ${reason}`);
    this.name = "UnredrivableMessage";
  }
}

/**
 * The operator's side of the quarantine (migration 0013; the consumers write it through
 * @fediflow/kafka's DeadLetterTable): keyset pages of what was set aside, and redrive.
 */
export class QuarantineStore {
  constructor(private readonly pool: Pool) {}

  /** Entries with an id above `after`, oldest first. */
  async list(after: number, limit: number): Promise<QuarantinedEntry[]> {
    const result = await this.pool.query<EntryRow>(
      `SELECT id, topic, kafka_partition, kafka_offset, message_key, consumer_group, reason, error_class, error_message,
              quarantined_at, redriven_at
         FROM quarantined_messages WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, limit],
    );
    return result.rows.map((row) => ({
      id: row.id,
      topic: row.topic,
      partition: row.kafka_partition,
      offset: row.kafka_offset,
      key: row.message_key,
      group: row.consumer_group,
      reason: row.reason,
      error: `${row.error_class}: ${row.error_message}`,
      quarantinedAt: row.quarantined_at,
      redrivenAt: row.redriven_at,
    }));
  }

  /**
   * Queues the message, byte for byte, for the relay to publish to its topic again, and marks it
   * redriven, in one transaction. Every consumer group of the topic sees it again (their
   * handlers are idempotent). Null for an unknown id; 0 when it was already redriven (a
   * repeated request sends nothing more; if the redriven copy fails again, it is quarantined
   * anew under its own id).
   */
  async redrive(id: number, traceContext: Record<string, string>): Promise<{ redriven: number } | null> {
    return inTransaction(this.pool, async (client) => {
      const found = await client.query<{ topic: string; message_key: string; payload: string | null; redriven: boolean }>(
        `SELECT topic, message_key, convert_from(value, 'UTF8') AS payload, redriven_at IS NOT NULL AS redriven
           FROM quarantined_messages WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const row = found.rows[0];
      if (!row) return null;
      if (row.redriven) return { redriven: 0 };
      if (row.payload === null) throw new UnredrivableMessage(id, "it has no value");
      await client.query("INSERT INTO outbox_messages (topic, message_key, payload, headers) VALUES ($1, $2, $3, $4)", [
        row.topic,
        row.message_key,
        row.payload,
        JSON.stringify(traceContext),
      ]);
      await client.query("UPDATE quarantined_messages SET redriven_at = now() WHERE id = $1", [id]);
      return { redriven: 1 };
    });
  }
}
