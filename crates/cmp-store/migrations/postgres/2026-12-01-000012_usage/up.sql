-- Usage, allowances and spend caps per bill period (PostgreSQL). Keep in step with the
-- sqlite folder: same tables, columns, constraint names; only the dialect differs.

-- One row per subscription and bill period with usage: how many usage records it holds
-- (the next record's number) and the sum of their charges, so that rating a record never
-- adds up the period again. Money is in minor units (pence).
CREATE TABLE usage_periods (
    subscription_number BIGINT NOT NULL,
    period_start DATE NOT NULL,
    records BIGINT NOT NULL,
    charged_minor BIGINT NOT NULL,
    CONSTRAINT usage_periods_pkey PRIMARY KEY (subscription_number, period_start),
    CONSTRAINT usage_periods_subscription_fkey FOREIGN KEY (subscription_number)
        REFERENCES subscriptions (subscription_number),
    CONSTRAINT usage_periods_totals CHECK (records >= 0 AND charged_minor >= 0)
);

-- Rated usage: what came out of allowances (in_bundle) and what was charged.
CREATE TABLE usage_records (
    subscription_number BIGINT NOT NULL,
    period_start DATE NOT NULL,
    record_number BIGINT NOT NULL,
    used_at TIMESTAMP NOT NULL,
    usage_type TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    in_bundle BIGINT NOT NULL,
    charged_minor BIGINT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    request_id TEXT NOT NULL,
    CONSTRAINT usage_records_pkey PRIMARY KEY (subscription_number, period_start, record_number),
    CONSTRAINT usage_records_period_fkey FOREIGN KEY (subscription_number, period_start)
        REFERENCES usage_periods (subscription_number, period_start),
    CONSTRAINT usage_records_type CHECK (usage_type IN ('Voice', 'SMS', 'Data')),
    CONSTRAINT usage_records_quantities
        CHECK (quantity > 0 AND in_bundle >= 0 AND in_bundle <= quantity AND charged_minor >= 0)
);

-- How much of each allowance (a service of a purchased package) a period has used.
CREATE TABLE allowance_draws (
    subscription_number BIGINT NOT NULL,
    period_start DATE NOT NULL,
    purchase_identifier BIGINT NOT NULL,
    service_code TEXT NOT NULL,
    used BIGINT NOT NULL,
    CONSTRAINT allowance_draws_pkey
        PRIMARY KEY (subscription_number, period_start, purchase_identifier, service_code),
    CONSTRAINT allowance_draws_period_fkey FOREIGN KEY (subscription_number, period_start)
        REFERENCES usage_periods (subscription_number, period_start),
    CONSTRAINT allowance_draws_purchase_fkey FOREIGN KEY (purchase_identifier)
        REFERENCES subscription_packages (purchase_identifier),
    CONSTRAINT allowance_draws_used CHECK (used >= 0)
);
CREATE INDEX allowance_draws_purchase_identifier_idx ON allowance_draws (purchase_identifier);

-- Spend caps set on a subscription: from effective_date up to, not including, expiry_date.
CREATE TABLE subscription_spend_caps (
    subscription_number BIGINT NOT NULL,
    cap_code TEXT NOT NULL,
    effective_date DATE NOT NULL,
    amount_minor BIGINT NOT NULL,
    expiry_date DATE NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT subscription_spend_caps_pkey
        PRIMARY KEY (subscription_number, cap_code, effective_date),
    CONSTRAINT subscription_spend_caps_subscription_fkey FOREIGN KEY (subscription_number)
        REFERENCES subscriptions (subscription_number),
    CONSTRAINT subscription_spend_caps_amount CHECK (amount_minor >= 0),
    CONSTRAINT subscription_spend_caps_dates
        CHECK (expiry_date IS NULL OR expiry_date > effective_date)
);
CREATE INDEX subscription_spend_caps_cap_code_idx ON subscription_spend_caps (cap_code);

-- A cap's first refusal in a bill period: its breach notice went out (once per period).
CREATE TABLE spend_cap_breaches (
    subscription_number BIGINT NOT NULL,
    period_start DATE NOT NULL,
    cap_code TEXT NOT NULL,
    breached_at TIMESTAMP NOT NULL,
    event_number BIGINT NOT NULL,
    CONSTRAINT spend_cap_breaches_pkey PRIMARY KEY (subscription_number, period_start, cap_code),
    CONSTRAINT spend_cap_breaches_subscription_fkey FOREIGN KEY (subscription_number)
        REFERENCES subscriptions (subscription_number)
);
