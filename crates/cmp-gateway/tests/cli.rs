//! The binary itself: `serve --demo` on SQLite answers, refuses to listen openly without
//! a key, and stops cleanly on SIGTERM.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cmp-gateway");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

fn demo_path() -> String {
    format!("{}/../../fixtures/demo", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn serve_demo_answers_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--demo",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--demo-path",
            &demo_path(),
        ])
        .arg("--database-url")
        .arg(format!("sqlite://{}/cli.db", dir.path().display()))
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let answer = loop {
        if let Some(a) = get(port, "/accounts/10000002/agreements") {
            break a;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the gateway did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""agreementNumber":20000003"#), "{answer}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit status {exit:?}");
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("graceful"), "{log}");
    assert!(
        get(port, "/health/live").is_none(),
        "still listening after SIGTERM"
    );
}

#[test]
fn without_a_key_it_listens_only_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--bind", &format!("0.0.0.0:{}", free_port())])
        .arg("--database-url")
        .arg(format!("sqlite://{}/open.db", dir.path().display()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}
