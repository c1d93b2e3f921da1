//! The shapes of fault that operations answer, named once. Codes come from the one table
//! (`cmp_model::Code`), field paths from the generated `messages::paths`; what status a
//! fault gets is the gateway's business, not core's.

use cmp_model::{Code, Fault, FieldError, FieldPath};

/// `NOT_FOUND` on the field that names what does not exist.
pub fn not_found(path: impl Into<FieldPath>) -> Fault {
    Fault::on_field(FieldError::on(Code::NotFound, path, "does not exist"))
}

/// A state rule about one field: the fault takes the rule's code and phrase.
pub fn rule(code: Code, path: impl Into<FieldPath>, phrase: impl Into<String>) -> Fault {
    Fault::on_field(FieldError::on(code, path, phrase))
}

/// A reference in the body that names nothing, as one field error of a list.
pub fn unknown_ref(path: impl Into<FieldPath>) -> FieldError {
    FieldError::on(Code::UnknownReference, path, "does not exist")
}

/// A reference in the body that names nothing, alone in a ValidationFault.
pub fn unknown(path: impl Into<FieldPath>) -> Fault {
    Fault::validation(vec![unknown_ref(path)])
}

/// A ValidationFault with a single field error.
pub fn invalid(code: Code, path: impl Into<FieldPath>, phrase: impl Into<String>) -> Fault {
    Fault::validation(vec![FieldError::on(code, path, phrase)])
}

/// `lastAmendedDate` is not the stored one.
pub fn stale(what: &str) -> Fault {
    Fault::new(
        Code::StaleData,
        format!("the {what} was changed since lastAmendedDate: read it again"),
    )
}
