-- Customer structure (PostgreSQL). Keep in step with ../../sqlite/<same version>/up.sql:
-- same tables, columns, constraint names; only the dialect differs.

-- Number generators: one row per kind of number, bumped inside the writing transaction,
-- so numbers are unique across gateway instances and never reused.
CREATE TABLE id_counters (
    name TEXT NOT NULL PRIMARY KEY,
    next_value BIGINT NOT NULL
);
INSERT INTO id_counters (name, next_value) VALUES
    ('account', 10000001),
    ('agreement', 20000001),
    ('customer', 30000001),
    ('subscription', 40000001),
    ('workflow_event', 100000001);

CREATE TABLE billing_media (
    code TEXT NOT NULL PRIMARY KEY,
    description TEXT NOT NULL,
    CONSTRAINT billing_media_code_length CHECK (length(code) BETWEEN 1 AND 6)
);

CREATE TABLE customer_groups (
    group_code TEXT NOT NULL PRIMARY KEY,
    description TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_amended_at TIMESTAMP NOT NULL
);

CREATE TABLE corporates (
    corporate_code TEXT NOT NULL PRIMARY KEY,
    description TEXT NOT NULL,
    group_code TEXT NULL REFERENCES customer_groups (group_code),
    created_at TIMESTAMP NOT NULL,
    last_amended_at TIMESTAMP NOT NULL
);

CREATE TABLE customers (
    customer_number BIGINT NOT NULL PRIMARY KEY,
    title TEXT NULL,
    first_name TEXT NULL,
    last_name TEXT NULL,
    date_of_birth DATE NULL,
    gender TEXT NULL,
    marital_status TEXT NULL,
    occupation TEXT NULL,
    id_type TEXT NULL,
    id_number TEXT NULL,
    company_name TEXT NULL,
    company_registration_number TEXT NULL,
    vat_number TEXT NULL,
    home_phone TEXT NULL,
    work_phone TEXT NULL,
    mobile_phone TEXT NULL,
    fax TEXT NULL,
    email TEXT NULL,
    created_at TIMESTAMP NOT NULL,
    last_amended_at TIMESTAMP NOT NULL
);

CREATE TABLE customer_addresses (
    customer_number BIGINT NOT NULL REFERENCES customers (customer_number),
    address_type TEXT NOT NULL,
    line1 TEXT NULL,
    line2 TEXT NULL,
    line3 TEXT NULL,
    line4 TEXT NULL,
    town TEXT NULL,
    county TEXT NULL,
    postcode TEXT NULL,
    country TEXT NULL,
    PRIMARY KEY (customer_number, address_type),
    CONSTRAINT customer_addresses_type CHECK (address_type IN ('Billing', 'Home', 'Delivery'))
);

CREATE TABLE accounts (
    account_number BIGINT NOT NULL PRIMARY KEY,
    customer_number BIGINT NOT NULL REFERENCES customers (customer_number),
    account_name TEXT NULL,
    status TEXT NOT NULL DEFAULT 'Active',
    corporate_code TEXT NULL REFERENCES corporates (corporate_code),
    group_code TEXT NULL REFERENCES customer_groups (group_code),
    currency TEXT NOT NULL,
    payment_method TEXT NOT NULL DEFAULT 'Manual',
    created_at TIMESTAMP NOT NULL,
    last_amended_at TIMESTAMP NOT NULL,
    CONSTRAINT accounts_payment_method CHECK (payment_method IN ('Manual', 'DirectDebit', 'Card'))
);
CREATE INDEX accounts_customer_number_idx ON accounts (customer_number);

CREATE TABLE agreements (
    agreement_number BIGINT NOT NULL PRIMARY KEY,
    group_code TEXT NULL REFERENCES customer_groups (group_code),
    corporate_code TEXT NULL REFERENCES corporates (corporate_code),
    account_number BIGINT NULL REFERENCES accounts (account_number),
    billing_cycle INTEGER NOT NULL,
    invoice_consolidation_level TEXT NULL,
    invoice_receipt_address TEXT NULL,
    next_expected_invoice_date DATE NOT NULL,
    billing_media TEXT NULL REFERENCES billing_media (code),
    price_plan_code TEXT NULL,
    pending_billing_cycle INTEGER NULL,
    created_at TIMESTAMP NOT NULL,
    last_amended_at TIMESTAMP NOT NULL,
    -- Logged at exactly one level: a group, a corporate or an account.
    CONSTRAINT agreements_one_level CHECK (
        (CASE WHEN group_code IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN corporate_code IS NULL THEN 0 ELSE 1 END)
        + (CASE WHEN account_number IS NULL THEN 0 ELSE 1 END) = 1
    ),
    CONSTRAINT agreements_billing_cycle CHECK (billing_cycle BETWEEN 1 AND 31),
    CONSTRAINT agreements_pending_billing_cycle CHECK (pending_billing_cycle BETWEEN 1 AND 31)
);
CREATE INDEX agreements_account_number_idx ON agreements (account_number);
CREATE INDEX agreements_corporate_code_idx ON agreements (corporate_code);
CREATE INDEX agreements_group_code_idx ON agreements (group_code);
