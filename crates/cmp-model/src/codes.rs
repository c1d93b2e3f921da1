//! Every `messageId` the gateway can send: one table (STYLE.md, "Errors and faults").
//!
//! Each row is a code, its [`Kind`] and what it means. The kind decides the fault element
//! (`ValidationFault`, `SecurityFault`, …) here and the HTTP status in one place in the
//! gateway (`respond::status`); no other layer names a status. `docs/faults.md` lists every
//! row (a test fails when the page and this table differ). Spellings are stable: clients
//! match on them.

use crate::fault::FaultKind;

/// What kind of refusal a code is; decides the fault element and the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request itself is wrong: field errors, a body that does not parse (400).
    Validation,
    /// Well-formed, but the current state forbids it (409).
    Rule,
    /// What the request names does not exist (404).
    NotFound,
    /// Credentials missing or wrong (401), or the role too low (403).
    Security,
    /// The database cannot be reached or is saturated (503).
    Unavailable,
    /// A bug (500).
    System,
    /// HTTP-level refusals: route, method, media type, size (each code its own status).
    Protocol,
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal, $kind:ident, $meaning:literal;)*) => {
        /// A `messageId`: the top-level code of a fault or the code of one field error.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as it goes on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }

            pub const fn kind(self) -> Kind {
                match self {
                    $(Code::$variant => Kind::$kind,)*
                }
            }

            /// One line for `docs/faults.md`.
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(Code::$variant => $meaning,)*
                }
            }
        }
    };
}

