//! E-mail address slots, the same for an account and a subscription: three per owner,
//! 1 Primary, 2 Billing, 3 Notification (the type of a slot not yet written), and one
//! syntax rule for an address.

use cmp_model::messages::AccountEmailType;
use cmp_model::{Code, Fault, FieldPath};

use crate::faults::invalid;

/// The type a slot has by default: 1 Primary, 2 Billing, 3 Notification.
pub(crate) fn slot_type(email_id: i64) -> AccountEmailType {
    match email_id {
        1 => AccountEmailType::Primary,
        2 => AccountEmailType::Billing,
        _ => AccountEmailType::Notification,
    }
}

/// The type slot `email_id` gets when written: the one asked for, else the one it has
/// among the `stored` slots (id, type), else its default.
pub(crate) fn written_type<'a>(
    asked: Option<AccountEmailType>,
    stored: impl IntoIterator<Item = (i64, &'a str)>,
    email_id: i64,
) -> AccountEmailType {
    asked
        .or_else(|| {
            stored
                .into_iter()
                .find(|(id, _)| *id == email_id)
                .and_then(|(_, t)| AccountEmailType::parse(t))
        })
        .unwrap_or(slot_type(email_id))
}

/// The type of a stored slot (its default if the stored text is not a type).
pub(crate) fn stored_type(stored: &str, email_id: i64) -> AccountEmailType {
    AccountEmailType::parse(stored).unwrap_or(slot_type(email_id))
}

/// A simple e-mail syntax rule: `local@domain.tld`, no blanks, one `@`, the domain has a
/// dot that neither starts nor ends it.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `INVALID_FORMAT` on `path` unless `address` passes [`valid_email`].
pub(crate) fn check_address(address: &str, path: impl Into<FieldPath>) -> Result<(), Fault> {
    if valid_email(address) {
        Ok(())
    } else {
        Err(invalid(
            Code::InvalidFormat,
            path,
            "is not an e-mail address",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_keeps_its_type_unless_asked_for_another() {
        assert_eq!(written_type(None, [], 2), AccountEmailType::Billing);
        assert_eq!(
            written_type(None, [(2, "Primary"), (1, "Notification")], 1),
            AccountEmailType::Notification
        );
        assert_eq!(
            written_type(Some(AccountEmailType::Primary), [(2, "Billing")], 2),
            AccountEmailType::Primary
        );
        assert!(valid_email("a@b.co") && !valid_email("a@b") && !valid_email("a b@c.de"));
    }
}
