//! UpdateContactDetails (SERVICES.md §5; DOMAIN.md "Contact details and workflow";
//! release notes 3.7.1.10): any field may change, none that holds a value may be erased.
//!
//! The contact types are erasable in the schema, so the decoder tells a field sent empty
//! (an empty element, `""`, JSON `null`: [`Patch::Empty`]) from one not sent, and
//! [`update_contact_details`] refuses each one sent empty that holds a value
//! (`CANNOT_ERASE`, one error per field, all in one ValidationFault). An empty field that
//! holds nothing is a no-op.

use chrono::TimeDelta;
use cmp_model::fault::FieldPath;
use cmp_model::messages::{Address, UpdateContactDetailsRequest, UpdateContactDetailsResponse};
use cmp_model::{Code, Fault, FieldError, Patch};
use cmp_store::repo::customers::{self, Customer, CustomerAddress};
use cmp_store::repo::selfcare;
use cmp_store::{db_time, StoreError};

use crate::faults::{not_found, stale};
use crate::{Context, OpResult};

/// UpdateContactDetails: merges the given fields into the customer and its addresses;
/// `lastAmendedDate`, when given, must be the stored one.
pub fn update_contact_details(
    ctx: &Context,
    req: UpdateContactDetailsRequest,
) -> OpResult<UpdateContactDetailsResponse> {
    let number = req.customer_number;
    let now = ctx.now();
    let stamp = ctx.write(|c| {
        if !selfcare::lock_customer(c, number)? {
            let at = UpdateContactDetailsRequest::path().customer_number();
            return Err(not_found(at).into());
        }
        let current = customers::get(c, number)?.ok_or(StoreError::NotFound)?;
        if let Some(t) = req.last_amended_date {
            if db_time(t.naive_utc()) != current.last_amended_at {
                return Err(stale("customer").into());
            }
        }
        let addresses = customers::addresses(c, number)?;
        let errors: Vec<FieldError> = erase_attempts(&req, &current, &addresses)
            .into_iter()
            .map(|at| FieldError::on(Code::CannotErase, at, "holds a value and cannot be erased"))
            .collect();
        if !errors.is_empty() {
            return Err(Fault::validation(errors).into());
        }
        let stamp = now.max(current.last_amended_at + TimeDelta::microseconds(1));
        let mut row = merged(&current, &req);
        row.last_amended_at = stamp;
        customers::update(c, &row)?;
        for a in req.addresses.iter().flat_map(|a| &a.address) {
            let kind = a.address_type.as_str();
            let stored = addresses
                .iter()
                .find(|s| s.address_type == kind)
                .cloned()
                .unwrap_or_else(|| CustomerAddress {
                    customer_number: number,
                    address_type: kind.to_string(),
                    ..Default::default()
                });
            customers::put_address(c, &merged_address(stored, a))?;
        }
        ctx.audit(c, "customer", number)?;
        Ok(stamp)
    })?;
    Ok(UpdateContactDetailsResponse {
        external_reference: req.external_reference,
        customer_number: number,
        last_amended_date: stamp.and_utc(),
    })
}

