//! Accounts and payments (SERVICES.md §5, DOMAIN.md "Accounts and payments"): account
//! e-mail addresses, direct debits and registered cards.
//!
//! Never kept nor answered nor logged: a full bank account number (only `****5678` is
//! stored) and a card number (only the provider's token and the last four digits; a
//! 13–19 digit number anywhere in a request is refused by [`refuse_card_numbers`]).

use cmp_model::fault::PathSeg;
use cmp_model::messages::{
    AccountEmailAddress, AccountEmailAddresses, AccountEmailType, AddDirectDebitDetailsRequest,
    AddDirectDebitDetailsResponse, AddRegisteredCardData, AddRegisteredCardRequest,
    AddRegisteredCardResponse, BankPayment, CancelDirectDebitRequest, CancelDirectDebitResponse,
    CancelRegisteredCardRequest, CancelRegisteredCardResponse, CardStatus, CardType,
    DirectDebitAccount, DirectDebitSetupMethod, GetAccountEmailAddressesRequest,
    GetAccountEmailAddressesResponse, GetRegisteredCardsRequest, GetRegisteredCardsResponse,
    PaymentMethod, PostRegisteredCardCancellationRequest, PostRegisteredCardRequest,
    RegisteredCard, RegisteredCardResponse, RegisteredCardTargetIdentifier,
    UpdateAccountEmailAddressRequest, UpdateAccountEmailAddressResponse,
    UpdateRegisteredCardRequest,
};
use cmp_model::{Fault, FieldError, Node};
use cmp_store::repo::payments::{self as repo, AccountEmail, DirectDebit};
use cmp_store::repo::{accounts, counters, customers, subscriptions, Account};
use cmp_store::DbConn;

use crate::error::OpError;
use crate::{Context, OpResult};

// ---------------------------------------------------------------- shared helpers

fn rule(code: &'static str, root: &'static str, path: &[&'static str], phrase: &str) -> Fault {
    Fault::rule_on(FieldError::at(code, root, path, phrase))
}

fn not_found(root: &'static str, path: &[&'static str]) -> Fault {
    Fault::not_found(FieldError::at("NOT_FOUND", root, path, "does not exist"))
}

fn account(c: &mut DbConn, n: i64, root: &'static str) -> Result<Account, OpError> {
    accounts::get(c, n)?.ok_or_else(|| not_found(root, &["accountNumber"]).into())
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `****5678`: what is kept of a bank account number.
pub fn mask(number: &str) -> String {
    let last4: String = number
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{last4}")
}

// ---------------------------------------------------------------- card numbers

/// Whether `text` holds a 13–19 digit number (digits, possibly separated by spaces or
/// dashes): a card number.
pub fn looks_like_card_number(text: &str) -> bool {
    let mut digits = 0usize;
    let mut pending_sep = false;
    let end_run = |digits: &mut usize| {
        let hit = (13..=19).contains(digits);
        *digits = 0;
        hit
    };
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            digits += 1;
            pending_sep = false;
        } else if (ch == ' ' || ch == '-') && digits > 0 && !pending_sep {
            pending_sep = true;
        } else {
            pending_sep = false;
            if end_run(&mut digits) {
                return true;
            }
        }
    }
    end_run(&mut digits)
}

/// Refuses a request with a card number in any element (DOMAIN.md: a 13–19 digit number
/// in any field is `CARD_NUMBER_NOT_ALLOWED`), naming every such element. Runs on the
/// request tree before it is decoded, so it covers every field, known or not.
pub fn refuse_card_numbers(node: &Node) -> Result<(), Fault> {
    fn walk(n: &Node, path: &mut Vec<PathSeg>, out: &mut Vec<FieldError>) {
        path.push(PathSeg::owned(&n.name));
        if looks_like_card_number(&n.text) {
            out.push(FieldError::new(
                "CARD_NUMBER_NOT_ALLOWED",
                path.clone(),
                "holds a card number: send the payment provider's token, never the card number",
            ));
        }
        for c in &n.children {
            walk(c, path, out);
        }
        path.pop();
    }
    let mut errors = Vec::new();
    walk(node, &mut Vec::new(), &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Fault::validation(errors))
    }
}

// ---------------------------------------------------------------- GetAccount

