-- Accounts and payments (SQLite). Keep in step with the postgres folder: same tables,
-- columns and constraint names.

INSERT INTO id_counters (name, next_value) VALUES ('registered_card', 70000001);
INSERT INTO id_counters (name, next_value) VALUES ('direct_debit', 80000001);

-- Direct debit mandates, one Active per account at most. The bank account number is not
-- kept: only its masked form (last four digits).
CREATE TABLE direct_debits (
    direct_debit_id BIGINT NOT NULL,
    account_number BIGINT NOT NULL,
    status TEXT NOT NULL,
    name_of_payer TEXT NOT NULL,
    bank_sort_code TEXT NOT NULL,
    masked_account_number TEXT NOT NULL,
    mandate_reference TEXT NULL,
    mandate_received_date DATE NULL,
    setup_method TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    cancelled_date DATE NULL,
    cancellation_reason TEXT NULL,
    CONSTRAINT direct_debits_pkey PRIMARY KEY (direct_debit_id),
    CONSTRAINT direct_debits_account_fkey FOREIGN KEY (account_number)
        REFERENCES accounts (account_number),
    CONSTRAINT direct_debits_status CHECK (status IN ('Active', 'Cancelled'))
);
CREATE UNIQUE INDEX direct_debits_one_active ON direct_debits (account_number)
    WHERE status = 'Active';

-- Registered cards: the provider's token, never a card number.
CREATE TABLE registered_cards (
    card_id BIGINT NOT NULL,
    account_number BIGINT NOT NULL,
    card_token TEXT NOT NULL,
    card_type TEXT NOT NULL,
    last_four_digits TEXT NOT NULL,
    expiry_month INTEGER NOT NULL,
    expiry_year INTEGER NOT NULL,
    cardholder_name TEXT NOT NULL,
    status TEXT NOT NULL,
    subscription_number BIGINT NULL,
    is_payment_method BOOLEAN NOT NULL,
    registered_date DATE NOT NULL,
    cancelled_date DATE NULL,
    cancellation_reason TEXT NULL,
    last_amended_at TIMESTAMP NOT NULL,
    CONSTRAINT registered_cards_pkey PRIMARY KEY (card_id),
    CONSTRAINT registered_cards_account_fkey FOREIGN KEY (account_number)
        REFERENCES accounts (account_number),
    CONSTRAINT registered_cards_subscription_fkey FOREIGN KEY (subscription_number)
        REFERENCES subscriptions (subscription_number),
    CONSTRAINT registered_cards_status CHECK (status IN ('Active', 'Cancelled'))
);
CREATE INDEX registered_cards_account_idx ON registered_cards (account_number);
CREATE UNIQUE INDEX registered_cards_active_token ON registered_cards (account_number, card_token)
    WHERE status = 'Active';

-- Account e-mail addresses: three slots per account (1 Primary, 2 Billing,
-- 3 Notification). Until slot 1 is written, it is the customer's contact e-mail.
CREATE TABLE account_email_addresses (
    account_number BIGINT NOT NULL,
    email_id INTEGER NOT NULL,
    email_type TEXT NOT NULL,
    address TEXT NOT NULL,
    last_amended_at TIMESTAMP NOT NULL,
    CONSTRAINT account_email_addresses_pkey PRIMARY KEY (account_number, email_id),
    CONSTRAINT account_email_addresses_account_fkey FOREIGN KEY (account_number)
        REFERENCES accounts (account_number),
    CONSTRAINT account_email_addresses_type CHECK (email_type IN ('Primary', 'Billing', 'Notification'))
);
