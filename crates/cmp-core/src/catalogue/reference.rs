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

/// Sets where subscription numbers start (demo fixtures, so the guide's sample numbers
/// exist). Only before the first subscription: numbers are never reused.
pub fn set_subscription_counter(ctx: &Context, next: i64) -> OpResult<()> {
    use cmp_store::repo::{counters, subscriptions};
    ctx.write(|c| {
        let (_, existing) = subscriptions::list(c, &Default::default(), 0, 1)?;
        if existing > 0 {
            return Err(cmp_model::Fault::new(
                cmp_model::Code::CounterInUse,
                "subscriptions exist: the counter cannot be set",
            )
            .into());
        }
        counters::set_next(c, counters::SUBSCRIPTION, next)?;
        Ok(())
    })
}
