-- API keys and the audit trail (SQLite). Keep in step with the postgres folder.

CREATE TABLE api_keys (
    name TEXT NOT NULL PRIMARY KEY,
    key_id TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP NULL,
    CONSTRAINT api_keys_key_id_unique UNIQUE (key_id),
    CONSTRAINT api_keys_role CHECK (role IN ('read', 'write', 'admin'))
);

CREATE TABLE audit_log (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    operation TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    external_reference TEXT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, at);
CREATE INDEX audit_log_at ON audit_log (at);
