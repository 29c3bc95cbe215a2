-- Coalescing in the park (issue 12): a newly parked delivery looks up the parked deliveries of
-- its lane (the same object, to the same inbox of the same host) to replace or cancel them.
ALTER TABLE parked_deliveries ADD COLUMN attempted boolean NOT NULL DEFAULT false;
CREATE INDEX parked_deliveries_by_lane ON parked_deliveries (host, (job->>'objectId'), inbox);
