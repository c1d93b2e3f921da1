-- Self-care (PostgreSQL): outbox, one-time passwords, workflow events. Keep in step with
-- the sqlite folder: same tables, columns, constraint names.

-- Per-database secret keys (used when CMP_SECRET_KEY is not set): 244 random bits from
-- two version-4 UUIDs (gen_random_uuid uses the server's strong random source).
CREATE TABLE secret_keys (
    name TEXT NOT NULL,
    key_hex TEXT NOT NULL,
    CONSTRAINT secret_keys_pkey PRIMARY KEY (name)
);
INSERT INTO secret_keys (name, key_hex) VALUES ('otp',
    replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''));

-- Outbox: the messages the system "sends" (OTP texts, notifications). The only place an
-- OTP appears in clear is the text of its message, as an SMS gateway would send it.
INSERT INTO id_counters (name, next_value) VALUES ('outbox', 1);
CREATE TABLE outbox (
    message_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    body TEXT NOT NULL,
    request_id TEXT NOT NULL,
    CONSTRAINT outbox_pkey PRIMARY KEY (message_id)
);

-- One-time passwords: the code is stored only as a keyed hash (HMAC-SHA256).
CREATE TABLE one_time_passwords (
    otp_reference TEXT NOT NULL,
    subscription_number BIGINT NULL,
    account_number BIGINT NULL,
    delivery_channel TEXT NOT NULL,
    delivered_to TEXT NOT NULL,
    purpose TEXT NULL,
    code_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP NULL,
    CONSTRAINT one_time_passwords_pkey PRIMARY KEY (otp_reference),
    CONSTRAINT one_time_passwords_subscription_fkey FOREIGN KEY (subscription_number)
        REFERENCES subscriptions (subscription_number),
    CONSTRAINT one_time_passwords_account_fkey FOREIGN KEY (account_number)
        REFERENCES accounts (account_number),
    CONSTRAINT one_time_passwords_one_target
        CHECK ((subscription_number IS NULL) <> (account_number IS NULL)),
    CONSTRAINT one_time_passwords_state CHECK (state IN ('Issued', 'Used', 'Locked'))
);
CREATE INDEX one_time_passwords_subscription_idx
    ON one_time_passwords (subscription_number, created_at);
CREATE INDEX one_time_passwords_account_idx ON one_time_passwords (account_number, created_at);

-- Workflow (diary) events against a level of the customer structure.
CREATE TABLE workflow_events (
    event_number BIGINT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    event_type_code TEXT NOT NULL,
    event_code TEXT NOT NULL,
    status TEXT NOT NULL,
    process_command TEXT NULL,
    process_date DATE NULL,
    process_back_date DATE NULL,
    resolution_required_by DATE NULL,
    reason_code TEXT NULL,
    contact_information TEXT NULL,
    telephone_number TEXT NULL,
    pass_to_user_id TEXT NULL,
    include_notes_default BOOLEAN NULL,
    notes TEXT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_amended_at TIMESTAMP NOT NULL,
    CONSTRAINT workflow_events_pkey PRIMARY KEY (event_number),
    CONSTRAINT workflow_events_target_type
        CHECK (target_type IN ('Group', 'Corporate', 'Account', 'Agreement', 'Subscription')),
    CONSTRAINT workflow_events_status CHECK (status IN ('Open', 'Resolved', 'Cancelled'))
);
CREATE INDEX workflow_events_target_idx ON workflow_events (target_type, target_id);
