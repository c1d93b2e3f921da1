//! The schemas as data: the project's one reader of its XSD subset (`cmp-schema`, also
//! used by the message generator), applied to the schema files compiled into the model.

pub use cmp_schema::*;
