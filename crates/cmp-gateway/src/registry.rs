//! The operation registry: one table naming, for each CMP operation, its document
//! (request/response roots and the core function), its SOAP binding, its REST route and
//! its role. Routing for `/ws/{Operation}`, the REST routes and SOAP dispatch all read it.

use cmp_core::accounts::{cards, direct_debits, emails};
use cmp_core::catalogue::{self, compat};
use cmp_core::selfcare::{contact, otp, outbox, workflow};
use cmp_core::structure::{legacy_accounts, legacy_groups, tree};
use cmp_core::subscriptions::{
    allowances, legacy, legacy_lifecycle, legacy_services, spend_caps, usage,
};
use cmp_core::{agreements, audit, sandbox, structure, subscriptions, Context};

use crate::screening::refuse_card_numbers;
use cmp_model::codec::{decode_document, Document, Encode};
use cmp_model::{Fault, Node};

pub use cmp_core::keys::Role;

/// A response, ready to render in any dialect.
pub type Reply = Box<dyn Encode + Send>;

/// One wire message pair and the core function behind it.
pub struct Binding {
    pub request_root: &'static str,
    pub request_aliases: &'static [&'static str],
    pub response_root: &'static str,
    /// Whether a card number anywhere in the request is refused first
    /// (`screening::refuse_card_numbers`; the OpenAPI document says so).
    pub screens_card_numbers: bool,
    /// Decodes the request (every field error collected) and runs the operation.
    pub call: fn(&Context, &Node) -> Result<Reply, Fault>,
}

/// A SOAP binding of the CMP 7.3.8 contract.
pub struct Soap {
    /// `agreement`: namespace `http://mdsuk.com/ws/dise3g/agreement/definition`, port
    /// `/ws/dise3g/services/AgreementPort`.
    pub service: &'static str,
    /// The wrapper's child element: usually `Request`.
    pub child: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

/// A resource route. Path parameters fill the request element they name (`params`:
/// path name → element); query parameters fill elements of their own name.
pub struct Rest {
    pub method: Method,
    pub path: &'static str,
    pub params: &'static [(&'static str, &'static str)],
    /// The route's own messages when they differ from the document form.
    pub binding: Option<Binding>,
    /// Answers 201 Created.
    pub creates: bool,
}

pub struct Operation {
    /// The CMP name: `POST /ws/{name}` and the SOAP wrapper.
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub role: Role,
    pub document: Binding,
    pub soap: Option<Soap>,
    pub rest: Option<Rest>,
}

impl Operation {
    pub fn rest_binding(&self) -> Option<&Binding> {
        self.rest
            .as_ref()
            .map(|r| r.binding.as_ref().unwrap_or(&self.document))
    }
    pub fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }
}

/// Decodes `node` as `Req`, runs `f` and boxes its response.
fn run<Req: Document, Resp: Encode + Send + 'static>(
    ctx: &Context,
    node: &Node,
    f: fn(&Context, Req) -> Result<Resp, Fault>,
) -> Result<Reply, Fault> {
    let req = decode_document::<Req>(node).map_err(Fault::validation)?;
    Ok(Box::new(f(ctx, req)?))
}

macro_rules! bind {
    ($req:ty => $resp_root:literal, $f:path) => {
        Binding {
            request_root: <$req as Document>::ROOT,
            request_aliases: <$req as Document>::ALIASES,
            response_root: $resp_root,
            screens_card_numbers: false,
            call: |ctx, node| run::<$req, _>(ctx, node, $f),
        }
    };
    // Payment operations: a full card number anywhere in the request is refused first.
    (no_card_numbers $req:ty => $resp_root:literal, $f:path) => {
        Binding {
            request_root: <$req as Document>::ROOT,
            request_aliases: <$req as Document>::ALIASES,
            response_root: $resp_root,
            screens_card_numbers: true,
            call: |ctx, node| {
                refuse_card_numbers(node)?;
                run::<$req, _>(ctx, node, $f)
            },
        }
    };
}

use cmp_model::messages as m;

