//! StructurePort (CMP 7.3.8) QueryCustomerStructure and QueryAgreementStructure, and
//! `GET /customers/{customerNumber}/structure`: the tree is read in a fixed number of
//! queries (`cmp_store::repo::structure`) and assembled here.

use std::collections::BTreeMap;

use cmp_model::messages::{
    AccountNode, AccountNodes, CorporateNode, CorporateNodes, CustomerLevel, CustomerNode,
    CustomerStructureResponse, GetCustomerStructureRequest, GetCustomerStructureResponse,
    GroupNode, QueryAgreementStructureRequest, QueryCustomerStructureRequest, StatusFilter,
    StructureAccount, StructureAccounts, StructureAgreement, StructureAgreements,
    StructureCorporate, StructureCorporates, StructureGroup, StructureGroups,
    StructureSubscription, StructureSubscriptions, SubscriptionNode, SubscriptionNodes, TreeFilter,
};
use cmp_store::repo::structure::{self, Load, Scope, Tree};
use cmp_store::repo::subscriptions::{STATUS_ACTIVE, STATUS_DISCONNECTED};
use cmp_store::repo::{agreements, customers, subscriptions, Account, Subscription};

use crate::faults::not_found;
use crate::{Context, OpResult};

/// How deep below the node the answer goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// The node's children only (a group's corporates, a corporate's accounts, an
    /// account's subscriptions).
    Children,
    All,
}

/// The tree, indexed for assembly (so a large tree is assembled in one pass over its rows,
/// not one per account or corporate).
struct Assembly<'a> {
    tree: &'a Tree,
    serials: BTreeMap<i64, &'a str>,
    /// Each account's subscriptions, by number.
    subscriptions: BTreeMap<i64, Vec<&'a Subscription>>,
    /// Each corporate's accounts, by number.
    accounts: BTreeMap<&'a str, Vec<&'a Account>>,
}

impl<'a> Assembly<'a> {
    fn new(tree: &'a Tree) -> Self {
        let mut subscriptions: BTreeMap<i64, Vec<&Subscription>> = BTreeMap::new();
        for s in &tree.subscriptions {
            subscriptions.entry(s.account_number).or_default().push(s);
        }
        let mut accounts: BTreeMap<&str, Vec<&Account>> = BTreeMap::new();
        for a in &tree.accounts {
            if let Some(k) = a.corporate_code.as_deref() {
                accounts.entry(k).or_default().push(a);
            }
        }
        Assembly {
            tree,
            serials: tree
                .primary_serials
                .iter()
                .map(|(n, v)| (*n, v.as_str()))
                .collect(),
            subscriptions,
            accounts,
        }
    }

    /// The account's subscriptions; none (no element) when it has none, as an empty
    /// element reads back as absent.
    fn subscriptions(&self, account: i64) -> Option<SubscriptionNodes> {
        let subscription: Vec<SubscriptionNode> = self
            .subscriptions
            .get(&account)
            .into_iter()
            .flatten()
            .map(|s| SubscriptionNode {
                subscription_number: s.subscription_number,
                subscription_user_name: s.user_name.clone(),
                connected_date: s.connected_date,
                disconnected_date: s.disconnected_date,
                primary_serial_number: self
                    .serials
                    .get(&s.subscription_number)
                    .map(|v| v.to_string()),
                tariff_code: s.price_plan_code.clone(),
                customer_cost_centre: s.cost_centre.clone(),
                terminated: s.status == STATUS_DISCONNECTED,
            })
            .collect();
        (!subscription.is_empty()).then_some(SubscriptionNodes { subscription })
    }

    fn account(&self, a: &Account, with_subscriptions: bool) -> AccountNode {
        AccountNode {
            account_number: a.account_number,
            account_name: a.account_name.clone(),
            subscriptions: with_subscriptions
                .then(|| self.subscriptions(a.account_number))
                .flatten(),
        }
    }

    fn corporate(&self, code: &str, depth: Option<Depth>) -> CorporateNode {
        let k = self
            .tree
            .corporates
            .iter()
            .find(|k| k.corporate_code == code);
        CorporateNode {
            corporate_code: code.to_string(),
            corporate_description: k.map(|k| k.description.clone()),
            posting_account_number: self
                .tree
                .corporate_postings
                .iter()
                .find(|(k, _)| k == code)
                .map(|(_, n)| *n),
            accounts: depth.and_then(|d| {
                let account: Vec<AccountNode> = self
                    .accounts
                    .get(code)
                    .into_iter()
                    .flatten()
                    .map(|a| self.account(a, d == Depth::All))
                    .collect();
                (!account.is_empty()).then_some(AccountNodes { account })
            }),
        }
    }

