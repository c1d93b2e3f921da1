//! `cargo bench -p cmp-gateway`: what a request costs, per dialect. Measures; asserts
//! nothing. Two parts: the codec alone (parse + decode + render, no I/O), and whole
//! requests through the in-process service on SQLite with the demo data.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{test, App};
use cmp_core::{Context, SystemClock};
use cmp_gateway::{configure, load, AppState};
use cmp_model::messages::{CreateAgreementRequest, QueryAgreementByCustomerLevelResponse};
use cmp_model::{decode_document, json, render, soap, xml, Limits};

const XML: &str = "<createAgreement><externalReference>BENCH-1</externalReference><agreementData><billingCycle>15</billingCycle>\
    <invoiceConsolidationLevel>Account</invoiceConsolidationLevel><invoiceReceiptAddress>Account</invoiceReceiptAddress>\
    <accountCode>10000001</accountCode><billingMedia>PAPER</billingMedia></agreementData></createAgreement>";
const JSON: &str = r#"{"externalReference":"BENCH-1","agreementData":{"billingCycle":15,"invoiceConsolidationLevel":"Account","invoiceReceiptAddress":"Account","accountCode":10000001,"billingMedia":"PAPER"}}"#;

fn report(name: &str, n: u32, elapsed: Duration) {
    println!(
        "{name:<55} {:>9.2} µs/op  ({n} ops)",
        elapsed.as_secs_f64() * 1e6 / n as f64
    );
}

fn time(name: &str, n: u32, mut f: impl FnMut()) {
    for _ in 0..n / 10 {
        f();
    }
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    report(name, n, t.elapsed());
}

fn codec() {
    let n = 20_000;
    time("decode CreateAgreement from REST XML", n, || {
        let node = xml::parse(black_box(XML), Limits::default(), false).unwrap();
        black_box(decode_document::<CreateAgreementRequest>(&node).unwrap());
    });
    time("decode CreateAgreement from REST JSON", n, || {
        let node = json::parse(black_box(JSON), "createAgreement", &[], Limits::default()).unwrap();
        black_box(decode_document::<CreateAgreementRequest>(&node).unwrap());
    });
    let envelope = format!(
        r#"<e:Envelope xmlns:e="{}"><e:Body><d:CreateAgreement xmlns:d="http://mdsuk.com/ws/dise3g/agreement/definition"><d:AgreementData>{}</d:AgreementData></d:CreateAgreement></e:Body></e:Envelope>"#,
        soap::SOAP11_NS,
        XML.replace("<createAgreement>", "")
            .replace("</createAgreement>", "")
            .replace("<agreementData>", "<AgreementData>")
            .replace("</agreementData>", "</AgreementData>")
    );
    time("decode CreateAgreement from SOAP 1.1", n, || {
        let mut r = soap::unwrap(black_box(&envelope), Limits::default()).unwrap();
        r.document.name = "createAgreement".into();
        black_box(decode_document::<CreateAgreementRequest>(&r.document).unwrap());
    });
    // A 20-agreement answer (about 4 KB of XML).
    let one = r#"<agreement><agreementNumber>20000001</agreementNumber><invoiceLoggedAt><accountIdentifier>10000001</accountIdentifier></invoiceLoggedAt><invoiceConsolidationLevel>Account</invoiceConsolidationLevel><invoiceAddress>Account</invoiceAddress></agreement>"#;
    let doc = format!("<queryAgreementByCustomerLevelResponse><externalReference>R</externalReference>{}</queryAgreementByCustomerLevelResponse>", one.repeat(20));
    let node = xml::parse(&doc, Limits::default(), false).unwrap();
    let mut r = cmp_model::codec::Reader::new("queryAgreementByCustomerLevelResponse");
    let resp = <QueryAgreementByCustomerLevelResponse as cmp_model::Decode>::decode(&node, &mut r)
        .unwrap();
    time("render 20 agreements as REST XML", n, || {
        black_box(render::xml(
            "queryAgreementByCustomerLevelResponse",
            black_box(&resp),
        ));
    });
    time("render 20 agreements as REST JSON", n, || {
        black_box(render::json(black_box(&resp)));
    });
    time("render 20 agreements as SOAP", n, || {
        black_box(render::soap(
            soap::SoapVersion::V11,
            "urn:x",
            "QueryAgreementsByCustomerLevel",
            black_box(&resp),
        ));
    });
}

fn requests() {
    let dir = std::env::temp_dir().join(format!("cmp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/bench.db", dir.display());
    let store = cmp_store::Store::open(&url, Default::default()).unwrap();
    let ctx = Context::new(store.clone(), Arc::new(SystemClock), "bench");
    load::load_path(
        &ctx,
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo"),
    )
    .unwrap();
    let state = AppState::new(store, Arc::new(SystemClock));
    actix_web::rt::System::new().block_on(async move {
        let app = test::init_service(App::new().configure(configure(state))).await;
        let n = 2_000;
        let cases: [(&str, &str, &str, &str); 4] = [
            ("GET /accounts/10000002/agreements (JSON, 3 rows)", "GET", "/accounts/10000002/agreements", ""),
            ("POST /ws/QueryAgreementByCustomerLevel (XML)", "POST", "/ws/QueryAgreementByCustomerLevel", "<queryAgreementByCustomerLevel><accountIdentifier>10000002</accountIdentifier></queryAgreementByCustomerLevel>"),
            ("POST /ws/CreateAgreement (XML, one write transaction)", "POST", "/ws/CreateAgreement", XML),
            ("GET /agreements/20000001 (JSON)", "GET", "/agreements/20000001", ""),
        ];
        for (name, method, path, body) in cases {
            let t = Instant::now();
            for _ in 0..n {
                let req = test::TestRequest::default()
                    .method(method.parse().unwrap())
                    .uri(path)
                    .insert_header(("content-type", "application/xml"))
                    .set_payload(body)
                    .to_request();
                let resp = test::call_service(&app, req).await;
                assert!(resp.status().is_success(), "{name}: {}", resp.status());
                black_box(test::read_body(resp).await);
            }
            report(name, n, t.elapsed());
        }
    });
    let _ = std::fs::remove_dir_all(dir);
}

fn main() {
    // `cargo test --benches` runs benches once with --bench absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    codec();
    requests();
}
