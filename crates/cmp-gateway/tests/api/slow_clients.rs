//! A real server on 127.0.0.1:0, spoken to over TCP: slow clients (a body or a head that
//! never completes) get a 408 and their connection closes within the limit; HEAD sends no
//! body; a head past the framework's own limit gets its bare 431.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpServer};
use cmp_gateway::configure;

use crate::helpers::*;

const LIMIT: Duration = Duration::from_secs(1);

/// The demo behind a real server whose head and body deadlines are [`LIMIT`].
fn serve(app: &TestApp) -> (SocketAddr, ServerHandle) {
    let mut state = app.state.clone();
    state.body_timeout = LIMIT;
    let server = HttpServer::new(move || App::new().configure(configure(state.clone())))
        .workers(1)
        .client_request_timeout(LIMIT)
        .bind("127.0.0.1:0")
        .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (addr, handle)
}

/// Sends `request` and reads until the server closes the connection (failing after 10 s):
/// what came back, and how long the server took to close.
async fn exchange(addr: SocketAddr, request: Vec<u8>) -> (String, Duration) {
    web::block(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let started = Instant::now();
        // A server that refuses early may close before all is sent, and reset the
        // connection: what it answered before that is what counts.
        let _ = s.write_all(&request);
        let mut out = Vec::new();
        match s.read_to_end(&mut out) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!("the server did not close the connection within 10 s: {e}"),
        }
        (
            String::from_utf8_lossy(&out).into_owned(),
            started.elapsed(),
        )
    })
    .await
    .unwrap()
}

#[actix_web::test]
async fn a_body_that_never_completes_gets_408_and_the_connection_closes() {
    let app = spawn_demo();
    let (addr, handle) = serve(&app);
    let body = r#"{"accountNumber":10000001}"#;
    let half = format!(
        "POST /ws/GetAccount HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..10]
    );
    let (answer, took) = exchange(addr, half.into_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("\"messageId\":\"REQUEST_TIMEOUT\""),
        "{answer}"
    );
    assert!(took < LIMIT * 4, "closed after {took:?}");

    // SOAP: the fault in SOAP (HTTP 500, as every SOAP fault), and closed too.
    let half = "POST /ws/dise3g/services/AgreementPort HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 400\r\n\r\n<s:Envelope";
    let (answer, took) = exchange(addr, half.as_bytes().to_vec()).await;
    assert!(answer.starts_with("HTTP/1.1 500"), "{answer}");
    assert!(
        answer.contains("<MessageId>REQUEST_TIMEOUT</MessageId>"),
        "{answer}"
    );
    assert!(took < LIMIT * 4, "closed after {took:?}");

    // The server still answers.
    let (answer, _) = exchange(
        addr,
        b"GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    handle.stop(true).await;
}

#[actix_web::test]
async fn a_head_that_never_completes_gets_408_and_the_connection_closes() {
    let app = spawn_app();
    let (addr, handle) = serve(&app);
    let (answer, took) = exchange(
        addr,
        b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ".to_vec(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(took < LIMIT * 4, "closed after {took:?}");
    handle.stop(true).await;
}

#[actix_web::test]
async fn head_sends_the_headers_of_get_and_no_body() {
    let app = spawn_demo();
    let (addr, handle) = serve(&app);
    let ask = |method: &str| {
        format!("{method} /accounts/10000001 HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n")
            .into_bytes()
    };
    let (get, _) = exchange(addr, ask("GET")).await;
    let (head, _) = exchange(addr, ask("HEAD")).await;
    let split = |a: &str| {
        let (h, b) = a.split_once("\r\n\r\n").unwrap();
        let length = h.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_string)
        });
        (h.lines().next().unwrap().to_string(), length, b.to_string())
    };
    let (get_status, get_length, get_body) = split(&get);
    let (head_status, head_length, head_body) = split(&head);
    assert_eq!(
        (get_status.as_str(), head_status.as_str()),
        ("HTTP/1.1 200 OK", "HTTP/1.1 200 OK")
    );
    assert!(!get_body.is_empty());
    assert_eq!(head_body, "", "{head}");
    assert_eq!(head_length, get_length);
    handle.stop(true).await;
}

/// Past 128 KiB of head, actix answers 431 itself, before any handler: no body can be
/// given (docs/decisions.md). Below it the gateway's own limit answers with a fault.
#[actix_web::test]
async fn a_head_over_the_limits_gets_a_fault_and_past_the_framework_limit_a_bare_431() {
    let app = spawn_app();
    let (addr, handle) = serve(&app);
    let huge = format!(
        "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(140 * 1024)
    );
    let (answer, _) = exchange(addr, huge.into_bytes()).await;
    // The 431 is read unless the reset of the unread rest overtakes it.
    let head = &answer[..answer.len().min(300)];
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
        "{head}"
    );
    assert!(!answer.contains("messageId"), "{head}");
    let big = format!(
        "GET /health/live HTTP/1.1\r\nHost: x\r\nAccept: application/xml\r\nX-Big: {}\r\n\r\n",
        "b".repeat(40 * 1024)
    );
    // Below it, the gateway's limits: a fault body, and the connection closes at once
    // (not after the 5 s keep-alive).
    let (answer, took) = exchange(addr, big.into_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert!(
        answer.contains("<messageId>HEADERS_TOO_LARGE</messageId>"),
        "{answer}"
    );
    assert!(took < Duration::from_secs(3), "closed after {took:?}");
    let long = format!(
        "GET /health/live?x={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(9 * 1024)
    );
    let (answer, took) = exchange(addr, long.into_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 414"), "{answer}");
    assert!(
        answer.contains("\"messageId\":\"URI_TOO_LONG\""),
        "{answer}"
    );
    assert!(took < Duration::from_secs(3), "closed after {took:?}");
    handle.stop(true).await;
}
