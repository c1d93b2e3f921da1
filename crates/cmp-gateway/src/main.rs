use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer};
use clap::Parser;
use cmp_core::keys::{self, Role};
use cmp_core::{AdjustableClock, Clock, Context, SystemClock};
use cmp_gateway::cli::{Cli, Command, KeysCommand};
use cmp_gateway::{configure, load, scheduler, synthetic, AppState};
use cmp_store::{PoolOptions, Store};

// Per request the gateway allocates and frees blocks the size of the answer (the body,
// the request tree, the typed answer, the text); glibc's malloc spent a fifth of the time
// on them (docs/performance.md, "Profile").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        Command::Load {
            synthetic: Some(n),
            demo_path,
            db,
            ..
        } => {
            let store = open(&db.database_url)?;
            let started = std::time::Instant::now();
            let made = synthetic::load_synthetic(&context(&store), &demo_path, n)?;
            println!(
                "{} subscriptions ({} copies of the demo) in {:.1} s",
                made.subscriptions,
                made.copies,
                started.elapsed().as_secs_f64()
            );
            for (table, n) in cmp_store::synthetic::counts(&store).map_err(|e| e.to_string())? {
                println!("  {table}: {n}");
            }
            Ok(())
        }
        Command::Load { path, db, .. } => {
            let path = path.ok_or("a fixture path or --synthetic N")?;
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
        Command::Keys { command } => {
            let db = cmp_gateway::cli::DbArgs {
                database_url: command.database_url().to_string(),
            };
            let ctx = Context {
                caller: Some("cli".into()),
                operation: "ManageKeys",
                ..context(&open(&db.database_url)?)
            };
            keys_command(&ctx, command)
        }
        Command::Serve {
            bind,
            db,
            demo,
            demo_path,
            sandbox,
            workers,
            max_body,
            request_timeout,
            header_timeout,
            body_timeout,
            max_uri,
            max_header_bytes,
            db_wait_ms,
            db_pool,
        } => {
            let pool = PoolOptions {
                max_size: db_pool,
                connection_timeout: Some(Duration::from_millis(db_wait_ms)),
            };
            let store = Store::open(&db.database_url, pool)
                .map_err(|e| format!("cannot open the database: {e}"))?;
            check_exposure(&context(&store), &bind)?;
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
                log::warn!("sandbox mode: /admin/clock and /admin/reset are served (admin role)");
                load::reload_on_reset(demo_path);
                Arc::new(AdjustableClock::default())
            } else {
                Arc::new(SystemClock)
            };
            let state = AppState {
                sandbox,
                max_body,
                request_timeout: Duration::from_secs(request_timeout),
                body_timeout: Duration::from_secs(body_timeout),
                max_uri,
                max_header_bytes,
                ..AppState::new(store, clock)
            };
            let header_timeout = Duration::from_secs(header_timeout);
            serve(state, &bind, workers, header_timeout).map_err(|e| format!("server failed: {e}"))
        }
    }
}

fn keys_command(ctx: &Context, command: KeysCommand) -> Result<(), String> {
    let fault = |f: cmp_model::Fault| format!("{}: {}", f.message_id, f.message_text);
    match command {
        KeysCommand::Add { name, role, .. } => {
            let role = Role::parse(&role).ok_or("the role is read, write or admin")?;
            let key = keys::add_key(ctx, &name, role).map_err(fault)?;
            eprintln!(
                "key {name} ({}) created; it is shown only this once:",
                role.as_str()
            );
            println!("{key}");
        }
        KeysCommand::List { .. } => {
            for k in keys::list_keys(ctx).map_err(fault)? {
                let state = k
                    .revoked_at
                    .map_or("active".to_string(), |t| format!("revoked {t}"));
                println!("{}\t{}\tcreated {}\t{state}", k.name, k.role, k.created_at);
            }
        }
        KeysCommand::Revoke { name, .. } => {
            if !keys::revoke_key(ctx, &name).map_err(fault)? {
                return Err(format!("no active key named {name}"));
            }
            println!("key {name} revoked");
        }
    }
    Ok(())
}

/// Without any API key the gateway is open: allowed on a loopback address only.
fn check_exposure(ctx: &Context, bind: &str) -> Result<(), String> {
    if keys::any_active(ctx).map_err(|f| f.message_text)? {
        return Ok(());
    }
    let addrs: Vec<std::net::SocketAddr> = std::net::ToSocketAddrs::to_socket_addrs(bind)
        .map_err(|e| format!("cannot bind {bind}: {e}"))?
        .collect();
    if addrs.iter().all(|a| a.ip().is_loopback()) {
        log::warn!("no API key is configured: the gateway is open to anyone on this machine (add one with `cmp-gateway keys add NAME --role admin`)");
        Ok(())
    } else {
        Err(format!("no API key is configured, so the gateway may listen only on a loopback address, not {bind}: add a key with `cmp-gateway keys add NAME --role admin`"))
    }
}

#[actix_web::main]
async fn serve(
    state: AppState,
    bind: &str,
    workers: Option<usize>,
    header_timeout: Duration,
) -> std::io::Result<()> {
    scheduler::spawn(state.clone(), Duration::from_secs(60));
    // The head has its own deadline (the framework answers a bare 408 past it); the body's
    // is `AppState::body_timeout`, the operation's `request_timeout`.
    // Operations run on each worker's blocking threads and each holds a database
    // connection: more threads than connections only wait in the pool, each with its own
    // stack and allocator heap (64 of them under 64 connections: 4 times the memory, and
    // the switches between them). Requests beyond wait in the queue, within their timeout.
    let blocking_threads = state.store.pool().max_size() as usize;
    let mut server = HttpServer::new(move || App::new().configure(configure(state.clone())))
        .client_request_timeout(header_timeout)
        .worker_max_blocking_threads(blocking_threads.max(2))
        .bind(bind)?;
    if let Some(n) = workers {
        server = server.workers(n);
    }
    log::info!("CMP gateway listening on http://{bind}");
    // SIGTERM/SIGINT: stop accepting, let in-flight requests finish (up to 30 s), exit.
    let result = server.shutdown_timeout(30).run().await;
    log::info!("CMP gateway stopped (graceful shutdown)");
    result
}
