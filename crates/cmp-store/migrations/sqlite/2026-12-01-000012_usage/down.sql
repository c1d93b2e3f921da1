DROP TABLE spend_cap_breaches;
DROP TABLE subscription_spend_caps;
DROP TABLE allowance_draws;
DROP TABLE usage_records;
DROP TABLE usage_periods;
