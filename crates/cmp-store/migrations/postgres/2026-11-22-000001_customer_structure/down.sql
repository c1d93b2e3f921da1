DROP TABLE agreements;
DROP TABLE accounts;
DROP TABLE customer_addresses;
DROP TABLE customers;
DROP TABLE corporates;
DROP TABLE customer_groups;
DROP TABLE billing_media;
DROP TABLE id_counters;
