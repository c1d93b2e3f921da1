//! The published contract: schemas, the SOAP schema, the WSDLs, openapi.json and /docs,
//! checked against the schema files and the registry (not against the generator's own
//! reading of them), plus snapshots of the WSDL and openapi.json under tests/snapshots
//! (`UPDATE_SNAPSHOTS=1` rewrites them).

use std::collections::BTreeSet;

use cmp_gateway::registry::{self, OPERATIONS, SANDBOX_OPERATIONS};
use cmp_model::messages::SCHEMA_FILES;

use crate::helpers::*;

const XS: &str = "http://www.w3.org/2001/XMLSchema";
const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
const SOAP_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
const DTO_NS: &str = "http://mdsuk.com/ws/dise3g/cmp/dto";
const FAULT_NS: &str = "http://mdsuk.com/ws/dise3g/fault/definition";

fn parse(text: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not well-formed ({e}):\n{text}"))
}

fn is(n: &roxmltree::Node, ns: &str, name: &str) -> bool {
    n.is_element() && n.tag_name().namespace() == Some(ns) && n.tag_name().name() == name
}

/// Every named simple and complex type declared in the schema files.
fn declared_types() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, text) in SCHEMA_FILES {
        let doc = parse(text);
        for n in doc.root_element().children() {
            if is(&n, XS, "simpleType") || is(&n, XS, "complexType") {
                out.insert(n.attribute("name").unwrap().to_string());
            }
        }
    }
    out
}

/// The type of a document root element, read from the schema files.
fn root_type(element: &str) -> String {
    for (_, text) in SCHEMA_FILES {
        let doc = parse(text);
        if let Some(e) = doc
            .root_element()
            .children()
            .find(|n| is(n, XS, "element") && n.attribute("name") == Some(element))
        {
            return e.attribute("type").unwrap().to_string();
        }
    }
    panic!("no root element {element} in the schemas")
}

#[actix_web::test]
async fn every_schema_file_is_served_as_it_is() {
    let app = spawn_app();
    assert!(!SCHEMA_FILES.is_empty());
    for (name, text) in SCHEMA_FILES {
        let r = app.get(&format!("/schemas/{name}"), "*/*").await.good();
        assert!(r.content_type().starts_with("application/xml"), "{name}");
        assert_eq!(&r.body, text, "{name}");
        parse(&r.body);
    }
    let missing = app.get("/schemas/nope.xsd", "application/json").await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert_eq!(missing.json()["details"]["messageId"], "NO_SUCH_ROUTE");
}

#[actix_web::test]
async fn the_soap_schema_has_every_type_in_pascal_case() {
    let app = spawn_app();
    let r = app.get("/schemas/soap/cmp.xsd", "*/*").await.good();
    assert!(r.content_type().starts_with("application/xml"));
    let doc = parse(&r.body);
    let root = doc.root_element();
    assert!(is(&root, XS, "schema"));
    assert_eq!(root.attribute("targetNamespace"), Some(DTO_NS));
    assert_eq!(root.attribute("elementFormDefault"), Some("unqualified"));

    let published: BTreeSet<String> = root
        .children()
        .filter(|n| is(n, XS, "simpleType") || is(n, XS, "complexType"))
        .map(|n| n.attribute("name").unwrap().to_string())
        .collect();
    let declared = declared_types();
    let missing: Vec<_> = declared.difference(&published).collect();
    assert!(
        missing.is_empty(),
        "types missing from the SOAP schema: {missing:?}"
    );

    for n in doc.descendants().filter(|n| n.is_element()) {
        if is(&n, XS, "element") {
            let name = n.attribute("name").unwrap();
            assert!(
                name.starts_with(|c: char| c.is_ascii_uppercase()),
                "element {name} is not PascalCase"
            );
            if is(&n.parent_element().unwrap(), XS, "all") {
                assert!(
                    matches!(n.attribute("maxOccurs"), None | Some("0" | "1")),
                    "xs:all child {name} repeats"
                );
            }
        }
        assert!(!is(&n, XS, "appinfo"), "appinfo left in the SOAP schema");
        // Every type reference is a builtin or a type of this schema.
        for attr in ["type", "base"] {
            if let Some(t) = n.attribute(attr) {
                let (prefix, local) = t.split_once(':').expect("qualified type reference");
                match n.lookup_namespace_uri(Some(prefix)) {
                    Some(XS) => {}
                    Some(DTO_NS) => assert!(published.contains(local), "unknown type {t}"),
                    other => panic!("type {t} in namespace {other:?}"),
                }
            }
        }
    }
}

