//! UpdateContactDetails (SERVICES.md §5; DOMAIN.md "Contact details and workflow";
//! release notes 3.7.1.10): any field may change, none that holds a value may be erased.
//!
//! The decoder reads an empty element, `""` and JSON `null` as absent, so an erase attempt
//! is only visible in the request tree: [`blank_fields`] lists the fields sent empty
//! (the registry's binding calls it on the tree before decoding), and
//! [`update_contact_details`] refuses each one that holds a value (`CANNOT_ERASE`, one
//! error per field, all in one ValidationFault). An empty field that holds nothing is a
//! no-op.

use chrono::TimeDelta;
use cmp_model::fault::PathSeg;
use cmp_model::messages::{Address, UpdateContactDetailsRequest, UpdateContactDetailsResponse};
use cmp_model::{Code, Fault, FieldError, Node};
use cmp_store::repo::customers::{self, Customer, CustomerAddress};
use cmp_store::repo::selfcare;
use cmp_store::{db_time, StoreError};

use crate::faults::{not_found, stale};
use crate::{Context, OpResult};

const ROOT: &str = "updateContactDetails";

/// A field the request sends empty: an attempt to erase it.
#[derive(Debug, Clone, PartialEq)]
pub struct Blank {
    /// `personalDetails`, `businessDetails`, `contactDetails` or `addresses`.
    pub group: String,
    pub field: String,
    /// For an address field: the address's position among `address` elements and its
    /// `addressType` as sent.
    pub address: Option<(usize, String)>,
}

/// The fields of `node` (the request document) sent empty.
pub fn blank_fields(node: &Node) -> Vec<Blank> {
    let mut out = Vec::new();
    for group in ["personalDetails", "businessDetails", "contactDetails"] {
        for g in node.children.iter().filter(|c| c.name == group) {
            for f in g.children.iter().filter(|f| f.is_blank()) {
                out.push(Blank {
                    group: group.to_string(),
                    field: f.name.clone(),
                    address: None,
                });
            }
        }
    }
    for addresses in node.children.iter().filter(|c| c.name == "addresses") {
        let list = addresses.children.iter().filter(|c| c.name == "address");
        for (i, a) in list.enumerate() {
            let kind = a
                .child("addressType")
                .map(|t| t.text.trim().to_string())
                .unwrap_or_default();
            for f in a
                .children
                .iter()
                .filter(|f| f.is_blank() && f.name != "addressType")
            {
                out.push(Blank {
                    group: "addresses".to_string(),
                    field: f.name.clone(),
                    address: Some((i, kind.clone())),
                });
            }
        }
    }
    out
}

/// UpdateContactDetails: merges the given fields into the customer and its addresses;
/// `lastAmendedDate`, when given, must be the stored one.
pub fn update_contact_details(
    ctx: &Context,
    req: UpdateContactDetailsRequest,
    blanks: &[Blank],
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
        let errors: Vec<FieldError> = blanks
            .iter()
            .filter(|b| holds_value(&current, &addresses, b))
            .map(|b| {
                let mut path = vec![PathSeg::new(ROOT), PathSeg::owned(&b.group)];
                if let Some((i, _)) = &b.address {
                    path.push(PathSeg {
                        index: Some(*i),
                        ..PathSeg::new("address")
                    });
                }
                path.push(PathSeg::owned(&b.field));
                FieldError::new(
                    Code::CannotErase,
                    path,
                    "holds a value and cannot be erased",
                )
            })
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

/// Whether the field a blank names holds a value now.
fn holds_value(c: &Customer, addresses: &[CustomerAddress], b: &Blank) -> bool {
    if let Some((_, kind)) = &b.address {
        let Some(a) = addresses
            .iter()
            .find(|a| a.address_type.eq_ignore_ascii_case(kind))
        else {
            return false;
        };
        return match b.field.as_str() {
            "line1" => a.line1.is_some(),
            "line2" => a.line2.is_some(),
            "line3" => a.line3.is_some(),
            "line4" => a.line4.is_some(),
            "town" => a.town.is_some(),
            "county" => a.county.is_some(),
            "postcode" => a.postcode.is_some(),
            "country" => a.country.is_some(),
            _ => false,
        };
    }
    match (b.group.as_str(), b.field.as_str()) {
        ("personalDetails", "title") => c.title.is_some(),
        ("personalDetails", "firstName") => c.first_name.is_some(),
        ("personalDetails", "lastName") => c.last_name.is_some(),
        ("personalDetails", "dateOfBirth") => c.date_of_birth.is_some(),
        ("personalDetails", "gender") => c.gender.is_some(),
        ("personalDetails", "maritalStatus") => c.marital_status.is_some(),
        ("personalDetails", "occupation") => c.occupation.is_some(),
        ("personalDetails", "idType") => c.id_type.is_some(),
        ("personalDetails", "idNumber") => c.id_number.is_some(),
        ("businessDetails", "companyName") => c.company_name.is_some(),
        ("businessDetails", "companyRegistrationNumber") => c.company_registration_number.is_some(),
        ("businessDetails", "vatNumber") => c.vat_number.is_some(),
        ("contactDetails", "homePhone") => c.home_phone.is_some(),
        ("contactDetails", "workPhone") => c.work_phone.is_some(),
        ("contactDetails", "mobilePhone") => c.mobile_phone.is_some(),
        ("contactDetails", "fax") => c.fax.is_some(),
        ("contactDetails", "email") => c.email.is_some(),
        _ => false,
    }
}

/// The stored customer with every field the request gives replaced.
fn merged(current: &Customer, req: &UpdateContactDetailsRequest) -> Customer {
    fn put<T: Clone>(slot: &mut Option<T>, v: &Option<T>) {
        if v.is_some() {
            slot.clone_from(v);
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
        if v.is_some() {
            slot.clone_from(v);
        }
    }
    s
}
