DROP TABLE workflow_events;
DROP TABLE one_time_passwords;
DROP TABLE outbox;
DELETE FROM id_counters WHERE name = 'outbox';
DROP TABLE secret_keys;
