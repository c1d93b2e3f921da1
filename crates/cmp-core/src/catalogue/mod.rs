//! The product catalogue (DOMAIN.md, Product catalogue): one document, imported whole
//! (`PUT /catalogue`), validated as a whole, stored as a new version in one transaction,
//! and read by the compatibility queries from an immutable in-memory [`Snapshot`].
//!
//! Several gateways on one database: each keeps its own snapshot and re-reads the stored
//! version at most every [`RECHECK`]; a new version is loaded and swapped atomically.

pub mod compat;
pub mod eligibility;
pub mod rating;
pub mod reference;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use cmp_model::messages::{
    paths, Catalogue, CataloguePackage, CataloguePricePlan, CatalogueService, DiscountScheme,
    GetCatalogueRequest, ImportCatalogueResponse, PackageClassification, PackageGroup,
};
use cmp_model::{Code, Fault, FieldError, FieldPath, Limits};
use cmp_store::repo::{billing_media, catalogues, subscriptions};

use crate::{Context, OpResult};

/// How stale another instance's import may look here.
pub const RECHECK: Duration = Duration::from_secs(1);

/// The groups a package is in: its primary group, then its further `packageGroups`.
pub fn package_groups_of(p: &CataloguePackage) -> impl Iterator<Item = &str> {
    p.primary_package_group_code.as_deref().into_iter().chain(
        p.package_groups
            .iter()
            .flat_map(|g| &g.package_group_code)
            .map(String::as_str),
    )
}

/// An imported catalogue with its lookups.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub version: i64,
    pub doc: Catalogue,
    plans: HashMap<String, usize>,
    packages: HashMap<String, usize>,
    services: HashMap<String, usize>,
    discounts: HashMap<String, usize>,
    groups: HashMap<String, usize>,
}

impl Snapshot {
    pub fn new(version: i64, doc: Catalogue) -> Snapshot {
        fn index<T>(items: &[T], code: impl Fn(&T) -> &str) -> HashMap<String, usize> {
            items
                .iter()
                .enumerate()
                .map(|(i, x)| (code(x).to_string(), i))
                .collect()
        }
        Snapshot {
            version,
            plans: index(plans_of(&doc), |p| &p.code),
            packages: index(packages_of(&doc), |p| &p.code),
            services: index(services_of(&doc), |s| &s.code),
            discounts: index(discounts_of(&doc), |d| &d.code),
            groups: index(groups_of(&doc), |g| &g.code),
            doc,
        }
    }

    pub fn plan(&self, code: &str) -> Option<&CataloguePricePlan> {
        self.plans.get(code).map(|i| &plans_of(&self.doc)[*i])
    }
    pub fn package(&self, code: &str) -> Option<&CataloguePackage> {
        self.packages.get(code).map(|i| &packages_of(&self.doc)[*i])
    }
    pub fn service(&self, code: &str) -> Option<&CatalogueService> {
        self.services.get(code).map(|i| &services_of(&self.doc)[*i])
    }
    pub fn discount(&self, code: &str) -> Option<&DiscountScheme> {
        self.discounts
            .get(code)
            .map(|i| &discounts_of(&self.doc)[*i])
    }
    pub fn group(&self, code: &str) -> Option<&PackageGroup> {
        self.groups.get(code).map(|i| &groups_of(&self.doc)[*i])
    }
    pub fn packages(&self) -> &[CataloguePackage] {
        packages_of(&self.doc)
    }
    pub fn plans(&self) -> &[CataloguePricePlan] {
        plans_of(&self.doc)
    }
}

fn plans_of(d: &Catalogue) -> &[CataloguePricePlan] {
    d.price_plans.as_ref().map_or(&[], |p| &p.price_plan)
}
fn packages_of(d: &Catalogue) -> &[CataloguePackage] {
    d.packages.as_ref().map_or(&[], |p| &p.package)
}
fn services_of(d: &Catalogue) -> &[CatalogueService] {
    d.services.as_ref().map_or(&[], |s| &s.service)
}
fn discounts_of(d: &Catalogue) -> &[DiscountScheme] {
    d.discount_schemes
        .as_ref()
        .map_or(&[], |s| &s.discount_scheme)
}
fn groups_of(d: &Catalogue) -> &[PackageGroup] {
    d.package_groups.as_ref().map_or(&[], |g| &g.package_group)
}

