//! `cmp-gateway load --synthetic N`: the demo (loaded through the operations into an empty
//! database) copied in bulk by `cmp_store::synthetic` until there are N subscriptions, with
//! a progress line on stderr.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use cmp_core::Context;
use cmp_store::synthetic::{self, Generated};

use crate::load;

/// Loads the demo from `demo_path` if the database is empty, then fills it to `total`
/// subscriptions.
pub fn load_synthetic(ctx: &Context, demo_path: &Path, total: i64) -> Result<Generated, String> {
    if total < 0 {
        return Err("--synthetic wants a number of subscriptions, 0 or more".into());
    }
    if ctx.store.is_empty().map_err(|e| e.to_string())? {
        load::load_path(ctx, demo_path)?;
    }
    let started = Instant::now();
    let mut err = std::io::stderr();
    let made = synthetic::generate(&ctx.store, total, |done, wanted| {
        let pct = if wanted == 0 {
            100
        } else {
            done * 100 / wanted
        };
        let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-3);
        let _ = write!(
            err,
            "\rsynthetic: {done}/{wanted} subscriptions ({pct}%), {rate:.0}/s   "
        );
        let _ = err.flush();
    })
    .map_err(|e| e.to_string())?;
    let _ = writeln!(err);
    Ok(made)
}
