//! Sandbox reset: wipe the data and load the fixtures the server was started with.
//! Lives in the gateway because fixtures are loaded through the operation registry.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cmp_core::{sandbox, Context, OpResult};
use cmp_model::messages::{ResetRequest, ResetResponse};
use cmp_model::Fault;

/// Loads a fixture file or directory, answering how many operations it ran. The loader
/// (`load::load_path`) runs requests through the registry, and the registry names
/// [`reset`]: it is handed in at start-up (`load::reload_on_reset`) so that neither module
/// imports the other.
pub type Loader = fn(&Context, &Path) -> Result<usize, String>;

/// The fixtures `POST /admin/reset` reloads, and how: set once, when `serve --sandbox`
/// starts.
static FIXTURES: OnceLock<(PathBuf, Loader)> = OnceLock::new();

pub fn set_fixtures(path: PathBuf, loader: Loader) {
    let _ = FIXTURES.set((path, loader));
}

pub fn reset(ctx: &Context, req: ResetRequest) -> OpResult<ResetResponse> {
    let Some((path, loader)) = FIXTURES.get() else {
        log::error!("request_id={} reset: no fixtures were set", ctx.request_id);
        return Err(Fault::system(&ctx.request_id));
    };
    if let Some(now) = req.now {
        sandbox::move_clock(ctx, now)?;
    }
    sandbox::wipe(ctx)?;
    let operations = loader(ctx, path).map_err(|e| {
        log::error!(
            "request_id={} reset could not reload {}: {e}",
            ctx.request_id,
            path.display()
        );
        Fault::system(&ctx.request_id)
    })?;
    Ok(ResetResponse {
        external_reference: req.external_reference,
        operations: operations as i64,
    })
}
