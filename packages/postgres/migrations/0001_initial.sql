-- Tables are grouped by the service that writes them; see docs/data-model.md.

-- outbox: local actors and their sealed signing keys.
CREATE TABLE actors (
  id text PRIMARY KEY,
  key_id text NOT NULL,
  key_type text NOT NULL CHECK (key_type IN ('rsa', 'ed25519')),
  -- AES-256-GCM: 12-byte IV, 16-byte tag, ciphertext. The key-encryption key is never stored here.
  private_key_sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- outbox: the follower index that fan-out streams.
CREATE TABLE followers (
  actor_id text NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
  follower_id text NOT NULL,
  inbox text NOT NULL,
  shared_inbox text,
  -- Where a delivery to this follower goes: its server's shared inbox when it has one.
  -- Byte order (C collation) so keyset pages and fan-out's merge agree with JavaScript's order.
  target_inbox text COLLATE "C" NOT NULL,
  target_host text COLLATE "C" NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor_id, follower_id)
);
-- Fan-out reads distinct targets host by host in keyset pages straight off this index.
CREATE INDEX followers_by_target ON followers (actor_id, target_host, target_inbox);

-- outbox: every accepted activity, byte for byte as it is delivered.
CREATE TABLE activities (
  id uuid PRIMARY KEY,
  actor_id text NOT NULL REFERENCES actors (id),
  activity_iri text NOT NULL,
  activity_type text NOT NULL,
  -- The object the activity is about: activities about one object keep their order per host.
  object_iri text,
  body text NOT NULL,
  audience jsonb NOT NULL,
  idempotency_key text,
  request_digest text NOT NULL,
  -- W3C trace context of the API call, so the relay publishes in the original trace.
  trace_context jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX activities_idempotency ON activities (actor_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- outbox (counters) and fan-out (total): the status document of an activity.
CREATE TABLE activity_progress (
  activity_id uuid PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
  -- Distinct target inboxes; NULL until fan-out has finished, then fixed.
  total integer,
  delivered integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  parked integer NOT NULL DEFAULT 0,
  -- Inboxes on hosts an operator blocked: never sent, but settled.
  blocked integer NOT NULL DEFAULT 0,
  fanout_completed_at timestamptz,
  completed_at timestamptz
);

-- outbox: the last counted outcome per inbox, so a redelivered outcome is never counted twice.
CREATE TABLE delivery_outcomes (
  activity_id uuid NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
  inbox text NOT NULL,
  outcome text NOT NULL,
  status integer,
  reason text,
  attempt integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (activity_id, inbox)
);

-- outbox: the transactional outbox; the relay publishes and deletes rows in id order.
CREATE TABLE outbox_messages (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  message_key text NOT NULL,
  payload text NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

-- fan-out: how far the fan-out of an activity got, so a restart resumes instead of repeating.
CREATE TABLE fanout_checkpoints (
  activity_id uuid PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
  -- Keyset position of the last published target (host, inbox); NULL before the first.
  cursor_host text,
  cursor_inbox text,
  inboxes integer NOT NULL DEFAULT 0,
  messages integer NOT NULL DEFAULT 0,
  completed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- host-health: durable state of every remote server ever seen; Redis holds the hot copy.
CREATE TABLE hosts (
  host text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('healthy', 'failing', 'dead', 'blocked')),
  failures integer NOT NULL DEFAULT 0,
  first_failure_at timestamptz,
  last_failure_at timestamptz,
  last_success_at timestamptz,
  next_probe_at timestamptz,
  probe_interval_ms bigint,
  -- The circuit breaker holds deliveries until then; trips in a row double the pause.
  paused_until timestamptz,
  trips integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hosts_by_state ON hosts (state, host);

-- host-health: every state change, for operators.
CREATE TABLE host_history (
  id bigserial PRIMARY KEY,
  host text NOT NULL,
  from_state text,
  to_state text NOT NULL,
  reason text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX host_history_by_host ON host_history (host, at);