#[actix_web::test]
async fn the_wsdl_names_every_soap_operation_with_its_wrapper_child() {
    let app = spawn_app();
    let services: BTreeSet<&str> = OPERATIONS
        .iter()
        .filter_map(|o| o.soap.as_ref().map(|s| s.service))
        .collect();
    assert!(services.contains("agreement"));
    for svc in services {
        let port = format!("{}{}Port", svc[..1].to_ascii_uppercase(), &svc[1..]);
        let r = app
            .get(&format!("/ws/dise3g/services/{port}?wsdl"), "*/*")
            .await
            .good();
        assert!(r.content_type().contains("xml"), "{}", r.content_type());
        let doc = parse(&r.body);
        let defs = doc.root_element();
        assert!(is(&defs, WSDL, "definitions"));
        let def_ns = registry::soap_namespace(svc);
        assert_eq!(defs.attribute("targetNamespace"), Some(def_ns.as_str()));

        // The imported data types, by absolute URL.
        let imports: Vec<&str> = doc
            .descendants()
            .filter(|n| is(n, XS, "import"))
            .map(|n| n.attribute("schemaLocation").unwrap())
            .collect();
        assert!(!imports.is_empty());
        for loc in imports {
            assert!(
                loc.starts_with("http://") && loc.ends_with("/schemas/soap/cmp.xsd"),
                "{loc}"
            );
        }
        let schema = |ns: &str| {
            doc.descendants()
                .find(|n| is(n, XS, "schema") && n.attribute("targetNamespace") == Some(ns))
                .unwrap_or_else(|| panic!("no schema for {ns}"))
        };
        let defs_schema = schema(&def_ns);
        assert_eq!(
            defs_schema.attribute("elementFormDefault"),
            Some("qualified")
        );
        let wrapper = |name: &str| {
            defs_schema
                .children()
                .find(|n| is(n, XS, "element") && n.attribute("name") == Some(name))
                .unwrap_or_else(|| panic!("no wrapper element {name}"))
        };
        let only_child = |e: roxmltree::Node| {
            let inner: Vec<_> = e
                .descendants()
                .filter(|n| is(n, XS, "element"))
                .skip(1)
                .collect();
            assert_eq!(inner.len(), 1, "{:?}", e.attribute("name"));
            (
                inner[0].attribute("name").unwrap().to_string(),
                inner[0].attribute("type").unwrap().to_string(),
            )
        };
        let faults = schema(FAULT_NS);
        for f in [
            "ValidationFault",
            "SystemFault",
            "SecurityFault",
            "ServiceUnavailableFault",
        ] {
            assert!(
                faults
                    .children()
                    .any(|n| is(&n, XS, "element") && n.attribute("name") == Some(f)),
                "fault element {f}"
            );
        }

        let op_names = |parent: &str| -> BTreeSet<String> {
            doc.descendants()
                .filter(|n| is(n, WSDL, parent))
                .flat_map(|p| p.children().filter(|n| is(n, WSDL, "operation")))
                .map(|n| n.attribute("name").unwrap().to_string())
                .collect()
        };
        let port_type_ops = op_names("portType");
        let binding_ops = op_names("binding");
        for op in OPERATIONS
            .iter()
            .filter(|o| o.soap.as_ref().is_some_and(|s| s.service == svc))
        {
            let child = op.soap.as_ref().unwrap().child;
            let binding = cmp_gateway::registry::soap_binding(op);
            for name in std::iter::once(&op.name).chain(op.aliases) {
                let (c, t) = only_child(wrapper(name));
                assert_eq!(c, child, "{name}");
                assert_eq!(
                    t.split(':').nth(1),
                    Some(root_type(binding.request_root).as_str()),
                    "{name}"
                );
                let (c, t) = only_child(wrapper(&cmp_model::render::soap_response_element(name)));
                assert_eq!(c, "Result");
                assert_eq!(
                    t.split(':').nth(1),
                    Some(root_type(binding.response_root).as_str())
                );
                assert!(port_type_ops.contains(*name), "portType lacks {name}");
                assert!(binding_ops.contains(*name), "binding lacks {name}");
            }
        }

        // The SOAP 1.1 port points back at the server the WSDL came from.
        let address = doc
            .descendants()
            .find(|n| is(n, SOAP_BINDING, "address"))
            .and_then(|n| n.attribute("location"))
            .unwrap();
        assert!(
            address.starts_with("http://")
                && address.ends_with(&format!("/ws/dise3g/services/{port}")),
            "{address}"
        );
    }
    // The 7.3.8 name of QueryAgreementByCustomerLevel is declared.
    let r = app
        .get(&format!("{AGREEMENT_PORT}?wsdl"), "*/*")
        .await
        .good();
    assert!(r
        .body
        .contains("<wsdl:operation name=\"QueryAgreementsByCustomerLevel\">"));
}

