-- Per-inbox outcomes for the API (issue 21): GET /v1/activities/{id}/inboxes filters an
-- activity's inboxes by outcome and by host and pages through them by inbox (keyset).

-- The destination host of each inbox (the delivery job's host), for the host filter.
ALTER TABLE delivery_outcomes ADD COLUMN host text;
UPDATE delivery_outcomes SET host = lower(substring(inbox FROM '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]+)'));
UPDATE delivery_outcomes SET host = '' WHERE host IS NULL;
ALTER TABLE delivery_outcomes ALTER COLUMN host SET NOT NULL;
-- When the last request ended (NULL: settled without one), and when a pending inbox is retried.
ALTER TABLE delivery_outcomes ADD COLUMN last_attempt_at timestamptz;
UPDATE delivery_outcomes SET last_attempt_at = updated_at WHERE attempt > 0;
ALTER TABLE delivery_outcomes ADD COLUMN next_attempt_at timestamptz;
-- The redrive that last sent this inbox again (NULL: never redriven); only its outcomes count.
ALTER TABLE delivery_outcomes ADD COLUMN redrive_id bigint;

-- Keyset pages of one activity's inboxes by outcome, and by host (the primary key serves the
-- unfiltered list). outcome is one of: delivered pending parked gone rejected expired
-- superseded blocked discarded.
CREATE INDEX delivery_outcomes_by_outcome ON delivery_outcomes (activity_id, outcome, inbox);
CREATE INDEX delivery_outcomes_by_host ON delivery_outcomes (activity_id, host, inbox);
