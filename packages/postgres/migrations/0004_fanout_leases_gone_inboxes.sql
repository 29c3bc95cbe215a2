-- Fan-out at scale (issue 4): leases on fan-out progress, and the gone-followers feed.

-- fan-out: one process at a time fans an activity out. The lease is taken when a fan-out
-- starts or resumes, extended at every checkpoint, and every checkpoint write is fenced by
-- it, so a consumer-group rebalance that hands the activity message to a second process never
-- starts a second fan-out beside the first; a process killed mid-way loses it when it expires.
ALTER TABLE fanout_checkpoints
  ADD COLUMN lease_owner text,
  ADD COLUMN lease_expires_at timestamptz;

-- outbox: inboxes that answered 404 or 410, as a feed the application reads and acknowledges.
-- 'follower': a follower's own inbox is gone; the follower is very likely gone and can be removed.
-- 'sharedInbox': a shared inbox is gone; that says nothing about any one follower behind it
-- (a server that moved its endpoint, or a misconfiguration), so they are not listed one by one:
-- the entry names the shared inbox and how many followers deliver through it.
CREATE TABLE gone_inboxes (
  -- Feed position: entries are read in the order they were found.
  id bigserial PRIMARY KEY,
  actor_id text NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('follower', 'sharedInbox')),
  follower_id text,
  inbox text NOT NULL,
  host text NOT NULL,
  -- Followers of the actor that were delivered through this inbox when it answered.
  followers integer NOT NULL,
  status integer,
  activity_id uuid,
  gone_at timestamptz NOT NULL,
  CHECK ((kind = 'follower') = (follower_id IS NOT NULL)),
  -- Removing the follower (POST /v1/followers "remove") takes its entry with it.
  FOREIGN KEY (actor_id, follower_id) REFERENCES followers (actor_id, follower_id) ON DELETE CASCADE
);
-- One open entry per (actor, inbox, follower): redelivered outcomes add nothing.
CREATE UNIQUE INDEX gone_inboxes_once ON gone_inboxes (actor_id, inbox, (coalesce(follower_id, '')));
-- Keyset pages of one actor's feed.
CREATE INDEX gone_inboxes_feed ON gone_inboxes (actor_id, id);
-- The cascade from followers looks entries up by follower.
CREATE INDEX gone_inboxes_by_follower ON gone_inboxes (actor_id, follower_id) WHERE follower_id IS NOT NULL;
