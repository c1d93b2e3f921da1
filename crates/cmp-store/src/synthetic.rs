//! Synthetic data in bulk (`cmp-gateway load --synthetic N`): the rows already in the
//! database (the demo, loaded through the operations) are the template, copied by the
//! database itself (`INSERT … SELECT` over a temporary table of copy indexes) until it holds
//! N subscriptions. Each copy is the whole template structure (groups, corporates,
//! customers, accounts, agreements at every level, subscriptions with their packages,
//! serial numbers, identities, services, attributes, spend caps, usage and scheduled
//! actions) with every number shifted by the copy's place and every code renamed, so what
//! held for the demo (plans on the right agreements, bolt-ons compatible with their plan,
//! usage inside its period) holds for each copy.
//!
//! Deterministic: the same template and N give the same rows. The counters end past
//! every generated number, so new numbers never collide. Rows that belong to one request
//! rather than to the data (audit log, outbox, one-time passwords, cards, direct debits,
//! workflow events) are not copied.

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::RunQueryDsl;

use crate::repo::counters;
use crate::{DbConn, Store, StoreError};

/// Copies made per transaction (each one statement per table).
pub const COPIES_PER_TRANSACTION: i64 = 1000;

/// A template larger than this is not the demo: refuse rather than multiply it.
pub const MAX_TEMPLATE_SUBSCRIPTIONS: i64 = 1000;

/// What a run made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub copies: i64,
    pub subscriptions: i64,
}

/// A numbered key: the counter that hands it out, and the table and column it lives in
/// (which tells the template's first number).
struct Counter {
    name: &'static str,
    table: &'static str,
    column: &'static str,
}

const COUNTERS: [Counter; 7] = [
    Counter {
        name: "subscription",
        table: "subscriptions",
        column: "subscription_number",
    },
    Counter {
        name: "account",
        table: "accounts",
        column: "account_number",
    },
    Counter {
        name: "customer",
        table: "customers",
        column: "customer_number",
    },
    Counter {
        name: "agreement",
        table: "agreements",
        column: "agreement_number",
    },
    Counter {
        name: "purchase",
        table: "subscription_packages",
        column: "purchase_identifier",
    },
    Counter {
        name: "service_instance",
        table: "subscription_services",
        column: "service_instance_id",
    },
    Counter {
        name: "scheduled_action",
        table: "scheduled_actions",
        column: "id",
    },
];

/// How one column of a copied row is made from the template row `x` and the copy `c`.
#[derive(Clone, Copy)]
enum Remap {
    /// Shifted by the copy's place times the counter's stride.
    Number(&'static str),
    /// A group or corporate code, renamed through the temporary code map.
    Code,
    /// A serial number value: unique per subscription and kind, same length as a real one.
    SerialValue,
    /// An identity value (an MSISDN is the subscription's first non-managed serial).
    IdentityValue,
    /// A scheduled action's entity: a subscription or an agreement by kind.
    ActionEntity,
}

/// Each copied table: its remapped columns (the others are copied as they are), the
/// numbered column that selects template rows, and whether the row hangs off a
/// subscription (the last copy may stop short of a whole template).
struct Table {
    name: &'static str,
    remaps: &'static [(&'static str, Remap)],
    /// The column compared with the template's counter range (`None`: code-keyed table,
    /// selected by the code map join).
    key: Option<&'static str>,
    subscription_column: Option<&'static str>,
}

use Remap::*;

/// A table keyed by `key` (`None`: by its own code), hanging off a subscription or not.
const fn table(
    name: &'static str,
    key: Option<&'static str>,
    per_subscription: bool,
    remaps: &'static [(&'static str, Remap)],
) -> Table {
    Table {
        name,
        remaps,
        key,
        subscription_column: if per_subscription {
            Some("subscription_number")
        } else {
            None
        },
    }
}

const SUB: (&str, Remap) = ("subscription_number", Number("subscription"));
const ACCOUNT: (&str, Remap) = ("account_number", Number("account"));
const CUSTOMER: (&str, Remap) = ("customer_number", Number("customer"));
const POSTING: (&str, Remap) = ("posting_account_number", Number("account"));
const BY_SUB: Option<&str> = Some("subscription_number");

