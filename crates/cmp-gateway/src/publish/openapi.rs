//! `GET /openapi.json`: OpenAPI 3.1 of the REST routes and the `POST /ws/{Operation}`
//! documents, written from the registry and the schemas.
//!
//! - `components/schemas`: one per XSD type. Simple types are flattened (string
//!   lengths, integer ranges, enumerations; money is a JSON string with a pattern, never a
//!   float; `date`/`date-time` formats); sequence/all → an object with `required` and no
//!   other properties; a repeated element → an array under its own name (WIRE.md §3);
//!   choice → `oneOf` of single-property objects.
//! - Each body and answer is given as `application/json` and `application/xml` (the same
//!   schema, with `xml.name` = the document's root element).
//! - Faults: `JsonFault` (render.rs `fault_json`: `fault`, `externalReference`, `details`,
//!   `errors` as a plain array) and, in XML, the fault type under `validationFault`,
//!   `securityFault`, ….

use serde_json::{json, Map, Value};

use cmp_model::FaultKind;

use super::examples::Examples;
use super::model::{Complex, Field, Group, HowMany, Model, Prim, TypeRef};
use super::wsdl::{port_name, FAULTS};
use super::GENERATED;
use crate::registry::{Binding, Method, Operation};

const JSON: &str = "application/json";
const XML: &str = "application/xml";
/// The JSON rendering of the fault model (no XSD type describes it: the fault's `errors`
/// wrapper becomes a plain array in JSON).
pub const JSON_FAULT: &str = "JsonFault";

/// Every string value: characters XML 1.0 can carry (`text::is_xml_char`; the decoder
/// refuses the others with `FORBIDDEN_CHARACTER`, in every dialect).
const XML_CHARS: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]*$";

/// The characters the decoder trims (`char::is_whitespace`, less the control characters
/// XML 1.0 cannot carry), as a regular-expression class body.
const BLANKS: &str =
    "\\t\\n\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";
/// The forbidden characters of [`XML_CHARS`], as a class body.
const FORBIDDEN: &str = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF";
/// The value of an optional field that the decoder reads as absent: `null`, blanks or
/// nothing (WIRE.md §3: JSON `null`, an empty element, `""`).
pub const ABSENT: &str = "AbsentValue";
/// An optional container the decoder reads as absent: `null` or `{}` (an empty element).
pub const ABSENT_CONTAINER: &str = "AbsentContainer";

/// The components that refuse a card number at any depth of a body (`NoCardNumber0` a
/// value, `NoCardNumber{k}` also the items and properties of a container, `k` levels
/// down): a chain, not a recursive schema, which every tool can expand.
const NO_CARD_NUMBER: &str = "NoCardNumber";

fn no_card_number_schemas(depth: usize, schemas: &mut Map<String, Value>) {
    let value = json!({ "type": "string", "pattern": crate::screening::CARD_NUMBER_PATTERN });
    for k in 0..=depth {
        let mut s = json!({
            "not": value,
            "description": format!("No string value{} holds a card number: 13 to 19 digits, single spaces or dashes between them (CARD_NUMBER_NOT_ALLOWED).", if k == 0 { "" } else { ", down to this many levels" }),
        });
        if k > 0 {
            let below = schema_ref(&format!("{NO_CARD_NUMBER}{}", k - 1));
            s["items"] = below.clone();
            s["additionalProperties"] = below;
        }
        schemas.insert(format!("{NO_CARD_NUMBER}{k}"), s);
    }
}

/// How deep a value of `t` nests in JSON (a container 1 more than its deepest field, a
/// list 1 more than its items).
fn depth(m: &Model, t: &TypeRef, guard: usize) -> usize {
    match m.complex.get(t.name()) {
        Some(c) if guard < 64 => {
            1 + c
                .fields
                .iter()
                .map(|f| depth(m, &f.ty, guard + 1) + usize::from(f.repeated()))
                .max()
                .unwrap_or(0)
        }
        _ => 0,
    }
}

fn absent_schema() -> Value {
    json!({
        "type": ["string", "null"],
        "pattern": format!("^[{BLANKS}]*$"),
        "description": "null, nothing or blanks only: an optional field sent so is read as absent (WIRE.md §3, as an empty element is).",
    })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A builtin XSD type as a JSON schema.
fn builtin_schema(m: &Model, t: &TypeRef) -> Value {
    simple_schema(m, t, None)
}

/// The schema of a field's type (a `$ref` for a named type).
fn type_schema(m: &Model, t: &TypeRef) -> Value {
    match t {
        TypeRef::Builtin(_) => builtin_schema(m, t),
        TypeRef::Named(n) => schema_ref(n),
    }
}

fn number(v: &str) -> Value {
    v.parse::<i64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(v))
}