/// The snapshot every instance serves from, swapped on import.
#[derive(Default)]
pub struct CatalogueCache {
    current: RwLock<Arc<Snapshot>>,
    checked: Mutex<Option<Instant>>,
}

impl CatalogueCache {
    /// The current snapshot; re-reads the stored version when the last look is older
    /// than [`RECHECK`] (a cheap `max(version)`), and loads a newer one.
    pub fn current(&self, ctx: &Context) -> OpResult<Arc<Snapshot>> {
        let snapshot = self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let due = {
            let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
            // Until a catalogue is loaded every caller looks (version 0 is none): else the
            // requests that arrive while the first one loads it would all be answered from
            // the empty snapshot (seen with three gateways started under load).
            let due = snapshot.version == 0 || checked.is_none_or(|t| t.elapsed() >= RECHECK);
            if due {
                *checked = Some(Instant::now());
            }
            due
        };
        if !due {
            return Ok(snapshot);
        }
        let stored = ctx.read(|c| Ok(catalogues::latest_version(c)?))?;
        if stored.is_none_or(|v| v == snapshot.version) {
            return Ok(snapshot);
        }
        let row = ctx.read(|c| Ok(catalogues::latest(c)?))?;
        let Some(row) = row else { return Ok(snapshot) };
        let doc = parse_stored(&row.document).map_err(|e| {
            log::error!(
                "request_id={} stored catalogue {} does not decode: {e}",
                ctx.request_id,
                row.version
            );
            Fault::system(&ctx.request_id)
        })?;
        let fresh = Arc::new(Snapshot::new(row.version, doc));
        self.swap(fresh.clone());
        Ok(fresh)
    }

    fn swap(&self, s: Arc<Snapshot>) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = s;
    }
}

/// Stored documents are the canonical JSON rendering of the catalogue.
fn parse_stored(text: &str) -> Result<Catalogue, String> {
    let limits = Limits {
        max_depth: 32,
        max_elements: 1_000_000,
    };
    let node = cmp_model::json::parse(text, "catalogue", &[], limits).map_err(|e| e.message)?;
    cmp_model::decode_document::<Catalogue>(&node).map_err(|e| format!("{} field errors", e.len()))
}

pub fn get_catalogue(ctx: &Context, req: GetCatalogueRequest) -> OpResult<Catalogue> {
    let s = ctx.catalogue.current(ctx)?;
    Ok(Catalogue {
        external_reference: req.external_reference,
        version: Some(s.version),
        ..s.doc.clone()
    })
}