/// What GetAccount adds to an account: its direct debit (DirectDebit accounts) and its
/// e-mail addresses.
pub fn account_extras(
    c: &mut DbConn,
    a: &Account,
) -> Result<(Option<BankPayment>, Option<AccountEmailAddresses>), OpError> {
    let bank = if a.payment_method == accounts::PAYMENT_DIRECT_DEBIT {
        repo::active_direct_debit(c, a.account_number)?.map(|d| bank_payment(&d))
    } else {
        None
    };
    let emails = email_addresses(c, a)?;
    let emails = (!emails.is_empty()).then_some(AccountEmailAddresses {
        email_address: emails,
    });
    Ok((bank, emails))
}

fn bank_payment(d: &DirectDebit) -> BankPayment {
    BankPayment {
        name_of_payer: d.name_of_payer.clone(),
        bank_sort_code: d.bank_sort_code.clone(),
        bank_account_number: d.masked_account_number.clone(),
        mandate_reference: d.mandate_reference.clone(),
        mandate_received_date: d.mandate_received_date,
        direct_debit_setup_method_code: DirectDebitSetupMethod::parse(&d.setup_method)
            .unwrap_or(DirectDebitSetupMethod::Paper),
    }
}

// ---------------------------------------------------------------- e-mail addresses

/// The slot types: 1 Primary, 2 Billing, 3 Notification (the type of a slot not yet
/// written).
fn slot_type(email_id: i64) -> AccountEmailType {
    match email_id {
        1 => AccountEmailType::Primary,
        2 => AccountEmailType::Billing,
        _ => AccountEmailType::Notification,
    }
}

