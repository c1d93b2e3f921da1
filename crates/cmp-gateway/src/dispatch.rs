//! The three ways into an operation — its REST route, `POST /ws/{Operation}` and its SOAP
//! port — and the one pipeline behind them: negotiate, read the body into the request
//! tree, run the core function off the event loop, answer in the client's dialect.

use std::time::{Duration, Instant};

use actix_web::http::{header, ConnectionType, Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use cmp_core::keys;
use cmp_model::fault::{FieldError, PathSeg};
use cmp_model::messages::FACETS_EXTERNAL_REFERENCE;
use cmp_model::soap::{self, SoapVersion};
use cmp_model::text::log_safe;
use cmp_model::{json, render, xml, Code, Fault, Node, ParseError};
use futures_util::StreamExt;

use crate::charset::{decode_body, CharsetError};
use crate::negotiate::{
    request_format, response_format, NegotiationError, RequestFormat, ResponseFormat,
};
use crate::registry::{self, Binding, Operation};
use crate::respond::{self, Dialect};
use crate::screening::looks_like_card_number;
use crate::AppState;

/// One request on its way through: what the request log line and the metrics need.
struct Exchange {
    request_id: String,
    started: Instant,
    /// The registry's name once the operation is known (never the client's text).
    operation: &'static str,
    external_reference: Option<String>,
    metrics: Option<std::sync::Arc<crate::metrics::Metrics>>,
}

impl Exchange {
    fn new(req: &HttpRequest, operation: &'static str) -> Self {
        let request_id = req
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
        let metrics = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.metrics.clone());
        Exchange {
            request_id,
            started: Instant::now(),
            operation,
            external_reference: None,
            metrics,
        }
    }

    /// Logs the request line, counts it, and stamps the request id on the answer.
    fn done(&self, dialect: &Dialect, mut resp: HttpResponse) -> HttpResponse {
        let elapsed = self.started.elapsed();
        let status = resp.status().as_u16();
        log::info!(
            target: "cmp::request",
            "{}",
            request_line(
                &self.request_id,
                self.operation,
                dialect.label(),
                status,
                elapsed,
                self.external_reference.as_deref(),
            )
        );
        if let Some(m) = &self.metrics {
            m.observe_request(self.operation, dialect.label(), status, elapsed);
        }
        if let Ok(v) = header::HeaderValue::from_str(&self.request_id) {
            resp.headers_mut()
                .insert(header::HeaderName::from_static("x-request-id"), v);
        }
        resp
    }

    fn fault(&self, dialect: &Dialect, f: Fault) -> HttpResponse {
        let f = f.with_external_reference(self.external_reference.clone());
        let mut resp = respond::fault(dialect, &f);
        if matches!(
            f.message_id,
            Code::RequestTimeout | Code::UriTooLong | Code::HeadersTooLarge
        ) {
            // What is left of the request cannot be trusted to frame the next one.
            resp.head_mut().set_connection_type(ConnectionType::Close);
        }
        self.done(dialect, resp)
    }
}

/// The one log line of a request. Every value is escaped ([`log_safe`]): a CR/LF or other
/// control character in a client's value (externalReference) cannot split the record.
pub fn request_line(
    request_id: &str,
    operation: &str,
    dialect: &str,
    status: u16,
    latency: Duration,
    external_reference: Option<&str>,
) -> String {
    format!(
        "request_id={} op={} dialect={} status={} latency_ms={:.2} external_reference={}",
        log_safe(request_id),
        log_safe(operation),
        log_safe(dialect),
        status,
        latency.as_secs_f64() * 1000.0,
        log_safe(external_reference.unwrap_or("-")),
    )
}