/// The fields the request sends empty that hold a value now, in schema order.
fn erase_attempts(
    req: &UpdateContactDetailsRequest,
    c: &Customer,
    addresses: &[CustomerAddress],
) -> Vec<FieldPath> {
    let root = UpdateContactDetailsRequest::path;
    let mut v = Vec::new();
    // `erase!(path, sent, now)`: the field at `path` is sent empty and holds a value.
    macro_rules! erase {
        ($path:expr, $sent:expr, $now:expr) => {
            if $sent.is_empty_sent() && $now.is_some() {
                v.push($path);
            }
        };
    }
    if let Some(p) = &req.personal_details {
        let at = || root().personal_details();
        erase!(at().title(), p.title, c.title);
        erase!(at().first_name(), p.first_name, c.first_name);
        erase!(at().last_name(), p.last_name, c.last_name);
        erase!(at().date_of_birth(), p.date_of_birth, c.date_of_birth);
        erase!(at().gender(), p.gender, c.gender);
        erase!(at().marital_status(), p.marital_status, c.marital_status);
        erase!(at().occupation(), p.occupation, c.occupation);
        erase!(at().id_type(), p.id_type, c.id_type);
        erase!(at().id_number(), p.id_number, c.id_number);
    }
    if let Some(b) = &req.business_details {
        let at = || root().business_details();
        erase!(at().company_name(), b.company_name, c.company_name);
        erase!(
            at().company_registration_number(),
            b.company_registration_number,
            c.company_registration_number
        );
        erase!(at().vat_number(), b.vat_number, c.vat_number);
    }
    if let Some(n) = &req.contact_details {
        let at = || root().contact_details();
        erase!(at().home_phone(), n.home_phone, c.home_phone);
        erase!(at().work_phone(), n.work_phone, c.work_phone);
        erase!(at().mobile_phone(), n.mobile_phone, c.mobile_phone);
        erase!(at().fax(), n.fax, c.fax);
        erase!(at().email(), n.email, c.email);
    }
    for (i, a) in req.addresses.iter().flat_map(|a| &a.address).enumerate() {
        let kind = a.address_type.as_str();
        let Some(s) = addresses
            .iter()
            .find(|s| s.address_type.eq_ignore_ascii_case(kind))
        else {
            continue;
        };
        let at = || root().addresses().address().nth(i);
        erase!(at().line1(), a.line1, s.line1);
        erase!(at().line2(), a.line2, s.line2);
        erase!(at().line3(), a.line3, s.line3);
        erase!(at().line4(), a.line4, s.line4);
        erase!(at().town(), a.town, s.town);
        erase!(at().county(), a.county, s.county);
        erase!(at().postcode(), a.postcode, s.postcode);
        erase!(at().country(), a.country, s.country);
    }
    v
}

/// The stored customer with every field the request gives replaced.
fn merged(current: &Customer, req: &UpdateContactDetailsRequest) -> Customer {
    fn put<T: Clone>(slot: &mut Option<T>, v: &Patch<T>) {
        if let Some(v) = v.value() {
            *slot = Some(v.clone());
        }
    }
    let mut r = current.clone();
    if let Some(p) = &req.personal_details {
        put(&mut r.title, &p.title);
        put(&mut r.first_name, &p.first_name);
        put(&mut r.last_name, &p.last_name);
        put(&mut r.date_of_birth, &p.date_of_birth);
        put(&mut r.gender, &p.gender.map(|g| g.as_str().to_string()));
        put(
            &mut r.marital_status,
            &p.marital_status.map(|m| m.as_str().to_string()),
        );
        put(&mut r.occupation, &p.occupation);
        put(&mut r.id_type, &p.id_type);
        put(&mut r.id_number, &p.id_number);
    }
    if let Some(b) = &req.business_details {
        put(&mut r.company_name, &b.company_name);
        put(
            &mut r.company_registration_number,
            &b.company_registration_number,
        );
        put(&mut r.vat_number, &b.vat_number);
    }
    if let Some(n) = &req.contact_details {
        put(&mut r.home_phone, &n.home_phone);
        put(&mut r.work_phone, &n.work_phone);
        put(&mut r.mobile_phone, &n.mobile_phone);
        put(&mut r.fax, &n.fax);
        put(&mut r.email, &n.email);
    }
    r
}

fn merged_address(mut s: CustomerAddress, a: &Address) -> CustomerAddress {
    for (slot, v) in [
        (&mut s.line1, &a.line1),
        (&mut s.line2, &a.line2),
        (&mut s.line3, &a.line3),
        (&mut s.line4, &a.line4),
        (&mut s.town, &a.town),
        (&mut s.county, &a.county),
        (&mut s.postcode, &a.postcode),
        (&mut s.country, &a.country),
    ] {
        if let Some(v) = v.value() {
            *slot = Some(v.clone());
        }
    }
    s
}
