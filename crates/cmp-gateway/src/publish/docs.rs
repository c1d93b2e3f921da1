//! `GET /docs/reference` (linked from the console at `/docs`): one self-contained HTML page (no scripts, no external resources) listing
//! every operation of the registry with its routes, document roots, SOAP port and role,
//! the field tables of its messages, and every type of the schemas.

use std::fmt::Write as _;

use cmp_model::fault::pascal;

use super::model::{Complex, Decl, Group, Model, TypeRef};
use super::wsdl::{port_name, services};
use super::xsd::SOAP_XSD_PATH;
use super::{esc, method_name, GENERATED};
use crate::registry::{Binding, Operation};

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 2rem;color:#1d1d1f;line-height:1.45}\
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}h3{margin-top:2rem}h4{margin:1rem 0 .3rem}\
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.9rem}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}\
th{background:#f4f4f6}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}td code{overflow-wrap:anywhere}\
.m{font-weight:600;font-family:ui-monospace,monospace}.muted{color:#666}nav a{margin-right:1rem}ul.links li{margin:.15rem 0}";

fn type_link(m: &Model, t: &TypeRef) -> String {
    match t {
        TypeRef::Builtin(b) => format!("<code>xs:{}</code>", esc(b)),
        TypeRef::Named(n) if m.complex.contains_key(n) || m.simple.contains_key(n) => {
            format!("<a href=\"#t-{0}\"><code>{0}</code></a>", esc(n))
        }
        TypeRef::Named(n) => format!("<code>{}</code>", esc(n)),
    }
}

fn fields_table(out: &mut String, m: &Model, c: &Complex) {
    if c.fields.is_empty() {
        out.push_str("<p class=\"muted\">No fields.</p>\n");
        return;
    }
    if c.group == Group::Choice {
        out.push_str("<p class=\"muted\">Exactly one of:</p>\n");
    }
    out.push_str("<table><tr><th>element (REST)</th><th>SOAP</th><th>type</th><th>occurs</th><th>notes</th></tr>\n");
    for f in &c.fields {
        let mut notes = Vec::new();
        if m.is_simple(&f.ty) {
            notes.push(esc(&m.describe_simple(&f.ty)));
        }
        if let Some(d) = &f.doc {
            notes.push(esc(d));
        }
        if !f.aliases.is_empty() {
            notes.push(format!(
                "also accepted: <code>{}</code>",
                esc(&f.aliases.join(", "))
            ));
        }
        let occurs = if c.group == Group::Choice {
            "choice".to_string()
        } else {
            f.occurs()
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&f.name),
            esc(&pascal(&f.name)),
            type_link(m, &f.ty),
            occurs,
            notes.join("; ")
        );
    }
    out.push_str("</table>\n");
}

fn message(out: &mut String, m: &Model, label: &str, root: &str) {
    match m.roots.get(root) {
        Some(r) => {
            let _ = writeln!(
                out,
                "<h4>{label}: <code>&lt;{}&gt;</code> ({})</h4>",
                esc(root),
                type_link(m, &TypeRef::Named(r.ty.clone()))
            );
            if let Some(c) = m.complex.get(&r.ty) {
                fields_table(out, m, c);
            }
        }
        None => {
            let _ = writeln!(out, "<h4>{label}: <code>{}</code></h4>", esc(root));
        }
    }
}

fn binding_messages(out: &mut String, m: &Model, b: &Binding) {
    message(out, m, "Request", b.request_root);
    message(out, m, "Response", b.response_root);
}

pub fn page(m: &Model, ops: &[&Operation]) -> String {
    let mut o = String::with_capacity(128 * 1024);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>CMP gateway: operations and schemas</title><style>{STYLE}</style></head><body>\n<!-- {GENERATED} -->\n"
    );
    o.push_str("<h1>CMP gateway: operations and schemas</h1>\n<nav><a href=\"/docs\">API console (try it)</a><a href=\"#operations\">Operations</a><a href=\"#types\">Types</a><a href=\"/openapi.json\">openapi.json</a></nav>\n");
    o.push_str("<p>Every operation is served as REST XML and REST JSON on its resource route and as a document on <code>POST /ws/{Operation}</code>; the 7.3.8 operations also as SOAP 1.1/1.2 on their port. REST element names are lowerCamel, SOAP names PascalCase. This page, the OpenAPI document, the WSDLs and the SOAP schema are generated from the same schemas and operation table that the gateway runs on.</p>\n");

    o.push_str("<h2 id=\"contract\">Published contract</h2>\n<ul class=\"links\">\n");
    o.push_str("<li><a href=\"/openapi.json\">/openapi.json</a> (OpenAPI 3.1, REST)</li>\n");
    for svc in services(crate::registry::OPERATIONS) {
        let port = port_name(svc);
        let _ = writeln!(
            o,
            "<li><a href=\"/ws/dise3g/services/{port}?wsdl\">/ws/dise3g/services/{port}?wsdl</a> (WSDL 1.1)</li>"
        );
    }
    let _ = writeln!(
        o,
        "<li><a href=\"{SOAP_XSD_PATH}\">{SOAP_XSD_PATH}</a> (the SOAP data types)</li>"
    );
    for f in &m.files {
        let _ = writeln!(
            o,
            "<li><a href=\"/schemas/{0}\">/schemas/{0}</a>{1}</li>",
            esc(&f.name),
            f.comment
                .as_ref()
                .map(|c| format!(" <span class=\"muted\">{}</span>", esc(c)))
                .unwrap_or_default()
        );
    }
    o.push_str("</ul>\n");

    // --- the operation table ---------------------------------------------------------------
    o.push_str("<h2 id=\"operations\">Operations</h2>\n<table><tr><th>CMP operation</th><th>role</th><th>REST route</th><th>document</th><th>SOAP</th></tr>\n");
    for op in ops {
        let name = if op.aliases.is_empty() {
            format!("<a href=\"#op-{0}\">{0}</a>", esc(op.name))
        } else {
            format!(
                "<a href=\"#op-{0}\">{0}</a><br><span class=\"muted\">also {1}</span>",
                esc(op.name),
                esc(&op.aliases.join(", "))
            )
        };
        let rest = op.rest.as_ref().map_or("—".to_string(), |r| {
            format!(
                "<span class=\"m\">{}</span> <code>{}</code> → {}",
                method_name(r.method),
                esc(r.path),
                if r.creates { 201 } else { 200 }
            )
        });
        let is_document = crate::registry::by_name(op.name).is_some_and(|r| std::ptr::eq(r, *op));
        let document = if is_document {
            format!(
                "<span class=\"m\">POST</span> <code>/ws/{}</code><br><code>{}</code> → <code>{}</code>",
                esc(op.name),
                esc(op.document.request_root),
                esc(op.document.response_root)
            )
        } else {
            format!(
                "<span class=\"muted\">sandbox only</span><br><code>{}</code> → <code>{}</code>",
                esc(op.document.request_root),
                esc(op.document.response_root)
            )
        };
        let soap = op.soap.as_ref().map_or("—".to_string(), |s| {
            let port = port_name(s.service);
            format!(
                "<a href=\"/ws/dise3g/services/{port}?wsdl\">{port}</a><br><code>{}/{}</code>",
                esc(op.name),
                esc(s.child)
            )
        });
        let _ = writeln!(
            o,
            "<tr><td>{name}</td><td>{}</td><td>{rest}</td><td>{document}</td><td>{soap}</td></tr>",
            op.role.as_str()
        );
    }
    o.push_str("</table>\n");

    // --- each operation ------------------------------------------------------------------
    for op in ops {
        let _ = writeln!(o, "<h3 id=\"op-{0}\">{0}</h3>", esc(op.name));
        if let Some(r) = &op.rest {
            let b = op.rest_binding().unwrap_or(&op.document);
            let mut params = String::new();
            for (p, e) in r.params {
                let _ = write!(
                    params,
                    " <span class=\"muted\">{{{}}} fills <code>{}</code>.</span>",
                    esc(p),
                    esc(e)
                );
            }
            let _ = writeln!(
                o,
                "<p><span class=\"m\">{}</span> <code>{}</code>{params}</p>",
                method_name(r.method),
                esc(r.path)
            );
            binding_messages(&mut o, m, b);
            if !std::ptr::eq(b, &op.document) {
                let _ = writeln!(
                    o,
                    "<p>Document form: <span class=\"m\">POST</span> <code>/ws/{}</code>{}</p>",
                    esc(op.name),
                    op.soap
                        .as_ref()
                        .map(|s| format!(
                            " and SOAP on {} (wrapper child <code>{}</code>)",
                            port_name(s.service),
                            esc(s.child)
                        ))
                        .unwrap_or_default()
                );
                binding_messages(&mut o, m, &op.document);
            }
        } else {
            binding_messages(&mut o, m, &op.document);
        }
    }

    // --- every type ----------------------------------------------------------------------
    o.push_str("<h2 id=\"types\">Types</h2>\n");
    for f in &m.files {
        if f.decls.is_empty() {
            continue;
        }
        let _ = writeln!(
            o,
            "<h3>{0} <a class=\"muted\" href=\"/schemas/{0}\">(source)</a></h3>",
            esc(&f.name)
        );
        let mut simple_rows = String::new();
        for d in &f.decls {
            match d {
                Decl::Complex(n) => {
                    let c = &m.complex[n];
                    let _ = writeln!(o, "<h4 id=\"t-{0}\"><code>{0}</code></h4>", esc(n));
                    if let Some(doc) = &c.doc {
                        let _ = writeln!(o, "<p>{}</p>", esc(doc));
                    }
                    fields_table(&mut o, m, c);
                }
                Decl::Simple(n) => {
                    let s = &m.simple[n];
                    let _ = writeln!(
                        simple_rows,
                        "<tr id=\"t-{0}\"><td><code>{0}</code></td><td>{1}</td><td>{2}</td><td>{3}</td></tr>",
                        esc(n),
                        type_link(m, &s.base),
                        esc(&m.describe_simple(&TypeRef::Named(n.clone()))),
                        s.doc.as_deref().map(esc).unwrap_or_default()
                    );
                }
            }
        }
        if !simple_rows.is_empty() {
            o.push_str("<h4>Simple types</h4>\n<table><tr><th>type</th><th>restricts</th><th>values</th><th>notes</th></tr>\n");
            o.push_str(&simple_rows);
            o.push_str("</table>\n");
        }
    }
    o.push_str("</body></html>\n");
    o
}
