-- Webhooks to the application (issue 21), kept by outbox.

-- Subscriptions. The signing secret is sealed with AES-256-GCM under the key-encryption key, as
-- actors' private keys are; it is shown once, when the subscription is made.
CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  url text NOT NULL,
  events text[] NOT NULL,
  secret_sealed bytea NOT NULL,
  -- Failed attempts in a row; reset by any success. At the threshold the endpoint is paused.
  failures integer NOT NULL DEFAULT 0,
  paused_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Events waiting to be sent to an endpoint (at least once: a row leaves only after a 2xx or when
-- its retries are exhausted). One row per (endpoint, event): a redelivered event adds nothing.
CREATE TABLE webhook_deliveries (
  id bigserial PRIMARY KEY,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  event jsonb NOT NULL,
  attempt integer NOT NULL DEFAULT 0,
  first_attempt_at timestamptz,
  due_at timestamptz NOT NULL,
  -- A claimed row is not claimed again before this (a crashed process's claim expires).
  claimed_until timestamptz,
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (due_at);

-- Recent attempts per endpoint (GET /v1/webhooks/{id}/deliveries), trimmed to the newest few.
CREATE TABLE webhook_attempts (
  id bigserial PRIMARY KEY,
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  event_type text NOT NULL,
  attempt integer NOT NULL,
  status integer,
  error text,
  duration_ms double precision NOT NULL,
  -- delivered | retrying | failed (retries exhausted)
  result text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_recent ON webhook_attempts (endpoint_id, id);
