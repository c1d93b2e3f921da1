ALTER TABLE subscriptions DROP COLUMN termination_fee_minor;
ALTER TABLE subscriptions DROP COLUMN disconnection_reason;
ALTER TABLE subscriptions DROP COLUMN contract_number;
UPDATE agreements SET pending_billing_cycle = (
    SELECT CAST(payload AS INTEGER) FROM scheduled_actions
    WHERE kind = 'BillCycleChange' AND state = 'Pending'
      AND entity_number = agreements.agreement_number
);
DELETE FROM id_counters WHERE name = 'scheduled_action';
DROP TABLE scheduled_actions;
