-- The pending action of a subscription (GetSubscription, GetSubscriptions, every plan
-- change) is found by kind, entity and state and read in due order. With only
-- (kind, entity_number, state) SQLite preferred scheduled_actions_state_due_idx, whose
-- order matches, and walked every pending action of the database per lookup (docs/
-- performance.md): this index serves the equality and the order together.
DROP INDEX scheduled_actions_entity_idx;
CREATE INDEX scheduled_actions_entity_idx
    ON scheduled_actions (kind, entity_number, state, due_date, id);
