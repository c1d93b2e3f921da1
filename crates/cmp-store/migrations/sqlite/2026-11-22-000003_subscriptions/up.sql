-- Product catalogue and subscriptions (SQLite). Keep in step with the postgres folder:
-- same tables, columns, constraint names; only the dialect differs. Every primary key
-- column is declared NOT NULL because SQLite otherwise lets a non-INTEGER key be NULL.

-- Purchase identifiers of subscription packages.
INSERT INTO id_counters (name, next_value) VALUES ('purchase', 50000001);

-- Each import of the product catalogue is a new version; the highest is the current one.
-- Two imports racing for the same version: the second fails on the primary key.
CREATE TABLE catalogues (
    version BIGINT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    imported_by TEXT NOT NULL,
    document TEXT NOT NULL,
    CONSTRAINT catalogues_pkey PRIMARY KEY (version)
);

CREATE TABLE subscriptions (
    subscription_number BIGINT NOT NULL,
    account_number BIGINT NOT NULL,
    agreement_number BIGINT NOT NULL,
    status TEXT NOT NULL,
    price_plan_code TEXT NOT NULL,
    connected_date DATE NULL,
    disconnected_date DATE NULL,
    user_name TEXT NULL,
    cost_centre TEXT NULL,
    contract_start DATE NULL,
    contract_term_months INTEGER NULL,
    created_at TIMESTAMP NOT NULL,
    last_amended_at TIMESTAMP NOT NULL,
    CONSTRAINT subscriptions_pkey PRIMARY KEY (subscription_number),
    CONSTRAINT subscriptions_account_fkey FOREIGN KEY (account_number)
        REFERENCES accounts (account_number),
    CONSTRAINT subscriptions_agreement_fkey FOREIGN KEY (agreement_number)
        REFERENCES agreements (agreement_number),
    CONSTRAINT subscriptions_status CHECK (status IN ('PreActive', 'Active', 'Disconnected'))
);
CREATE INDEX subscriptions_account_number_idx ON subscriptions (account_number);
CREATE INDEX subscriptions_status_idx ON subscriptions (status);
CREATE INDEX subscriptions_price_plan_code_idx ON subscriptions (price_plan_code);

CREATE TABLE subscription_packages (
    purchase_identifier BIGINT NOT NULL,
    subscription_number BIGINT NOT NULL,
    package_code TEXT NOT NULL,
    is_base BOOLEAN NOT NULL,
    effective_date DATE NOT NULL,
    expiry_date DATE NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT subscription_packages_pkey PRIMARY KEY (purchase_identifier),
    CONSTRAINT subscription_packages_subscription_fkey FOREIGN KEY (subscription_number)
        REFERENCES subscriptions (subscription_number)
);
CREATE INDEX subscription_packages_subscription_number_idx
    ON subscription_packages (subscription_number);
CREATE INDEX subscription_packages_package_code_idx ON subscription_packages (package_code);

CREATE TABLE subscription_serial_numbers (
    subscription_number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    enumeration_id INTEGER NOT NULL,
    value TEXT NOT NULL,
    CONSTRAINT subscription_serial_numbers_pkey
        PRIMARY KEY (subscription_number, kind, enumeration_id),
    CONSTRAINT subscription_serial_numbers_subscription_fkey FOREIGN KEY (subscription_number)
        REFERENCES subscriptions (subscription_number),
    CONSTRAINT subscription_serial_numbers_kind CHECK (kind IN ('managed', 'nonManaged'))
);
CREATE INDEX subscription_serial_numbers_kind_value_idx
    ON subscription_serial_numbers (kind, value);

CREATE TABLE subscription_identities (
    subscription_number BIGINT NOT NULL,
    identity_type TEXT NOT NULL,
    identity_value TEXT NOT NULL,
    CONSTRAINT subscription_identities_pkey PRIMARY KEY (subscription_number, identity_type),
    CONSTRAINT subscription_identities_subscription_fkey FOREIGN KEY (subscription_number)
        REFERENCES subscriptions (subscription_number)
);
CREATE INDEX subscription_identities_type_value_idx
    ON subscription_identities (identity_type, identity_value);
