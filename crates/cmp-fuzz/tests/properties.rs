//! The property over the contract fixtures (`cmp_fuzz::property`): each single-field
//! mutation of each fixture request gets a 2xx or a fault in the request's dialect,
//! never a SystemFault, and every XML answer parses in roxmltree, every JSON answer in
//! serde_json. One test per mutation class; a class that fails on a known product bug
//! is ignored with the finding named, to be enabled when the fix lands.
//!
//! `CMP_TEST_DATABASE_URL=postgres://…` runs it on PostgreSQL.

use cmp_fuzz::mutate::Class;
use cmp_fuzz::property::{cases, check, report, unmutated};

fn holds(keep: impl Fn(Class, bool) -> bool) {
    let cases = cases(keep);
    assert!(
        cases.len() > 20,
        "only {} cases: are the fixtures there?",
        cases.len()
    );
    let started = std::time::Instant::now();
    let failures = check(&cases);
    eprintln!(
        "{} mutated requests in {:.1} s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", report(cases.len(), &failures));
}

#[test]
fn the_fixtures_themselves_pass_the_oracle() {
    let cases = unmutated();
    let failures = check(&cases);
    assert!(failures.is_empty(), "{}", report(cases.len(), &failures));
}

#[test]
fn a_wrong_type_is_refused_or_accepted_never_a_system_fault() {
    holds(|c, _| c == Class::WrongType);
}

#[test]
fn boundary_lengths_are_refused_or_accepted_never_a_system_fault() {
    holds(|c, _| c == Class::Boundary);
}

#[test]
fn forbidden_characters_are_refused_never_written_back() {
    holds(|c, _| c == Class::Forbidden);
}

#[test]
fn non_ascii_outside_dates_is_handled() {
    holds(|c, date| c == Class::NonAscii && !date);
}

#[test]
fn non_ascii_in_date_fields_is_refused_not_a_panic() {
    holds(|c, date| c == Class::NonAscii && date);
}

#[test]
fn an_absent_field_is_refused_or_accepted() {
    holds(|c, _| c == Class::Absent);
}

#[test]
fn a_repeated_field_is_refused_or_accepted() {
    holds(|c, _| c == Class::Repeated);
}
