-- Redrive (issue 21): settled failures sent again through the normal pipeline.

-- outbox: one row per redrive request. Its id marks the inboxes it sent again
-- (delivery_outcomes.redrive_id) and travels on their delivery jobs, so only their new outcomes
-- count. The same request id again in the same scope redrives nothing more.
CREATE TABLE redrives (
  id bigserial PRIMARY KEY,
  -- 'activity:<id>' or 'host:<host>'
  scope text NOT NULL,
  request_id text,
  request jsonb NOT NULL,
  redriven integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX redrives_request ON redrives (scope, request_id) WHERE request_id IS NOT NULL;

-- A host's settled failures by when they settled: POST /v1/hosts/{host}/redrive's window. Partial,
-- so it holds only the failures (a small share of a million outcome rows).
CREATE INDEX delivery_outcomes_failed_by_host ON delivery_outcomes (host, updated_at)
  WHERE outcome IN ('gone', 'rejected', 'expired', 'discarded');

-- A newer activity of the same actor about the same object: what it reached is never redriven.
CREATE INDEX activities_by_object ON activities (actor_id, object_iri, id) WHERE object_iri IS NOT NULL;
