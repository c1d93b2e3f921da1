//! One real server on port 0, spoken to over TCP: the binary's wiring, not just the
//! in-process service.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use actix_web::{App, HttpServer};
use cmp_core::SystemClock;
use cmp_gateway::{configure, AppState};
use cmp_store::TestDb;

fn http(addr: std::net::SocketAddr, request: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[actix_web::test]
async fn a_server_on_port_0_answers_health_and_an_operation() {
    let db = TestDb::new();
    let state = AppState::new(db.store(), Arc::new(SystemClock));
    let server = HttpServer::new(move || App::new().configure(configure(state.clone())))
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let (live, created) = actix_web::web::block(move || {
        let live = http(addr, "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let body = r#"{"groupCode":"SMOKE","description":"Smoke test"}"#;
        let created = http(
            addr,
            &format!(
                "POST /groups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        );
        (live, created)
    })
    .await
    .unwrap();
    handle.stop(true).await;
    assert!(live.starts_with("HTTP/1.1 200"), "{live}");
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    assert!(created.contains(r#"{"groupCode":"SMOKE"}"#), "{created}");
}
