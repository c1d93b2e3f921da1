DROP INDEX scheduled_actions_entity_idx;
CREATE INDEX scheduled_actions_entity_idx ON scheduled_actions (kind, entity_number, state);
