use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer};
use clap::Parser;
use cmp_core::{Context, SystemClock};
use cmp_gateway::cli::{Cli, Command};
use cmp_gateway::{configure, load, scheduler, AppState};
use cmp_store::{PoolOptions, Store};

fn main() -> std::process::ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            log::error!("{e}");
            eprintln!("cmp-gateway: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn open(url: &str) -> Result<Store, String> {
    Store::open(url, PoolOptions::default()).map_err(|e| format!("cannot open the database: {e}"))
}

fn context(store: &Store) -> Context {
    Context::new(store.clone(), Arc::new(SystemClock), "cli")
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Migrate { db } => {
            open(&db.database_url)?;
            println!("migrations applied");
            Ok(())
        }
        Command::Load { path, db } => {
            let store = open(&db.database_url)?;
            let n = load::load_path(&context(&store), &path)?;
            println!(
                "loaded {} reference rows and {} operations from {}",
                n.reference_rows,
                n.operations,
                path.display()
            );
            Ok(())
        }
        Command::Serve {
            bind,
            db,
            demo,
            demo_path,
            sandbox,
            workers,
        } => {
            if sandbox {
                return Err(
                    "--sandbox is not available yet (test clock, reset and outbox routes)".into(),
                );
            }
            let store = open(&db.database_url)?;
            if demo {
                if store.is_empty().map_err(|e| e.to_string())? {
                    let n = load::load_path(&context(&store), &demo_path)?;
                    log::info!(
                        "demo data loaded: {} reference rows, {} operations",
                        n.reference_rows,
                        n.operations
                    );
                } else {
                    log::info!("the database already holds data: demo data not loaded again");
                }
            }
            serve(AppState::new(store, Arc::new(SystemClock)), &bind, workers)
                .map_err(|e| format!("server failed: {e}"))
        }
    }
}

#[actix_web::main]
async fn serve(state: AppState, bind: &str, workers: Option<usize>) -> std::io::Result<()> {
    scheduler::spawn(state.clone(), Duration::from_secs(60));
    let mut server =
        HttpServer::new(move || App::new().configure(configure(state.clone()))).bind(bind)?;
    if let Some(n) = workers {
        server = server.workers(n);
    }
    log::info!("CMP gateway listening on http://{bind}");
    server.run().await
}
