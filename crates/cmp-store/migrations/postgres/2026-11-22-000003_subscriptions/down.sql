DROP TABLE subscription_identities;
DROP TABLE subscription_serial_numbers;
DROP TABLE subscription_packages;
DROP TABLE subscriptions;
DROP TABLE catalogues;
DELETE FROM id_counters WHERE name = 'purchase';