/// A string of `min` to `max` characters once its surrounding blanks are trimmed (as
/// the decoder reads it), of characters XML carries: blanks, then a value that starts
/// and ends with a character that is not a blank, then blanks.
fn trimmed_length(min: u64, max: Option<u64>) -> String {
    let (any, solid) = (format!("[^{FORBIDDEN}]"), format!("[^{FORBIDDEN}{BLANKS}]"));
    let middle = match max {
        Some(m) => format!("{{{},{}}}", min.saturating_sub(2), m.saturating_sub(2)),
        None => format!("{{{},}}", min.saturating_sub(2)),
    };
    let value = match max {
        Some(1) => solid.clone(),
        _ if min >= 2 => format!("{solid}{any}{middle}{solid}"),
        _ => format!("{solid}(?:{any}{middle}{solid})?"),
    };
    let value = if min == 0 {
        format!("(?:{value})?")
    } else {
        value
    };
    format!("^[{BLANKS}]*{value}[{BLANKS}]*$")
}

/// An unsigned decimal of at most `max` (a whole number) as a JSON string: a whole part
/// below `max` with any fraction, or `max` itself with a zero one. The whole parts below
/// `max`: fewer digits, or as many with a smaller digit after a common prefix.
fn bounded_decimal_pattern(max: u64, fraction: Option<u32>) -> String {
    let digits: Vec<u32> = max
        .to_string()
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let n = digits.len();
    let mut below = Vec::new();
    if n > 1 {
        below.push(format!("[0-9]{{1,{}}}", n - 1));
    }
    for (i, d) in digits.iter().enumerate().filter(|(_, d)| **d > 0) {
        let prefix: String = digits[..i].iter().map(|d| d.to_string()).collect();
        below.push(format!("{prefix}[0-{}][0-9]{{{}}}", d - 1, n - i - 1));
    }
    let (any, zero) = match fraction {
        Some(0) => (String::new(), String::new()),
        Some(f) => (format!("(\\.[0-9]{{1,{f}}})?"), format!("(\\.0{{1,{f}}})?")),
        None => ("(\\.[0-9]+)?".to_string(), "(\\.0+)?".to_string()),
    };
    if below.is_empty() {
        return format!("^{max}{zero}$");
    }
    format!("^(?:(?:{}){any}|{max}{zero})$", below.join("|"))
}

/// A decimal as a JSON string: `^-?[0-9]{1,9}(\.[0-9]{1,2})?$` for Money.
fn decimal_pattern(total: Option<u32>, fraction: Option<u32>, signed: bool) -> String {
    let sign = if signed { "-?" } else { "" };
    let int = match (total, fraction) {
        (Some(t), f) => format!("[0-9]{{1,{}}}", t.saturating_sub(f.unwrap_or(0)).max(1)),
        (None, _) => "[0-9]+".to_string(),
    };
    let frac = match fraction {
        Some(0) => String::new(),
        Some(f) => format!("(\\.[0-9]{{1,{f}}})?"),
        None => "(\\.[0-9]+)?".to_string(),
    };
    format!("^{sign}{int}{frac}$")
}

/// A simple type (flattened down its restrictions) as a JSON schema.
fn simple_schema(m: &Model, t: &TypeRef, doc: Option<&str>) -> Value {
    let r = m.resolve(t);
    let mut s = Map::new();
    match r.prim.unwrap_or(Prim::Str) {
        Prim::Str => {
            s.insert("type".into(), "string".into());
            if r.enums.is_empty() {
                // The type's xs:pattern, anchored as the decoder reads it (its subset admits
                // only characters XML carries), with its lengths; else, for named types
                // only, the XML character rule: a plain xs:string is also what faults echo
                // (an unknown element's name, in JSON as it came). A named type's lengths
                // are those of the value the decoder trims (WIRE.md §3): a pattern.
                if let Some(p) = &r.pattern {
                    if let Some(n) = r.min_len {
                        s.insert("minLength".into(), n.into());
                    }
                    if let Some(n) = r.max_len {
                        s.insert("maxLength".into(), n.into());
                    }
                    s.insert("pattern".into(), cmp_schema::anchored(p).into());
                } else if matches!(t, TypeRef::Named(_))
                    && (r.min_len.is_some_and(|n| n > 0) || r.max_len.is_some())
                {
                    s.insert(
                        "pattern".into(),
                        trimmed_length(r.min_len.unwrap_or(0), r.max_len).into(),
                    );
                } else if matches!(t, TypeRef::Named(_)) {
                    s.insert("pattern".into(), XML_CHARS.into());
                }
            } else {
                s.insert("enum".into(), r.enums.clone().into());
            }
        }
        Prim::Int => {
            s.insert("type".into(), "integer".into());
            if let Some(v) = &r.min {
                s.insert("minimum".into(), number(v));
            }
            if let Some(v) = &r.max {
                s.insert("maximum".into(), number(v));
            }
        }
        Prim::Dec => {
            s.insert("type".into(), "string".into());
            // A sign only when the minimum allows negatives.
            let signed = r
                .min
                .as_deref()
                .is_none_or(|v| v.trim_start().starts_with('-'));
            // A whole maximum of an unsigned decimal (Percentage: 100) is in the pattern too.
            let pattern = match r.max.as_deref().map(str::parse::<u64>) {
                Some(Ok(max)) if !signed => bounded_decimal_pattern(max, r.fraction_digits),
                _ => decimal_pattern(r.total_digits, r.fraction_digits, signed),
            };
            s.insert("pattern".into(), pattern.into());
            let mut text = String::from("A decimal written as a string, never a float");
            match (&r.min, &r.max) {
                (Some(a), Some(b)) => text += &format!("; {a} to {b}"),
                (Some(a), None) => text += &format!("; at least {a}"),
                (None, Some(b)) => text += &format!("; at most {b}"),
                (None, None) => {}
            }
            text.push('.');
            let text = match doc {
                Some(d) => format!("{d} {text}"),
                None => text,
            };
            s.insert("description".into(), text.into());
            return Value::Object(s);
        }
        Prim::Date => {
            s.insert("type".into(), "string".into());
            s.insert("format".into(), "date".into());
        }
        Prim::DateTime => {
            s.insert("type".into(), "string".into());
            s.insert("format".into(), "date-time".into());
        }
        Prim::Bool => {
            s.insert("type".into(), "boolean".into());
        }
    }
    if let Some(d) = doc {
        s.insert("description".into(), d.into());
    }
    Value::Object(s)
}