/// The account's addresses: the slots written, and slot 1 (Primary) as the customer's
/// contact e-mail while it has not been written.
fn email_addresses(c: &mut DbConn, a: &Account) -> Result<Vec<AccountEmailAddress>, OpError> {
    let rows = repo::emails_of(c, a.account_number)?;
    let mut out: Vec<AccountEmailAddress> = rows
        .iter()
        .map(|r| AccountEmailAddress {
            email_id: r.email_id as i64,
            r#type: AccountEmailType::parse(&r.email_type).unwrap_or(slot_type(r.email_id as i64)),
            address: r.address.clone(),
        })
        .collect();
    if !rows.iter().any(|r| r.email_id == 1) {
        if let Some(email) = customers::get(c, a.customer_number)?.and_then(|cu| cu.email) {
            out.insert(
                0,
                AccountEmailAddress {
                    email_id: 1,
                    r#type: AccountEmailType::Primary,
                    address: email,
                },
            );
        }
    }
    Ok(out)
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

pub fn get_account_email_addresses(
    ctx: &Context,
    req: GetAccountEmailAddressesRequest,
) -> OpResult<GetAccountEmailAddressesResponse> {
    let list = ctx.read(|c| {
        let a = account(c, req.account_number, "getAccountEmailAddresses")?;
        email_addresses(c, &a)
    })?;
    Ok(GetAccountEmailAddressesResponse {
        external_reference: req.external_reference,
        email_address: list,
    })
}

pub fn update_account_email_address(
    ctx: &Context,
    req: UpdateAccountEmailAddressRequest,
) -> OpResult<UpdateAccountEmailAddressResponse> {
    const ROOT: &str = "updateAccountEmailAddress";
    if !valid_email(&req.address) {
        return Err(Fault::validation(vec![FieldError::at(
            "INVALID_FORMAT",
            ROOT,
            &["address"],
            "is not an e-mail address",
        )]));
    }
    let now = ctx.now();
    let answer = ctx.write(|c| {
        let a = account(c, req.account_number, ROOT)?;
        let current = repo::emails_of(c, a.account_number)?
            .into_iter()
            .find(|r| r.email_id as i64 == req.email_id);
        let ty = req
            .r#type
            .or_else(|| {
                current
                    .as_ref()
                    .and_then(|r| AccountEmailType::parse(&r.email_type))
            })
            .unwrap_or(slot_type(req.email_id));
        repo::put_email(
            c,
            &AccountEmail {
                account_number: a.account_number,
                email_id: req.email_id as i32,
                email_type: ty.as_str().to_string(),
                address: req.address.clone(),
                last_amended_at: now,
            },
        )?;
        ctx.audit(c, "account", a.account_number)?;
        Ok(AccountEmailAddress {
            email_id: req.email_id,
            r#type: ty,
            address: req.address.clone(),
        })
    })?;
    Ok(UpdateAccountEmailAddressResponse {
        external_reference: req.external_reference,
        email_address: answer,
    })
}

// ---------------------------------------------------------------- direct debits

/// Adds a direct debit to a Manual account, or replaces the existing one when the request
/// carries `cancellationDetails` for it (one transaction); a Card account is refused.
pub fn add_direct_debit_details(
    ctx: &Context,
    req: AddDirectDebitDetailsRequest,
) -> OpResult<AddDirectDebitDetailsResponse> {
    const ROOT: &str = "addDirectDebitDetails";
    let mut errors = Vec::new();
    if !is_digits(&req.bank_sort_code, 6) {
        errors.push(FieldError::at(
            "INVALID_FORMAT",
            ROOT,
            &["bankSortCode"],
            "must be 6 digits",
        ));
    }
    if !is_digits(&req.bank_account_number, 8) {
        errors.push(FieldError::at(
            "INVALID_FORMAT",
            ROOT,
            &["bankAccountNumber"],
            "must be 8 digits",
        ));
    }
    if !errors.is_empty() {
        return Err(Fault::validation(errors));
    }
    let now = ctx.now();
    let today = now.date();
    let row = ctx.write(|c| {
        let a = account(c, req.account_number, ROOT)?;
        match a.payment_method.as_str() {
            accounts::PAYMENT_CARD => {
                return Err(rule(
                    "PAYMENT_METHOD_CARD",
                    ROOT,
                    &["accountNumber"],
                    "pays by card: cancel the card payment method first",
                )
                .into())
            }
            accounts::PAYMENT_DIRECT_DEBIT => {
                let Some(cancel) = &req.cancellation_details else {
                    return Err(rule(
                        "CANCELLATION_DETAILS_REQUIRED",
                        ROOT,
                        &["cancellationDetails"],
                        "are required: the account already has a direct debit",
                    )
                    .into());
                };
                repo::cancel_direct_debit(
                    c,
                    a.account_number,
                    cancel.cancellation_date.unwrap_or(today),
                    &cancel.reason_code,
                )?;
            }
            _ => {}
        }
        let row = DirectDebit {
            direct_debit_id: counters::next(c, repo::DIRECT_DEBIT_COUNTER)?,
            account_number: a.account_number,
            status: repo::STATUS_ACTIVE.to_string(),
            name_of_payer: req.name_of_payer.clone(),
            bank_sort_code: req.bank_sort_code.clone(),
            masked_account_number: mask(&req.bank_account_number),
            mandate_reference: req.mandate_reference.clone(),
            mandate_received_date: req.mandate_received_date,
            setup_method: req.direct_debit_setup_method_code.as_str().to_string(),
            created_at: now,
            cancelled_date: None,
            cancellation_reason: None,
        };
        repo::insert_direct_debit(c, &row)?;
        repo::set_payment_method(c, a.account_number, accounts::PAYMENT_DIRECT_DEBIT, now)?;
        ctx.audit(c, "account", a.account_number)?;
        Ok(row)
    })?;
    Ok(AddDirectDebitDetailsResponse {
        external_reference: req.external_reference,
        account: DirectDebitAccount {
            account_number: row.account_number,
            payment_method: PaymentMethod::DirectDebit,
            bank_payment: bank_payment(&row),
        },
    })
}

/// Cancels the account's direct debit: the account goes back to Manual.
pub fn cancel_direct_debit(
    ctx: &Context,
    req: CancelDirectDebitRequest,
) -> OpResult<CancelDirectDebitResponse> {
    const ROOT: &str = "cancelDirectDebit";
    let now = ctx.now();
    ctx.write(|c| {
        let a = account(c, req.account_number, ROOT)?;
        if a.payment_method != accounts::PAYMENT_DIRECT_DEBIT
            || !repo::cancel_direct_debit(c, a.account_number, now.date(), &req.reason_code)?
        {
            return Err(rule(
                "NO_DIRECT_DEBIT",
                ROOT,
                &["accountNumber"],
                "has no direct debit",
            )
            .into());
        }
        repo::set_payment_method(c, a.account_number, accounts::PAYMENT_MANUAL, now)?;
        ctx.audit(c, "account", a.account_number)?;
        Ok(())
    })?;
    Ok(CancelDirectDebitResponse {
        external_reference: req.external_reference,
        account_number: req.account_number,
        payment_method: PaymentMethod::Manual,
    })
}

// ---------------------------------------------------------------- registered cards

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
    root: &'static str,
    account_number: i64,
    token: &'a str,
    token_path: &'static [&'static str],
    card_type: CardType,
    last_four: &'a str,
    last_four_path: &'static [&'static str],
    expiry_month: i64,
    expiry_year: i64,
    holder: &'a str,
    make_payment_method: bool,
    subscription: Option<(i64, &'static [&'static str])>,
    /// 7.3.8 `cancelExistingCard`: the account's active cards are cancelled first.
    cancel_existing: Option<Option<&'a str>>,
}

