-- delivery: deliveries that must wait (a retry, a Retry-After, a paused or overloaded host),
-- kept durably so a delay never blocks a Kafka partition and no retry is ever lost.
--
-- Rows of one lane (one object at one host) run strictly in id order: only the lane's head is
-- ever due; the others wait behind it and are promoted one by one. The delivery process that
-- owns the host's partition of fediflow.deliveries runs the host's rows, so one process holds
-- a host's whole lane at a time.
CREATE TABLE delivery_schedule (
  id bigserial PRIMARY KEY,
  -- Partition of fediflow.deliveries the host's key maps to.
  partition integer NOT NULL,
  host text NOT NULL,
  lane text NOT NULL,
  head boolean NOT NULL,
  -- When the head may run; rows behind the head keep the time they asked for.
  due_at timestamptz NOT NULL,
  -- A claimed row is not claimed again before this (a crashed process's claim expires).
  claimed_until timestamptz,
  -- retry | retry-after | paused | overflow | queued
  reason text NOT NULL,
  job jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The poller's query: due heads of the partitions a process owns.
CREATE INDEX delivery_schedule_due ON delivery_schedule (partition, due_at) WHERE head;
-- The next row of a lane, and which lanes are held at assignment time.
CREATE INDEX delivery_schedule_lane ON delivery_schedule (lane, id);
CREATE INDEX delivery_schedule_partition ON delivery_schedule (partition, lane);
