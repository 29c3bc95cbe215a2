import type { DeadLetter, DeadLetterStore } from "./quarantine";

/** What the table needs of a pg Pool, so this package does not depend on pg. */
export interface SqlQueryable {
  query(text: string, values: unknown[]): Promise<unknown>;
}

/**
 * The quarantine in PostgreSQL (migration 0013), not a dead-letter topic: the operator API
 * lists and redrives from it with a query, it outlives any topic's retention, and every service
 * with a consumer already holds a pool. A message met again (a crash before its offset was
 * committed) is kept once.
 */
export class DeadLetterTable implements DeadLetterStore {
  constructor(private readonly db: SqlQueryable) {}

  async add(letter: DeadLetter): Promise<void> {
    await this.db.query(
      `INSERT INTO quarantined_messages
         (topic, kafka_partition, kafka_offset, message_key, value, headers, consumer_group, reason, error_class, error_message, quarantined_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (consumer_group, topic, kafka_partition, kafka_offset) DO NOTHING`,
      [
        letter.topic,
        letter.partition,
        letter.offset,
        letter.key,
        letter.value,
        JSON.stringify(letter.headers),
        letter.group,
        letter.reason,
        letter.errorClass,
        letter.errorMessage,
        letter.quarantinedAt,
      ],
    );
  }
}
