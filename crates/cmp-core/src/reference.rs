//! Reference data needed by the customer-structure operations (billing media codes),
//! loaded from fixtures until the catalogue document (issue 3) carries it.

use cmp_store::repo::billing_media::{self, BillingMedia};

use crate::{Context, OpResult};

/// Inserts billing media codes that are not there yet (loading twice changes nothing).
pub fn load_billing_media(ctx: &Context, rows: &[(String, String)]) -> OpResult<usize> {
    ctx.write(|c| {
        let mut added = 0;
        for (code, description) in rows {
            if !billing_media::exists(c, code)? {
                billing_media::insert(
                    c,
                    &BillingMedia {
                        code: code.clone(),
                        description: description.clone(),
                    },
                )?;
                ctx.audit(c, "billingMedia", code)?;
                added += 1;
            }
        }
        Ok(added)
    })
}
