//! The customer structure read as a whole: the accounts under a group, a corporate, an
//! account or a customer, with the corporates and groups above them, the agreements
//! logged at any of those levels, and the accounts' subscriptions. A fixed number of
//! indexed queries whatever the size of the tree (one per kind of row, plus one per
//! [`CHUNK`] accounts or subscriptions), never one per row.

use std::collections::BTreeSet;

use diesel::prelude::*;

use crate::repo::{Account, Agreement, Corporate, Group, Subscription};
use crate::schema::{
    accounts, agreements, corporates, customer_groups, subscription_serial_numbers, subscriptions,
};
use crate::{DbConn, StoreError};

/// Ids per `IN (…)` list: well under SQLite's 32766 and PostgreSQL's 65535 parameters.
pub const CHUNK: usize = 10_000;

/// Where the tree starts.
#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// Accounts under the group, directly or through its corporates.
    Group(&'a str),
    Corporate(&'a str),
    Account(i64),
    /// The accounts a customer owns.
    Customer(i64),
}

/// Every row of one tree.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    /// By code.
    pub groups: Vec<Group>,
    /// By code.
    pub corporates: Vec<Corporate>,
    /// The corporates' posting accounts: (corporate, account).
    pub corporate_postings: Vec<(String, i64)>,
    /// By number.
    pub accounts: Vec<Account>,
    /// By number.
    pub subscriptions: Vec<Subscription>,
    /// Managed serial number 1 of each subscription that has one: (subscription, value).
    pub primary_serials: Vec<(i64, String)>,
    /// Logged at any group, corporate or account of the tree; by number.
    pub agreements: Vec<Agreement>,
}

/// What to load besides the accounts, corporates and groups.
#[derive(Clone, Copy, Debug, Default)]
pub struct Load {
    pub subscriptions: bool,
    /// Only subscriptions with this status.
    pub status: Option<&'static str>,
    /// Only subscriptions of this agreement.
    pub agreement: Option<i64>,
    pub agreements: bool,
}

impl Tree {
    fn add_corporates(&mut self, rows: Vec<(Corporate, Option<i64>)>) {
        for (k, posting) in rows {
            if let Some(n) = posting {
                self.corporate_postings.push((k.corporate_code.clone(), n));
            }
            self.corporates.push(k);
        }
    }
}

pub fn load(conn: &mut DbConn, scope: Scope, what: Load) -> Result<Tree, StoreError> {
    use accounts::dsl as a;
    let mut tree = Tree {
        accounts: match scope {
            Scope::Group(g) => {
                let corporates_of_group = corporates::table
                    .filter(corporates::group_code.eq(g))
                    .select(corporates::corporate_code.nullable());
                accounts::table
                    .filter(
                        a::group_code
                            .eq(g)
                            .or(a::corporate_code.eq_any(corporates_of_group)),
                    )
                    .order(a::account_number)
                    .select(Account::as_select())
                    .load(conn)?
            }
            Scope::Corporate(c) => accounts::table
                .filter(a::corporate_code.eq(c))
                .order(a::account_number)
                .select(Account::as_select())
                .load(conn)?,
            Scope::Account(n) => accounts::table
                .filter(a::account_number.eq(n))
                .select(Account::as_select())
                .load(conn)?,
            Scope::Customer(n) => accounts::table
                .filter(a::customer_number.eq(n))
                .order(a::account_number)
                .select(Account::as_select())
                .load(conn)?,
        },
        ..Tree::default()
    };
    let mut corporate_codes: BTreeSet<String> = tree
        .accounts
        .iter()
        .filter_map(|a| a.corporate_code.clone())
        .collect();
    if let Scope::Corporate(c) = scope {
        corporate_codes.insert(c.to_string());
    }
    let mut group_codes: BTreeSet<String> = tree
        .accounts
        .iter()
        .filter_map(|a| a.group_code.clone())
        .collect();
    if let Scope::Group(g) = scope {
        group_codes.insert(g.to_string());
        // A group's corporates belong to its tree even without accounts.
        let rows = corporates::table
            .filter(corporates::group_code.eq(g))
            .order(corporates::corporate_code)
            .select((Corporate::as_select(), corporates::posting_account_number))
            .load(conn)?;
        tree.add_corporates(rows);
    } else {
        let codes: Vec<&String> = corporate_codes.iter().collect();
        for chunk in codes.chunks(CHUNK) {
            let rows = corporates::table
                .filter(corporates::corporate_code.eq_any(chunk))
                .order(corporates::corporate_code)
                .select((Corporate::as_select(), corporates::posting_account_number))
                .load(conn)?;
            tree.add_corporates(rows);
        }
    }
    group_codes.extend(tree.corporates.iter().filter_map(|c| c.group_code.clone()));
    let codes: Vec<&String> = group_codes.iter().collect();
    for chunk in codes.chunks(CHUNK) {
        tree.groups.extend(
            customer_groups::table
                .filter(customer_groups::group_code.eq_any(chunk))
                .order(customer_groups::group_code)
                .select(Group::as_select())
                .load(conn)?,
        );
    }
    let numbers: Vec<i64> = tree.accounts.iter().map(|a| a.account_number).collect();
    if what.subscriptions {
        use subscriptions::dsl as s;
        for chunk in numbers.chunks(CHUNK) {
            let mut q = subscriptions::table
                .filter(s::account_number.eq_any(chunk))
                .into_boxed();
            if let Some(st) = what.status {
                q = q.filter(s::status.eq(st));
            }
            if let Some(n) = what.agreement {
                q = q.filter(s::agreement_number.eq(n));
            }
            tree.subscriptions.extend(
                q.order(s::subscription_number)
                    .select(Subscription::as_select())
                    .load(conn)?,
            );
        }
        let subs: Vec<i64> = tree
            .subscriptions
            .iter()
            .map(|s| s.subscription_number)
            .collect();
        use subscription_serial_numbers::dsl as n;
        for chunk in subs.chunks(CHUNK) {
            tree.primary_serials.extend(
                subscription_serial_numbers::table
                    .filter(n::subscription_number.eq_any(chunk))
                    .filter(n::kind.eq(crate::repo::subscriptions::SERIAL_MANAGED))
                    .filter(n::enumeration_id.eq(1))
                    .select((n::subscription_number, n::value))
                    .load::<(i64, String)>(conn)?,
            );
        }
    }
    if what.agreements {
        use agreements::dsl as g;
        let corporates: Vec<&String> = tree.corporates.iter().map(|c| &c.corporate_code).collect();
        let groups: Vec<&String> = tree.groups.iter().map(|g| &g.group_code).collect();
        let mut found: Vec<Agreement> = Vec::new();
        for chunk in numbers.chunks(CHUNK) {
            found.extend(
                agreements::table
                    .filter(g::account_number.eq_any(chunk))
                    .select(Agreement::as_select())
                    .load(conn)?,
            );
        }
        if !corporates.is_empty() || !groups.is_empty() {
            found.extend(
                agreements::table
                    .filter(
                        g::corporate_code
                            .eq_any(&corporates)
                            .or(g::group_code.eq_any(&groups)),
                    )
                    .select(Agreement::as_select())
                    .load(conn)?,
            );
        }
        found.sort_by_key(|a| a.agreement_number);
        tree.agreements = found;
    }
    Ok(tree)
}