fn add_card(ctx: &Context, n: NewCard) -> OpResult<repo::RegisteredCard> {
    if !is_digits(n.last_four, 4) {
        return Err(Fault::validation(vec![FieldError::at(
            "INVALID_FORMAT",
            n.root,
            n.last_four_path,
            "must be 4 digits",
        )]));
    }
    let now = ctx.now();
    let today = now.date();
    ctx.write(|c| {
        let a = account(c, n.account_number, n.root)?;
        if let Some((s, path)) = n.subscription {
            check_subscription(c, n.root, path, s, a.account_number)?;
        }
        if let Some(reason) = n.cancel_existing {
            for card in repo::cards_of(c, a.account_number)? {
                if card.status == repo::STATUS_ACTIVE {
                    cancel_card_row(c, &a, &card, today, reason, now)?;
                }
            }
        }
        if repo::active_card_by_token(c, a.account_number, n.token)?.is_some() {
            return Err(rule(
                "ALREADY_EXISTS",
                n.root,
                n.token_path,
                "is already registered on the account",
            )
            .into());
        }
        if n.make_payment_method && a.payment_method == accounts::PAYMENT_DIRECT_DEBIT {
            return Err(rule(
                "PAYMENT_METHOD_DIRECT_DEBIT",
                n.root,
                &["makePaymentMethod"],
                "is refused: the account pays by direct debit; cancel it first",
            )
            .into());
        }
        if n.make_payment_method {
            repo::clear_payment_card(c, a.account_number)?;
        }
        let row = repo::RegisteredCard {
            card_id: counters::next(c, repo::CARD_COUNTER)?,
            account_number: a.account_number,
            card_token: n.token.to_string(),
            card_type: n.card_type.as_str().to_string(),
            last_four_digits: n.last_four.to_string(),
            expiry_month: n.expiry_month as i32,
            expiry_year: n.expiry_year as i32,
            cardholder_name: n.holder.to_string(),
            status: repo::STATUS_ACTIVE.to_string(),
            subscription_number: n.subscription.map(|s| s.0),
            is_payment_method: n.make_payment_method,
            registered_date: today,
            cancelled_date: None,
            cancellation_reason: None,
            last_amended_at: now,
        };
        repo::insert_card(c, &row)?;
        if n.make_payment_method {
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
    root: &'static str,
    path: &[&'static str],
    subscription_number: i64,
    account_number: i64,
) -> Result<(), OpError> {
    let s = subscriptions::get(c, subscription_number)?
        .ok_or_else(|| crate::structure::unknown(root, path))?;
    if s.account_number != account_number {
        return Err(rule(
            "SUBSCRIPTION_NOT_ON_ACCOUNT",
            root,
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
    let row = add_card(
        ctx,
        NewCard {
            root: "postRegisteredCard",
            account_number: req.account_number,
            token: &req.card_token,
            token_path: &["cardToken"],
            card_type: req.card_type,
            last_four: &req.last_four_digits,
            last_four_path: &["lastFourDigits"],
            expiry_month: req.expiry_month,
            expiry_year: req.expiry_year,
            holder: &req.cardholder_name,
            make_payment_method: req.make_payment_method.unwrap_or(false),
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
    const ROOT: &str = "addRegisteredCard";
    let subscription = match &req.add_registered_card_data {
        None => None,
        Some(AddRegisteredCardData::SubscriptionNumber(s)) => {
            Some((*s, &["addRegisteredCardData", "subscriptionNumber"][..]))
        }
        Some(AddRegisteredCardData::NetworkSerialNumber(sn)) => {
            const PATH: &[&str] = &["addRegisteredCardData", "networkSerialNumber"];
            let s = ctx.read(|c| Ok(repo::subscription_by_serial(c, sn)?))?;
            Some((
                s.ok_or_else(|| crate::structure::unknown(ROOT, PATH))?,
                PATH,
            ))
        }
    };
    let t = &req.card.payment_card_token;
    add_card(
        ctx,
        NewCard {
            root: ROOT,
            account_number: req.account_number,
            token: &t.card_reference,
            token_path: &["card", "paymentCardToken", "cardReference"],
            card_type: req.card.payment_type,
            last_four: &t.card_number,
            last_four_path: &["card", "paymentCardToken", "cardNumber"],
            expiry_month: t.expiry_month,
            expiry_year: 2000 + t.expiry_year,
            holder: &t.name_on_card,
            make_payment_method: false,
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
            .ok_or_else(|| not_found("getRegisteredCards", &["accountId"]))?;
        Ok(repo::cards_of(c, a.account_number)?)
    })?;
    Ok(GetRegisteredCardsResponse {
        external_reference: req.external_reference,
        card: cards.iter().map(card_answer).collect(),
    })
}

/// The card `card_id` of the account (404 otherwise), active (409 otherwise).
fn active_card_of(
    c: &mut DbConn,
    root: &'static str,
    a: &Account,
    card_id: i64,
) -> Result<repo::RegisteredCard, OpError> {
    let card = repo::get_card(c, card_id)?
        .filter(|k| k.account_number == a.account_number)
        .ok_or_else(|| not_found(root, &["cardId"]))?;
    if card.status != repo::STATUS_ACTIVE {
        return Err(rule("CARD_CANCELLED", root, &["cardId"], "is cancelled").into());
    }
    Ok(card)
}

/// One change to an active card of an account, in one transaction with its audit entry;
/// answers the card as it is after.
fn change_card(
    ctx: &Context,
    root: &'static str,
    account_number: i64,
    card_id: i64,
    external_reference: Option<String>,
    change: impl FnOnce(&mut DbConn, &Account, &repo::RegisteredCard) -> Result<(), OpError>,
) -> OpResult<RegisteredCardResponse> {
    let row = ctx.write(|c| {
        let a = account(c, account_number, root)?;
        let card = active_card_of(c, root, &a, card_id)?;
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
    const ROOT: &str = "updateRegisteredCard";
    let now = ctx.now();
    let subscription = req.subscription_number;
    change_card(
        ctx,
        ROOT,
        req.account_number,
        req.card_id,
        req.external_reference,
        |c, a, card| {
            check_subscription(
                c,
                ROOT,
                &["subscriptionNumber"],
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
    const ROOT: &str = "postRegisteredCardCancellation";
    let now = ctx.now();
    let reason = req.reason_code;
    change_card(
        ctx,
        ROOT,
        req.account_number,
        req.card_id,
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
    const ROOT: &str = "cancelRegisteredCard";
    let now = ctx.now();
    ctx.write(|c| {
        let account_number = match &req.target_identifier {
            RegisteredCardTargetIdentifier::AccountNumber(n) => *n,
            RegisteredCardTargetIdentifier::SubscriptionNumber(s) => {
                subscriptions::get(c, *s)?
                    .ok_or_else(|| not_found(ROOT, &["targetIdentifier", "subscriptionNumber"]))?
                    .account_number
            }
            RegisteredCardTargetIdentifier::NetworkSerialNumber(sn) => {
                let path: &[&str] = &["targetIdentifier", "networkSerialNumber"];
                let s =
                    repo::subscription_by_serial(c, sn)?.ok_or_else(|| not_found(ROOT, path))?;
                subscriptions::get(c, s)?
                    .ok_or_else(|| not_found(ROOT, path))?
                    .account_number
            }
        };
        let a = accounts::get(c, account_number)?
            .ok_or_else(|| not_found(ROOT, &["targetIdentifier", "accountNumber"]))?;
        let card = repo::active_card_by_token(c, a.account_number, &req.card.card_reference)?
            .ok_or_else(|| not_found(ROOT, &["card", "cardReference"]))?;
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
