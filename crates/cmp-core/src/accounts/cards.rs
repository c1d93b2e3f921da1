//! Registered cards: the payment provider's token and the last four digits, never the
//! number. Added (REST or the 7.3.8 shape), listed, linked to a subscription of the same
//! account, cancelled (the account goes back to Manual when the card was its payment
//! method).

use cmp_model::messages::{
    AddRegisteredCardData, AddRegisteredCardRequest, AddRegisteredCardResponse,
    CancelRegisteredCardRequest, CancelRegisteredCardResponse, CardStatus, CardType,
    GetRegisteredCardsRequest, GetRegisteredCardsResponse, PostRegisteredCardCancellationRequest,
    PostRegisteredCardRequest, RegisteredCard, RegisteredCardResponse,
    RegisteredCardTargetIdentifier, UpdateRegisteredCardRequest,
};
use cmp_model::{Code, FieldPath};
use cmp_store::repo::payments as repo;
use cmp_store::repo::{accounts, counters, subscriptions, Account};
use cmp_store::DbConn;

use super::account;
use crate::error::OpError;
use crate::faults::{not_found, rule, unknown};
use crate::{Context, OpResult};

fn card_answer(r: &repo::RegisteredCard) -> RegisteredCard {
    RegisteredCard {
        card_id: r.card_id,
        card_type: CardType::parse(&r.card_type).unwrap_or(CardType::Visa),
        masked_card_number: format!("************{}", r.last_four_digits),
        expiry_month: r.expiry_month as i64,
        expiry_year: r.expiry_year as i64,
        cardholder_name: r.cardholder_name.clone(),
        status: if r.status == repo::STATUS_ACTIVE {
            CardStatus::Active
        } else {
            CardStatus::Cancelled
        },
        subscription_number: r.subscription_number,
        registered_date: r.registered_date,
    }
}

