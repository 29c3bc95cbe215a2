-- Every signing process polls once a second for actors whose key was registered again
-- (packages/actor-keys): the index keeps that poll a short range scan however many actors.
CREATE INDEX IF NOT EXISTS actors_updated_at ON actors (updated_at);
