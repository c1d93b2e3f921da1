//! The consoles (issue 13), served by the gateway itself from files compiled in with
//! `include_bytes!` (no CDN, so an offline deployment has them too):
//!
//! | route | what |
//! |---|---|
//! | `GET /docs` | the API console: Swagger UI on `/openapi.json`, "try it" against this gateway |
//! | `GET /docs/reference` | the generated reference page ([`crate::publish::docs`]) |
//! | `GET /docs/assets/{file}` | Swagger UI (`assets/swagger-ui`, pinned by `fetch.sh`, with its licence) and the consoles' own script and style (`assets/console`) |
//! | `GET /admin/console` | the sandbox console (`--sandbox` only): clock, outbox, audit trail, reset |
//!
//! The pages are static; everything they show comes from the gateway's JSON API, which
//! checks the caller's key and role on each call (the sandbox console's calls need the
//! admin role), so serving the page itself needs no key.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};

const HTML: &str = "text/html; charset=UTF-8";
const JS: &str = "text/javascript; charset=UTF-8";
const CSS: &str = "text/css; charset=UTF-8";
const TEXT: &str = "text/plain; charset=UTF-8";

/// A file under `/docs/assets/`.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($dir:literal, $name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/assets/",
                $dir,
                "/",
                $name
            )),
        }
    };
}

static ASSETS: &[Asset] = &[
    asset!("swagger-ui", "swagger-ui-bundle.js", JS),
    asset!("swagger-ui", "swagger-ui-bundle.js.LICENSE.txt", TEXT),
    asset!("swagger-ui", "swagger-ui.css", CSS),
    asset!("swagger-ui", "LICENSE", TEXT),
    asset!("swagger-ui", "NOTICE", TEXT),
    asset!("swagger-ui", "VERSION", TEXT),
    asset!("console", "docs.js", JS),
    asset!("console", "admin.js", JS),
    asset!("console", "console.css", CSS),
];

const DOCS_PAGE: &[u8] = include_bytes!("../assets/console/docs.html");
const ADMIN_PAGE: &[u8] = include_bytes!("../assets/console/admin.html");

/// The console routes; the sandbox console only when `sandbox`. Registered before the
/// REST routes.
pub fn routes(sandbox: bool) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.route("/docs", crate::get_or_head().to(docs_page))
            .route("/docs/assets/{file}", crate::get_or_head().to(asset));
        if sandbox {
            cfg.route("/admin/console", crate::get_or_head().to(admin_page));
        }
    }
}

fn ok(content_type: &'static str, body: &'static [u8]) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(content_type)))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-cache")))
        .body(body)
}

async fn docs_page() -> HttpResponse {
    ok(HTML, DOCS_PAGE)
}

async fn admin_page() -> HttpResponse {
    ok(HTML, ADMIN_PAGE)
}

async fn asset(req: HttpRequest) -> HttpResponse {
    let file = req.match_info().get("file").unwrap_or_default();
    match ASSETS.iter().find(|a| a.name == file) {
        Some(a) => ok(a.content_type, a.body),
        None => {
            let names: Vec<&str> = ASSETS.iter().map(|a| a.name).collect();
            crate::respond::fault(
                &crate::dispatch::fallback_dialect(&req),
                &cmp_model::Fault::new(
                    cmp_model::Code::NoSuchRoute,
                    format!("there is no asset {file}; assets: {}", names.join(", ")),
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file the pages load is served, and the licence ships with the bundle.
    #[test]
    fn the_pages_load_only_served_assets() {
        for page in [DOCS_PAGE, ADMIN_PAGE] {
            let page = std::str::from_utf8(page).unwrap();
            for link in page.split("\"/docs/assets/").skip(1) {
                let name = link.split('"').next().unwrap();
                assert!(ASSETS.iter().any(|a| a.name == name), "{name}");
            }
        }
        assert!(ASSETS.iter().any(|a| a.name == "LICENSE"));
    }
}
