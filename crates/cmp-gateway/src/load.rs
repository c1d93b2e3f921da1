//! Loads fixture files (`cmp-gateway load PATH`, `serve --demo`): reference data, then
//! operation request documents run through the registry exactly as if a client had
//! posted them, so fixtures obey every rule the API does.
//!
//! A fixture file is JSON:
//! `{"billingMedia": [{"code", "description"}], "counters": {"subscription": 60270},
//!   "operations": [{"createGroup": {…}}, …]}` (each part optional; `counters` only
//! before the first subscription).
//! A directory is loaded file by file in name order. A file may also be one request
//! document: JSON `{"catalogue": {…}}` or XML `<catalogue>…</catalogue>` (the root names
//! the operation), as `cmp-gateway load catalogue.xml` imports a catalogue.

use std::path::{Path, PathBuf};

use cmp_core::catalogue::reference;
use cmp_core::Context;
use cmp_model::Limits;
use serde_json::Value;

use crate::registry;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub reference_rows: usize,
    pub operations: usize,
}

/// Makes `POST /admin/reset` reload `path` (sandbox mode).
pub fn reload_on_reset(path: PathBuf) {
    crate::sandbox::set_fixtures(path, |ctx, p| load_path(ctx, p).map(|l| l.operations));
}

/// Loads `path` (a file or a directory). Stops at the first refused document and says
/// which one and why; what was loaded before stays (each operation is its own transaction).
pub fn load_path(ctx: &Context, path: &Path) -> Result<Loaded, String> {
    let mut files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(path)
            .map_err(|e| format!("{}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "xml"))
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.sort();
    let mut total = Loaded::default();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        let label = |e: String| format!("{}: {e}", f.display());
        if f.extension().is_some_and(|x| x == "xml") {
            // One request document, e.g. a whole <catalogue>.
            let node = cmp_model::xml::parse(&text, DOCUMENT_LIMITS, false)
                .map_err(|e| label(e.message))?;
            run(ctx, &node.name.clone(), node, "document").map_err(label)?;
            total.operations += 1;
            continue;
        }
        let doc: Value = serde_json::from_str(&text).map_err(|e| label(e.to_string()))?;
        load_document(ctx, &doc, &mut total).map_err(label)?;
    }
    Ok(total)
}

/// Fixture documents may be large (a whole catalogue).
const DOCUMENT_LIMITS: Limits = Limits {
    max_depth: 32,
    max_elements: 1_000_000,
};

/// Runs one request document through its operation, as if posted.
fn run(ctx: &Context, root: &str, node: cmp_model::Node, what: &str) -> Result<(), String> {
    let op = registry::by_document_root(root)
        .ok_or_else(|| format!("{what}: no operation has the document {root}"))?;
    let op_ctx = Context {
        operation: op.name,
        ..ctx.clone()
    };
    (op.document.call)(&op_ctx, &node).map_err(|f| {
        let details: Vec<String> = f
            .errors
            .iter()
            .map(|e| e.render_text(cmp_model::fault::PathStyle::Json))
            .collect();
        format!(
            "{what} ({root}): {} {} {}",
            f.message_id,
            f.message_text,
            details.join("; ")
        )
    })?;
    Ok(())
}

fn load_document(ctx: &Context, doc: &Value, total: &mut Loaded) -> Result<(), String> {
    // A single request document (`{"catalogue": {…}}`) rather than a fixture file.
    if let Some(obj) = doc.as_object().filter(|o| o.len() == 1) {
        let (root, body) = obj.iter().next().expect("one member");
        if registry::by_document_root(root).is_some() {
            let node = cmp_model::json::parse(&body.to_string(), root, &[], DOCUMENT_LIMITS)
                .map_err(|e| e.message)?;
            run(ctx, root, node, "document")?;
            total.operations += 1;
            return Ok(());
        }
    }
    if let Some(rows) = doc.get("billingMedia").and_then(Value::as_array) {
        let rows: Vec<(String, String)> = rows
            .iter()
            .map(|r| {
                let field = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
                field("code")
                    .zip(field("description"))
                    .ok_or("billingMedia rows need code and description")
            })
            .collect::<Result<_, _>>()?;
        total.reference_rows +=
            reference::load_billing_media(ctx, &rows).map_err(|f| f.message_text)?;
    }
    if let Some(next) = doc
        .get("counters")
        .and_then(|c| c.get("subscription"))
        .and_then(Value::as_i64)
    {
        reference::set_subscription_counter(ctx, next).map_err(|f| f.message_text)?;
    }
    for (i, entry) in doc
        .get("operations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let (root, body) = entry
            .as_object()
            .and_then(|o| o.iter().next())
            .ok_or_else(|| format!("operations[{i}] must be {{\"<documentRoot>\": {{…}}}}"))?;
        let node = cmp_model::json::parse(&body.to_string(), root, &[], DOCUMENT_LIMITS)
            .map_err(|e| format!("operations[{i}]: {}", e.message))?;
        run(ctx, root, node, &format!("operations[{i}]"))?;
        total.operations += 1;
    }
    Ok(())
}
