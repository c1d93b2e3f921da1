//! The database goes away and comes back: requests get 503 with Retry-After within the
//! configured wait, /health/ready fails, and everything recovers without a restart.
//! PostgreSQL only (CMP_TEST_DATABASE_URL): the database is reached through a TCP proxy
//! this test can cut.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{test, App};
use cmp_core::SystemClock;
use cmp_gateway::{configure, AppState};
use cmp_store::{PoolOptions, Store, TestDb};

/// Forwards 127.0.0.1:<port> to `target` while `up`; cutting it closes every connection.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (up2, open2) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !up2.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                open2
                    .lock()
                    .unwrap()
                    .extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Proxy { port, up, open }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

#[actix_web::test]
async fn a_lost_database_answers_503_and_recovers_without_a_restart() {
    let Ok(url) = std::env::var("CMP_TEST_DATABASE_URL") else {
        eprintln!("CMP_TEST_DATABASE_URL is not set: the outage test runs on PostgreSQL only");
        return;
    };
    let db = TestDb::new();
    let host = url
        .split('@')
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or("127.0.0.1:5432")
        .to_string();
    let proxy = Proxy::start(host.clone());
    let proxied = db
        .url()
        .replacen(&host, &format!("127.0.0.1:{}", proxy.port), 1);
    let wait = Duration::from_secs(1);
    let store = Store::open(
        &proxied,
        PoolOptions {
            max_size: Some(2),
            connection_timeout: Some(wait),
        },
    )
    .unwrap();
    let state = AppState::new(store, Arc::new(SystemClock));
    let app = test::init_service(App::new().configure(configure(state))).await;
    let get = |path: &'static str| {
        test::TestRequest::get()
            .uri(path)
            .insert_header(("accept", "application/json"))
            .to_request()
    };
    let body = r#"{"groupCode":"OUT1","description":"Before the outage"}"#;
    let create = |code: &str| {
        test::TestRequest::post()
            .uri("/groups")
            .insert_header(("content-type", "application/json"))
            .set_payload(body.replace("OUT1", code))
            .to_request()
    };

    assert_eq!(test::call_service(&app, create("OUT1")).await.status(), 201);
    assert_eq!(
        test::call_service(&app, get("/health/ready"))
            .await
            .status(),
        200
    );

    proxy.cut();
    let started = Instant::now();
    let resp = test::call_service(&app, create("OUT2")).await;
    assert_eq!(resp.status(), 503);
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let fault: serde_json::Value = serde_json::from_slice(&test::read_body(resp).await).unwrap();
    assert_eq!(fault["fault"], "ServiceUnavailableFault");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered after {:?}",
        started.elapsed()
    );
    assert_eq!(
        test::call_service(&app, get("/health/ready"))
            .await
            .status(),
        503
    );

    proxy.restore();
    let mut recovered = false;
    for _ in 0..20 {
        if test::call_service(&app, create("OUT3")).await.status() == 201 {
            recovered = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(recovered, "the gateway did not recover");
    assert_eq!(
        test::call_service(&app, get("/health/ready"))
            .await
            .status(),
        200
    );
}