/// In foreign-key order.
const TABLES: &[Table] = &[
    table(
        "customer_groups",
        None,
        false,
        &[("group_code", Code), POSTING],
    ),
    table("customers", Some("customer_number"), false, &[CUSTOMER]),
    table(
        "customer_addresses",
        Some("customer_number"),
        false,
        &[CUSTOMER],
    ),
    table(
        "corporates",
        None,
        false,
        &[("corporate_code", Code), ("group_code", Code), POSTING],
    ),
    table(
        "accounts",
        Some("account_number"),
        false,
        &[
            ACCOUNT,
            CUSTOMER,
            ("corporate_code", Code),
            ("group_code", Code),
        ],
    ),
    table(
        "account_email_addresses",
        Some("account_number"),
        false,
        &[ACCOUNT],
    ),
    table(
        "agreements",
        Some("agreement_number"),
        false,
        &[
            ("agreement_number", Number("agreement")),
            ("group_code", Code),
            ("corporate_code", Code),
            ACCOUNT,
        ],
    ),
    table(
        "subscriptions",
        BY_SUB,
        true,
        &[SUB, ACCOUNT, ("agreement_number", Number("agreement"))],
    ),
    table(
        "subscription_packages",
        Some("purchase_identifier"),
        true,
        &[("purchase_identifier", Number("purchase")), SUB],
    ),
    table(
        "subscription_serial_numbers",
        BY_SUB,
        true,
        &[SUB, ("value", SerialValue)],
    ),
    table(
        "subscription_identities",
        BY_SUB,
        true,
        &[SUB, ("identity_value", IdentityValue)],
    ),
    table(
        "subscription_services",
        Some("service_instance_id"),
        true,
        &[("service_instance_id", Number("service_instance")), SUB],
    ),
    table("subscription_attributes", BY_SUB, true, &[SUB]),
    table("subscription_email_addresses", BY_SUB, true, &[SUB]),
    table("subscription_spend_caps", BY_SUB, true, &[SUB]),
    table("usage_periods", BY_SUB, true, &[SUB]),
    table("usage_records", BY_SUB, true, &[SUB]),
    table(
        "allowance_draws",
        BY_SUB,
        true,
        &[SUB, ("purchase_identifier", Number("purchase"))],
    ),
    table(
        "scheduled_actions",
        Some("id"),
        false,
        &[
            ("id", Number("scheduled_action")),
            ("entity_number", ActionEntity),
        ],
    ),
];

/// The template's range of one counter: `[first, next)`, copied with stride `next - first`.
#[derive(Debug, Clone, Copy)]
struct Range {
    first: i64,
    next: i64,
}

impl Range {
    fn stride(&self) -> i64 {
        self.next - self.first
    }
}

#[derive(diesel::QueryableByName)]
struct Int {
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    n: Option<i64>,
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn int(conn: &mut DbConn, sql: &str) -> Result<Option<i64>, StoreError> {
    Ok(diesel::sql_query(sql).get_result::<Int>(conn)?.n)
}

fn names(conn: &mut DbConn, sql: &str) -> Result<Vec<String>, StoreError> {
    Ok(diesel::sql_query(sql)
        .load::<Name>(conn)?
        .into_iter()
        .map(|n| n.name)
        .collect())
}

fn columns(conn: &mut DbConn, table: &str) -> Result<Vec<String>, StoreError> {
    let sql = match conn {
        DbConn::Sqlite(_) => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
        DbConn::Pg(_) => format!(
            "SELECT CAST(column_name AS TEXT) AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{table}' \
             ORDER BY ordinal_position"
        ),
    };
    names(conn, &sql)
}

/// The template as found: counter ranges, the codes to rename, the column lists.
struct Template {
    ranges: Vec<(&'static str, Range)>,
    subscriptions: i64,
    /// The template's subscription numbers, in order.
    subscription_numbers: Vec<i64>,
    group_codes: Vec<String>,
    corporate_codes: Vec<String>,
    columns: Vec<Vec<String>>,
}

impl Template {
    fn range(&self, counter: &str) -> Range {
        self.ranges
            .iter()
            .find(|(n, _)| *n == counter)
            .map(|(_, r)| *r)
            .expect("a known counter")
    }

