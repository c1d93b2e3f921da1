//! E-mail address slots, the same for an account and a subscription: three per owner,
//! 1 Primary, 2 Billing, 3 Notification (the type of a slot not yet written). An
//! address's syntax is its schema type's pattern (`EmailAddress`, schemas/common.xsd).

use cmp_model::messages::AccountEmailType;
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
    }
}