fn header_str(req: &HttpRequest, name: header::HeaderName) -> Option<&str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Reads the body up to the configured limit (413 beyond it) within the body deadline
/// (`--body-timeout`): a client that stops sending half-way gets `REQUEST_TIMEOUT` and
/// its connection is closed ([`Exchange::fault`]), instead of holding it for ever.
async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    max: usize,
    deadline: Duration,
) -> Result<web::Bytes, Fault> {
    match actix_web::rt::time::timeout(deadline, read_body_within(req, payload, max)).await {
        Ok(r) => r,
        Err(_) => Err(Fault::new(
            Code::RequestTimeout,
            format!(
                "the request body did not arrive within {} s",
                deadline.as_secs_f64()
            ),
        )),
    }
}

async fn read_body_within(
    req: &HttpRequest,
    mut payload: web::Payload,
    max: usize,
) -> Result<web::Bytes, Fault> {
    let too_large = || {
        Fault::new(
            Code::PayloadTooLarge,
            format!("the body exceeds {max} bytes"),
        )
    };
    let declared = header_str(req, header::CONTENT_LENGTH).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| Fault::malformed("the body could not be read"))?;
        if body.len() + chunk.len() > max {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn negotiation_fault(e: NegotiationError) -> Fault {
    match e {
        NegotiationError::UnsupportedMediaType => {
            Fault::new(Code::UnsupportedMediaType, e.to_string())
        }
        NegotiationError::NotAcceptable => Fault::new(Code::NotAcceptable, e.to_string()),
    }
}

fn charset_fault(e: CharsetError) -> Fault {
    match e {
        CharsetError::Unsupported(_) => Fault::new(Code::UnsupportedCharset, e.to_string()),
        CharsetError::Malformed => Fault::malformed(e.to_string()),
    }
}

/// A body that does not parse or breaks a limit: 400 naming where.
pub fn parse_fault(e: ParseError) -> Fault {
    Fault::new(e.message_id, e.message)
}

/// The externalReference to echo in faults and log: the client's own, when it is a sane
/// length, holds no forbidden character and does not look like a card number (such a value
/// is refused by the decoder, and never echoed nor logged).
fn external_reference(node: &Node) -> Option<String> {
    let r = node.child("externalReference")?.text.trim();
    // The schema's own limit, so that a facet change in common.xsd moves this too.
    let max = FACETS_EXTERNAL_REFERENCE.max_len.unwrap_or(u32::MAX) as usize;
    let fine = !r.is_empty()
        && r.chars().count() <= max
        && !looks_like_card_number(r)
        && !cmp_model::text::has_forbidden_character(r);
    fine.then(|| r.to_string())
}

/// Runs the binding's core function on a blocking thread.
async fn call(
    state: &AppState,
    ex: &Exchange,
    req: &HttpRequest,
    op: &'static Operation,
    binding: &'static Binding,
    node: Node,
) -> Result<registry::Reply, Fault> {
    let credential = crate::auth::credential(req)?;
    let mut ctx = state.context(&ex.request_id);
    ctx.operation = op.name;
    ctx.external_reference = ex.external_reference.clone();
    ctx.audit_user = node
        .child("auditRecord")
        .and_then(|a| a.child("userID"))
        .map(|u| u.text.trim().to_string());
    let request_id = ex.request_id.clone();
    let panic_id = request_id.clone();
    let run = move || {
        // A panic in an operation is a bug: one SystemFault with the request id and one
        // clear log line, and the blocking thread lives on for the next request.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let caller = keys::authenticate(&ctx, credential.as_ref())?;
            keys::authorize(&caller, op.role)?;
            ctx.caller = caller.name().map(str::to_string);
            (binding.call)(&ctx, &node)
        }))
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_string());
            log::error!(
                "request_id={} op={} panicked (a bug; answered SYSTEM_ERROR): {}",
                panic_id,
                op.name,
                log_safe(&what)
            );
            Err(Fault::system(&panic_id))
        })
    };
    match actix_web::rt::time::timeout(state.request_timeout, web::block(run)).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            log::error!("request_id={request_id} operation did not complete: {e}");
            Err(Fault::system(&request_id))
        }
        Err(_) => {
            log::warn!(
                "request_id={request_id} operation timed out after {:?}",
                state.request_timeout
            );
            Err(Fault::unavailable())
        }
    }
}