    fn read(conn: &mut DbConn) -> Result<Template, StoreError> {
        let mut ranges = Vec::new();
        for c in &COUNTERS {
            let next = counters::peek(conn, c.name)?;
            let first = int(
                conn,
                &format!("SELECT MIN({}) AS n FROM {}", c.column, c.table),
            )?
            .unwrap_or(next);
            ranges.push((c.name, Range { first, next }));
        }
        let subscription_numbers: Vec<i64> = diesel::sql_query(
            "SELECT subscription_number AS n FROM subscriptions ORDER BY subscription_number",
        )
        .load::<Int>(conn)?
        .into_iter()
        .filter_map(|r| r.n)
        .collect();
        let subscriptions = subscription_numbers.len() as i64;
        let group_codes = names(
            conn,
            "SELECT group_code AS name FROM customer_groups ORDER BY group_code",
        )?;
        let corporate_codes = names(
            conn,
            "SELECT corporate_code AS name FROM corporates ORDER BY corporate_code",
        )?;
        let columns = TABLES
            .iter()
            .map(|t| columns(conn, t.name))
            .collect::<Result<_, _>>()?;
        Ok(Template {
            ranges,
            subscriptions,
            subscription_numbers,
            group_codes,
            corporate_codes,
            columns,
        })
    }
}

/// A generated code: a letter and five base-36 digits (codes are at most 6 characters).
fn code(letter: char, mut n: i64) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut s = [b'0'; 5];
    for d in s.iter_mut().rev() {
        *d = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    format!("{letter}{}", std::str::from_utf8(&s).expect("ascii"))
}

/// Number of the copy `c` (1-based place `c.k + 1`) of a template number column.
fn shifted(col: &str, range: Range) -> String {
    format!("x.{col} + (c.k + 1) * {}", range.stride())
}

/// Bases of the generated serial values: ICCID-like (19 digits) for managed, MSISDN-like
/// (12 digits, 4478…, apart from the demo's 4477…) for the first non-managed, IMEI-like
/// (15 digits) for the others.
const ICCID_BASE: i64 = 8_944_200_000_000_000_000;
const MSISDN_BASE: i64 = 447_800_000_000;
const IMEI_BASE: i64 = 350_000_000_000_000;

fn insert_sql(t: &Table, cols: &[String], tpl: &Template, limit: i64) -> String {
    let sub = tpl.range("subscription");
    let new_sub = shifted("subscription_number", sub);
    let mut joins = String::new();
    let mut select = Vec::new();
    for col in cols {
        let remap = t.remaps.iter().find(|(c, _)| c == col).map(|(_, r)| *r);
        select.push(match remap {
            None => format!("x.{col}"),
            Some(Number(counter)) => shifted(col, tpl.range(counter)),
            Some(Code) => {
                let m = format!("m_{col}");
                // Code-keyed tables take only template rows (inner join).
                let kind = if is_own_code(t, col) {
                    "JOIN"
                } else {
                    "LEFT JOIN"
                };
                joins.push_str(&format!(
                    " {kind} synthetic_codes {m} ON {m}.k = c.k AND {m}.old_code = x.{col}"
                ));
                format!("{m}.new_code")
            }
            Some(SerialValue) => format!(
                "CAST(CASE WHEN x.kind = 'managed' THEN {ICCID_BASE} \
                 WHEN x.enumeration_id = 1 THEN {MSISDN_BASE} \
                 ELSE {IMEI_BASE} + (x.enumeration_id - 2) * 100000000000 END \
                 + {new_sub} AS TEXT)"
            ),
            Some(IdentityValue) => format!(
                "CASE WHEN x.identity_type = 'MSISDN' THEN CAST({MSISDN_BASE} + {new_sub} AS TEXT) \
                 ELSE x.identity_value || '-' || CAST({new_sub} AS TEXT) END"
            ),
            Some(ActionEntity) => format!(
                "CASE WHEN x.kind = 'BillCycleChange' THEN {} ELSE {} END",
                shifted("entity_number", tpl.range("agreement")),
                shifted("entity_number", sub)
            ),
        });
    }
    let mut filter = Vec::new();
    if let Some(key) = t.key {
        let counter = t
            .remaps
            .iter()
            .find_map(|(c, r)| match r {
                Number(n) if *c == key => Some(*n),
                _ => None,
            })
            .expect("the key is a numbered column");
        let r = tpl.range(counter);
        filter.push(format!("x.{key} >= {} AND x.{key} < {}", r.first, r.next));
    }
    if let Some(col) = t.subscription_column {
        filter.push(format!("{} < {limit}", shifted(col, sub)));
    }
    if t.name == "scheduled_actions" {
        filter.push(format!(
            "(x.kind = 'BillCycleChange' OR {} < {limit})",
            shifted("entity_number", sub)
        ));
    }
    let filter = if filter.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", filter.join(" AND "))
    };
    format!(
        "INSERT INTO {} ({}) SELECT {} FROM {} x CROSS JOIN synthetic_copies c{joins}{filter}",
        t.name,
        cols.join(", "),
        select.join(", "),
        t.name
    )
}

/// The code column that keys a code-keyed table (its own code, not a parent's).
fn is_own_code(t: &Table, col: &str) -> bool {
    matches!(
        (t.name, col),
        ("customer_groups", "group_code") | ("corporates", "corporate_code")
    )
}

/// Fills the database to `total` subscriptions by copying what it holds. `progress` is
/// told the subscriptions made so far after each transaction.
pub fn generate(
    store: &Store,
    total: i64,
    mut progress: impl FnMut(i64, i64),
) -> Result<Generated, StoreError> {
    let tpl = store.read(Template::read)?;
    if tpl.subscriptions == 0 {
        return Err(StoreError::Other(
            "synthetic data copies the database's subscriptions: load the demo first".into(),
        ));
    }
    if tpl.subscriptions > MAX_TEMPLATE_SUBSCRIPTIONS {
        return Err(StoreError::Other(format!(
            "the database already holds {} subscriptions: synthetic data starts from the demo",
            tpl.subscriptions
        )));
    }
    let sub = tpl.range("subscription");
    let wanted = (total - tpl.subscriptions).max(0);
    let per_copy = tpl.subscriptions;
    let copies = (wanted + per_copy - 1) / per_copy;
    // The last copy takes the template's first `wanted - (copies - 1) × per_copy`
    // subscriptions: those below `limit` (the template's numbers may have gaps).
    let limit = match (wanted - (copies - 1) * per_copy).checked_sub(1) {
        Some(last) if copies > 0 => {
            tpl.subscription_numbers[last as usize] + copies * sub.stride() + 1
        }
        _ => sub.next,
    };
    let inserts: Vec<String> = TABLES
        .iter()
        .zip(&tpl.columns)
        .filter(|(_, cols)| !cols.is_empty())
        .map(|(t, cols)| insert_sql(t, cols, &tpl, limit))
        .collect();
    let mut done = 0;
    while done < copies {
        let batch = COPIES_PER_TRANSACTION.min(copies - done);
        store.write(|conn| -> Result<(), StoreError> {
            conn.batch_execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS synthetic_copies (k BIGINT NOT NULL PRIMARY KEY); \
                 CREATE TEMPORARY TABLE IF NOT EXISTS synthetic_codes \
                   (k BIGINT NOT NULL, old_code TEXT NOT NULL, new_code TEXT NOT NULL, \
                    PRIMARY KEY (k, old_code)); \
                 DELETE FROM synthetic_copies; DELETE FROM synthetic_codes;",
            )?;
            for chunk in (done..done + batch).collect::<Vec<_>>().chunks(500) {
                let values: Vec<String> = chunk.iter().map(|k| format!("({k})")).collect();
                conn.batch_execute(&format!(
                    "INSERT INTO synthetic_copies (k) VALUES {}",
                    values.join(", ")
                ))?;
                let mut codes = Vec::new();
                for &k in chunk {
                    for (i, old) in tpl.group_codes.iter().enumerate() {
                        let n = k * tpl.group_codes.len() as i64 + i as i64;
                        codes.push(format!("({k}, '{old}', '{}')", code('G', n)));
                    }
                    for (i, old) in tpl.corporate_codes.iter().enumerate() {
                        let n = k * tpl.corporate_codes.len() as i64 + i as i64;
                        codes.push(format!("({k}, '{old}', '{}')", code('C', n)));
                    }
                }
                if !codes.is_empty() {
                    conn.batch_execute(&format!(
                        "INSERT INTO synthetic_codes (k, old_code, new_code) VALUES {}",
                        codes.join(", ")
                    ))?;
                }
            }
            for sql in &inserts {
                conn.batch_execute(sql)?;
            }
            Ok(())
        })?;
        done += batch;
        progress((done * per_copy).min(wanted), wanted);
    }
    store.write(|conn| -> Result<(), StoreError> {
        for (name, r) in &tpl.ranges {
            counters::ensure_above(conn, name, r.next + copies * r.stride() - 1)?;
        }
        Ok(())
    })?;
    // Fresh statistics, so PostgreSQL plans on the data as it now is.
    store.read(|c| match c {
        DbConn::Pg(_) => c.batch_execute("ANALYZE").map_err(StoreError::from),
        DbConn::Sqlite(_) => Ok(()),
    })?;
    Ok(Generated {
        copies,
        subscriptions: tpl.subscriptions + wanted,
    })
}

/// The rows of each table the generator fills, in its order (for the summary).
pub fn counts(store: &Store) -> Result<Vec<(&'static str, i64)>, StoreError> {
    store.read(|conn| {
        TABLES
            .iter()
            .map(|t| {
                let n = int(conn, &format!("SELECT COUNT(*) AS n FROM {}", t.name))?;
                Ok((t.name, n.unwrap_or(0)))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_six_characters_and_distinct() {
        assert_eq!(super::code('G', 0), "G00000");
        assert_eq!(super::code('C', 36 * 36 + 35), "C0010Z");
        assert_ne!(super::code('G', 1), super::code('G', 36));
    }
}
