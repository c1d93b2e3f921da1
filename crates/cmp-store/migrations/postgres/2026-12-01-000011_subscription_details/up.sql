-- The subscription's own data (PostgreSQL). Keep in step with the sqlite folder: same
-- tables, columns and constraint names; only the dialect differs.

-- Service instance identifiers (AddSubscriptionService).
INSERT INTO id_counters (name, next_value) VALUES ('service_instance', 60000001);

-- UpdateSubscription: the password only as an Argon2id PHC string (salted), never in clear.
ALTER TABLE subscriptions ADD COLUMN password_hash TEXT NULL;
ALTER TABLE subscriptions ADD COLUMN date_of_birth DATE NULL;
ALTER TABLE subscriptions ADD COLUMN gender TEXT NULL
    CONSTRAINT subscriptions_gender CHECK (gender IN ('Male', 'Female', 'Other', 'NotStated'));
ALTER TABLE subscriptions ADD COLUMN marital_status TEXT NULL
    CONSTRAINT subscriptions_marital_status CHECK (marital_status IN
        ('Single', 'Married', 'CivilPartnership', 'Divorced', 'Widowed', 'NotStated'));

-- Services added one by one (those of packages come from the catalogue). The price is the
-- decimal as the wire writes it ("1.50").
CREATE TABLE subscription_services (
    service_instance_id BIGINT NOT NULL,
    subscription_number BIGINT NOT NULL,
    service_code TEXT NOT NULL,
    charge_type TEXT NOT NULL,
    price TEXT NOT NULL,
    effective_date DATE NOT NULL,
    expiry_date DATE NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT subscription_services_pkey PRIMARY KEY (service_instance_id),
    CONSTRAINT subscription_services_subscription_fkey FOREIGN KEY (subscription_number)
        REFERENCES subscriptions (subscription_number),
    CONSTRAINT subscription_services_charge_type CHECK (charge_type IN ('OneOff', 'Recurring'))
);
CREATE INDEX subscription_services_subscription_number_idx
    ON subscription_services (subscription_number);
CREATE INDEX subscription_services_service_code_idx ON subscription_services (service_code);

-- Attributes: one value per defined name.
CREATE TABLE subscription_attributes (
    subscription_number BIGINT NOT NULL,
    name TEXT NOT NULL,
    attribute_group TEXT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_amended_at TIMESTAMP NOT NULL,
    CONSTRAINT subscription_attributes_pkey PRIMARY KEY (subscription_number, name),
    CONSTRAINT subscription_attributes_subscription_fkey FOREIGN KEY (subscription_number)
        REFERENCES subscriptions (subscription_number)
);
CREATE INDEX subscription_attributes_name_idx ON subscription_attributes (name);

-- E-mail addresses: three slots per subscription (1 Primary, 2 Billing, 3 Notification).
CREATE TABLE subscription_email_addresses (
    subscription_number BIGINT NOT NULL,
    email_id INTEGER NOT NULL,
    email_type TEXT NOT NULL,
    address TEXT NOT NULL,
    last_amended_at TIMESTAMP NOT NULL,
    CONSTRAINT subscription_email_addresses_pkey PRIMARY KEY (subscription_number, email_id),
    CONSTRAINT subscription_email_addresses_subscription_fkey FOREIGN KEY (subscription_number)
        REFERENCES subscriptions (subscription_number),
    CONSTRAINT subscription_email_addresses_type
        CHECK (email_type IN ('Primary', 'Billing', 'Notification'))
);

-- Serial numbers: the day the current value took effect (NULL: since the subscription was
-- created), and every value replaced, with the day it ended (the first day it no longer
-- applied). `sequence` numbers the replaced values of one slot from 1.
ALTER TABLE subscription_serial_numbers ADD COLUMN effective_date DATE NULL;
CREATE TABLE subscription_serial_number_history (
    subscription_number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    enumeration_id INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    value TEXT NOT NULL,
    effective_date DATE NOT NULL,
    end_date DATE NOT NULL,
    replaced_at TIMESTAMP NOT NULL,
    CONSTRAINT subscription_serial_number_history_pkey
        PRIMARY KEY (subscription_number, kind, enumeration_id, sequence),
    CONSTRAINT subscription_serial_number_history_subscription_fkey
        FOREIGN KEY (subscription_number) REFERENCES subscriptions (subscription_number),
    CONSTRAINT subscription_serial_number_history_kind CHECK (kind IN ('managed', 'nonManaged'))
);