/// A card to register, from either form of AddRegisteredCard.
struct NewCard<'a> {
    account_number: (i64, FieldPath),
    token: (&'a str, FieldPath),
    card_type: CardType,
    last_four: (&'a str, FieldPath),
    expiry_month: i64,
    expiry_year: i64,
    holder: &'a str,
    /// `makePaymentMethod`, when asked for.
    make_payment_method: Option<FieldPath>,
    subscription: Option<(i64, FieldPath)>,
    /// 7.3.8 `cancelExistingCard`: the account's active cards are cancelled first.
    cancel_existing: Option<Option<&'a str>>,
}

fn add_card(ctx: &Context, n: NewCard) -> OpResult<repo::RegisteredCard> {
    // 4 digits by the schema type's pattern (LastFourDigits).
    let (last_four, _) = n.last_four;
    let (token, token_path) = n.token;
    let now = ctx.now();
    let today = now.date();
    ctx.write(|c| {
        let a = account(c, n.account_number.0, n.account_number.1.clone())?;
        if let Some((s, path)) = &n.subscription {
            check_subscription(c, path.clone(), *s, a.account_number)?;
        }
        if let Some(reason) = n.cancel_existing {
            for card in repo::cards_of(c, a.account_number)? {
                if card.status == repo::STATUS_ACTIVE {
                    cancel_card_row(c, &a, &card, today, reason, now)?;
                }
            }
        }
        if repo::active_card_by_token(c, a.account_number, token)?.is_some() {
            return Err(rule(
                Code::AlreadyExists,
                token_path.clone(),
                "is already registered on the account",
            )
            .into());
        }
        if let Some(path) = &n.make_payment_method {
            if a.payment_method == accounts::PAYMENT_DIRECT_DEBIT {
                return Err(rule(
                    Code::PaymentMethodDirectDebit,
                    path.clone(),
                    "is refused: the account pays by direct debit; cancel it first",
                )
                .into());
            }
        }
        let make_payment_method = n.make_payment_method.is_some();
        if make_payment_method {
            repo::clear_payment_card(c, a.account_number)?;
        }
        let row = repo::RegisteredCard {
            card_id: counters::next(c, repo::CARD_COUNTER)?,
            account_number: a.account_number,
            card_token: token.to_string(),
            card_type: n.card_type.as_str().to_string(),
            last_four_digits: last_four.to_string(),
            expiry_month: n.expiry_month as i32,
            expiry_year: n.expiry_year as i32,
            cardholder_name: n.holder.to_string(),
            status: repo::STATUS_ACTIVE.to_string(),
            subscription_number: n.subscription.as_ref().map(|s| s.0),
            is_payment_method: make_payment_method,
            registered_date: today,
            cancelled_date: None,
            cancellation_reason: None,
            last_amended_at: now,
        };
        repo::insert_card(c, &row)?;
        if make_payment_method {
            repo::set_payment_method(c, a.account_number, accounts::PAYMENT_CARD, now)?;
        }
        ctx.audit(c, "registeredCard", row.card_id)?;
        Ok(row)
    })
}

/// A subscription the card may be linked to: it exists (else `UNKNOWN_REFERENCE`) and is
/// on the card's account (else `SUBSCRIPTION_NOT_ON_ACCOUNT`).
fn check_subscription(
    c: &mut DbConn,
    path: FieldPath,
    subscription_number: i64,
    account_number: i64,
) -> Result<(), OpError> {
    let Some(s) = subscriptions::get(c, subscription_number)? else {
        return Err(unknown(path).into());
    };
    if s.account_number != account_number {
        return Err(rule(
            Code::SubscriptionNotOnAccount,
            path,
            "is not a subscription of the card's account",
        )
        .into());
    }
    Ok(())
}

/// Cancels an active card; the account goes back to Manual when it was its payment method.
fn cancel_card_row(
    c: &mut DbConn,
    a: &Account,
    card: &repo::RegisteredCard,
    today: chrono::NaiveDate,
    reason: Option<&str>,
    now: chrono::NaiveDateTime,
) -> Result<(), OpError> {
    repo::cancel_card(c, card.card_id, today, reason, now)?;
    if card.is_payment_method && a.payment_method == accounts::PAYMENT_CARD {
        repo::set_payment_method(c, a.account_number, accounts::PAYMENT_MANUAL, now)?;
    }
    Ok(())
}

/// `POST /accounts/{accountId}/registeredCards`.
pub fn post_registered_card(
    ctx: &Context,
    req: PostRegisteredCardRequest,
) -> OpResult<RegisteredCardResponse> {
    let path = PostRegisteredCardRequest::path;
    let row = add_card(
        ctx,
        NewCard {
            account_number: (req.account_number, path().account_number()),
            token: (&req.card_token, path().card_token()),
            card_type: req.card_type,
            last_four: (&req.last_four_digits, path().last_four_digits()),
            expiry_month: req.expiry_month,
            expiry_year: req.expiry_year,
            holder: &req.cardholder_name,
            make_payment_method: req
                .make_payment_method
                .unwrap_or(false)
                .then(|| path().make_payment_method()),
            subscription: None,
            cancel_existing: None,
        },
    )?;
    Ok(RegisteredCardResponse {
        external_reference: req.external_reference,
        card: card_answer(&row),
    })
}

/// AddRegisteredCard, 7.3.8 document (and SOAP): the card for one-off payments, optionally
/// for a subscription of the account; two-digit years are 20xx.
pub fn add_registered_card(
    ctx: &Context,
    req: AddRegisteredCardRequest,
) -> OpResult<AddRegisteredCardResponse> {
    let path = AddRegisteredCardRequest::path;
    let subscription = match &req.add_registered_card_data {
        None => None,
        Some(AddRegisteredCardData::SubscriptionNumber(s)) => {
            Some((*s, path().add_registered_card_data().subscription_number()))
        }
        Some(AddRegisteredCardData::NetworkSerialNumber(sn)) => {
            let at = path().add_registered_card_data().network_serial_number();
            match ctx.read(|c| Ok(repo::subscription_by_serial(c, sn)?))? {
                Some(s) => Some((s, at)),
                None => return Err(unknown(at)),
            }
        }
    };
    let t = &req.card.payment_card_token;
    let token = || path().card().payment_card_token();
    add_card(
        ctx,
        NewCard {
            account_number: (req.account_number, path().account_number()),
            token: (&t.card_reference, token().card_reference()),
            card_type: req.card.payment_type,
            last_four: (&t.card_number, token().card_number()),
            expiry_month: t.expiry_month,
            expiry_year: 2000 + t.expiry_year,
            holder: &t.name_on_card,
            make_payment_method: None,
            subscription,
            cancel_existing: req
                .cancel_existing_card
                .unwrap_or(false)
                .then_some(req.cancellation_reason.as_deref()),
        },
    )?;
    Ok(AddRegisteredCardResponse {
        external_reference: req.external_reference,
    })
}

pub fn get_registered_cards(
    ctx: &Context,
    req: GetRegisteredCardsRequest,
) -> OpResult<GetRegisteredCardsResponse> {
    // `accountNumber` is deprecated (release notes 3.7.2.5): the path's accountId counts.
    let cards = ctx.read(|c| {
        let a = accounts::get(c, req.account_id)?
            .ok_or_else(|| not_found(GetRegisteredCardsRequest::path().account_id()))?;
        Ok(repo::cards_of(c, a.account_number)?)
    })?;
    Ok(GetRegisteredCardsResponse {
        external_reference: req.external_reference,
        card: cards.iter().map(card_answer).collect(),
    })
}

/// The card `card_id` of the account (else `NOT_FOUND`), active (else `CARD_CANCELLED`).
fn active_card_of(
    c: &mut DbConn,
    path: FieldPath,
    a: &Account,
    card_id: i64,
) -> Result<repo::RegisteredCard, OpError> {
    let card = repo::get_card(c, card_id)?.filter(|k| k.account_number == a.account_number);
    let Some(card) = card else {
        return Err(not_found(path).into());
    };
    if card.status != repo::STATUS_ACTIVE {
        return Err(rule(Code::CardCancelled, path, "is cancelled").into());
    }
    Ok(card)
}

/// One change to an active card of an account, in one transaction with its audit entry;
/// answers the card as it is after.
fn change_card(
    ctx: &Context,
    account_number: (i64, FieldPath),
    card_id: (i64, FieldPath),
    external_reference: Option<String>,
    change: impl FnOnce(&mut DbConn, &Account, &repo::RegisteredCard) -> Result<(), OpError>,
) -> OpResult<RegisteredCardResponse> {
    let row = ctx.write(|c| {
        let a = account(c, account_number.0, account_number.1.clone())?;
        let card = active_card_of(c, card_id.1.clone(), &a, card_id.0)?;
        change(c, &a, &card)?;
        ctx.audit(c, "registeredCard", card.card_id)?;
        Ok(repo::get_card(c, card.card_id)?.unwrap_or(card))
    })?;
    Ok(RegisteredCardResponse {
        external_reference,
        card: card_answer(&row),
    })
}

/// Links the card to a subscription of the same account.
pub fn update_registered_card(
    ctx: &Context,
    req: UpdateRegisteredCardRequest,
) -> OpResult<RegisteredCardResponse> {
    let path = UpdateRegisteredCardRequest::path;
    let now = ctx.now();
    let subscription = req.subscription_number;
    change_card(
        ctx,
        (req.account_number, path().account_number()),
        (req.card_id, path().card_id()),
        req.external_reference,
        |c, a, card| {
            check_subscription(
                c,
                path().subscription_number(),
                subscription,
                a.account_number,
            )?;
            repo::link_card(c, card.card_id, subscription, now)?;
            Ok(())
        },
    )
}

/// `POST /accounts/{accountId}/registeredCards/{cardId}/cancellation`.
pub fn post_registered_card_cancellation(
    ctx: &Context,
    req: PostRegisteredCardCancellationRequest,
) -> OpResult<RegisteredCardResponse> {
    let path = PostRegisteredCardCancellationRequest::path;
    let now = ctx.now();
    let reason = req.reason_code;
    change_card(
        ctx,
        (req.account_number, path().account_number()),
        (req.card_id, path().card_id()),
        req.external_reference,
        |c, a, card| cancel_card_row(c, a, card, now.date(), reason.as_deref(), now),
    )
}

/// CancelRegisteredCard, 7.3.8 document (and SOAP): the active card with that provider
/// token on the account named (directly or through a subscription).
pub fn cancel_registered_card(
    ctx: &Context,
    req: CancelRegisteredCardRequest,
) -> OpResult<CancelRegisteredCardResponse> {
    let path = CancelRegisteredCardRequest::path;
    let target = || path().target_identifier();
    let now = ctx.now();
    ctx.write(|c| {
        let account_number = match &req.target_identifier {
            RegisteredCardTargetIdentifier::AccountNumber(n) => *n,
            RegisteredCardTargetIdentifier::SubscriptionNumber(s) => {
                subscriptions::get(c, *s)?
                    .ok_or_else(|| not_found(target().subscription_number()))?
                    .account_number
            }
            RegisteredCardTargetIdentifier::NetworkSerialNumber(sn) => {
                let at = || target().network_serial_number();
                let s = repo::subscription_by_serial(c, sn)?.ok_or_else(|| not_found(at()))?;
                subscriptions::get(c, s)?
                    .ok_or_else(|| not_found(at()))?
                    .account_number
            }
        };
        let a = accounts::get(c, account_number)?
            .ok_or_else(|| not_found(target().account_number()))?;
        let reference = &req.card.card_reference;
        let Some(card) = repo::active_card_by_token(c, a.account_number, reference)? else {
            // The same answer as the REST route gives for a cancelled card.
            let at = path().card().card_reference();
            let known = repo::cards_of(c, a.account_number)?
                .iter()
                .any(|k| &k.card_token == reference);
            return Err(if known {
                rule(Code::CardCancelled, at, "is cancelled")
            } else {
                not_found(at)
            }
            .into());
        };
        cancel_card_row(
            c,
            &a,
            &card,
            now.date(),
            req.card.cancellation_reason.as_deref(),
            now,
        )?;
        ctx.audit(c, "registeredCard", card.card_id)?;
        Ok(())
    })?;
    Ok(CancelRegisteredCardResponse {
        external_reference: req.external_reference,
    })
}
