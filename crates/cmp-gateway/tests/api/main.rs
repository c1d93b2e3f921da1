//! HTTP-level tests, one module per operation group, in one binary (SQLite by default;
//! PostgreSQL when CMP_TEST_DATABASE_URL is set).

// Test closures return the same large Fault as the gateway does.
#![allow(clippy::result_large_err)]

mod helpers;

mod agreements;
mod catalogue;
mod contract;
mod hostile;
mod legacy;
mod legacy_lifecycle;
mod lifecycle;
mod limits;
mod negotiation;
mod payments;
mod publish;
mod sandbox;
mod security;
mod selfcare;
mod slow_clients;
mod structure;
mod subscription_details;
mod subscription_port;
mod synthetic;
mod usage;