/// The schema of one value of `f`: its type, less the values the operation refuses
/// (`<notServed>`: an enumeration value, a boolean, a choice branch).
fn value_schema(m: &Model, f: &Field) -> Value {
    let one = type_schema(m, &f.ty);
    if f.not_served.is_empty() {
        return one;
    }
    let refused: Vec<Value> = f
        .not_served
        .iter()
        .map(|n| {
            if m.complex.contains_key(f.ty.name()) {
                json!({ "not": { "required": [n.value] } })
            } else if m.resolve(&f.ty).prim == Some(Prim::Bool) {
                json!({ "not": { "const": n.value == "true" } })
            } else {
                json!({ "not": { "const": n.value } })
            }
        })
        .collect();
    json!({ "allOf": std::iter::once(one).chain(refused).collect::<Vec<_>>() })
}

fn property(m: &Model, f: &Field) -> Value {
    let one = value_schema(m, f);
    let mut v = if f.repeated() {
        let mut a = Map::new();
        a.insert("type".into(), "array".into());
        a.insert("items".into(), one);
        if f.min > 0 {
            a.insert("minItems".into(), f.min.into());
        }
        if let Some(max) = f.max {
            a.insert("maxItems".into(), max.into());
        }
        Value::Object(a)
    } else {
        one
    };
    let mut docs: Vec<String> = f.doc.iter().cloned().collect();
    if !f.aliases.is_empty() {
        docs.push(format!("Also accepted as {}.", f.aliases.join(", ")));
    }
    for n in &f.not_served {
        docs.push(format!(
            "{} is not served: {} (NOT_SUPPORTED).",
            n.value, n.why
        ));
    }
    if let Some(u) = &f.unique {
        // JSON Schema's uniqueItems compares whole items; the key is said by extension.
        v["x-cmp-unique"] = json!(u.keys);
        docs.push(format!(
            "No two items with the same {} ({}).",
            u.keys.join(" and "),
            u.code
        ));
    }
    if !docs.is_empty() {
        v["description"] = docs.join(" ").into();
    }
    v
}

/// `{keyword: [p, other]}`, with `p`'s description kept on the whole.
fn combined(mut p: Value, keyword: &str, other: Value) -> Value {
    let description = p.as_object_mut().and_then(|o| o.remove("description"));
    let mut v = json!({ keyword: [p, other] });
    if let Some(d) = description {
        v["description"] = d;
    }
    v
}

/// An object of `fields` (a struct, or one branch of a choice).
fn object(m: &Model, fields: &[&Field]) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("type".into(), "object".into());
    let mut props = Map::new();
    let mut required = Vec::new();
    for f in fields {
        let optional = !f.required();
        let mut p = property(m, f);
        // An optional single value may be blank or null, an optional container or list
        // null or `{}`: read as absent, or as no item (in an erasable type, sent empty: an
        // attempt to erase, which only the stored value can refuse, CANNOT_ERASE 409).
        if optional {
            let absent = if m.is_simple(&f.ty) && !f.repeated() {
                ABSENT
            } else {
                ABSENT_CONTAINER
            };
            p = combined(p, "anyOf", schema_ref(absent));
        } else if !f.repeated() && m.complex.contains_key(f.ty.name()) {
            // A required container sent as `{}` (an empty element) is missing: MANDATORY.
            p = combined(p, "allOf", json!({ "minProperties": 1 }));
        }
        props.insert(f.name.clone(), p);
        if !optional {
            required.push(Value::from(f.name.clone()));
        }
    }
    o.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        o.insert("required".into(), Value::Array(required));
    }
    o.insert("additionalProperties".into(), false.into());
    o
}

