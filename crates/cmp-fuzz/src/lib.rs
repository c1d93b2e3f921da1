//! Fuzzing on the stable toolchain, in process and structure-aware: mutations of the
//! contract fixtures (`fixtures/requests`) sent through the XML, JSON and SOAP decoders
//! and through the whole gateway, each input checked by one oracle ([`oracle`], [`run`]).
//!
//! `cargo run --release -p cmp-fuzz -- <xml|json|soap|app> --minutes 10` fuzzes;
//! `cargo test -p cmp-fuzz` replays `corpus/<target>/` and runs the property test over
//! the fixtures. See `docs/reliability.md`.

// A Fault is large, but it is only ever the error path (as in cmp-gateway).
#![allow(clippy::result_large_err)]

pub mod alloc;
pub mod app;
pub mod decoders;
pub mod fixtures;
pub mod input;
pub mod jtree;
pub mod mutate;
pub mod oracle;
pub mod property;
pub mod rng;
pub mod run;
pub mod seed;
pub mod xtree;
