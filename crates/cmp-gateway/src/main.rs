use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer};
use clap::Parser;
use cmp_core::{AdjustableClock, Clock, Context, SystemClock};
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
            let store = open(&db.database_url)?;
            if demo && store.is_empty().map_err(|e| e.to_string())? {
                let n = load::load_path(&context(&store), &demo_path)?;
                log::info!(
                    "demo data loaded: {} reference rows, {} operations",
                    n.reference_rows,
                    n.operations
                );
            } else if demo {
                log::info!("the database already holds data: demo data not loaded again");
            }
            let clock: Arc<dyn Clock> = if sandbox {
                log::warn!("sandbox mode: /admin/clock and /admin/reset are open");
                cmp_gateway::sandbox::set_fixtures(demo_path);
                Arc::new(AdjustableClock::default())
            } else {
                Arc::new(SystemClock)
            };
            let state = AppState {
                sandbox,
                ..AppState::new(store, clock)
            };
            serve(state, &bind, workers).map_err(|e| format!("server failed: {e}"))
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
