-- outbox retention: finds finished activities by when they finished.
CREATE INDEX activity_progress_completed ON activity_progress (completed_at) WHERE completed_at IS NOT NULL;
