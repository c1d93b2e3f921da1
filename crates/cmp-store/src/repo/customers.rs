//! Customers (contact details) and their addresses.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{customer_addresses, customers};
use crate::FirstRow;
use crate::{db_time, DbConn, StoreError};

/// `customer_addresses.address_type` values (a CHECK constraint allows only these).
pub const ADDRESS_BILLING: &str = "Billing";
pub const ADDRESS_HOME: &str = "Home";
pub const ADDRESS_DELIVERY: &str = "Delivery";

#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Identifiable,
)]
#[diesel(table_name = customers, primary_key(customer_number), treat_none_as_null = true)]
pub struct Customer {
    pub customer_number: i64,
    pub title: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<String>,
    pub marital_status: Option<String>,
    pub occupation: Option<String>,
    pub id_type: Option<String>,
    pub id_number: Option<String>,
    pub company_name: Option<String>,
    pub company_registration_number: Option<String>,
    pub vat_number: Option<String>,
    pub home_phone: Option<String>,
    pub work_phone: Option<String>,
    pub mobile_phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_amended_at: NaiveDateTime,
}

pub type NewCustomer = Customer;

#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Identifiable,
)]
#[diesel(
    table_name = customer_addresses,
    primary_key(customer_number, address_type),
    treat_none_as_null = true
)]
pub struct CustomerAddress {
    pub customer_number: i64,
    /// One of `ADDRESS_BILLING`, `ADDRESS_HOME`, `ADDRESS_DELIVERY`.
    pub address_type: String,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub line3: Option<String>,
    pub line4: Option<String>,
    pub town: Option<String>,
    pub county: Option<String>,
    pub postcode: Option<String>,
    pub country: Option<String>,
}

pub type NewCustomerAddress = CustomerAddress;

fn truncated(row: &Customer) -> Customer {
    Customer {
        created_at: db_time(row.created_at),
        last_amended_at: db_time(row.last_amended_at),
        ..row.clone()
    }
}

pub fn insert(conn: &mut DbConn, row: &Customer) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    diesel::insert_into(customers::table)
        .values(&truncated(row))
        .execute(conn)?;
    Ok(())
    })
}

pub fn get(conn: &mut DbConn, customer_number: i64) -> Result<Option<Customer>, StoreError> {
    crate::on_backend!(conn => {
    Ok(customers::table
        .find(customer_number)
        .select(Customer::as_select())
        .first_row(conn)
        .optional()?)
    })
}

pub fn exists(conn: &mut DbConn, customer_number: i64) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    Ok(
        diesel::select(diesel::dsl::exists(customers::table.find(customer_number)))
            .get_result(conn)?,
    )
    })
}

/// Replaces every column but the number with `row`'s values (`None` writes NULL: the
/// "never erase" rule belongs to the caller). False when there is no such customer.
pub fn update(conn: &mut DbConn, row: &Customer) -> Result<bool, StoreError> {
    crate::on_backend!(conn => {
    let row = truncated(row);
    Ok(diesel::update(&row).set(&row).execute(conn)? == 1)
    })
}

pub fn insert_address(conn: &mut DbConn, row: &CustomerAddress) -> Result<(), StoreError> {
    crate::on_backend!(conn => {
    diesel::insert_into(customer_addresses::table)
        .values(row)
        .execute(conn)?;
    Ok(())
    })
}

/// Inserts the address, or replaces the customer's address of that type.
pub fn put_address(conn: &mut DbConn, row: &CustomerAddress) -> Result<(), StoreError> {
    if diesel::update(row).set(row).execute(conn)? == 0 {
        insert_address(conn, row)?;
    }
    Ok(())
}

/// The customer's addresses, ordered by type.
pub fn addresses(
    conn: &mut DbConn,
    customer_number: i64,
) -> Result<Vec<CustomerAddress>, StoreError> {
    crate::on_backend!(conn => {
    Ok(customer_addresses::table
        .filter(customer_addresses::customer_number.eq(customer_number))
        .order(customer_addresses::address_type)
        .select(CustomerAddress::as_select())
        .load(conn)?)
    })
}
