//! Sandbox reset: wipe the data and load the fixtures the server was started with.
//! Lives in the gateway because fixtures are loaded through the operation registry.

use std::path::PathBuf;
use std::sync::OnceLock;

use cmp_core::{sandbox, Context, OpResult};
use cmp_model::messages::{ResetRequest, ResetResponse};
use cmp_model::Fault;

/// The fixtures `POST /admin/reset` reloads: set once, when `serve --sandbox` starts.
static FIXTURES: OnceLock<PathBuf> = OnceLock::new();

pub fn set_fixtures(path: PathBuf) {
    let _ = FIXTURES.set(path);
}

pub fn reset(ctx: &Context, req: ResetRequest) -> OpResult<ResetResponse> {
    let path = FIXTURES
        .get()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("fixtures/demo"));
    sandbox::wipe(ctx)?;
    let loaded = crate::load::load_path(ctx, &path).map_err(|e| {
        log::error!(
            "request_id={} reset could not reload {}: {e}",
            ctx.request_id,
            path.display()
        );
        Fault::system(&ctx.request_id)
    })?;
    Ok(ResetResponse {
        external_reference: req.external_reference,
        operations: loaded.operations as i64,
    })
}