codes! {
    // Top level: the request as a whole.
    ValidationFailed = "VALIDATION_FAILED", Validation, "the request has field errors, listed in `errors`";
    MalformedRequest = "MALFORMED_REQUEST", Validation, "the body does not parse; `messageText` names line and column";
    LimitExceeded = "LIMIT_EXCEEDED", Validation, "the body nests too deep or has too many elements";
    DtdNotAllowed = "DTD_NOT_ALLOWED", Validation, "the XML body declares a DTD or entities";
    // Protocol.
    UnknownOperation = "UNKNOWN_OPERATION", Protocol, "`POST /ws/{Operation}` or a SOAP body names no operation";
    NoSuchRoute = "NO_SUCH_ROUTE", Protocol, "no route";
    MethodNotAllowed = "METHOD_NOT_ALLOWED", Protocol, "the route does not take that method";
    NotAcceptable = "NOT_ACCEPTABLE", Protocol, "Accept rules out JSON and XML (the body is JSON)";
    PayloadTooLarge = "PAYLOAD_TOO_LARGE", Protocol, "over the body limit (1 MiB)";
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", Protocol, "not XML, JSON or SOAP; a SOAP port takes only SOAP";
    UnsupportedCharset = "UNSUPPORTED_CHARSET", Protocol, "a charset other than UTF-8, UTF-16 (with a byte order mark), ISO-8859-1, windows-1252, US-ASCII";
    RequestTimeout = "REQUEST_TIMEOUT", Protocol, "the body did not arrive within `--body-timeout` (the connection is closed); a request head slower than `--header-timeout` gets the framework's bare 408";
    UriTooLong = "URI_TOO_LONG", Protocol, "the request target is longer than `--max-uri` bytes";
    HeadersTooLarge = "HEADERS_TOO_LARGE", Protocol, "the request's header block is larger than `--max-header-bytes` (past 128 KiB the framework answers a bare 431)";
    MustUnderstand = "MUST_UNDERSTAND", Validation, "SOAP: a header block marked `mustUnderstand` that the gateway does not process (faultcode `MustUnderstand`; HTTP 500 like every SOAP fault)";
    // Security.
    MissingCredentials = "MISSING_CREDENTIALS", Security, "keys exist and the request carries none";
    InvalidCredentials = "INVALID_CREDENTIALS", Security, "an unknown, revoked or malformed key";
    NotAuthorised = "NOT_AUTHORISED", Security, "the key's role is below the operation's";
    // Availability and bugs.
    ServiceUnavailable = "SERVICE_UNAVAILABLE", Unavailable, "the database cannot be reached, no connection came free within `--db-wait-ms`, or the operation exceeded `--request-timeout`";
    SystemError = "SYSTEM_ERROR", System, "unexpected; `extraInfo` is the request id";
    // What the request names.
    NotFound = "NOT_FOUND", NotFound, "the account, customer, agreement, subscription, card or purchase named does not exist";
    // State rules (409).
    AlreadyExists = "ALREADY_EXISTS", Rule, "the key (a group or corporate code, an attribute) is already in use";
    StaleData = "STALE_DATA", Rule, "`lastAmendedDate` is not the stored one: read again";
    InvalidReference = "INVALID_REFERENCE", Rule, "a database reference constraint refused the change";
    ClockNotSettable = "CLOCK_NOT_SETTABLE", Rule, "the clock can be set only in sandbox mode";
    ClockBackwards = "CLOCK_BACKWARDS", Rule, "the sandbox clock never moves backwards (`POST /admin/reset` with `now` starts again earlier)";
    CounterInUse = "COUNTER_IN_USE", Rule, "a number counter cannot be moved once numbers of that kind were handed out";
    PaymentMethodCard = "PAYMENT_METHOD_CARD", Rule, "AddDirectDebitDetails on an account that pays by card";
    CancellationDetailsRequired = "CANCELLATION_DETAILS_REQUIRED", Rule, "AddDirectDebitDetails on an account with a direct debit, without `cancellationDetails`";
    NoDirectDebit = "NO_DIRECT_DEBIT", Rule, "CancelDirectDebit on an account without a direct debit";
    PaymentMethodDirectDebit = "PAYMENT_METHOD_DIRECT_DEBIT", Rule, "`makePaymentMethod` on an account that pays by direct debit";
    SubscriptionNotOnAccount = "SUBSCRIPTION_NOT_ON_ACCOUNT", Rule, "a card linked to a subscription of another account";
    CardCancelled = "CARD_CANCELLED", Rule, "UpdateRegisteredCard / CancelRegisteredCard on a cancelled card";
    RateLimited = "RATE_LIMITED", Rule, "too many one-time passwords for the subscription or account in the last hour";
    NoDeliveryAddress = "NO_DELIVERY_ADDRESS", Rule, "a one-time password has nowhere to go: no mobile number (SMS, Push) or e-mail address (Email) on record";
    PlanNotAvailable = "PLAN_NOT_AVAILABLE", Rule, "CreateSubscription with a price plan not on sale on that date or in that sales channel";
    SerialInUse = "SERIAL_IN_USE", Rule, "a managed serial number (MSISDN, IMSI, …) already held by a live subscription";
    SubscriptionDisconnected = "SUBSCRIPTION_DISCONNECTED", Rule, "a change to a disconnected subscription";
    PackageNotCompatible = "PACKAGE_NOT_COMPATIBLE", Rule, "AddSubscriptionPackage with a package the price plan does not allow";
    NotEligible = "NOT_ELIGIBLE", Rule, "AddSubscriptionPackage with a package whose eligibility rules (sales channel, dates, parameters) refuse the request";
    CardinalityExceeded = "CARDINALITY_EXCEEDED", Rule, "AddSubscriptionPackage beyond the maximum of the package's group";
    AgreementNotForAccount = "AGREEMENT_NOT_FOR_ACCOUNT", Rule, "CreateSubscription with an agreement that the account cannot invoice against (not at the account, its corporate or its group)";
    AlreadyExpired = "ALREADY_EXPIRED", Rule, "ExpireSubscriptionPackage of a purchase that has already ended";
    CardinalityMinimum = "CARDINALITY_MINIMUM", Rule, "ExpireSubscriptionPackage that would leave the package's group below its minimum";
    BasePackage = "BASE_PACKAGE", Rule, "ExpireSubscriptionPackage of the base package (change the price plan instead)";
    // Subscription services (subscription-details.xsd).
    ChargeTypeMismatch = "CHARGE_TYPE_MISMATCH", Rule, "AddSubscriptionService with a `chargeType` other than the catalogue service's";
    ServiceHeld = "SERVICE_HELD", Rule, "AddSubscriptionService of a recurring service the subscription already has on that date (added, or in one of its packages)";
    ServiceInPackage = "SERVICE_IN_PACKAGE", Rule, "UpdateSubscriptionService naming a package's purchase: a package's services end with the package (ExpireSubscriptionPackage)";
    NotRecurring = "NOT_RECURRING", Rule, "UpdateSubscriptionService of a one-off service: only recurring services expire";
    SubscriptionNotActive = "SUBSCRIPTION_NOT_ACTIVE", Rule, "RecordUsage on a subscription that is not active yet (PreActive)";
    SpendCapExceeded = "SPEND_CAP_EXCEEDED", Rule, "RecordUsage that would pass a spend cap of the subscription; the error names the cap and the usage item, and the cap's first refusal in a bill period sends a breach notice";
    NoOutOfBundleRate = "NO_OUT_OF_BUNDLE_RATE", Rule, "RecordUsage beyond the allowances for a usage type the price plan has no out-of-bundle rate for";
    NotPreActive = "NOT_PRE_ACTIVE", Rule, "ActivateSubscription of a subscription that is not PreActive (already active, or disconnected)";
    DisconnectionPending = "DISCONNECTION_PENDING", Rule, "DisconnectSubscription on a future date while another disconnection is pending (cancel it first)";
    NoPendingDisconnection = "NO_PENDING_DISCONNECTION", Rule, "CancelDisconnection on a subscription with no disconnection pending";
    PlanChangeNotAllowed = "PLAN_CHANGE_NOT_ALLOWED", Rule, "ChangePricePlan refused by a rule of release notes 3.7.1.3; the message gives the reason: disconnected, agreement price plan, pending bill cycle change, target not compatible or not eligible, early-upgrade period or notice period, a change already pending";
    NoPendingPlanChange = "NO_PENDING_PLAN_CHANGE", Rule, "CancelPricePlanChange on a subscription with no price plan change pending";
    // Field errors (`errors/error/messageId`).
    Mandatory = "MANDATORY", Validation, "a mandatory element is missing or empty";
    TooLong = "TOO_LONG", Validation, "string length (in characters) above the type's maximum";
    TooShort = "TOO_SHORT", Validation, "string length (in characters) below the type's minimum";
    OutOfRange = "OUT_OF_RANGE", Validation, "a number outside its range or digit count";
    InvalidFormat = "INVALID_FORMAT", Validation, "not a number, date, date-time, boolean, or a value where a container belongs";
    InvalidEnum = "INVALID_ENUM", Validation, "not one of the documented tokens (matching ignores case, blanks, `_`, `-`)";
    UnknownElement = "UNKNOWN_ELEMENT", Validation, "an element or property the message does not have";
    DuplicateElement = "DUPLICATE_ELEMENT", Validation, "a single element given twice";
    TooMany = "TOO_MANY", Validation, "a repeated element over its maximum";
    Choice = "CHOICE", Validation, "a choice container without exactly one of its elements";
    TwoLevels = "TWO_LEVELS", Validation, "an agreement (or account) placed at two levels of the structure";
    UnknownReference = "UNKNOWN_REFERENCE", Rule, "a code or number in the body names nothing (the data holds no such thing: a state rule, 409 when every error of the fault is one)";
    DateNotAllowed = "DATE_NOT_ALLOWED", Rule, "a date the clock or the data rules out: in the past where today or later is required, in the future where it must have happened, before the subscription was created or connected, before the current bill period or the service's start (a state rule, 409 when every error of the fault is one)";
    NotAnAgreementPlan = "NOT_AN_AGREEMENT_PLAN", Rule, "CreateAgreement with a `pricePlanCode` of the catalogue that is not an agreement price plan (`agreementPlan`; the catalogue decides, so a state rule, 409 when every error of the fault is one)";
    CardNumberNotAllowed = "CARD_NUMBER_NOT_ALLOWED", Validation, "a 13–19 digit number (blanks or dashes allowed between digits) in any element of an accounts-and-payments request; every such element is named, the value never echoed";
    ForbiddenCharacter = "FORBIDDEN_CHARACTER", Validation, "a value holding a character XML 1.0 cannot carry: a control character other than TAB, LF, CR (U+0000 included), U+FFFE, U+FFFF, a lone surrogate (JSON `\\ud800`, XML `&#xD800;`); in any dialect, query or path parameter; the value is never echoed";
    PathMismatch = "PATH_MISMATCH", Validation, "a body or query element that a resource route's path also gives, with another value (the document leaves it out of the body)";
    AmbiguousParameter = "AMBIGUOUS_PARAMETER", Validation, "a query parameter's leaf name (`salesChannel`) names elements at more than one place of the request: the message lists the dotted paths to use";
    CannotErase = "CANNOT_ERASE", Rule, "UpdateContactDetails: a field that holds a value sent empty (`<x/>`, `\"\"`, `null`); one error per field (a state rule, 409 when every error of the fault is one: the same request erases a field that holds nothing)";
    // Catalogue import (field errors of `PUT /catalogue`).
    DuplicateCode = "DUPLICATE_CODE", Validation, "catalogue: two items of one list with the same code";
    InvalidDates = "INVALID_DATES", Validation, "catalogue: an expiry date before the effective date";
    InvalidCardinality = "INVALID_CARDINALITY", Validation, "catalogue: a package group whose maximum is below its minimum";
    NotABasePackage = "NOT_A_BASE_PACKAGE", Rule, "catalogue: a price plan's base package that is not classified as a base package (a reference to the wrong kind of package, like UNKNOWN_REFERENCE a state rule: 409 when every error of the fault is one)";
    InUse = "IN_USE", Rule, "catalogue: an import that drops a plan, package or billing medium still in use (a state rule, 409 when every error of the fault is one)";
    NotSupported = "NOT_SUPPORTED", Validation, "a CMP 7.3.8 alternative the gateway does not serve (services at ACCOUNT or AGREEMENT level, AutoSelect of a serial number, clearing an as-of date, UpdateTariff IgnoreDefaultPackage)";
    NotPlanBasePackage = "NOT_PLAN_BASE_PACKAGE", Rule, "the 7.3.8 CreateSubscription or UpdateTariff PackageCode is not the base package of the price plan (the plan decides the base package: the catalogue's, so a state rule, 409 when every error of the fault is one)";
    NotPlanTerm = "NOT_PLAN_TERM", Rule, "UpdateTariff termOfContract that is not the new price plan's contract term, or given for a plan without one (the catalogue decides: a state rule, 409 when every error of the fault is one)";
}

impl Code {
    /// The fault element a fault with this top-level code is answered in.
    pub const fn fault_kind(self) -> FaultKind {
        match self.kind() {
            Kind::Security => FaultKind::Security,
            Kind::Unavailable => FaultKind::ServiceUnavailable,
            Kind::System => FaultKind::System,
            Kind::Validation | Kind::Rule | Kind::NotFound | Kind::Protocol => {
                FaultKind::Validation
            }
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_spelled_once() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(c
                .as_str()
                .chars()
                .all(|ch| ch.is_ascii_uppercase() || ch == '_'));
        }
    }
}