fn complex_schema(m: &Model, c: &Complex) -> Value {
    let mut o = if c.group == Group::Choice {
        let mut o = Map::new();
        o.insert("type".into(), "object".into());
        let branches: Vec<Value> = c
            .fields
            .iter()
            .map(|f| {
                let single = Field {
                    min: 1,
                    ..f.clone()
                };
                Value::Object(object(m, &[&single]))
            })
            .collect();
        o.insert("oneOf".into(), Value::Array(branches));
        o
    } else {
        object(m, &c.fields.iter().collect::<Vec<_>>())
    };
    let mut docs: Vec<&str> = c.doc.iter().map(String::as_str).collect();
    if c.erasable {
        docs.push("Erasable: an optional field sent empty (null, \"\" or an empty element) is an attempt to erase its value, refused for a value that must stay (UpdateContactDetails: CANNOT_ERASE, 409).");
    }
    if !docs.is_empty() {
        o.insert("description".into(), docs.join(" ").into());
    }
    together(m, c, &mut o);
    Value::Object(o)
}

/// The rules across fields of `c` as JSON Schema, and in the description: `<oneOf>`,
/// `<atMostOne>`, `<atLeastOne>` (which the decoder checks) and `<requiredWhen>` (which
/// the operation checks); `<ordered>`, which JSON Schema cannot compare, as
/// `x-cmp-ordered`. A field is given when it holds a value the decoder does not read as
/// absent.
fn together(m: &Model, c: &Complex, o: &mut Map<String, Value>) {
    if c.together.is_empty() && c.ordered.is_empty() && c.required_when.is_empty() {
        return;
    }
    let given = |name: &str| -> Value {
        if let Some((outer, inner)) = name.split_once('/') {
            // `a/b`: a is an object whose b is given.
            let b = json!({ "type": "object", "required": [inner], "properties": { inner: { "not": schema_ref(ABSENT) } } });
            return json!({ "required": [outer], "properties": { outer: b } });
        }
        let simple = c
            .fields
            .iter()
            .find(|f| f.name == name)
            .is_none_or(|f| m.is_simple(&f.ty));
        let absent = if simple { ABSENT } else { ABSENT_CONTAINER };
        json!({ "required": [name], "properties": { name: { "not": schema_ref(absent) } } })
    };
    let mut all = Vec::new();
    let mut text = Vec::new();
    for t in &c.together {
        let each: Vec<Value> = t.fields.iter().map(|n| given(n)).collect();
        all.push(match t.how {
            HowMany::OneOf => json!({ "oneOf": each }),
            HowMany::AtLeastOne => json!({ "anyOf": each }),
            HowMany::AtMostOne => {
                let mut pairs = Vec::new();
                for (i, a) in each.iter().enumerate() {
                    for b in &each[i + 1..] {
                        pairs.push(json!({ "allOf": [a, b] }));
                    }
                }
                json!({ "not": { "anyOf": pairs } })
            }
        });
        let mut answers = Vec::new();
        if t.how.needs_one() {
            answers.push("none given: MANDATORY".to_string());
        }
        if !t.how.allows_several() {
            answers.push(format!("several: {}", t.code));
        }
        text.push(format!(
            "Give {} of {} ({}).",
            t.how.phrase(),
            t.names(),
            answers.join("; ")
        ));
    }
    for r in &c.required_when {
        let is_value =
            json!({ "required": [r.field], "properties": { &r.field: { "const": r.value } } });
        let given = json!({ "required": [r.required], "properties": { &r.required: { "not": schema_ref(ABSENT) } } });
        all.push(json!({ "anyOf": [{ "not": is_value }, given] }));
        text.push(format!(
            "{} is mandatory when {} is {} (MANDATORY).",
            r.required, r.field, r.value
        ));
    }
    if !c.ordered.is_empty() {
        // JSON Schema cannot compare two values: an extension, and the description.
        let rules: Vec<Value> = c
            .ordered
            .iter()
            .map(
                |r| json!({ "first": r.first, "then": r.then, "strict": r.strict, "code": r.code }),
            )
            .collect();
        o.insert("x-cmp-ordered".into(), rules.into());
        for r in &c.ordered {
            let how = if r.strict { "after" } else { "not below" };
            text.push(format!(
                "Given both, {} is {how} {} ({}).",
                r.then, r.first, r.code
            ));
        }
    }
    if !all.is_empty() {
        o.insert("allOf".into(), Value::Array(all));
    }
    let before = o
        .get("description")
        .and_then(Value::as_str)
        .map(|d| format!("{d} "))
        .unwrap_or_default();
    o.insert(
        "description".into(),
        format!("{before}{}", text.join(" ")).into(),
    );
}

/// The JSON fault: `{"fault": kind, …the fault type's fields…}`, with a wrapper of one
/// repeated element (`errors/error*`) written as a plain array.
fn json_fault_schema(m: &Model) -> Option<Value> {
    let fault_type = m
        .roots
        .get(FaultKind::Validation.rest_element())?
        .ty
        .clone();
    let c = m.complex.get(&fault_type)?;
    let mut props = Map::new();
    props.insert(
        "fault".into(),
        json!({ "type": "string", "enum": FAULTS.iter().map(|k| k.element()).collect::<Vec<_>>() }),
    );
    let mut required = vec![Value::from("fault")];
    for f in &c.fields {
        let wrapped = match &f.ty {
            TypeRef::Named(n) => m.complex.get(n).and_then(|w| match w.fields.as_slice() {
                [only] if only.repeated() && w.group != Group::Choice => Some(only),
                _ => None,
            }),
            TypeRef::Builtin(_) => None,
        };
        let schema = match wrapped {
            Some(item) => {
                let mut a = json!({ "type": "array", "items": type_schema(m, &item.ty) });
                if item.min > 0 && f.required() {
                    a["minItems"] = item.min.into();
                }
                a
            }
            None => property(m, f),
        };
        props.insert(f.name.clone(), schema);
        if f.required() {
            required.push(f.name.clone().into());
        }
    }
    Some(json!({
        "type": "object",
        "description": "A fault in JSON (WIRE.md §4): the fault's kind, the request's externalReference, the details and, for field errors, every error.",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    }))
}