#[actix_web::test]
async fn the_soap_port_still_answers_posts_and_refuses_other_gets() {
    let app = spawn_demo();
    let missing = app
        .get("/ws/dise3g/services/NoSuchPort?wsdl", "application/json")
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert_eq!(missing.json()["fault"], "ValidationFault");
    let plain_get = app.get(AGREEMENT_PORT, "application/json").await;
    assert_eq!(plain_get.status, 405, "{}", plain_get.body);
    let lower = app
        .get("/ws/dise3g/services/agreementPort?WSDL", "*/*")
        .await;
    assert_eq!(lower.status, 200);

    let env = soap_envelope(
        "agreement",
        "QueryAgreementsByCustomerLevel",
        "Request",
        "<AccountIdentifier>10000001</AccountIdentifier>",
    );
    let r = app.post_soap(AGREEMENT_PORT, &env).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("QueryAgreementsByCustomerLevelResponse"));
}

fn method_key(m: registry::Method) -> String {
    format!("{m:?}").to_ascii_lowercase()
}

/// Every `$ref` in `v`, as JSON pointers into the document.
fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                if k == "$ref" {
                    out.push(x.as_str().unwrap().to_string());
                } else {
                    refs(x, out);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[actix_web::test]
async fn openapi_states_rules_across_fields_and_leaves_path_elements_out_of_bodies() {
    let app = spawn_app();
    let api = app.get("/openapi.json", "*/*").await.good().json();
    // AgreementData's <oneOf>: exactly one level given (a blank one is absent).
    let data = &api["components"]["schemas"]["AgreementData"];
    let branches = data["allOf"][0]["oneOf"]
        .as_array()
        .expect("oneOf of the levels");
    let named: Vec<&str> = branches
        .iter()
        .map(|b| b["required"][0].as_str().unwrap())
        .collect();
    assert_eq!(named, ["corporateCode", "groupCode", "accountCode"]);
    assert_eq!(
        branches[0]["properties"]["corporateCode"]["not"]["$ref"],
        "#/components/schemas/AbsentValue"
    );
    assert!(data["description"]
        .as_str()
        .unwrap()
        .contains("several: TWO_LEVELS"));
    // CreateAccountRequest's <atMostOne>: not both parents.
    let account = &api["components"]["schemas"]["CreateAccountRequest"];
    assert!(account["allOf"][0]["not"]["anyOf"].is_array(), "{account}");
    // A resource route's body leaves out what its path gives.
    let body = &api["paths"]["/subscriptions/{subscriptionId}/attributes"]["post"]["requestBody"]
        ["content"]["application/json"]["schema"];
    assert!(body["properties"]["name"].is_object(), "{body}");
    assert!(
        body["properties"].get("subscriptionNumber").is_none(),
        "{body}"
    );
    assert_eq!(body["additionalProperties"], false);
    // A rule that needs one of its fields makes the body required.
    let packages = &api["paths"]["/ws/QueryCompatiblePackages"]["post"]["requestBody"];
    assert_eq!(packages["required"], true, "{packages}");
}

/// The rules the schemas state for the operations (`<notServed>`, `<unique>`, `<ordered>`,
/// `<requiredWhen>`, a nested rule across fields), the card-number screening and a
/// required container: each in the document, and each answered as it says.
#[actix_web::test]
async fn openapi_states_what_the_operations_refuse_beyond_the_types() {
    let app = spawn_demo();
    let api = app.get("/openapi.json", "*/*").await.good().json();
    let schemas = &api["components"]["schemas"];
    // A 7.3.8 value not served is left out of the document, and refused.
    let level = &schemas["LegacyService"]["properties"]["customerLevel"]["allOf"];
    assert_eq!(level[1]["not"]["const"], "ACCOUNT", "{level}");
    assert_eq!(level[2]["not"]["const"], "AGREEMENT", "{level}");
    let r = app
        .post_xml(
            "/ws/CreateService",
            "<createService><serviceData><customerLevel>ACCOUNT</customerLevel><customerLevelReference>60272</customerLevelReference>\
             <effectiveDate>2026-11-25</effectiveDate><serviceCode>SIMSWP</serviceCode></serviceData></createService>",
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(xml_text(&r.body, "messageId"), Some("VALIDATION_FAILED"));
    assert!(
        r.body.contains("<messageId>NOT_SUPPORTED</messageId>"),
        "{}",
        r.body
    );
    // Keys and orders JSON Schema cannot state, by extension.
    let plans = &schemas["CataloguePricePlans"]["properties"]["pricePlan"];
    assert_eq!(
        plans["x-cmp-unique"],
        serde_json::json!(["code"]),
        "{plans}"
    );
    let package = &schemas["CataloguePackage"];
    assert_eq!(
        package["x-cmp-ordered"][0]["code"], "INVALID_DATES",
        "{package}"
    );
    assert!(package["description"].as_str().unwrap().contains(
        "primaryPackageGroupCode is mandatory when packageClassification is Bolton Package"
    ));
    // Card numbers, at every depth of a payment operation's body.
    let body = &api["paths"]["/ws/AddDirectDebitDetails"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"];
    let chain = body["allOf"][1]["$ref"]
        .as_str()
        .expect("a NoCardNumber level");
    assert!(
        chain.starts_with("#/components/schemas/NoCardNumber"),
        "{body}"
    );
    assert_eq!(
        schemas["NoCardNumber0"]["not"]["pattern"],
        cmp_gateway::screening::CARD_NUMBER_PATTERN
    );
    // A required container: `{}` is missing; the customer's name rule, one level down.
    let contact = &schemas["CreateCustomerRequest"]["properties"]["contactDetails"];
    assert_eq!(contact["allOf"][1]["minProperties"], 1, "{contact}");
    let missing = |body: &'static str, at: &'static str| {
        let app = &app;
        async move {
            let r = app.post_json("/customers", body).await;
            assert_eq!(r.status, 400, "{}", r.body);
            let v = r.json();
            assert_eq!(v["errors"][0]["messageId"], "MANDATORY", "{v}");
            assert_eq!(v["errors"][0]["extraInfo"], at, "{v}");
        }
    };
    missing(
        r#"{"contactDetails":{},"account":{"groupCode":"ACMEGP"}}"#,
        "contactDetails",
    )
    .await;
    missing(
        r#"{"contactDetails":{"contactDetails":{"email":"ann@example.com"}},"account":{"groupCode":"ACMEGP"}}"#,
        "contactDetails.personalDetails.lastName",
    )
    .await;
    let company = r#"{"contactDetails":{"businessDetails":{"companyName":"Fine Widgets Ltd"}},"account":{"groupCode":"ACMEGP"}}"#;
    assert_eq!(app.post_json("/customers", company).await.status, 201);
}

#[actix_web::test]
async fn an_optional_list_may_be_an_absent_container_as_documented() {
    let app = spawn_demo();
    let api = app.get("/openapi.json", "*/*").await.good().json();
    let list = &api["components"]["schemas"]["Parameters"]["properties"]["parameter"];
    assert_eq!(list["anyOf"][0]["type"], "array", "{list}");
    assert_eq!(
        list["anyOf"][1]["$ref"], "#/components/schemas/AbsentContainer",
        "{list}"
    );
    // And the gateway reads `{}` and `null` for it as no item: the same answer as none.
    let ask = |parameter: &str| {
        format!(
            r#"{{"planCode":"SIMO12","eligibilityRules":{{"salesChannel":"MYACCOUNT","parameters":[{{{parameter}}}]}}}}"#
        )
    };
    let none = app
        .post_json("/ws/QueryCompatiblePackages", &ask(""))
        .await
        .good()
        .json();
    for empty in ["{}", "null"] {
        let body = ask(&format!(r#""parameter":{empty}"#));
        let got = app
            .post_json("/ws/QueryCompatiblePackages", &body)
            .await
            .good()
            .json();
        assert_eq!(got, none, "{body}");
    }
}

#[actix_web::test]
async fn openapi_has_every_rest_route_and_document() {
    let app = spawn_app();
    let r = app.get("/openapi.json", "*/*").await.good();
    assert!(r.content_type().starts_with("application/json"));
    let api = r.json();
    assert_eq!(api["openapi"], "3.1.0");
    let paths = api["paths"].as_object().unwrap();
    for op in OPERATIONS {
        if let Some(rest) = &op.rest {
            let o = &paths[rest.path][method_key(rest.method)];
            assert_eq!(
                o["operationId"],
                op.name,
                "{} {}",
                rest.path,
                method_key(rest.method)
            );
            let status = if rest.creates { "201" } else { "200" };
            assert!(o["responses"][status].is_object(), "{}: {status}", op.name);
            for (name, _) in rest.params {
                assert!(
                    o["parameters"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p["name"] == *name && p["in"] == "path"),
                    "{}: path parameter {name}",
                    op.name
                );
            }
            for media in ["application/json", "application/xml"] {
                assert!(o["responses"][status]["content"][media]["schema"].is_object());
            }
        }
        let doc = &paths[&format!("/ws/{}", op.name)]["post"];
        assert_eq!(doc["operationId"], format!("{}Document", op.name));
        assert_eq!(
            doc["requestBody"]["content"]["application/xml"]["schema"]["xml"]["name"],
            op.document.request_root
        );
    }
    for op in SANDBOX_OPERATIONS {
        let path = op.rest.as_ref().unwrap().path;
        assert!(
            paths.get(path).is_none_or(|p| p
                .get(method_key(op.rest.as_ref().unwrap().method))
                .is_none()),
            "sandbox route {path} published without the sandbox"
        );
    }
    // One component per XSD type, and every $ref resolves.
    for t in declared_types() {
        assert!(
            api["components"]["schemas"][&t].is_object(),
            "component {t}"
        );
    }
    let mut all = Vec::new();
    refs(&api, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').unwrap();
        assert!(api.pointer(pointer).is_some(), "dangling $ref {r}");
    }
    // Money is a string, never a float.
    assert_eq!(api["components"]["schemas"]["Money"]["type"], "string");

    let mut sandbox = spawn_app();
    sandbox.state.sandbox = true;
    let api = sandbox.get("/openapi.json", "*/*").await.good().json();
    for op in SANDBOX_OPERATIONS {
        let rest = op.rest.as_ref().unwrap();
        assert_eq!(
            api["paths"][rest.path][method_key(rest.method)]["operationId"],
            op.name
        );
    }
}

#[actix_web::test]
async fn the_reference_page_lists_every_operation() {
    let app = spawn_app();
    let r = app.get("/docs/reference", "text/html").await.good();
    assert!(r.content_type().starts_with("text/html"));
    assert!(!r.body.contains("<script"), "the page is self-contained");
    assert!(r.body.contains("href=\"/openapi.json\""));
    assert!(r.body.contains("href=\"/docs\""), "links the console");
    assert!(r.body.contains(&format!("href=\"{AGREEMENT_PORT}?wsdl\"")));
    for op in OPERATIONS {
        assert!(
            r.body.contains(&format!("id=\"op-{}\"", op.name)),
            "{}",
            op.name
        );
        if let Some(rest) = &op.rest {
            assert!(
                r.body.contains(&format!("<code>{}</code>", rest.path)),
                "{}",
                rest.path
            );
        }
    }
    for (name, _) in SCHEMA_FILES {
        assert!(
            r.body.contains(&format!("href=\"/schemas/{name}\"")),
            "{name}"
        );
    }
}

/// `/docs` is Swagger UI on the gateway's own document, every file served by the gateway
/// (no CDN), linked to the reference.
#[actix_web::test]
async fn the_console_is_served_by_the_gateway() {
    let app = spawn_app();
    let r = app.get("/docs", "text/html").await.good();
    assert!(r.content_type().starts_with("text/html"));
    assert!(
        r.body.contains("href=\"/docs/reference\""),
        "links the reference"
    );
    assert!(
        !r.body.contains("//cdn") && !r.body.contains("https://"),
        "no external resource"
    );
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "docs.js",
        "LICENSE",
    ] {
        let a = app
            .get(&format!("/docs/assets/{asset}"), "*/*")
            .await
            .good();
        assert!(!a.body.is_empty(), "{asset}");
    }
    let js = app.get("/docs/assets/docs.js", "*/*").await.good();
    assert!(js.body.contains("\"/openapi.json\""));
    assert!(js.content_type().starts_with("text/javascript"));
    assert_eq!(app.get("/docs/assets/nothing.js", "*/*").await.status, 404);
    // The sandbox console exists only in sandbox mode.
    assert_eq!(app.get("/admin/console", "text/html").await.status, 404);
}

/// Compares `actual` with the snapshot file, or rewrites it under UPDATE_SNAPSHOTS=1.
fn snapshot(file: &str, actual: &str) {
    let path = repo_path("crates/cmp-gateway/tests/snapshots").join(file);
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "snapshot {} cannot be read ({e}); create it with UPDATE_SNAPSHOTS=1 cargo test -p cmp-gateway --test api publish",
            path.display()
        )
    });
    if expected == actual {
        return;
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let first = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let show = |lines: &[&str]| {
        lines
            .iter()
            .enumerate()
            .skip(first.saturating_sub(2))
            .take(6)
            .map(|(i, l)| format!("  {:5} | {l}", i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    };
    panic!(
        "the published {file} differs from its snapshot {} from line {} on ({} lines expected, {} published)\n--- snapshot:\n{}\n--- published:\n{}\n\
         If the change is intended (a schema or registry edit), rewrite the snapshots with\n  UPDATE_SNAPSHOTS=1 cargo test -p cmp-gateway --test api publish\nand review the diff: git diff crates/cmp-gateway/tests/snapshots/",
        path.display(),
        first + 1,
        e.len(),
        a.len(),
        show(&e),
        show(&a)
    );
}

#[actix_web::test]
async fn the_published_contract_matches_its_snapshots() {
    let app = spawn_app();
    let services: BTreeSet<&str> = OPERATIONS
        .iter()
        .filter_map(|o| o.soap.as_ref().map(|s| s.service))
        .collect();
    for svc in services {
        let port = format!("{}{}Port", svc[..1].to_ascii_uppercase(), &svc[1..]);
        let wsdl = app
            .get(&format!("/ws/dise3g/services/{port}?wsdl"), "*/*")
            .await
            .good();
        snapshot(&format!("{svc}.wsdl"), &wsdl.body);
    }
    let api = app.get("/openapi.json", "*/*").await.good();
    snapshot("openapi.json", &format!("{}\n", api.body));
    let xsd = app.get("/schemas/soap/cmp.xsd", "*/*").await.good();
    snapshot("cmp-soap.xsd", &xsd.body);
}

/// OpenAPI links lead from what a creating route answers to the routes that read it.
#[actix_web::test]
async fn created_data_is_linked_to_the_routes_that_read_it() {
    let app = spawn_app();
    let api = app
        .get("/openapi.json", "application/json")
        .await
        .good()
        .json();
    let links = &api["paths"]["/agreements"]["post"]["responses"]["201"]["links"];
    assert_eq!(links["QueryAgreement"]["operationId"], "QueryAgreement");
    assert_eq!(
        links["QueryAgreement"]["parameters"]["agreementNumber"],
        "$response.body#/agreementNumber"
    );
    let otp = &api["paths"]["/oneTimePasswords"]["post"]["responses"]["201"]["links"];
    assert_eq!(
        otp["VerifyOneTimePassword"]["parameters"]["otpReference"],
        "$response.body#/otpReference"
    );
}
