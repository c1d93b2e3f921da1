//! The framework ceiling for `bench/run.sh`: a bare actix-web handler answering every
//! request with a constant body (the gateway's own answer to the sample request, read once
//! from a file). Not a criterion benchmark: `cargo build --release --bench ceiling` and run
//! `ceiling ADDR BODY_FILE [WORKERS]`.

use actix_web::{web, App, HttpResponse, HttpServer};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` runs every bench target with `--bench`: nothing to do then.
    if args.is_empty() || args[0] == "--bench" {
        return Ok(());
    }
    let addr = args[0].clone();
    let body = web::Bytes::from(std::fs::read(&args[1])?);
    let workers: usize = args.get(2).and_then(|w| w.parse().ok()).unwrap_or(1);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            let body = body.clone();
            App::new().default_service(web::to(move || {
                let body = body.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/xml; charset=utf-8")
                        .body(body)
                }
            }))
        })
        .workers(workers)
        .bind(addr)?
        .run()
        .await
    })
}
