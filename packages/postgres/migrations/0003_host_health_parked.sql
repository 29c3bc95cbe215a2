-- host-health: deliveries held for a dead host, one row per (activity, inbox), replayed once
-- when the host is revived and deleted as they go out (a redelivered "parked" outcome may add
-- a row again: at least once, never lost).
CREATE TABLE parked_deliveries (
  activity_id uuid NOT NULL,
  inbox text NOT NULL,
  host text NOT NULL,
  -- The delivery job's fields but inboxes, attempt and trace, as the parked report carried them.
  job jsonb NOT NULL,
  parked_at timestamptz NOT NULL,
  -- Arrival order: replay keeps the order deliveries were parked in (a Create before the Delete
  -- of the same note), which parked_at alone does not (one batch shares one time).
  seq bigserial NOT NULL,
  PRIMARY KEY (activity_id, inbox)
);
-- Replay takes a host's rows in arrival order; the distinct hosts come from a loose index scan.
CREATE INDEX parked_deliveries_by_host ON parked_deliveries (host, seq);
-- Deliveries parked longer than the maximum age are settled failed even while their host is dead.
CREATE INDEX parked_deliveries_by_age ON parked_deliveries (parked_at);

-- The prober asks for dead hosts whose probe is due.
CREATE INDEX hosts_probe_due ON hosts (next_probe_at) WHERE state = 'dead';