/// Every operation the gateway serves.
pub static OPERATIONS: &[Operation] = &[
    Operation {
        name: "CreateGroup",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CreateGroupRequest => "createGroupResponse", structure::create_group),
        soap: Some(Soap {
            service: "group",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Post,
            path: "/groups",
            params: &[],
            binding: None,
            creates: true,
        }),
    },
    Operation {
        name: "CreateCorporate",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CreateCorporateRequest => "createCorporateResponse", structure::create_corporate),
        soap: Some(Soap {
            service: "corporate",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Post,
            path: "/corporates",
            params: &[],
            binding: None,
            creates: true,
        }),
    },
    Operation {
        name: "CreateCustomer",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CreateCustomerRequest => "createCustomerResponse", structure::create_customer),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/customers",
            params: &[],
            binding: None,
            creates: true,
        }),
    },
    Operation {
        name: "CreateAccount",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CreateAccountRequest => "createAccountResponse", structure::create_account),
        soap: Some(Soap {
            service: "account",
            child: "AccountData",
        }),
        rest: Some(Rest {
            method: Method::Post,
            path: "/customers/{customerNumber}/accounts",
            params: &[("customerNumber", "customerNumber")],
            binding: None,
            creates: true,
        }),
    },
    Operation {
        name: "GetAccount",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::GetAccountRequest => "getAccountResponse", structure::get_account),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/accounts/{accountId}",
            params: &[("accountId", "accountNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "CreateAgreement",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CreateAgreementRequest => "createAgreementResponse", agreements::create_agreement),
        soap: Some(Soap {
            service: "agreement",
            child: "AgreementData",
        }),
        rest: Some(Rest {
            method: Method::Post,
            path: "/agreements",
            params: &[],
            binding: None,
            creates: true,
        }),
    },
    Operation {
        name: "QueryAgreementByCustomerLevel",
        aliases: &["QueryAgreementsByCustomerLevel"],
        role: Role::Read,
        document: bind!(m::QueryAgreementByCustomerLevelRequest => "queryAgreementByCustomerLevelResponse", agreements::query_agreement_by_customer_level),
        soap: Some(Soap {
            service: "agreement",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Get,
            path: "/accounts/{accountId}/agreements",
            params: &[("accountId", "accountIdentifier")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "QueryAgreement",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::QueryAgreementRequest => "queryAgreementResponse", agreements::query_agreement),
        soap: Some(Soap {
            service: "agreement",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Get,
            path: "/agreements/{agreementNumber}",
            params: &[("agreementNumber", "agreementNumber")],
            binding: Some(
                bind!(m::GetAgreementRequest => "getAgreementResponse", agreements::get_agreement),
            ),
            creates: false,
        }),
    },
    Operation {
        name: "UpdateAgreement",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::UpdateAgreementRequest => "updateAgreementResponse", agreements::update_agreement),
        soap: Some(Soap {
            service: "agreement",
            child: "UpdateAgreementData",
        }),
        rest: Some(Rest {
            method: Method::Patch,
            path: "/agreements/{agreementNumber}",
            params: &[("agreementNumber", "agreementNumber")],
            binding: Some(
                bind!(m::PatchAgreementRequest => "updateAgreementResponse", agreements::patch_agreement),
            ),
            creates: false,
        }),
    },
    Operation {
        name: "CreateSubscription",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CreateSubscriptionRequest => "createSubscriptionResponse", subscriptions::create_subscription),
        soap: Some(Soap {
            service: "subscription",
            child: "CreationData",
        }),
        rest: Some(Rest {
            method: Method::Post,
            path: "/accounts/{accountId}/subscriptions",
            params: &[("accountId", "accountNumber")],
            binding: None,
            creates: true,
        }),
    },
    Operation {
        name: "GetSubscriptions",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::GetSubscriptionsRequest => "getSubscriptionsResponse", subscriptions::get_subscriptions),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/subscriptions",
            params: &[],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "GetSubscription",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::GetSubscriptionRequest => "getSubscriptionResponse", subscriptions::get_subscription),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/subscriptions/{subscriptionId}",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "QueryCompatiblePlans",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::QueryCompatiblePlansRequest => "queryCompatiblePlansResponse", compat::query_compatible_plans),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Get,
            path: "/subscriptions/{subscriptionId}/compatiblePricePlans",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "QueryCompatiblePackages",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::QueryCompatiblePackagesRequest => "queryCompatiblePackagesResponse", compat::query_compatible_packages),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Get,
            path: "/subscriptions/{subscriptionId}/compatiblePackages",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "AddSubscriptionPackage",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::AddSubscriptionPackageRequest => "addSubscriptionPackageResponse", subscriptions::add_subscription_package),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/subscriptions/{subscriptionId}/packages",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: true,
        }),
    },
    Operation {
        name: "ExpireSubscriptionPackage",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::ExpireSubscriptionPackageRequest => "expireSubscriptionPackageResponse", subscriptions::expire_subscription_package),
        soap: None,
        rest: Some(Rest {
            method: Method::Delete,
            path: "/subscriptions/{subscriptionId}/packages/{purchaseIdentifier}",
            params: &[
                ("subscriptionId", "subscriptionNumber"),
                ("purchaseIdentifier", "purchaseIdentifier"),
            ],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "GetCatalogue",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::GetCatalogueRequest => "catalogue", catalogue::get_catalogue),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/catalogue",
            params: &[],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "ImportCatalogue",
        aliases: &[],
        role: Role::Admin,
        document: bind!(m::Catalogue => "importCatalogueResponse", catalogue::import_catalogue),
        soap: None,
        rest: Some(Rest {
            method: Method::Put,
            path: "/catalogue",
            params: &[],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "GetAudit",
        aliases: &[],
        role: Role::Admin,
        document: bind!(m::GetAuditRequest => "getAuditResponse", audit::get_audit),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/admin/audit",
            params: &[],
            binding: None,
            creates: false,
        }),
    },
    // Self-care (SERVICES.md §5): one-time passwords, contact details, workflow events.
    Operation {
        name: "GenerateOneTimePassword",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::GenerateOneTimePasswordRequest => "generateOneTimePasswordResponse", otp::generate_one_time_password),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/oneTimePasswords",
            params: &[],
            binding: None,
            creates: true,
        }),
    },
    Operation {
        name: "VerifyOneTimePassword",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::VerifyOneTimePasswordRequest => "verifyOneTimePasswordResponse", otp::verify_one_time_password),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/oneTimePasswords/{otpReference}/verification",
            params: &[("otpReference", "otpReference")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "UpdateContactDetails",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::UpdateContactDetailsRequest => "updateContactDetailsResponse", contact::update_contact_details),
        soap: None,
        rest: Some(Rest {
            method: Method::Patch,
            path: "/customers/{customerNumber}/contactDetails",
            params: &[("customerNumber", "customerNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "CreateWorkflow",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CreateWorkflowRequest => "createWorkflowResponse", workflow::create_workflow),
        soap: Some(Soap {
            service: "workflow",
            child: "WorkflowData",
        }),
        rest: Some(Rest {
            method: Method::Post,
            path: "/workflows",
            params: &[],
            binding: Some(
                bind!(m::PostWorkflowRequest => "createWorkflowResponse", workflow::post_workflow),
            ),
            creates: true,
        }),
    },
    Operation {
        name: "QueryWorkflows",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::QueryWorkflowsRequest => "queryWorkflowsResponse", workflow::query_workflows),
        soap: Some(Soap {
            service: "workflow",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Get,
            path: "/workflows",
            params: &[],
            binding: Some(
                bind!(m::ListWorkflowsRequest => "listWorkflowsResponse", workflow::list_workflows),
            ),
            creates: false,
        }),
    },
    Operation {
        name: "GetAccountEmailAddresses",
        aliases: &[],
        role: Role::Read,
        document: bind!(no_card_numbers m::GetAccountEmailAddressesRequest => "getAccountEmailAddressesResponse", emails::get_account_email_addresses),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/accounts/{accountId}/emailAddresses",
            params: &[("accountId", "accountNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "UpdateAccountEmailAddress",
        aliases: &[],
        role: Role::Write,
        document: bind!(no_card_numbers m::UpdateAccountEmailAddressRequest => "updateAccountEmailAddressResponse", emails::update_account_email_address),
        soap: None,
        rest: Some(Rest {
            method: Method::Patch,
            path: "/accounts/{accountId}/emailAddresses/{emailId}",
            params: &[("accountId", "accountNumber"), ("emailId", "emailId")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "AddDirectDebitDetails",
        aliases: &[],
        role: Role::Write,
        document: bind!(no_card_numbers m::AddDirectDebitDetailsRequest => "addDirectDebitDetailsResponse", direct_debits::add_direct_debit_details),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/accounts/{accountId}/directDebit",
            params: &[("accountId", "accountNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "CancelDirectDebit",
        aliases: &[],
        role: Role::Write,
        document: bind!(no_card_numbers m::CancelDirectDebitRequest => "cancelDirectDebitResponse", direct_debits::cancel_direct_debit),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/accounts/{accountId}/directDebit/cancellation",
            params: &[("accountId", "accountNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "AddRegisteredCard",
        aliases: &[],
        role: Role::Write,
        document: bind!(no_card_numbers m::AddRegisteredCardRequest => "addRegisteredCardResponse", cards::add_registered_card),
        soap: Some(Soap {
            service: "account",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Post,
            path: "/accounts/{accountId}/registeredCards",
            params: &[("accountId", "accountNumber")],
            binding: Some(
                bind!(no_card_numbers m::PostRegisteredCardRequest => "registeredCardResponse", cards::post_registered_card),
            ),
            creates: true,
        }),
    },
    Operation {
        name: "GetRegisteredCards",
        aliases: &[],
        role: Role::Read,
        document: bind!(no_card_numbers m::GetRegisteredCardsRequest => "getRegisteredCardsResponse", cards::get_registered_cards),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/accounts/{accountId}/registeredCards",
            params: &[("accountId", "accountId")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "UpdateRegisteredCard",
        aliases: &[],
        role: Role::Write,
        document: bind!(no_card_numbers m::UpdateRegisteredCardRequest => "registeredCardResponse", cards::update_registered_card),
        soap: None,
        rest: Some(Rest {
            method: Method::Patch,
            path: "/accounts/{accountId}/registeredCards/{cardId}",
            params: &[("accountId", "accountNumber"), ("cardId", "cardId")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "CancelRegisteredCard",
        aliases: &[],
        role: Role::Write,
        document: bind!(no_card_numbers m::CancelRegisteredCardRequest => "cancelRegisteredCardResponse", cards::cancel_registered_card),
        soap: Some(Soap {
            service: "account",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Post,
            path: "/accounts/{accountId}/registeredCards/{cardId}/cancellation",
            params: &[("accountId", "accountNumber"), ("cardId", "cardId")],
            binding: Some(
                bind!(no_card_numbers m::PostRegisteredCardCancellationRequest => "registeredCardResponse", cards::post_registered_card_cancellation),
            ),
            creates: false,
        }),
    },
    // CMP 7.3.8 GroupPort, CorporatePort, AccountPort and StructurePort (issue 11). The
    // SOAP forms of CreateGroup, CreateCorporate and CreateAccount are in SOAP_FORMS.
    Operation {
        name: "QueryGroup",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::QueryGroupRequest => "queryGroupResponse", legacy_groups::query_group),
        soap: Some(Soap {
            service: "group",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Get,
            path: "/groups/{groupCode}",
            params: &[("groupCode", "groupCode")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "UpdateGroup",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::UpdateGroupRequest => "updateGroupResponse", legacy_groups::update_group),
        soap: Some(Soap {
            service: "group",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Patch,
            path: "/groups/{groupCode}",
            params: &[("groupCode", "groupCode")],
            binding: Some(
                bind!(m::PatchGroupRequest => "updateGroupResponse", legacy_groups::patch_group),
            ),
            creates: false,
        }),
    },
    Operation {
        name: "QueryCorporate",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::QueryCorporateRequest => "queryCorporateResponse", legacy_groups::query_corporate),
        soap: Some(Soap {
            service: "corporate",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Get,
            path: "/corporates/{corporateCode}",
            params: &[("corporateCode", "corporateCode")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "UpdateCorporate",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::UpdateCorporateRequest => "updateCorporateResponse", legacy_groups::update_corporate),
        soap: Some(Soap {
            service: "corporate",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Patch,
            path: "/corporates/{corporateCode}",
            params: &[("corporateCode", "corporateCode")],
            binding: Some(
                bind!(m::PatchCorporateRequest => "updateCorporateResponse", legacy_groups::patch_corporate),
            ),
            creates: false,
        }),
    },
    Operation {
        name: "QueryAccount",
        aliases: &[],
        role: Role::Read,
        document: bind!(no_card_numbers m::QueryAccountRequest => "queryAccountResponse", legacy_accounts::query_account),
        soap: Some(Soap {
            service: "account",
            child: "Request",
        }),
        rest: None,
    },
    Operation {
        name: "UpdateAccountDetails",
        aliases: &[],
        role: Role::Write,
        document: bind!(no_card_numbers m::UpdateAccountDetailsRequest => "updateAccountDetailsResponse", legacy_accounts::update_account_details),
        soap: Some(Soap {
            service: "account",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Patch,
            path: "/accounts/{accountId}",
            params: &[("accountId", "accountNumber")],
            binding: Some(
                bind!(no_card_numbers m::PatchAccountRequest => "updateAccountDetailsResponse", legacy_accounts::patch_account),
            ),
            creates: false,
        }),
    },
    Operation {
        name: "QueryCustomerStructure",
        aliases: &["QueryCustomerStructureRequest"],
        role: Role::Read,
        document: bind!(m::QueryCustomerStructureRequest => "queryCustomerStructureResponse", tree::query_customer_structure),
        soap: Some(Soap {
            service: "structure",
            child: "CustomerStructureQueryData",
        }),
        rest: Some(Rest {
            method: Method::Get,
            path: "/customers/{customerNumber}/structure",
            params: &[("customerNumber", "customerNumber")],
            binding: Some(
                bind!(m::GetCustomerStructureRequest => "getCustomerStructureResponse", tree::get_customer_structure),
            ),
            creates: false,
        }),
    },
    Operation {
        name: "QueryAgreementStructure",
        aliases: &["QueryAgreementStructureRequest"],
        role: Role::Read,
        document: bind!(m::QueryAgreementStructureRequest => "queryAgreementStructureResponse", tree::query_agreement_structure),
        soap: Some(Soap {
            service: "structure",
            child: "CustomerAgreementQueryData",
        }),
        rest: Some(Rest {
            method: Method::Get,
            path: "/agreements/{agreementNumber}/structure",
            params: &[("agreementNumber", "agreementNumber")],
            binding: None,
            creates: false,
        }),
    },
    // The life cycle (SERVICES.md §4; schemas/lifecycle.xsd).
    Operation {
        name: "ActivateSubscription",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::ActivateSubscriptionRequest => "activateSubscriptionResponse", subscriptions::activate_subscription),
        // 7.3.8 SubscriptionPort: its SOAP form is in SOAP_FORMS (lifecycle738.xsd).
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Post,
            path: "/subscriptions/{subscriptionId}/activation",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "DisconnectSubscription",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::DisconnectSubscriptionRequest => "disconnectSubscriptionResponse", subscriptions::disconnect_subscription),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/subscriptions/{subscriptionId}/disconnection",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "CancelDisconnection",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CancelDisconnectionRequest => "cancelDisconnectionResponse", subscriptions::cancel_disconnection),
        soap: None,
        rest: Some(Rest {
            method: Method::Delete,
            path: "/subscriptions/{subscriptionId}/disconnection",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "GetTerminationFees",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::GetTerminationFeesRequest => "getTerminationFeesResponse", subscriptions::get_termination_fees),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/subscriptions/{subscriptionId}/terminationFees",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "ChangePricePlan",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::ChangePricePlanRequest => "changePricePlanResponse", subscriptions::change_price_plan),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/subscriptions/{subscriptionId}/pricePlanChange",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "CancelPricePlanChange",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CancelPricePlanChangeRequest => "cancelPricePlanChangeResponse", subscriptions::cancel_price_plan_change),
        soap: None,
        rest: Some(Rest {
            method: Method::Delete,
            path: "/subscriptions/{subscriptionId}/pricePlanChange",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    // The subscription's own data (SERVICES.md §4; schemas/subscription-details.xsd).
    Operation {
        name: "UpdateSubscription",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::UpdateSubscriptionRequest => "updateSubscriptionResponse", subscriptions::update_subscription),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: Some(Rest {
            method: Method::Patch,
            path: "/subscriptions/{subscriptionId}",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "AddSubscriptionService",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::AddSubscriptionServiceRequest => "addSubscriptionServiceResponse", subscriptions::add_subscription_service),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/subscriptions/{subscriptionId}/services",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: true,
        }),
    },
    Operation {
        name: "UpdateSubscriptionService",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::UpdateSubscriptionServiceRequest => "updateSubscriptionServiceResponse", subscriptions::update_subscription_service),
        soap: None,
        rest: Some(Rest {
            method: Method::Patch,
            path: "/subscriptions/{subscriptionId}/services/{serviceInstanceId}",
            params: &[
                ("subscriptionId", "subscriptionNumber"),
                ("serviceInstanceId", "serviceInstanceId"),
            ],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "CreateSubscriptionAttribute",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CreateSubscriptionAttributeRequest => "createSubscriptionAttributeResponse", subscriptions::create_subscription_attribute),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/subscriptions/{subscriptionId}/attributes",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: true,
        }),
    },
    Operation {
        name: "UpdateSubscriptionAttribute",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::UpdateSubscriptionAttributeRequest => "updateSubscriptionAttributeResponse", subscriptions::update_subscription_attribute),
        soap: None,
        rest: Some(Rest {
            method: Method::Patch,
            path: "/subscriptions/{subscriptionId}/attributes/{name}",
            params: &[("subscriptionId", "subscriptionNumber"), ("name", "name")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "GetSubscriptionEmailAddresses",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::GetSubscriptionEmailAddressesRequest => "getSubscriptionEmailAddressesResponse", subscriptions::get_subscription_email_addresses),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/subscriptions/{subscriptionId}/emailAddresses",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "UpdateSubscriptionEmailAddress",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::UpdateSubscriptionEmailAddressRequest => "updateSubscriptionEmailAddressResponse", subscriptions::update_subscription_email_address),
        soap: None,
        rest: Some(Rest {
            method: Method::Patch,
            path: "/subscriptions/{subscriptionId}/emailAddresses/{emailId}",
            params: &[
                ("subscriptionId", "subscriptionNumber"),
                ("emailId", "emailId"),
            ],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "ChangeSerialNumbers",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::ChangeSerialNumbersRequest => "changeSerialNumbersResponse", subscriptions::change_serial_numbers),
        soap: None,
        rest: Some(Rest {
            method: Method::Put,
            path: "/subscriptions/{subscriptionId}/serialNumbers",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "GetSubscriptionSerialNumbers",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::GetSubscriptionSerialNumbersRequest => "getSubscriptionSerialNumbersResponse", subscriptions::get_subscription_serial_numbers),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/subscriptions/{subscriptionId}/serialNumbers",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    // Usage, allowances and spend caps per bill period (SERVICES.md §4).
    Operation {
        name: "GetAllowances",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::GetAllowancesRequest => "getAllowancesResponse", allowances::get_allowances),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/subscriptions/{subscriptionId}/allowances",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "RecordUsage",
        aliases: &[],
        // Stands in for the network's usage feed: admin keys only.
        role: Role::Admin,
        document: bind!(m::RecordUsageRequest => "recordUsageResponse", usage::record_usage),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/subscriptions/{subscriptionId}/usage",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: true,
        }),
    },
    Operation {
        name: "QueryUnbilledUsage",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::QueryUnbilledUsageRequest => "queryUnbilledUsageResponse", usage::query_unbilled_usage),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/subscriptions/{subscriptionId}/unbilledUsage",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "GetSubscriptionSpendCap",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::GetSubscriptionSpendCapRequest => "getSubscriptionSpendCapResponse", spend_caps::get_subscription_spend_cap),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/subscriptions/{subscriptionId}/spendCap",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "SetSubscriptionSpendCap",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::SetSubscriptionSpendCapRequest => "setSubscriptionSpendCapResponse", spend_caps::set_subscription_spend_cap),
        soap: None,
        rest: Some(Rest {
            method: Method::Put,
            path: "/subscriptions/{subscriptionId}/spendCap",
            params: &[("subscriptionId", "subscriptionNumber")],
            binding: None,
            creates: false,
        }),
    },
    // CMP 7.3.8 SubscriptionPort and ServicesPort (issue 10): document and SOAP forms only;
    // the SOAP forms of CreateSubscription and UpdateSubscription are in SOAP_FORMS.
    Operation {
        name: "QuerySubscription",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::QuerySubscriptionRequest => "querySubscriptionResponse", legacy::query_subscription),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: None,
    },
    Operation {
        name: "CreatePackage",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CreatePackageRequest => "createPackageResponse", legacy::create_package),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: None,
    },
    Operation {
        name: "ExpirePackage",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::ExpirePackageRequest => "expirePackageResponse", legacy::expire_package),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: None,
    },
    Operation {
        name: "ManagePackages",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::ManagePackagesRequest => "managePackagesResponse", legacy::manage_packages),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: None,
    },
    Operation {
        name: "UpdateSubscriptionSerialNumbers",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::UpdateSubscriptionSerialNumbersRequest => "updateSubscriptionSerialNumbersResponse", legacy::update_subscription_serial_numbers),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: None,
    },
    Operation {
        name: "SetPostPayCaps",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::SetPostPayCapsRequest => "setPostPayCapsResponse", legacy::set_post_pay_caps),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: None,
    },
    Operation {
        name: "CreateService",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::CreateServiceRequest => "createServiceResponse", legacy_services::create_service),
        soap: Some(Soap {
            service: "services",
            child: "ServiceData",
        }),
        rest: None,
    },
    Operation {
        name: "UpdateService",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::UpdateServiceRequest => "updateServiceResponse", legacy_services::update_service),
        soap: Some(Soap {
            service: "services",
            child: "UpdateServiceData",
        }),
        rest: None,
    },
    Operation {
        name: "QuerySubscriptionServices",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::QuerySubscriptionServicesRequest => "querySubscriptionServicesResponse", legacy_services::query_subscription_services),
        soap: Some(Soap {
            service: "services",
            child: "Request",
        }),
        rest: None,
    },
    // CMP 7.3.8 SubscriptionPort, the life cycle (issue 10, lifecycle738.xsd): document and
    // SOAP forms only; the SOAP form of ActivateSubscription is in SOAP_FORMS.
    Operation {
        name: "UpdateTariff",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::UpdateTariffRequest => "updateTariffResponse", legacy_lifecycle::update_tariff),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: None,
    },
    Operation {
        name: "RevertLastUpgrade",
        aliases: &[],
        role: Role::Write,
        document: bind!(m::RevertLastUpgradeRequest => "revertLastUpgradeResponse", legacy_lifecycle::revert_last_upgrade),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: None,
    },
    Operation {
        name: "IsEligibleForUpgrade",
        aliases: &[],
        role: Role::Read,
        document: bind!(m::IsEligibleForUpgradeRequest => "isEligibleForUpgradeResponse", legacy_lifecycle::is_eligible_for_upgrade),
        soap: Some(Soap {
            service: "subscription",
            child: "Request",
        }),
        rest: None,
    },
];

/// Served only in sandbox mode (`serve --sandbox`), on their REST routes.
pub static SANDBOX_OPERATIONS: &[Operation] = &[
    Operation {
        name: "GetClock",
        aliases: &[],
        role: Role::Admin,
        document: bind!(m::GetClockRequest => "clockResponse", sandbox::get_clock),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/admin/clock",
            params: &[],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "SetClock",
        aliases: &[],
        role: Role::Admin,
        document: bind!(m::SetClockRequest => "clockResponse", sandbox::set_clock),
        soap: None,
        rest: Some(Rest {
            method: Method::Put,
            path: "/admin/clock",
            params: &[],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "Reset",
        aliases: &[],
        role: Role::Admin,
        document: bind!(m::ResetRequest => "resetResponse", crate::sandbox::reset),
        soap: None,
        rest: Some(Rest {
            method: Method::Post,
            path: "/admin/reset",
            params: &[],
            binding: None,
            creates: false,
        }),
    },
    Operation {
        name: "GetOutbox",
        aliases: &[],
        role: Role::Admin,
        document: bind!(m::GetOutboxRequest => "getOutboxResponse", outbox::get_outbox),
        soap: None,
        rest: Some(Rest {
            method: Method::Get,
            path: "/admin/outbox",
            params: &[],
            binding: None,
            creates: false,
        }),
    },
];

/// SOAP forms that differ from an operation's document form: the 7.3.8 message of an
/// operation whose document (and resource route) keep the 8.x shape. Same response.
pub static SOAP_FORMS: &[(&str, Binding)] = &[
    (
        "CreateGroup",
        bind!(m::LegacyCreateGroupRequest => "createGroupResponse", legacy_groups::legacy_create_group),
    ),
    (
        "CreateCorporate",
        bind!(m::LegacyCreateCorporateRequest => "createCorporateResponse", legacy_groups::legacy_create_corporate),
    ),
    (
        "CreateSubscription",
        bind!(m::LegacyCreateSubscriptionRequest => "legacyCreateSubscriptionResponse", legacy::legacy_create_subscription),
    ),
    (
        "UpdateSubscription",
        bind!(m::LegacyUpdateSubscriptionRequest => "legacyUpdateSubscriptionResponse", legacy::legacy_update_subscription),
    ),
    // The life cycle on 7.3.8 SubscriptionPort (lifecycle738.xsd).
    (
        "ActivateSubscription",
        bind!(m::LegacyActivateSubscriptionRequest => "legacyActivateSubscriptionResponse", legacy_lifecycle::legacy_activate_subscription),
    ),
    (
        "CreateAccount",
        bind!(no_card_numbers m::LegacyCreateAccountRequest => "createAccountResponse", legacy_accounts::legacy_create_account),
    ),
];

/// The binding a SOAP request of `op` runs: its SOAP form, else its document form.
pub fn soap_binding(op: &Operation) -> &Binding {
    SOAP_FORMS
        .iter()
        .find(|(name, _)| *name == op.name)
        .map_or(&op.document, |(_, b)| b)
}

/// The operation of `POST /ws/{name}` (CMP name or alias, case-insensitive on the first
/// letter so `queryAgreement` works too).
pub fn by_name(name: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .find(|op| op.answers_to(name) || op.answers_to(&cmp_model::fault::pascal(name)))
}

/// The operation whose document root is `root` (fixtures name operations this way).
pub fn by_document_root(root: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .find(|op| op.document.request_root == root || op.document.request_aliases.contains(&root))
}

/// The SOAP namespace of a service.
pub fn soap_namespace(service: &str) -> String {
    format!("http://mdsuk.com/ws/dise3g/{service}/definition")
}

/// The operation a SOAP body names: wrapper `operation` in `namespace`, posted to the
/// port of `service`.
pub fn by_soap(service: &str, namespace: &str, operation: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| {
        op.soap
            .as_ref()
            .is_some_and(|s| s.service == service && soap_namespace(s.service) == namespace)
            && op.answers_to(operation)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_document_roots_are_unique() {
        let mut names: Vec<&str> = OPERATIONS
            .iter()
            .flat_map(|o| std::iter::once(o.name).chain(o.aliases.iter().copied()))
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
        for op in OPERATIONS {
            assert!(std::ptr::eq(
                by_document_root(op.document.request_root).unwrap(),
                op
            ));
        }
    }

    #[test]
    fn soap_dispatch_uses_the_qualified_name() {
        let ns = soap_namespace("agreement");
        assert_eq!(
            by_soap("agreement", &ns, "QueryAgreementsByCustomerLevel")
                .unwrap()
                .name,
            "QueryAgreementByCustomerLevel"
        );
        assert!(by_soap("agreement", "urn:other", "CreateAgreement").is_none());
        assert!(by_soap("account", &ns, "CreateAgreement").is_none());
    }
}
