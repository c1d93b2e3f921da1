//! Three gateway processes (the real binary) on one PostgreSQL database under a mixed load
//! (docs/scaling.md): no 5xx, no duplicate number, no lost update. PostgreSQL only
//! (CMP_TEST_DATABASE_URL); on SQLite there is one file and one writer.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cmp_store::repo::usage;
use cmp_store::TestDb;

const GATEWAY: &str = env!("CARGO_BIN_EXE_cmp-gateway");
const CLIENTS_PER_GATEWAY: usize = 6;
const ROUNDS: usize = 10;

struct Gateway {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// (status, body) of one request on its own connection.
fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

fn start(url: &str) -> Gateway {
    let addr = free_addr();
    let mut child = Command::new(GATEWAY)
        .args(["serve", "--bind", &addr.to_string(), "--database-url", url])
        .args(["--workers", "2"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a gateway");
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(addr).is_ok() && http(addr, "GET", "/health/ready", "").0 == 200 {
            return Gateway { child, addr };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("gateway on {addr} not ready");
}

fn number(body: &str, field: &str) -> i64 {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    v[field]
        .as_i64()
        .unwrap_or_else(|| panic!("no {field}: {body}"))
}

#[test]
fn three_gateways_on_one_postgresql_database_lose_nothing_and_number_once() {
    if std::env::var("CMP_TEST_DATABASE_URL").is_err() {
        eprintln!(
            "CMP_TEST_DATABASE_URL is not set: the three-gateway test runs on PostgreSQL only"
        );
        return;
    }
    let db = TestDb::new();
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/demo");
    let loaded = Command::new(GATEWAY)
        .args(["load", demo, "--database-url", db.url()])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(loaded.status.success(), "{loaded:?}");
    let gateways: Vec<Gateway> = (0..3).map(|_| start(db.url())).collect();

    // Each client, on its gateway: a subscription created, one SMS recorded on the shared
    // subscription 60272, an agreement created, a read; ROUNDS times.
    let clients: Vec<_> = gateways
        .iter()
        .flat_map(|g| std::iter::repeat_n(g.addr, CLIENTS_PER_GATEWAY))
        .map(|addr| {
            std::thread::spawn(move || {
                let mut made = (Vec::new(), Vec::new(), Vec::new());
                for _ in 0..ROUNDS {
                    let (st, body) = http(
                        addr,
                        "POST",
                        "/accounts/10000001/subscriptions",
                        r#"{"pricePlanCode":"SIMO12","activate":false}"#,
                    );
                    assert_eq!(st, 201, "CreateSubscription: {body}");
                    made.0.push(number(&body, "subscriptionNumber"));
                    let (st, body) = http(
                        addr,
                        "POST",
                        "/subscriptions/60272/usage",
                        r#"{"usage":[{"type":"SMS","quantity":1}]}"#,
                    );
                    assert_eq!(st, 201, "RecordUsage: {body}");
                    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                    made.1.push(v["periodStart"].as_str().unwrap().to_string());
                    let (st, body) = http(
                        addr,
                        "POST",
                        "/agreements",
                        r#"{"agreementData":{"billingCycle":10,"invoiceConsolidationLevel":"Account","invoiceReceiptAddress":"Account","accountCode":10000004,"billingMedia":"PAPER"}}"#,
                    );
                    assert!(st == 200 || st == 201, "CreateAgreement {st}: {body}");
                    made.2.push(number(&body, "agreementNumber"));
                    let (st, body) = http(addr, "GET", "/subscriptions/60272", "");
                    assert_eq!(st, 200, "GetSubscription: {body}");
                }
                made
            })
        })
        .collect();
    let (mut subs, mut periods, mut agreements) = (Vec::new(), Vec::new(), Vec::new());
    for c in clients {
        let (s, p, a) = c.join().expect("a client failed");
        subs.extend(s);
        periods.extend(p);
        agreements.extend(a);
    }
    let n = 3 * CLIENTS_PER_GATEWAY * ROUNDS;
    for (what, mut numbers) in [("subscription", subs), ("agreement", agreements)] {
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), n, "{what} numbers handed out twice");
    }
    // No lost update: the period counts every record, and record numbers are 1..=records.
    periods.dedup();
    assert_eq!(periods.len(), 1, "one bill period: {periods:?}");
    let start = chrono::NaiveDate::parse_from_str(&periods[0], "%Y-%m-%d").unwrap();
    let store = db.store();
    let (period, records) = store
        .read(|c| -> Result<_, cmp_store::StoreError> {
            Ok((
                usage::period(c, 60272, start)?.expect("the period"),
                usage::records(c, 60272, start)?,
            ))
        })
        .unwrap();
    assert_eq!(period.records as usize, records.len());
    // The demo's own records were loaded from the command line (request id `cli`).
    let recorded = records.iter().filter(|r| r.request_id != "cli").count();
    assert_eq!(recorded, n, "records of the load");
    let numbers: Vec<i64> = records.iter().map(|r| r.record_number).collect();
    assert_eq!(numbers, (1..=records.len() as i64).collect::<Vec<_>>());
    drop(gateways);
}
