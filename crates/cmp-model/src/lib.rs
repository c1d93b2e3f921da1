//! CMP messages: the types generated from `schemas/*.xsd`, their codecs and the fault
//! model.
//!
//! Which error type lives where:
//! - [`node::ParseError`]: the body is not well-formed XML/JSON, or breaks a limit;
//! - [`fault::FieldError`]: one field of a well-formed document is wrong (collected, never
//!   the first one only);
//! - [`fault::Fault`]: what an operation answers instead of a response, in every dialect.
//!
//! A request goes: bytes → [`node::Node`] tree (XML, JSON or a SOAP body) →
//! [`codec::decode_document`] → a generated type. A response goes: generated type →
//! [`codec::Encode`] → a [`codec::Sink`] of the chosen dialect ([`render`]).

pub mod codec;
pub mod codes;
pub mod fault;
#[cfg(test)]
mod golden;
pub mod json;
pub mod node;
pub mod render;
pub mod soap;
pub mod text;
mod values;
pub mod xml;

pub use codec::{decode_document, Decode, Document, Encode, Patch};
pub use codes::{Code, Kind};
pub use fault::{Fault, FaultKind, FieldError, FieldPath};
pub use node::{Limits, Node, ParseError};
pub use values::{Date, DateTime, Decimal};

/// The generated message types, one per XSD type.
pub mod messages {
    #![allow(clippy::all, missing_docs)]
    use crate::codec::*;
    use crate::node::Node;
    include!(concat!(env!("OUT_DIR"), "/messages.rs"));
}
