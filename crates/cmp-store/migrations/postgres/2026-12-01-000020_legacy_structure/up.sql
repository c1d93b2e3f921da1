-- The CMP 7.3.8 group, corporate and account services: what their create and update
-- operations carry, and the indexes the structure queries walk. Same in both backends.

-- A group's or corporate's posting account (created with it from the 7.3.8 `Account`)
-- and its e-mail address.
ALTER TABLE customer_groups ADD COLUMN posting_account_number BIGINT NULL;
ALTER TABLE customer_groups ADD COLUMN email_address TEXT NULL;
ALTER TABLE corporates ADD COLUMN posting_account_number BIGINT NULL;
ALTER TABLE corporates ADD COLUMN email_address TEXT NULL;

-- 7.3.8 account fields.
ALTER TABLE accounts ADD COLUMN company_number TEXT NULL;
ALTER TABLE accounts ADD COLUMN payment_type TEXT NULL;
ALTER TABLE accounts ADD COLUMN payment_term TEXT NULL;
ALTER TABLE accounts ADD COLUMN credit_limit BIGINT NULL;
ALTER TABLE accounts ADD COLUMN account_usage TEXT NULL;
ALTER TABLE accounts ADD COLUMN email_address TEXT NULL;
ALTER TABLE accounts ADD COLUMN for_attn_of_name TEXT NULL;
ALTER TABLE accounts ADD COLUMN account_contact_name TEXT NULL;

-- The structure queries: accounts by parent, corporates by group, subscriptions by
-- agreement (by account exists already).
CREATE INDEX accounts_corporate_code_idx ON accounts (corporate_code);
CREATE INDEX accounts_group_code_idx ON accounts (group_code);
CREATE INDEX corporates_group_code_idx ON corporates (group_code);
CREATE INDEX subscriptions_agreement_number_idx ON subscriptions (agreement_number);