fn media(schema: Value, xml_root: &str) -> Value {
    let mut xml = schema.clone();
    xml["xml"] = json!({ "name": xml_root });
    json!({ JSON: { "schema": schema }, XML: { "schema": xml } })
}

/// The fault answers, one per status, shared by every operation.
fn fault_responses(m: &Model) -> Map<String, Value> {
    let fault_xml = |k: FaultKind| {
        let ty = m
            .roots
            .get(k.rest_element())
            .map_or("CmpFault".to_string(), |r| r.ty.clone());
        let mut x = schema_ref(&ty);
        x["xml"] = json!({ "name": k.rest_element() });
        x
    };
    let mut out = Map::new();
    for (name, kind, text) in fault_statuses() {
        let mut r = json!({
            "description": text,
            "content": {
                JSON: { "schema": schema_ref(JSON_FAULT) },
                XML: { "schema": fault_xml(kind) },
            }
        });
        if kind == FaultKind::ServiceUnavailable {
            r["headers"] = json!({ "Retry-After": { "description": "Seconds to wait before retrying.", "schema": { "type": "integer" } } });
        }
        if name == "Unauthorized" {
            r["headers"] = json!({ "WWW-Authenticate": { "description": "The accepted schemes.", "schema": { "type": "string" } } });
        }
        out.insert(name.into(), r);
    }
    out
}

/// (component name, fault kind, description) per fault status.
fn fault_statuses() -> [(&'static str, FaultKind, &'static str); 10] {
    [
        (
            "BadRequest",
            FaultKind::Validation,
            "ValidationFault: malformed body, or field errors (every one listed in errors).",
        ),
        (
            "Unauthorized",
            FaultKind::Security,
            "SecurityFault: missing or invalid credentials.",
        ),
        (
            "Forbidden",
            FaultKind::Security,
            "SecurityFault: the caller's role does not allow the operation.",
        ),
        (
            "NotFound",
            FaultKind::Validation,
            "ValidationFault NOT_FOUND: the resource does not exist.",
        ),
        (
            "NotAcceptable",
            FaultKind::Validation,
            "No offered media type is acceptable (fault in JSON).",
        ),
        (
            "Conflict",
            FaultKind::Validation,
            "ValidationFault: the request is well-formed but the state forbids it: a business rule, or field errors that are all state rules (UNKNOWN_REFERENCE: a reference that names nothing; DATE_NOT_ALLOWED: a date the clock or the data rules out; IN_USE), every one listed in errors.",
        ),
        (
            "PayloadTooLarge",
            FaultKind::Validation,
            "The body exceeds the gateway's limit.",
        ),
        (
            "UnsupportedMediaType",
            FaultKind::Validation,
            "The Content-Type or charset is not supported.",
        ),
        (
            "InternalError",
            FaultKind::System,
            "SystemFault: an internal error (extraInfo holds the request id).",
        ),
        (
            "Unavailable",
            FaultKind::ServiceUnavailable,
            "ServiceUnavailableFault: the database is unreachable or busy; retry later.",
        ),
    ]
}

/// The fault answers an operation declares: a rule (409) can refuse any operation, a read
/// too (a reference that names nothing, a disconnected subscription); only a body can be
/// too large (413).
fn fault_refs(with_body: bool) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        ("400", "BadRequest"),
        ("401", "Unauthorized"),
        ("403", "Forbidden"),
        ("404", "NotFound"),
        ("406", "NotAcceptable"),
        ("409", "Conflict"),
    ];
    if with_body {
        v.push(("413", "PayloadTooLarge"));
    }
    v.push(("415", "UnsupportedMediaType"));
    v.push(("500", "InternalError"));
    v.push(("503", "Unavailable"));
    v
}

fn responses(m: &Model, binding: &Binding, status: &str, with_body: bool) -> Value {
    let mut r = Map::new();
    let ok = match m.roots.get(binding.response_root) {
        Some(root) => json!({
            "description": format!("{} ({})", binding.response_root, root.ty),
            "content": media(schema_ref(&root.ty), binding.response_root),
        }),
        None => json!({ "description": binding.response_root }),
    };
    r.insert(status.into(), ok);
    for (code, name) in fault_refs(with_body) {
        r.insert(
            code.into(),
            json!({ "$ref": format!("#/components/responses/{name}") }),
        );
    }
    Value::Object(r)
}

