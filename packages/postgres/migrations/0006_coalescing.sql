-- outbox: what an Undo undoes (the undone activity's IRI), so delivery can cancel a waiting
-- Like or Announce with its Undo; and the count of inboxes a newer activity made pointless.
ALTER TABLE activities ADD COLUMN undoes_iri text;
CREATE INDEX activities_by_iri ON activities (actor_id, activity_iri);
ALTER TABLE activity_progress ADD COLUMN superseded integer NOT NULL DEFAULT 0;