    fn group(&self, code: &str, depth: Option<Depth>) -> GroupNode {
        let g = self.tree.groups.iter().find(|g| g.group_code == code);
        GroupNode {
            group_code: code.to_string(),
            group_description: g.map(|g| g.description.clone()),
            corporates: depth.and_then(|d| {
                let corporate: Vec<CorporateNode> = self
                    .tree
                    .corporates
                    .iter()
                    .filter(|k| k.group_code.as_deref() == Some(code))
                    .map(|k| {
                        let below = (d == Depth::All).then_some(Depth::All);
                        self.corporate(&k.corporate_code, below)
                    })
                    .collect();
                (!corporate.is_empty()).then_some(CorporateNodes { corporate })
            }),
        }
    }
}

fn load(ctx: &Context, scope: Scope, what: Load) -> OpResult<Tree> {
    ctx.read(|c| Ok(structure::load(c, scope, what)?))
}

fn status(filter: Option<StatusFilter>) -> Option<&'static str> {
    match filter {
        Some(StatusFilter::Active) => Some(STATUS_ACTIVE),
        _ => None,
    }
}

pub fn query_customer_structure(
    ctx: &Context,
    req: QueryCustomerStructureRequest,
) -> OpResult<CustomerStructureResponse> {
    let path = QueryCustomerStructureRequest::path;
    let id = req.customer_level_id.trim().to_string();
    let number = || {
        // Accounts and subscriptions are numbered: any other id names none of them.
        id.parse::<i64>()
            .map_err(|_| not_found(path().customer_level_id()))
    };
    let what = Load {
        subscriptions: true,
        status: status(req.subscription_status_filter),
        ..Load::default()
    };
    let filter = req.tree_filter.unwrap_or(TreeFilter::AllDependents);
    let missing = || not_found(path().customer_level_id());
    let (level, node) = match req.customer_level {
        CustomerLevel::Group => {
            let tree = load(ctx, Scope::Group(&id), what)?;
            let asm = Assembly::new(&tree);
            if !tree.groups.iter().any(|g| g.group_code == id) {
                return Err(missing());
            }
            let node = match filter {
                TreeFilter::ImmediateChildren => asm.group(&id, Some(Depth::Children)),
                TreeFilter::AllDependents => asm.group(&id, Some(Depth::All)),
                TreeFilter::Ancestors => asm.group(&id, None),
            };
            (CustomerLevel::Group, CustomerNode::Group(node))
        }
        CustomerLevel::Corporate => {
            let tree = load(ctx, Scope::Corporate(&id), what)?;
            let asm = Assembly::new(&tree);
            let Some(k) = tree.corporates.iter().find(|k| k.corporate_code == id) else {
                return Err(missing());
            };
            match (filter, &k.group_code) {
                (TreeFilter::Ancestors, Some(g)) => {
                    let mut node = asm.group(g, None);
                    node.corporates = Some(CorporateNodes {
                        corporate: vec![asm.corporate(&id, None)],
                    });
                    (CustomerLevel::Group, CustomerNode::Group(node))
                }
                (TreeFilter::Ancestors, None) => (
                    CustomerLevel::Corporate,
                    CustomerNode::Corporate(asm.corporate(&id, None)),
                ),
                (f, _) => {
                    let depth = if f == TreeFilter::ImmediateChildren {
                        Depth::Children
                    } else {
                        Depth::All
                    };
                    (
                        CustomerLevel::Corporate,
                        CustomerNode::Corporate(asm.corporate(&id, Some(depth))),
                    )
                }
            }
        }
        CustomerLevel::Account | CustomerLevel::Subscription => {
            let n = number()?;
            let account = if req.customer_level == CustomerLevel::Account {
                n
            } else {
                let found = ctx.read(|c| Ok(subscriptions::get(c, n)?))?;
                found.ok_or_else(missing)?.account_number
            };
            let mut tree = load(ctx, Scope::Account(account), what)?;
            if req.customer_level == CustomerLevel::Subscription {
                tree.subscriptions.retain(|s| s.subscription_number == n);
            }
            let asm = Assembly::new(&tree);
            let Some(a) = tree.accounts.first() else {
                return Err(missing());
            };
            if filter != TreeFilter::Ancestors {
                (
                    CustomerLevel::Account,
                    CustomerNode::Account(asm.account(a, true)),
                )
            } else {
                let own = asm.account(a, false);
                match (&a.corporate_code, &a.group_code) {
                    (Some(k), _) => {
                        let mut corporate = asm.corporate(k, None);
                        corporate.accounts = Some(AccountNodes { account: vec![own] });
                        let group = tree
                            .corporates
                            .iter()
                            .find(|c| &c.corporate_code == k)
                            .and_then(|c| c.group_code.clone());
                        match group {
                            Some(g) => {
                                let mut node = asm.group(&g, None);
                                node.corporates = Some(CorporateNodes {
                                    corporate: vec![corporate],
                                });
                                (CustomerLevel::Group, CustomerNode::Group(node))
                            }
                            None => (CustomerLevel::Corporate, CustomerNode::Corporate(corporate)),
                        }
                    }
                    // The 7.3.8 group node has no accounts of its own: the account alone.
                    _ => (CustomerLevel::Account, CustomerNode::Account(own)),
                }
            }
        }
    };
    Ok(CustomerStructureResponse {
        external_reference: req.external_reference,
        query_limit_exceeded: false,
        customer_level: level,
        customer_node: node,
    })
}

