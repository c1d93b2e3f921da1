DROP TABLE account_email_addresses;
DROP TABLE registered_cards;
DROP TABLE direct_debits;
DELETE FROM id_counters WHERE name IN ('registered_card', 'direct_debit');