/// A REST resource route of `op`.
pub async fn rest(
    op: &'static Operation,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let route = op.rest.as_ref().expect("registered from a rest route");
    let binding = op.rest_binding().expect("registered from a rest route");
    let mut params: Vec<(&'static str, String)> = Vec::new();
    for (name, element) in route.params {
        if let Some(v) = req.match_info().get(name) {
            // The router leaves `%25`, `%2B` and `%2F` encoded (so that a segment keeps
            // its bounds): the value is what they stand for.
            params.push((
                element,
                percent_decode(v, false).unwrap_or_else(|| v.to_string()),
            ));
        }
    }
    let status = if route.creates {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    rest_like(op, binding, false, params, status, req, payload, state).await
}

/// `POST /ws/{Operation}`: the operation's request document.
pub async fn document(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let name = req
        .match_info()
        .get("operation")
        .unwrap_or_default()
        .to_string();
    let Some(op) = registry::by_name(&name) else {
        let ex = Exchange::new(&req, "-");
        let dialect = fallback_dialect(&req);
        return ex.fault(
            &dialect,
            Fault::new(
                Code::UnknownOperation,
                format!("there is no operation {name}"),
            ),
        );
    };
    rest_like(
        op,
        &op.document,
        true,
        Vec::new(),
        StatusCode::OK,
        req,
        payload,
        state,
    )
    .await
}

/// The answer format for a request that failed before negotiation could run.
/// The answer format for a request that failed before its body was read: Accept,
/// else the declared Content-Type, else JSON.
pub fn fallback_dialect(req: &HttpRequest) -> Dialect {
    let accept = header_str(req, header::ACCEPT);
    let declared = request_format(header_str(req, header::CONTENT_TYPE), b"", false)
        .ok()
        .flatten();
    Dialect::Rest(response_format(accept, declared.as_ref()).unwrap_or(ResponseFormat::Json))
}

#[allow(clippy::too_many_arguments)]
async fn rest_like(
    op: &'static Operation,
    binding: &'static Binding,
    check_root: bool,
    params: Vec<(&'static str, String)>,
    status: StatusCode,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let mut ex = Exchange::new(&req, op.name);
    let ct = header_str(&req, header::CONTENT_TYPE);
    let body = match read_body(&req, payload, state.max_body, state.body_timeout).await {
        Ok(b) => b,
        Err(f) => return ex.fault(&fallback_dialect(&req), f),
    };
    // No body is no body (a GET may still carry a Content-Type), and so are blanks where
    // the method reads none; elsewhere blanks are a body, and not a JSON or XML one
    // (MALFORMED_REQUEST, as the document's media types say).
    let reads_none = matches!(*req.method(), Method::GET | Method::DELETE | Method::HEAD);
    let input = match request_format(ct, &body, false) {
        _ if body.is_empty() || (reads_none && body.iter().all(u8::is_ascii_whitespace)) => {
            Ok(None)
        }
        Ok(Some(RequestFormat::Soap11 | RequestFormat::Soap12)) => {
            Err(NegotiationError::UnsupportedMediaType)
        }
        other => other,
    };
    let input = match input {
        Ok(i) => i,
        Err(e) => return ex.fault(&fallback_dialect(&req), negotiation_fault(e)),
    };
    // Without a body, a declared Content-Type still says what the client reads, as it does
    // for a request refused before its body was read (`fallback_dialect`).
    let prefer = input.or_else(|| {
        request_format(ct, b"", false)
            .ok()
            .flatten()
            .filter(|f| matches!(f, RequestFormat::Xml | RequestFormat::Json))
    });
    let dialect = match response_format(header_str(&req, header::ACCEPT), prefer.as_ref()) {
        Ok(f) => Dialect::Rest(f),
        Err(e) => return ex.fault(&Dialect::Rest(ResponseFormat::Json), negotiation_fault(e)),
    };
    let mut node = match read_document(ct, &body, input, binding, check_root, state.limits) {
        Ok(n) => n,
        Err(f) => return ex.fault(&dialect, f),
    };
    ex.external_reference = external_reference(&node);
    if let Err(f) = apply_query(&req, &mut node, binding.request_root) {
        return ex.fault(&dialect, f);
    }
    // The path names the resource: the document leaves its elements out of the body, and
    // a body or query that repeats one must give the path's value.
    if let Err(f) = same_as_path(&node, &params, binding.request_root) {
        return ex.fault(&dialect, f);
    }
    for (element, value) in params {
        node.set_child(element, &value);
    }
    match call(&state, &ex, &req, op, binding, node).await {
        Ok(reply) => ex.done(
            &dialect,
            respond::reply(&dialect, binding.response_root, &reply, status),
        ),
        Err(f) => ex.fault(&dialect, f),
    }
}

/// Refuses (`PATH_MISMATCH`) a body or query element that a path parameter fills, given
/// with another value (blanks around it, and leading zeros of a number, aside).
fn same_as_path(
    node: &Node,
    params: &[(&'static str, String)],
    root: &'static str,
) -> Result<(), Fault> {
    let same = |a: &str, b: &str| {
        let (a, b) = (a.trim(), b.trim());
        a == b || matches!((a.parse::<i64>(), b.parse::<i64>()), (Ok(x), Ok(y)) if x == y)
    };
    let errors: Vec<FieldError> = params
        .iter()
        .flat_map(|(element, value)| {
            node.children
                .iter()
                .filter(move |c| c.name == *element && !c.is_blank())
                .filter(move |c| !c.children.is_empty() || c.container || !same(&c.text, value))
                .map(move |_| {
                    FieldError::new(
                        Code::PathMismatch,
                        vec![PathSeg::new(root), PathSeg::new(element)],
                        "differs from the path, which names the resource: leave it out of the body",
                    )
                })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Fault::validation(errors))
    }
}

/// Query parameters fill the request elements of the same name; a dotted name fills a
/// nested one (`eligibilityRules.salesChannel=MYACCOUNT`), and so does a leaf name that
/// occurs at one place only in the request (`salesChannel=MYACCOUNT`). A leaf name that
/// occurs at several places is refused (`AMBIGUOUS_PARAMETER`) naming them; a name that
/// occurs nowhere is left for the decoder to refuse (`UNKNOWN_ELEMENT`).
fn apply_query(req: &HttpRequest, node: &mut Node, root: &'static str) -> Result<(), Fault> {
    let q = req.query_string();
    if q.is_empty() {
        return Ok(());
    }
    let pairs = parse_query(q)?;
    let model = &crate::publish::published().model;
    let mut errors = Vec::new();
    for (k, v) in pairs {
        match leaf_paths(model, root, &k).as_slice() {
            [one] => node.set_path(one, &v),
            [] => node.set_path(&k, &v),
            many => errors.push(FieldError::new(
                Code::AmbiguousParameter,
                vec![PathSeg::new(root), PathSeg::owned(&k)],
                format!("names more than one element: use {}", many.join(" or ")),
            )),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Fault::validation(errors))
    }
}

/// `part` percent-decoded (and, in a query, `+` read as a blank); `None` when the bytes
/// are not UTF-8.
fn percent_decode(part: &str, plus_is_blank: bool) -> Option<String> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_is_blank => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// `application/x-www-form-urlencoded` pairs, strictly: a parameter whose name or value
/// is not UTF-8 once percent-decoded is refused naming it, as an invalid UTF-8 body is,
/// rather than read with U+FFFD in place of its bytes.
fn parse_query(q: &str) -> Result<Vec<(String, String)>, Fault> {
    let decode = |part: &str| percent_decode(part, true);
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(k).ok_or_else(|| {
                Fault::malformed("a query parameter name is not UTF-8 once percent-decoded")
            })?;
            let value = decode(v).ok_or_else(|| {
                Fault::malformed(format!(
                    "the query parameter {name:?} is not UTF-8 once percent-decoded"
                ))
            })?;
            Ok((name, value))
        })
        .collect()
}

/// The dotted paths a query parameter name addresses in the request `root`: itself when
/// it is dotted or a field of the root; else every path to a simple-typed field of that
/// name (or alias) below the root.
fn leaf_paths(model: &crate::publish::model::Model, root: &str, name: &str) -> Vec<String> {
    fn walk(
        model: &crate::publish::model::Model,
        ty: &crate::publish::model::Complex,
        name: &str,
        prefix: &mut Vec<String>,
        out: &mut Vec<String>,
    ) {
        if prefix.len() >= 16 {
            return;
        }
        for f in &ty.fields {
            let named = f.name == name || f.aliases.iter().any(|a| a == name);
            if named && model.is_simple(&f.ty) {
                prefix.push(f.name.clone());
                out.push(prefix.join("."));
                prefix.pop();
            } else if let Some(inner) = model.complex.get(f.ty.name()) {
                // A recursive type stops at the first repeat.
                if prefix.contains(&f.name) {
                    continue;
                }
                prefix.push(f.name.clone());
                walk(model, inner, name, prefix, out);
                prefix.pop();
            }
        }
    }
    let Some(ty) = model.root_type(root) else {
        return Vec::new();
    };
    let direct = ty
        .fields
        .iter()
        .any(|f| f.name == name || f.aliases.iter().any(|a| a == name));
    if name.contains('.') || direct {
        return vec![name.to_string()];
    }
    let mut out = Vec::new();
    walk(model, ty, name, &mut Vec::new(), &mut out);
    out
}

/// The request body as a tree rooted at the binding's request element.
fn read_document(
    content_type: Option<&str>,
    body: &[u8],
    input: Option<RequestFormat>,
    binding: &Binding,
    check_root: bool,
    limits: cmp_model::Limits,
) -> Result<Node, Fault> {
    let root = binding.request_root;
    let Some(input) = input else {
        return Ok(Node {
            name: root.to_string(),
            ..Default::default()
        });
    };
    let text = decode_body(content_type, body).map_err(charset_fault)?;
    let mut node = match input {
        RequestFormat::Json => {
            json::parse(&text, root, binding.request_aliases, limits).map_err(parse_fault)?
        }
        _ => {
            let n = xml::parse(&text, limits, false).map_err(parse_fault)?;
            if check_root && n.name != root && !binding.request_aliases.contains(&n.name.as_str()) {
                let e = FieldError::new(
                    Code::UnknownElement,
                    vec![PathSeg::owned(&n.name)],
                    format!("is not the expected root element {root}"),
                );
                return Err(Fault::validation(vec![e]));
            }
            n
        }
    };
    node.name = root.to_string();
    Ok(node)
}

/// A SOAP fault of `service`'s namespace, in the SOAP version the Content-Type names.
fn soap_dialect(req: &HttpRequest, service: &str) -> Dialect {
    let ct = header_str(req, header::CONTENT_TYPE);
    Dialect::Soap {
        version: if ct.is_some_and(|c| c.contains("soap+xml")) {
            SoapVersion::V12
        } else {
            SoapVersion::V11
        },
        namespace: registry::soap_namespace(service),
        operation: String::new(),
        root: String::new(),
    }
}

/// The service of a `POST` to a SOAP port (`/ws/dise3g/services/{Svc}Port`,
/// `/axis/services/{Svc}Port`), read off the path before any route has matched.
fn soap_port_service(req: &HttpRequest) -> Option<String> {
    if req.method() != actix_web::http::Method::POST {
        return None;
    }
    let path = req.path();
    let port = path
        .strip_prefix("/ws/dise3g/services/")
        .or_else(|| path.strip_prefix("/axis/services/"))
        .filter(|p| !p.is_empty() && !p.contains('/'))?;
    Some(
        port.strip_suffix("Port")
            .unwrap_or(port)
            .to_ascii_lowercase(),
    )
}

/// `POST /ws/dise3g/services/{Svc}Port`: a SOAP 1.1 or 1.2 envelope.
pub async fn soap(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let port = req.match_info().get("port").unwrap_or_default();
    let service = port
        .strip_suffix("Port")
        .unwrap_or(port)
        .to_ascii_lowercase();
    let mut ex = Exchange::new(&req, "-");
    let ct = header_str(&req, header::CONTENT_TYPE);
    let mut dialect = soap_dialect(&req, &service);
    let body = match read_body(&req, payload, state.max_body, state.body_timeout).await {
        Ok(b) => b,
        Err(f) => return ex.fault(&dialect, f),
    };
    match request_format(ct, &body, true) {
        Ok(Some(RequestFormat::Json)) | Err(_) => {
            return ex.fault(
                &dialect,
                Fault::new(
                    Code::UnsupportedMediaType,
                    "a SOAP port takes text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2)",
                ),
            )
        }
        Ok(None) => {
            return ex.fault(
                &dialect,
                Fault::malformed("the request has no SOAP envelope"),
            )
        }
        Ok(Some(_)) => {}
    }
    let text = match decode_body(ct, &body) {
        Ok(t) => t,
        Err(e) => return ex.fault(&dialect, charset_fault(e)),
    };
    let request = match soap::unwrap(&text, state.limits) {
        Ok(r) => r,
        Err(e) => return ex.fault(&dialect, parse_fault(e)),
    };
    if let Some(block) = soap::not_understood(&text, request.version) {
        dialect = Dialect::Soap {
            version: request.version,
            namespace: registry::soap_namespace(&service),
            operation: request.operation.clone(),
            root: String::new(),
        };
        let f = Fault {
            extra_info: Some(block.clark()),
            ..Fault::new(
                Code::MustUnderstand,
                format!(
                    "the header block {} is marked mustUnderstand and the gateway does not process it",
                    block.clark()
                ),
            )
        };
        return ex.fault(&dialect, f);
    }
    let root = render::soap_root(&request.operation, &request.child_name);
    dialect = Dialect::Soap {
        version: request.version,
        namespace: registry::soap_namespace(&service),
        operation: request.operation.clone(),
        root: root.clone(),
    };
    ex.external_reference = external_reference(&request.document);
    let Some(op) = registry::by_soap(&service, &request.namespace, &request.operation) else {
        let f = Fault::new(
            Code::UnknownOperation,
            format!(
                "the {port} has no operation {{{}}}{}",
                request.namespace, request.operation
            ),
        );
        return ex.fault(&dialect, f);
    };
    ex.operation = op.name;
    let expected = op.soap.as_ref().map_or("Request", |s| s.child);
    if request.child_name != expected {
        let e = FieldError::new(
            Code::UnknownElement,
            vec![PathSeg::owned(&request.child_name)],
            format!("is not the expected element {expected}"),
        );
        return ex.fault(&dialect, Fault::validation(vec![e]));
    }
    let binding = registry::soap_binding(op);
    let mut node = request.document;
    node.name = binding.request_root.to_string();
    match call(&state, &ex, &req, op, binding, node).await {
        Ok(reply) => ex.done(
            &dialect,
            respond::reply(&dialect, binding.response_root, &reply, StatusCode::OK),
        ),
        Err(f) => ex.fault(&dialect, f),
    }
}

/// Which limit on the request head (`--max-uri`, `--max-header-bytes`) `head` breaks, if
/// any. actix refuses heads past 128 KiB itself (a bare 431, see docs/decisions.md); these
/// limits sit below it so that a client gets a fault body.
pub fn head_limit(
    head: &actix_web::dev::RequestHead,
    max_uri: usize,
    max_header_bytes: usize,
) -> Option<Code> {
    let uri = head
        .uri
        .path_and_query()
        .map_or(head.uri.path().len(), |p| p.as_str().len());
    if uri > max_uri {
        return Some(Code::UriTooLong);
    }
    // As on the wire: `name: value\r\n` per field.
    let headers: usize = head
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    (headers > max_header_bytes).then_some(Code::HeadersTooLarge)
}

/// A request whose head breaks a limit ([`head_limit`]): 414 or 431 with a fault body
/// (per Accept), and the connection closes.
pub async fn oversized(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let ex = Exchange::new(&req, "-");
    let code = head_limit(req.head(), state.max_uri, state.max_header_bytes)
        .unwrap_or(Code::HeadersTooLarge);
    let text = match code {
        Code::UriTooLong => format!("the request target exceeds {} bytes", state.max_uri),
        _ => format!(
            "the request headers exceed {} bytes",
            state.max_header_bytes
        ),
    };
    // A SOAP client reads a SOAP fault, whatever limit its request broke.
    let dialect = soap_port_service(&req).map_or_else(
        || fallback_dialect(&req),
        |service| soap_dialect(&req, &service),
    );
    ex.fault(&dialect, Fault::new(code, text))
}

/// Anything no route matched: 404 in the client's format.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let ex = Exchange::new(&req, "-");
    ex.fault(
        &fallback_dialect(&req),
        Fault::new(
            Code::NoSuchRoute,
            format!("no route for {} {}", req.method(), req.path()),
        ),
    )
}

/// A known path with a method it does not serve.
/// The 405 of a resource whose methods are `allow` (`"GET, HEAD"`), which the answer's
/// `Allow` header lists (RFC 9110 §15.5.6).
pub fn method_not_allowed(
    allow: String,
) -> impl Fn(HttpRequest) -> std::future::Ready<HttpResponse> + Clone + 'static {
    move |req: HttpRequest| {
        let ex = Exchange::new(&req, "-");
        let mut r = ex.fault(
            &fallback_dialect(&req),
            Fault::new(
                Code::MethodNotAllowed,
                format!("{} is not allowed on {}", req.method(), req.path()),
            ),
        );
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&allow) {
            r.headers_mut().insert(actix_web::http::header::ALLOW, v);
        }
        std::future::ready(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_request_stays_one_log_line_whatever_its_values_hold() {
        let line = request_line(
            "r-1",
            "GetAccount",
            "json",
            200,
            Duration::from_millis(3),
            Some("A\r\n2026-11-22 INFO request_id=forged status=200\u{0}\u{1b}[2J\u{2028}\\"),
        );
        assert!(
            !line.chars().any(|c| c.is_control() || c == '\u{2028}'),
            "{line:?}"
        );
        assert_eq!(
            line,
            "request_id=r-1 op=GetAccount dialect=json status=200 latency_ms=3.00 external_reference=\
             A\\r\\n2026-11-22 INFO request_id=forged status=200\\u{0}\\u{1b}[2J\\u{2028}\\\\"
        );
        let plain = request_line("r", "-", "xml", 404, Duration::ZERO, None);
        assert!(plain.ends_with("external_reference=-"), "{plain}");
    }

    #[test]
    fn head_limits_name_the_uri_or_the_header_block() {
        let req = actix_web::test::TestRequest::get()
            .uri(&format!("/x?{}", "a".repeat(100)))
            .insert_header(("x-big", "b".repeat(200)))
            .to_http_request();
        assert_eq!(head_limit(req.head(), 50, 10_000), Some(Code::UriTooLong));
        assert_eq!(
            head_limit(req.head(), 500, 100),
            Some(Code::HeadersTooLarge)
        );
        assert_eq!(head_limit(req.head(), 500, 10_000), None);
    }
}