/// The request body: the request type without the elements the path fills (a body may
/// repeat one only with the path's value, `PATH_MISMATCH` otherwise).
fn request_body(m: &Model, binding: &Binding, from_path: &[&str]) -> Option<Value> {
    let root = m.roots.get(binding.request_root)?;
    let c = m.complex.get(&root.ty)?;
    let schema = if c
        .fields
        .iter()
        .any(|f| from_path.contains(&f.name.as_str()))
    {
        let rest: Vec<&Field> = c
            .fields
            .iter()
            .filter(|f| !from_path.contains(&f.name.as_str()))
            .collect();
        let mut o = object(m, &rest);
        o.insert(
            "description".into(),
            format!(
                "{} without the elements the path gives ({}).",
                c.name,
                from_path.join(", ")
            )
            .into(),
        );
        together(m, c, &mut o);
        Value::Object(o)
    } else {
        schema_ref(&c.name)
    };
    // A body is required when it must hold something: a required element, or one of the
    // fields of a rule that needs one (none of them from the path).
    let in_body = |name: &str| !from_path.contains(&name);
    let required = c.fields.iter().any(|f| f.required() && in_body(&f.name))
        || c.together
            .iter()
            .any(|t| t.how.needs_one() && t.fields.iter().all(|n| in_body(n)));
    let schema = if binding.screens_card_numbers {
        let deepest = depth(m, &TypeRef::Named(c.name.clone()), 0);
        json!({ "allOf": [schema, schema_ref(&format!("{NO_CARD_NUMBER}{deepest}"))] })
    } else {
        schema
    };
    let mut content = media(schema, binding.request_root);
    if !binding.request_aliases.is_empty() {
        content[XML]["x-cmp-root-aliases"] = json!(binding.request_aliases);
    }
    Some(json!({
        "required": required,
        "description": format!("{} ({}); JSON may also be wrapped as {{\"{}\": {{…}}}}.", binding.request_root, c.name, binding.request_root),
        "content": content,
    }))
}

fn tag_of(m: &Model, binding: &Binding) -> String {
    m.roots
        .get(binding.request_root)
        .and_then(|r| m.file_of.get(&r.ty))
        .cloned()
        .unwrap_or_else(|| "other".into())
}

fn rest_operation(m: &Model, op: &Operation) -> Option<(String, String, Value)> {
    let rest = op.rest.as_ref()?;
    let binding = op.rest_binding()?;
    let req_type = m.root_type(binding.request_root);
    let field_of = |element: &str| -> Option<&Field> {
        req_type.and_then(|c| c.fields.iter().find(|f| f.name == element))
    };
    let mut params = Vec::new();
    for (name, element) in rest.params {
        let schema = field_of(element).map_or(json!({ "type": "string" }), |f| value_schema(m, f));
        params.push(json!({
            "name": name,
            "in": "path",
            "required": true,
            "description": format!("Fills {element} of {}.", binding.request_root),
            "schema": schema,
        }));
    }
    let from_path: Vec<&str> = rest.params.iter().map(|(_, e)| *e).collect();
    let with_body = takes_body(rest.method);
    if !with_body {
        if let Some(c) = req_type {
            for f in c.fields.iter().filter(|f| {
                !f.repeated() && m.is_simple(&f.ty) && !from_path.contains(&f.name.as_str())
            }) {
                let mut p = json!({
                    "name": f.name,
                    "in": "query",
                    "required": f.required(),
                    "schema": value_schema(m, f),
                });
                let mut text: Vec<&str> = f.doc.iter().map(String::as_str).collect();
                if !f.required() {
                    // Like an empty element (docs/decisions.md), `?name=` is the parameter
                    // left out, and so is a value of blanks only (trimmed, it is empty).
                    p["allowEmptyValue"] = true.into();
                    let blanks = json!({ "type": "string", "pattern": format!("^[{BLANKS}]*$") });
                    p["schema"] = json!({ "anyOf": [p["schema"].take(), blanks] });
                    text.push("An empty value, or blanks only, is read as absent.");
                }
                if !text.is_empty() {
                    p["description"] = text.join(" ").into();
                }
                params.push(p);
            }
        }
    }
    let mut desc = format!(
        "CMP {}. Role: {}. Request {}, answer {}.",
        op.name,
        op.role.as_str(),
        binding.request_root,
        binding.response_root
    );
    if !std::ptr::eq(binding, &op.document) {
        desc += &format!(
            " The document form is POST /ws/{} ({} → {}).",
            op.name, op.document.request_root, op.document.response_root
        );
    }
    if let Some(s) = &op.soap {
        desc += &format!(
            " SOAP: {} on /ws/dise3g/services/{}.",
            op.name,
            port_name(s.service)
        );
    }
    let mut o = json!({
        "operationId": op.name,
        "summary": op.name,
        "description": desc,
        "tags": [tag_of(m, binding)],
        "x-cmp-operation": op.name,
        "x-cmp-role": op.role.as_str(),
    });
    if binding.screens_card_numbers {
        // The path and query values join the request the screening reads; only text can
        // hold a card number (the numbers of these routes are 8-digit identifiers).
        let is_text = |name: &str| {
            let element = rest
                .params
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(name, |(_, e)| *e);
            field_of(element).is_none_or(|f| m.resolve(&f.ty).prim.is_none_or(|p| p == Prim::Str))
        };
        for p in &mut params {
            if p["name"].as_str().is_some_and(is_text) {
                let one = p["schema"].take();
                p["schema"] = json!({ "allOf": [one, schema_ref(&format!("{NO_CARD_NUMBER}0"))] });
            }
        }
    }
    if !params.is_empty() {
        o["parameters"] = Value::Array(params);
    }
    if with_body {
        if let Some(b) = request_body(m, binding, &from_path) {
            o["requestBody"] = b;
        }
    }
    let status = if rest.creates { "201" } else { "200" };
    o["responses"] = responses(m, binding, status, with_body);
    let method = super::method_name(rest.method).to_ascii_lowercase();
    Some((rest.path.to_string(), method, o))
}

