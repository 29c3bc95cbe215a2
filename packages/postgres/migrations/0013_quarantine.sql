-- Quarantine (issue 24): messages a consumer could never handle (a constraint violation, a
-- value a column cannot hold, an unusable URL, a report too large for the broker), set aside so
-- their partition moves on. A table rather than a dead-letter topic: the operator API lists and
-- redrives from it with a query, it outlives topic retention, and every consumer already holds a
-- pool. Written by every service's consumers; read and redriven by outbox.
CREATE TABLE quarantined_messages (
  id bigserial PRIMARY KEY,
  -- The topic's contract name, without the Kafka namespace: a redrive goes through the outbox relay.
  topic text NOT NULL,
  -- Null for an outbox row the relay could not publish (it never had a partition or offset).
  kafka_partition integer,
  kafka_offset bigint,
  message_key text NOT NULL,
  -- The value's bytes exactly as consumed.
  value bytea,
  headers jsonb NOT NULL DEFAULT '{}',
  consumer_group text NOT NULL,
  -- data-exception | integrity-constraint | unusable-url | message-too-large | marked-permanent
  reason text NOT NULL,
  error_class text NOT NULL,
  error_message text NOT NULL,
  quarantined_at timestamptz NOT NULL DEFAULT now(),
  redriven_at timestamptz
);
-- A message met again after a crash (its offset not yet committed) is kept once.
CREATE UNIQUE INDEX quarantined_messages_once ON quarantined_messages (consumer_group, topic, kafka_partition, kafka_offset);