/// What hangs under an agreement: the tree below the level it is logged at, holding only
/// the subscriptions billed by it.
pub fn query_agreement_structure(
    ctx: &Context,
    req: QueryAgreementStructureRequest,
) -> OpResult<CustomerStructureResponse> {
    let n = req.agreement_number;
    let found = ctx.read(|c| Ok(agreements::get(c, n)?))?;
    let a = found
        .ok_or_else(|| not_found(QueryAgreementStructureRequest::path().agreement_number()))?;
    let what = Load {
        subscriptions: true,
        agreement: Some(n),
        ..Load::default()
    };
    let (level, node) = match (&a.group_code, &a.corporate_code, a.account_number) {
        (Some(g), _, _) => {
            let tree = load(ctx, Scope::Group(g), what)?;
            let node = Assembly::new(&tree).group(g, Some(Depth::All));
            (CustomerLevel::Group, CustomerNode::Group(node))
        }
        (_, Some(k), _) => {
            let tree = load(ctx, Scope::Corporate(k), what)?;
            let node = Assembly::new(&tree).corporate(k, Some(Depth::All));
            (CustomerLevel::Corporate, CustomerNode::Corporate(node))
        }
        (_, _, account) => {
            let tree = load(ctx, Scope::Account(account.unwrap_or_default()), what)?;
            let asm = Assembly::new(&tree);
            let a = tree.accounts.first().ok_or_else(|| {
                not_found(QueryAgreementStructureRequest::path().agreement_number())
            })?;
            (
                CustomerLevel::Account,
                CustomerNode::Account(asm.account(a, true)),
            )
        }
    };
    Ok(CustomerStructureResponse {
        external_reference: req.external_reference,
        query_limit_exceeded: false,
        customer_level: level,
        customer_node: node,
    })
}

/// `GET /customers/{customerNumber}/structure`.
pub fn get_customer_structure(
    ctx: &Context,
    req: GetCustomerStructureRequest,
) -> OpResult<GetCustomerStructureResponse> {
    let n = req.customer_number;
    let what = Load {
        subscriptions: true,
        status: status(req.subscription_status_filter),
        agreements: true,
        ..Load::default()
    };
    let tree = ctx.read(|c| {
        if !customers::exists(c, n)? {
            return Ok(None);
        }
        Ok(Some(structure::load(c, Scope::Customer(n), what)?))
    })?;
    let tree =
        tree.ok_or_else(|| not_found(GetCustomerStructureRequest::path().customer_number()))?;
    let asm = Assembly::new(&tree);
    let some = |empty: bool| !empty;
    Ok(GetCustomerStructureResponse {
        external_reference: req.external_reference,
        customer_number: n,
        groups: some(tree.groups.is_empty()).then(|| StructureGroups {
            group: tree
                .groups
                .iter()
                .map(|g| StructureGroup {
                    group_code: g.group_code.clone(),
                    description: g.description.clone(),
                })
                .collect(),
        }),
        corporates: some(tree.corporates.is_empty()).then(|| StructureCorporates {
            corporate: tree
                .corporates
                .iter()
                .map(|k| StructureCorporate {
                    corporate_code: k.corporate_code.clone(),
                    description: k.description.clone(),
                    group_code: k.group_code.clone(),
                })
                .collect(),
        }),
        agreements: some(tree.agreements.is_empty()).then(|| StructureAgreements {
            agreement: tree
                .agreements
                .iter()
                .map(|a| StructureAgreement {
                    agreement_number: a.agreement_number,
                    logged_at: crate::agreements::logged_at(a),
                    billing_cycle: a.billing_cycle as i64,
                })
                .collect(),
        }),
        accounts: some(tree.accounts.is_empty()).then(|| StructureAccounts {
            account: tree
                .accounts
                .iter()
                .map(|a| {
                    let subs: Vec<StructureSubscription> = asm
                        .subscriptions
                        .get(&a.account_number)
                        .into_iter()
                        .flatten()
                        .map(|s| StructureSubscription {
                            subscription_number: s.subscription_number,
                            agreement_number: s.agreement_number,
                            status: s.status.clone(),
                            price_plan_code: s.price_plan_code.clone(),
                        })
                        .collect();
                    StructureAccount {
                        account_number: a.account_number,
                        account_name: a.account_name.clone(),
                        corporate_code: a.corporate_code.clone(),
                        group_code: a.group_code.clone(),
                        subscriptions: (!subs.is_empty())
                            .then_some(StructureSubscriptions { subscription: subs }),
                    }
                })
                .collect(),
        }),
    })
}