/// Validates the whole document, then stores it as the next version and makes it current.
pub fn import_catalogue(ctx: &Context, mut doc: Catalogue) -> OpResult<ImportCatalogueResponse> {
    let external_reference = doc.external_reference.take();
    doc.version = None;
    let mut errors = validate(&doc);
    let snapshot = Snapshot::new(0, doc);
    let today = ctx.clock.today();
    let media: Vec<billing_media::BillingMedia> = snapshot
        .doc
        .reference_data
        .as_ref()
        .and_then(|r| r.billing_media.as_ref())
        .map(|m| {
            m.billing_medium
                .iter()
                .map(|b| billing_media::BillingMedia {
                    code: b.code.clone(),
                    description: b.description.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let document = cmp_model::render::json(&snapshot.doc);
    let previous = ctx.catalogue.current(ctx)?;
    let version = ctx.write(|c| {
        // What subscriptions use must stay in the catalogue.
        for plan in previous
            .plans()
            .iter()
            .filter(|p| snapshot.plan(&p.code).is_none())
        {
            let n = subscriptions::count_using_plan(c, &plan.code)?;
            if n > 0 {
                errors.push(FieldError::on(
                    Code::InUse,
                    Catalogue::path().price_plans(),
                    format!(
                        "must keep price plan {}: {n} subscriptions use it",
                        plan.code
                    ),
                ));
            }
        }
        for package in previous
            .packages()
            .iter()
            .filter(|p| snapshot.package(&p.code).is_none())
        {
            let n = subscriptions::count_using_package(c, &package.code, today)?;
            if n > 0 {
                errors.push(FieldError::on(
                    Code::InUse,
                    Catalogue::path().packages(),
                    format!(
                        "must keep package {}: {n} subscriptions hold it",
                        package.code
                    ),
                ));
            }
        }
        errors.extend(rating::caps_still_used(c, &previous, &snapshot, today)?);
        for used in agreement_media_in_use(c)? {
            if !media.iter().any(|m| m.code == used) {
                errors.push(FieldError::on(
                    Code::InUse,
                    Catalogue::path().reference_data().billing_media(),
                    format!("must keep billing medium {used}: agreements use it"),
                ));
            }
        }
        errors.extend(crate::subscriptions::details_in_use(c, &snapshot, today)?);
        if !errors.is_empty() {
            return Err(Fault::validation(std::mem::take(&mut errors)).into());
        }
        let version = catalogues::next_version(c)?;
        catalogues::insert(
            c,
            &catalogues::CatalogueRow {
                version,
                imported_at: ctx.now(),
                imported_by: ctx.actor().to_string(),
                document: document.clone(),
            },
        )?;
        if !media.is_empty() {
            billing_media::replace_all(c, &media)?;
        }
        ctx.audit(c, "catalogue", version)?;
        Ok(version)
    })?;
    let counts = (
        snapshot.plans().len() as i64,
        snapshot.packages().len() as i64,
    );
    ctx.catalogue.swap(Arc::new(Snapshot {
        version,
        ..snapshot
    }));
    Ok(ImportCatalogueResponse {
        external_reference,
        version,
        price_plans: counts.0,
        packages: counts.1,
    })
}

fn agreement_media_in_use(c: &mut cmp_store::DbConn) -> Result<Vec<String>, crate::OpError> {
    Ok(cmp_store::repo::agreements::billing_media_in_use(c)?)
}

/// Item `i` of each list of the document.
fn plan_at(i: usize) -> paths::CataloguePricePlan {
    Catalogue::path().price_plans().price_plan().nth(i)
}
fn package_at(i: usize) -> paths::CataloguePackage {
    Catalogue::path().packages().package().nth(i)
}
fn service_at(i: usize) -> paths::CatalogueService {
    Catalogue::path().services().service().nth(i)
}
fn discount_at(i: usize) -> paths::DiscountScheme {
    Catalogue::path()
        .discount_schemes()
        .discount_scheme()
        .nth(i)
}
fn group_at(i: usize) -> paths::PackageGroup {
    Catalogue::path().package_groups().package_group().nth(i)
}

/// Every problem of the document as a whole: duplicate codes, references that resolve
/// to nothing (or to the wrong kind), dates out of order, cardinality min > max.
pub fn validate(doc: &Catalogue) -> Vec<FieldError> {
    let s = Snapshot::new(0, doc.clone());
    let mut errors = Vec::new();
    let mut err = |path: FieldPath, code: Code, phrase: String| {
        errors.push(FieldError::on(code, path, phrase))
    };

    fn dups<'a>(codes: impl Iterator<Item = &'a str>) -> Vec<usize> {
        let mut seen = HashSet::new();
        codes
            .enumerate()
            .filter(|(_, c)| !seen.insert(*c))
            .map(|(i, _)| i)
            .collect()
    }
    for i in dups(plans_of(doc).iter().map(|p| p.code.as_str())) {
        err(
            plan_at(i).code(),
            Code::DuplicateCode,
            "is used by another price plan".into(),
        );
    }
    for i in dups(packages_of(doc).iter().map(|p| p.code.as_str())) {
        err(
            package_at(i).code(),
            Code::DuplicateCode,
            "is used by another package".into(),
        );
    }
    for i in dups(services_of(doc).iter().map(|p| p.code.as_str())) {
        err(
            service_at(i).code(),
            Code::DuplicateCode,
            "is used by another service".into(),
        );
    }
    for i in dups(discounts_of(doc).iter().map(|p| p.code.as_str())) {
        err(
            discount_at(i).code(),
            Code::DuplicateCode,
            "is used by another discount scheme".into(),
        );
    }
    for i in dups(groups_of(doc).iter().map(|p| p.code.as_str())) {
        err(
            group_at(i).code(),
            Code::DuplicateCode,
            "is used by another package group".into(),
        );
    }

    let channels: HashSet<&str> = doc
        .reference_data
        .as_ref()
        .and_then(|r| r.sales_channels.as_ref())
        .map(|c| c.sales_channel.iter().map(|c| c.code.as_str()).collect())
        .unwrap_or_default();
    let check_channels = |e: &Option<cmp_model::messages::Eligibility>| -> Vec<String> {
        e.as_ref()
            .and_then(|e| e.sales_channels.as_ref())
            .map(|c| {
                c.sales_channel
                    .iter()
                    .filter(|c| !channels.contains(c.as_str()))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    let dates = |from: NaiveDate, to: Option<NaiveDate>| to.is_some_and(|t| t <= from);

    for (i, d) in discounts_of(doc).iter().enumerate() {
        if let Some(svc) = &d.applies_to_service_code {
            if s.service(svc).is_none() {
                err(
                    discount_at(i).applies_to_service_code(),
                    Code::UnknownReference,
                    format!("names no service ({svc})"),
                );
            }
        }
    }
    for (i, g) in groups_of(doc).iter().enumerate() {
        if g.max.is_some_and(|m| m < g.min) {
            err(
                group_at(i).max(),
                Code::InvalidCardinality,
                "is below min".into(),
            );
        }
    }
    for (i, p) in packages_of(doc).iter().enumerate() {
        for code in p.service_codes.iter().flat_map(|c| &c.service_code) {
            if s.service(code).is_none() {
                err(
                    package_at(i).service_codes().into(),
                    Code::UnknownReference,
                    format!("names no service ({code})"),
                );
            }
        }
        for code in p
            .discount_scheme_codes
            .iter()
            .flat_map(|c| &c.discount_scheme_code)
        {
            if s.discount(code).is_none() {
                err(
                    package_at(i).discount_scheme_codes().into(),
                    Code::UnknownReference,
                    format!("names no discount scheme ({code})"),
                );
            }
        }
        for g in p.package_groups.iter().flat_map(|g| &g.package_group_code) {
            if s.group(g).is_none() {
                err(
                    package_at(i).package_groups().into(),
                    Code::UnknownReference,
                    format!("names no package group ({g})"),
                );
            }
        }
        match &p.primary_package_group_code {
            Some(g) if s.group(g).is_none() => err(
                package_at(i).primary_package_group_code(),
                Code::UnknownReference,
                format!("names no package group ({g})"),
            ),
            None if p.package_classification == PackageClassification::BoltonPackage => err(
                package_at(i).primary_package_group_code(),
                Code::Mandatory,
                "is mandatory for a bolt-on package".into(),
            ),
            _ => {}
        }
        if dates(p.effective_date, p.expiry_date) {
            err(
                package_at(i).expiry_date(),
                Code::InvalidDates,
                "is not after effectiveDate".into(),
            );
        }
        for c in check_channels(&p.eligibility) {
            err(
                package_at(i).eligibility().into(),
                Code::UnknownReference,
                format!("names no sales channel ({c})"),
            );
        }
    }
    for (i, p) in plans_of(doc).iter().enumerate() {
        match s.package(&p.base_package_code) {
            None => err(
                plan_at(i).base_package_code(),
                Code::UnknownReference,
                format!("names no package ({})", p.base_package_code),
            ),
            Some(b) if b.package_classification != PackageClassification::BasePackage => err(
                plan_at(i).base_package_code(),
                Code::NotABasePackage,
                format!("names a bolt-on ({})", p.base_package_code),
            ),
            _ => {}
        }
        for g in p.package_groups.iter().flat_map(|g| &g.package_group_code) {
            if s.group(g).is_none() {
                err(
                    plan_at(i).package_groups().into(),
                    Code::UnknownReference,
                    format!("names no package group ({g})"),
                );
            }
        }
        for c in p.compatible_plans.iter().flat_map(|c| &c.plan_code) {
            if s.plan(c).is_none() || *c == p.code {
                err(
                    plan_at(i).compatible_plans().into(),
                    Code::UnknownReference,
                    format!("names no other price plan ({c})"),
                );
            }
        }
        for (field, list) in [
            (plan_at(i).default_packages(), &p.default_packages),
            (plan_at(i).retained_packages(), &p.retained_packages),
        ] {
            for c in list.iter().flat_map(|l| &l.package_code) {
                if s.package(c).is_none_or(|b| {
                    b.package_classification != PackageClassification::BoltonPackage
                }) {
                    err(
                        field.clone().into(),
                        Code::UnknownReference,
                        format!("names no bolt-on package ({c})"),
                    );
                }
            }
        }
        if dates(p.effective_date, p.expiry_date) {
            err(
                plan_at(i).expiry_date(),
                Code::InvalidDates,
                "is not after effectiveDate".into(),
            );
        }
        for c in check_channels(&p.eligibility) {
            err(
                plan_at(i).eligibility().into(),
                Code::UnknownReference,
                format!("names no sales channel ({c})"),
            );
        }
    }
    errors.extend(rating::validate(doc));
    errors
}