/// GET and DELETE take their parameters from the path and the query; other methods a body.
fn takes_body(m: Method) -> bool {
    !matches!(super::method_name(m).as_str(), "GET" | "DELETE" | "HEAD")
}

fn document_operation(m: &Model, op: &Operation) -> (String, Value) {
    let b = &op.document;
    let mut desc = format!(
        "CMP {} as a document: {} → {}. Role: {}.",
        op.name,
        b.request_root,
        b.response_root,
        op.role.as_str()
    );
    if !op.aliases.is_empty() {
        desc += &format!(" Also POST /ws/{}.", op.aliases.join(", /ws/"));
    }
    let mut o = json!({
        "operationId": format!("{}Document", op.name),
        "summary": format!("{} (document)", op.name),
        "description": desc,
        "tags": [tag_of(m, b)],
        "x-cmp-operation": op.name,
        "x-cmp-role": op.role.as_str(),
    });
    if let Some(body) = request_body(m, b, &[]) {
        o["requestBody"] = body;
    }
    o["responses"] = responses(m, b, "200", true);
    (format!("/ws/{}", op.name), o)
}

/// OpenAPI links from each answer of a creating route (201) to the routes whose path
/// parameters its top-level fields fill (`agreementNumber` → `GET /agreements/{agreementNumber}`),
/// so a client, or a stateful tester, can follow created data to where it is read.
fn add_links(m: &Model, ops: &[&Operation], paths: &mut Map<String, Value>) {
    for op in ops {
        let (Some(rest), Some(binding)) = (&op.rest, op.rest_binding()) else {
            continue;
        };
        if !rest.creates {
            continue;
        }
        let Some(answer) = m.root_type(binding.response_root) else {
            continue;
        };
        let mut links = Map::new();
        for target in ops.iter().filter(|t| !std::ptr::eq(**t, *op)) {
            let Some(t) = &target.rest else { continue };
            if t.params.is_empty() {
                continue;
            }
            let filled: Option<Map<String, Value>> = t
                .params
                .iter()
                .map(|(name, element)| {
                    answer
                        .fields
                        .iter()
                        .find(|f| f.name == *element && !f.repeated())
                        .map(|f| {
                            (
                                (*name).to_string(),
                                format!("$response.body#/{}", f.name).into(),
                            )
                        })
                })
                .collect();
            if let Some(parameters) = filled {
                links.insert(
                    target.name.to_string(),
                    json!({ "operationId": target.name, "parameters": parameters }),
                );
            }
        }
        if links.is_empty() {
            continue;
        }
        let method = super::method_name(rest.method).to_ascii_lowercase();
        if let Some(r) = paths
            .get_mut(rest.path)
            .and_then(|item| item.get_mut(&method))
            .and_then(|o| o["responses"].get_mut("201"))
        {
            r["links"] = Value::Object(links);
        }
    }
}

/// A type that is only ever a document's root, of one root element, carries that
/// element's name (`xml.name`) itself: tools that resolve the `$ref` of a body before
/// reading the `xml` beside it then still name the XML root right.
fn root_names(m: &Model, schemas: &mut Map<String, Value>) {
    let nested = |ty: &str| {
        m.complex
            .values()
            .any(|c| c.fields.iter().any(|f| f.ty.name() == ty))
    };
    for root in m.roots.values() {
        let roots_of_type = m.roots.values().filter(|r| r.ty == root.ty).count();
        if roots_of_type == 1 && !nested(&root.ty) {
            if let Some(s) = schemas.get_mut(&root.ty) {
                s["xml"] = json!({ "name": root.element });
            }
        }
    }
}

