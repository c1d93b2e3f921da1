-- Scheduled actions and the subscription life cycle (postgres). Keep in step with the sqlite
-- folder: same tables, columns, constraint names; only the dialect differs.

-- An action due on a date, applied by the scheduler (several gateways may run it: a row
-- is claimed by a conditional UPDATE of its state from Pending). entity_number is the
-- subscription (Disconnection, PricePlanChange) or the agreement (BillCycleChange);
-- payload what the action needs (docs/decisions.md, "Scheduled actions").
CREATE TABLE scheduled_actions (
    id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    entity_number BIGINT NOT NULL,
    due_date DATE NOT NULL,
    state TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    applied_at TIMESTAMP NULL,
    CONSTRAINT scheduled_actions_pkey PRIMARY KEY (id),
    CONSTRAINT scheduled_actions_kind
        CHECK (kind IN ('Disconnection', 'PricePlanChange', 'BillCycleChange')),
    CONSTRAINT scheduled_actions_state
        CHECK (state IN ('Pending', 'Applied', 'Cancelled', 'Failed'))
);
-- The scheduler's query: pending rows by due date.
CREATE INDEX scheduled_actions_state_due_idx ON scheduled_actions (state, due_date, id);
CREATE INDEX scheduled_actions_entity_idx ON scheduled_actions (kind, entity_number, state);

-- Pending bill cycle changes move from the agreement onto rows, due at the agreement's
-- next invoice date. The column stays (always NULL from now on): SQLite cannot drop a
-- column a CHECK constraint names, and both dialects keep the same columns.
INSERT INTO scheduled_actions (id, kind, entity_number, due_date, state, payload, created_at)
SELECT ROW_NUMBER() OVER (ORDER BY agreement_number), 'BillCycleChange', agreement_number,
       next_expected_invoice_date, 'Pending', CAST(pending_billing_cycle AS TEXT), last_amended_at
FROM agreements WHERE pending_billing_cycle IS NOT NULL;
UPDATE agreements SET pending_billing_cycle = NULL WHERE pending_billing_cycle IS NOT NULL;
INSERT INTO id_counters (name, next_value)
SELECT 'scheduled_action', COUNT(*) + 1 FROM scheduled_actions;

-- What the life cycle keeps on the subscription: the contract number given at activation,
-- and at disconnection the reason and the termination fee recorded (minor units).
ALTER TABLE subscriptions ADD COLUMN contract_number TEXT NULL;
ALTER TABLE subscriptions ADD COLUMN disconnection_reason TEXT NULL;
ALTER TABLE subscriptions ADD COLUMN termination_fee_minor BIGINT NULL;
