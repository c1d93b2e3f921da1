//! The property over the contract fixtures: every single-field mutation of every fixture
//! request (wrong type, boundary length, forbidden character, non-ASCII, absent,
//! repeated) is answered with a 2xx or a fault in the request's dialect, never a
//! SystemFault, and with a body roxmltree or serde_json reads.
//!
//! Bounded: a mutation is tried once per (operation, dialect, route, field, variant),
//! not once per fixture that has the field, and each class has its own bounded set of
//! variants ([`mutate::edits`] with `all = false`).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use cmp_gateway::registry;

use crate::app::AppHarness;
use crate::fixtures;
use crate::input::Request;
use crate::mutate::{self, Class, Shape};
use crate::oracle::{check_answer, Finding};
use crate::run::{route, signature};

/// One mutated request.
pub struct Case {
    /// `CreateAgreement/success.json agreementData.billingCycle: json 3.0`.
    pub label: String,
    pub class: Class,
    /// A date field: its name says so (`dateOfBirth`, `lastAmendedDate`) or its value in
    /// the fixture looks like a date.
    pub date: bool,
    pub request: Request,
}

/// Every single-field mutation of the fixtures, of the classes `keep` accepts
/// (`keep(class, is_date_field)`).
pub fn cases(keep: impl Fn(Class, bool) -> bool) -> Vec<Case> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for f in fixtures::load() {
        let op = registry::by_name(f.operation);
        let shape = Shape::of(&f.request, op);
        for field in shape.fields() {
            let (orig, json_string) = shape.value(&field);
            let name = shape.name(&field);
            let leaf = name.rsplit(['/', '.', '?']).next().unwrap_or_default();
            let date = mutate::is_date_like(&orig) || leaf.to_ascii_lowercase().contains("date");
            for class in mutate::CLASSES {
                if !keep(class, date) {
                    continue;
                }
                for (variant, edit) in
                    mutate::edits(class, shape.syntax(&field), &orig, json_string, false)
                {
                    let key = (
                        f.operation,
                        f.file_dialect,
                        route(&f.request),
                        name.clone(),
                        class,
                        variant.clone(),
                    );
                    if !seen.insert(key) {
                        continue;
                    }
                    out.push(Case {
                        label: format!("{} {name}: {variant}", f.label()),
                        class,
                        date,
                        request: shape.apply(&field, &edit),
                    });
                }
            }
        }
    }
    out
}

/// The unmutated fixture requests, as cases.
pub fn unmutated() -> Vec<Case> {
    fixtures::load()
        .into_iter()
        .map(|f| Case {
            label: f.label(),
            class: Class::Absent,
            date: false,
            request: f.request,
        })
        .collect()
}

/// Sends every case to one demo gateway; returns the failures (label, finding).
pub fn check(cases: &[Case]) -> Vec<(String, Finding)> {
    crate::run::install_panic_hook();
    let app = AppHarness::demo();
    let mut failures = Vec::new();
    for c in cases {
        let r = crate::run::quietly(|| app.send(&c.request, Duration::from_secs(10)))
            .and_then(|a| a.map_or(Ok(()), |a| check_answer(&c.request, &a)));
        if let Err(f) = r {
            failures.push((c.label.clone(), f));
        }
    }
    failures
}

/// A failure report: the count per finding class with an example of each, then every
/// failing case (up to a bound).
pub fn report(total: usize, failures: &[(String, Finding)]) -> String {
    let mut classes: BTreeMap<String, (usize, &str, &Finding)> = BTreeMap::new();
    for (label, f) in failures {
        let e = classes.entry(signature(f)).or_insert((0, label, f));
        e.0 += 1;
    }
    let mut out = format!(
        "{} of {total} mutated requests failed the oracle:\n",
        failures.len()
    );
    for (sig, (n, label, f)) in &classes {
        out.push_str(&format!(
            "  {n:>5} × {sig}\n        e.g. {label}\n        {}\n",
            crate::decoders::clip(&f.detail)
        ));
    }
    for (label, f) in failures.iter().take(40) {
        out.push_str(&format!(
            "- {label}\n    {}\n",
            crate::decoders::clip(&f.to_string())
        ));
    }
    out
}