/// The OpenAPI document of `ops` (the registry's operations, with the sandbox's when
/// they are served), with the contract fixtures of `examples` as examples.
pub fn openapi(m: &Model, ops: &[&Operation], examples: &Examples) -> Value {
    let mut paths = Map::new();
    for op in ops {
        if let Some((path, method, o)) = rest_operation(m, op) {
            let item = paths
                .entry(path)
                .or_insert_with(|| Value::Object(Map::new()));
            item[method.as_str()] = o;
        }
    }
    for op in ops.iter().filter(|o| o.soap.is_some() || o.rest.is_some()) {
        // Sandbox operations have no document form.
        if crate::registry::by_name(op.name).is_some_and(|r| std::ptr::eq(r, *op)) {
            let (path, o) = document_operation(m, op);
            paths.insert(path, json!({ "post": o }));
        }
    }

    add_links(m, ops, &mut paths);

    let mut schemas = Map::new();
    for f in &m.files {
        for d in &f.decls {
            match d {
                super::model::Decl::Simple(n) => {
                    let s = &m.simple[n];
                    schemas.insert(
                        n.clone(),
                        simple_schema(m, &TypeRef::Named(n.clone()), s.doc.as_deref()),
                    );
                }
                super::model::Decl::Complex(n) => {
                    schemas.insert(n.clone(), complex_schema(m, &m.complex[n]));
                }
            }
        }
    }
    if let Some(f) = json_fault_schema(m) {
        schemas.insert(JSON_FAULT.into(), f);
    }
    schemas.insert(ABSENT.into(), absent_schema());
    schemas.insert(
        ABSENT_CONTAINER.into(),
        json!({
            "type": ["object", "null"],
            "maxProperties": 0,
            "description": "null or {}: an optional container sent so is read as absent (as an empty element is).",
        }),
    );
    root_names(m, &mut schemas);
    let screened = ops
        .iter()
        .flat_map(|o| std::iter::once(&o.document).chain(o.rest_binding()))
        .filter(|b| b.screens_card_numbers)
        .filter_map(|b| m.roots.get(b.request_root))
        .map(|r| depth(m, &TypeRef::Named(r.ty.clone()), 0))
        .max();
    if let Some(d) = screened {
        no_card_number_schemas(d, &mut schemas);
    }

    let mut tags: Vec<String> = Vec::new();
    for item in paths.values() {
        for o in item.as_object().into_iter().flat_map(|o| o.values()) {
            if let Some(t) = o["tags"][0].as_str() {
                if !tags.iter().any(|x| x == t) {
                    tags.push(t.to_string());
                }
            }
        }
    }
    let tags: Vec<Value> = tags
        .into_iter()
        .map(|t| {
            let desc = m
                .files
                .iter()
                .find(|f| f.name.trim_end_matches(".xsd") == t)
                .and_then(|f| f.comment.clone())
                .unwrap_or_default();
            json!({ "name": t, "description": desc })
        })
        .collect();

    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "CMP gateway",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!("{GENERATED} The REST routes (XML and JSON) and the POST /ws/{{Operation}} documents of the CMP customer-care API. SOAP clients: the WSDL at /ws/dise3g/services/{{Svc}}Port?wsdl. Schemas: /schemas/{{name}}.xsd. API console: /docs; reference: /docs/reference."),
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": fault_responses(m),
            "securitySchemes": {
                "apiKey": { "type": "apiKey", "in": "header", "name": "X-API-Key", "description": "A key cmp_<id>_<secret>." },
                "bearer": { "type": "http", "scheme": "bearer", "description": "The same key as a bearer token." },
                "basic": { "type": "http", "scheme": "basic", "description": "The key's name as the user and the key as the password (for SOAP clients)." },
            },
        },
        "security": [ { "apiKey": [] }, { "bearer": [] }, { "basic": [] }, {} ],
    });
    super::examples::add(&mut doc, ops, examples);
    doc
}

#[cfg(test)]
mod tests {
    use super::trimmed_length;

    /// An unsigned decimal's whole maximum, in its pattern: every value up to it, none above.
    #[test]
    fn a_decimal_maximum_is_in_its_pattern() {
        for (max, fraction) in [(100, Some(2)), (7, Some(0)), (250, None), (1000, Some(1))] {
            let re =
                regex_lite::Regex::new(&super::bounded_decimal_pattern(max, fraction)).unwrap();
            for whole in 0..=max * 2 {
                for frac in ["", ".0", ".00", ".5", ".25"] {
                    let text = format!("{whole}{frac}");
                    let places = frac.len().saturating_sub(1) as u32;
                    let fits =
                        fraction.is_none_or(|f| places <= f) && (frac.is_empty() || places > 0);
                    let value: f64 = text.parse().unwrap();
                    assert_eq!(
                        re.is_match(&text),
                        fits && value <= max as f64,
                        "{max} {fraction:?} {text}"
                    );
                }
            }
        }
    }

    /// The published lengths are those of the trimmed value, as the decoder counts them.
    #[test]
    fn a_length_pattern_counts_the_trimmed_value() {
        let alphabet = ['a', ' ', '\t', '\u{2029}', 'é'];
        for (min, max) in [
            (0, Some(1)),
            (1, Some(1)),
            (1, Some(3)),
            (2, Some(4)),
            (0, None),
            (3, None),
        ] {
            let re = regex_lite::Regex::new(&trimmed_length(min, max)).unwrap();
            for n in 0..alphabet.len().pow(6) {
                let text: String = (0..(n % 7))
                    .map(|i| alphabet[(n / alphabet.len().pow(i as u32)) % alphabet.len()])
                    .collect();
                let len = text.trim().chars().count() as u64;
                let ok = len >= min && max.is_none_or(|m| len <= m);
                assert_eq!(re.is_match(&text), ok, "{min}..{max:?} {text:?}");
            }
        }
    }
}
