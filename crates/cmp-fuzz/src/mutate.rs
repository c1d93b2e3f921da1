//! Structure-aware mutations of a fixture request: its fields (XML leaves, JSON scalars,
//! query parameters, path parameters) and, for the fuzzer, its structure and bytes.

use cmp_gateway::registry;

use crate::input::Request;
use crate::jtree::{self, J};
use crate::rng::Rng;
use crate::xtree::{self, XDoc, XNode};

/// The hostile classes of a single-field mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// Another type where the field's belongs: `abc`, `3.0`, `1e1`, `{}`, `[]`, a child.
    WrongType,
    /// Strings at (and one past) common length facets, empty, blanks, very long.
    Boundary,
    /// Characters XML 1.0 forbids or that are not characters: U+0000, C0 controls,
    /// U+FFFE/U+FFFF, lone surrogate escapes, `&#0;`.
    Forbidden,
    /// Multi-byte UTF-8, also at every position of a date.
    NonAscii,
    /// The field left out.
    Absent,
    /// The field given twice.
    Repeated,
}

pub const CLASSES: [Class; 6] = [
    Class::WrongType,
    Class::Boundary,
    Class::Forbidden,
    Class::NonAscii,
    Class::Absent,
    Class::Repeated,
];

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::WrongType => "wrong-type",
            Class::Boundary => "boundary-length",
            Class::Forbidden => "forbidden-character",
            Class::NonAscii => "non-ascii",
            Class::Absent => "absent",
            Class::Repeated => "repeated",
        }
    }
}

/// What a field becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A value, escaped for the syntax (XML escapes, a JSON string, percent-encoding).
    Text(String),
    /// Written as it is: XML markup or references, a JSON token, a query value.
    Raw(String),
    Remove,
    Repeat,
}

/// Where a field's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Xml,
    Json,
    /// A query or path parameter (percent-encoded).
    Url,
}

/// Looks like `2026-11-22` or `2026-11-22T10:00:00Z`.
pub fn is_date_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
}

const LENGTHS: [usize; 30] = [
    0, 1, 2, 6, 7, 8, 9, 12, 13, 16, 17, 20, 21, 30, 31, 35, 36, 50, 51, 64, 65, 69, 70, 100, 101,
    255, 256, 257, 4096, 65536,
];
/// The lengths a single-field property test tries.
const FEW_LENGTHS: [usize; 10] = [0, 1, 9, 13, 21, 36, 65, 70, 256, 4096];

const FORBIDDEN: [char; 9] = [
    '\0', '\u{1}', '\u{8}', '\u{b}', '\u{c}', '\u{1f}', '\u{7f}', '\u{fffe}', '\u{ffff}',
];
const MULTIBYTE: [&str; 12] = [
    "é", "ß", "İ", "日", "😀", "\u{202e}", "\u{a0}", "١", "２", "ﬁ", "e\u{301}", "\u{2010}",
];

fn insert_mid(orig: &str, s: &str) -> String {
    let mid = orig
        .char_indices()
        .nth(orig.chars().count() / 2)
        .map_or(orig.len(), |(i, _)| i);
    format!("{}{s}{}", &orig[..mid], &orig[mid..])
}

fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn text(label: impl Into<String>, s: impl Into<String>) -> (String, Edit) {
    (label.into(), Edit::Text(s.into()))
}
fn raw(label: impl Into<String>, s: impl Into<String>) -> (String, Edit) {
    (label.into(), Edit::Raw(s.into()))
}

/// The mutations of one class for a field whose value is `orig` (`json_string`: the
/// JSON value is a string, not a number or literal). `all`: every variant (the fuzzer
/// picks one); otherwise a bounded set for the property test.
pub fn edits(
    class: Class,
    syntax: Syntax,
    orig: &str,
    json_string: bool,
    all: bool,
) -> Vec<(String, Edit)> {
    let numeric = !orig.is_empty() && orig.bytes().all(|b| b.is_ascii_digit());
    let date = is_date_like(orig);
    let mut v = Vec::new();
    match class {
        Class::WrongType => {
            match syntax {
                Syntax::Json => {
                    for t in [
                        "3.0",
                        "1e1",
                        "{}",
                        "[]",
                        "true",
                        "null",
                        "\"abc\"",
                        "-0",
                        "[1,2]",
                        "{\"a\":1}",
                        "99999999999999999999999999999999999999",
                        "-9223372036854775809",
                        "1e400",
                    ] {
                        v.push(raw(format!("json {t}"), t));
                    }
                    if json_string && numeric {
                        v.push(raw("number for a numeric string", orig));
                    } else if !json_string && !orig.starts_with(['{', '[']) {
                        v.push(raw("string for a number", jtree::string(orig)));
                    }
                }
                Syntax::Xml | Syntax::Url => {
                    for t in [
                        "abc",
                        "3.0",
                        "1e1",
                        "-0",
                        "+1",
                        " 1 ",
                        "0x1F",
                        "true",
                        "NaN",
                        "99999999999999999999999999999999999999",
                        "-1",
                        "2026-02-30",
                        "2026-11-22T25:61:00Z",
                    ] {
                        v.push(text(format!("text {t:?}"), t));
                    }
                    if syntax == Syntax::Xml {
                        v.push(raw("a child element", "<x>1</x>"));
                        v.push(raw("an empty child", "<x/>"));
                    }
                }
            }
            if !all {
                // The property test: the ones a decoder must tell from an integer or a string.
                let keep = [
                    "json 3.0",
                    "json 1e1",
                    "json {}",
                    "json []",
                    "json \"abc\"",
                    "text \"abc\"",
                    "text \"3.0\"",
                    "text \"1e1\"",
                    "a child element",
                    "string for a number",
                    "number for a numeric string",
                    "json 99999999999999999999999999999999999999",
                ];
                v.retain(|(l, _)| keep.contains(&l.as_str()));
            }
        }
        Class::Boundary => {
            let fill = if numeric { '9' } else { 'A' };
            let lengths: &[usize] = if all { &LENGTHS } else { &FEW_LENGTHS };
            for &n in lengths {
                v.push(text(format!("{n} x {fill:?}"), fill.to_string().repeat(n)));
            }
            v.push(text("blanks", "   "));
            if all {
                v.push(text("padded", format!("  {orig}  ")));
                v.push(text("tab and newline", format!("\t{orig}\n")));
            }
        }
        Class::Forbidden => {
            for c in FORBIDDEN {
                let label = format!("U+{:04X} inside", c as u32);
                v.push(text(label, insert_mid(orig, &c.to_string())));
            }
            match syntax {
                Syntax::Xml => {
                    for r in [
                        "&#0;",
                        "&#x1;",
                        "&#x1F;",
                        "&#xFFFE;",
                        "&#65535;",
                        "&#xD800;",
                        "&#x110000;",
                    ] {
                        v.push(raw(
                            format!("reference {r}"),
                            insert_mid(&xtree::escape(orig), r),
                        ));
                    }
                }
                Syntax::Json => {
                    for r in ["\\u0000", "\\ud800", "\\udfff", "\\ud800\\u0041", "\\uDBFF"] {
                        let s = jtree::string(orig);
                        v.push(raw(
                            format!("escape {r}"),
                            insert_mid(&s[..s.len() - 1], r) + "\"",
                        ));
                    }
                    v.push(raw(
                        "literal control in a string",
                        format!("\"{orig}\u{1}\""),
                    ));
                }
                Syntax::Url => {
                    for r in [
                        "%00",
                        "%01",
                        "%1F",
                        "%EF%BF%BE",
                        "%EF%BF%BF",
                        "%ED%A0%80",
                        "%C3",
                        "%FF",
                    ] {
                        v.push(raw(format!("encoded {r}"), format!("{}{r}", percent(orig))));
                    }
                }
            }
            if !all {
                let keep = [
                    "U+0000 inside",
                    "U+0001 inside",
                    "U+001F inside",
                    "U+FFFE inside",
                    "U+FFFF inside",
                    "reference &#0;",
                    "reference &#x1;",
                    "reference &#xFFFE;",
                    "escape \\u0000",
                    "escape \\ud800",
                    "escape \\udfff",
                    "encoded %00",
                    "encoded %EF%BF%BF",
                    "encoded %ED%A0%80",
                ];
                v.retain(|(l, _)| keep.contains(&l.as_str()));
            }
        }
        Class::NonAscii => {
            let chars: Vec<(usize, char)> = orig.char_indices().collect();
            let picks: &[&str] = if all {
                &MULTIBYTE
            } else {
                &["é", "日", "😀"]
            };
            // Every position of a date (slicing by bytes is where dates break), the
            // ends and the middle of anything else.
            let positions: Vec<usize> = if date || all {
                // Every position, up to 40 (a 64 KiB value has 20 at each end).
                let n = chars.len();
                if n <= 40 {
                    (0..n).collect()
                } else {
                    (0..20).chain(n - 20..n).collect()
                }
            } else {
                let n = chars.len();
                let mut p = vec![0, n / 2, n.saturating_sub(1)];
                p.dedup();
                p.into_iter().filter(|&i| i < n).collect()
            };
            for m in picks {
                for &i in &positions {
                    let (at, c) = chars[i];
                    let s = format!("{}{m}{}", &orig[..at], &orig[at + c.len_utf8()..]);
                    v.push(text(format!("{m} for char {i}"), s));
                }
                v.push(text(format!("{m} appended"), format!("{orig}{m}")));
            }
            v.push(text("all non-ASCII", "日本語テキスト"));
            if date {
                v.push(text(
                    "Arabic-Indic digits",
                    orig.chars()
                        .map(|c| match c.to_digit(10) {
                            Some(d) => char::from_u32(0x660 + d).unwrap_or(c),
                            None => c,
                        })
                        .collect::<String>(),
                ));
                v.push(text(
                    "full-width digits",
                    orig.chars()
                        .map(|c| match c.to_digit(10) {
                            Some(d) => char::from_u32(0xFF10 + d).unwrap_or(c),
                            None => c,
                        })
                        .collect::<String>(),
                ));
            }
        }
        Class::Absent => v.push(("absent".into(), Edit::Remove)),
        Class::Repeated => v.push(("repeated".into(), Edit::Repeat)),
    }
    v
}

/// The body of a request, parsed for mutation.
#[derive(Debug, Clone)]
pub enum Body {
    Xml(XDoc),
    Json(J),
    /// Empty, or not parseable by the mutator (mutated as bytes only).
    Opaque,
}

/// A field of a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Xml(xtree::Path),
    Json(jtree::Path),
    /// The n-th query parameter.
    Query(usize),
    /// The n-th path segment (a path parameter of the route).
    Segment(usize),
}

/// A request taken apart: its body tree, query pairs and path segments.
#[derive(Debug, Clone)]
pub struct Shape {
    pub request: Request,
    pub body: Body,
    /// Raw (percent-encoded) name and value.
    pub query: Vec<(String, String)>,
    pub segments: Vec<String>,
    /// The segments that are parameters of the operation's route.
    pub params: Vec<usize>,
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1..i + 3)) {
            (b'%', Some(h)) if h.iter().all(u8::is_ascii_hexdigit) => {
                let h = std::str::from_utf8(h).unwrap_or("00");
                out.push(u8::from_str_radix(h, 16).unwrap_or(0));
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Shape {
    pub fn of(request: &Request, operation: Option<&registry::Operation>) -> Shape {
        let text = std::str::from_utf8(&request.body).unwrap_or("");
        let body = match text.trim_start().chars().next() {
            Some('<') => XDoc::parse(text).map_or(Body::Opaque, Body::Xml),
            Some('{' | '[') => J::parse(text).map_or(Body::Opaque, Body::Json),
            _ => Body::Opaque,
        };
        let (path, query) = request.path.split_once('?').unwrap_or((&request.path, ""));
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        let segments: Vec<String> = path.split('/').skip(1).map(str::to_string).collect();
        let mut params = Vec::new();
        if let Some(route) = operation.and_then(|o| o.rest.as_ref()) {
            let template: Vec<&str> = route.path.split('/').skip(1).collect();
            let matches = template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t.starts_with('{') || t == s);
            if matches {
                params = (0..template.len())
                    .filter(|&i| template[i].starts_with('{'))
                    .collect();
            }
        }
        Shape {
            request: request.clone(),
            body,
            query,
            segments,
            params,
        }
    }

    pub fn fields(&self) -> Vec<Field> {
        let mut out: Vec<Field> = match &self.body {
            Body::Xml(d) => d.field_paths().into_iter().map(Field::Xml).collect(),
            Body::Json(j) => j.field_paths().into_iter().map(Field::Json).collect(),
            Body::Opaque => Vec::new(),
        };
        out.extend((0..self.query.len()).map(Field::Query));
        out.extend(self.params.iter().map(|&i| Field::Segment(i)));
        out
    }

    /// A name for reports: `agreementData/billingCycle`, `?salesChannel`, `/{1}`.
    pub fn name(&self, f: &Field) -> String {
        match (f, &self.body) {
            (Field::Xml(p), Body::Xml(d)) => d.name_of(p),
            (Field::Json(p), Body::Json(j)) => j.name_of(p),
            (Field::Query(i), _) => format!("?{}", self.query[*i].0),
            (Field::Segment(i), _) => format!("/{{{i}}}"),
            _ => "?".into(),
        }
    }

    /// The field's value and, for JSON, whether it is a string.
    pub fn value(&self, f: &Field) -> (String, bool) {
        match (f, &self.body) {
            (Field::Xml(p), Body::Xml(d)) => (
                d.get(p)
                    .map(|e| xtree::unescape(&e.raw_text()))
                    .unwrap_or_default(),
                true,
            ),
            (Field::Json(p), Body::Json(j)) => match j.get(p) {
                Some(v @ J::Raw(t)) => (v.scalar_text().unwrap_or_default(), t.starts_with('"')),
                Some(other) => (other.to_string(), false),
                None => (String::new(), false),
            },
            (Field::Query(i), _) => (percent_decode(&self.query[*i].1), true),
            (Field::Segment(i), _) => (percent_decode(&self.segments[*i]), true),
            _ => (String::new(), true),
        }
    }

    pub fn syntax(&self, f: &Field) -> Syntax {
        match f {
            Field::Xml(_) => Syntax::Xml,
            Field::Json(_) => Syntax::Json,
            Field::Query(_) | Field::Segment(_) => Syntax::Url,
        }
    }

    /// The request with one field edited.
    pub fn apply(&self, f: &Field, e: &Edit) -> Request {
        let mut s = self.clone();
        match (f, &mut s.body) {
            (Field::Xml(p), Body::Xml(d)) => match e {
                Edit::Remove => {
                    d.remove(p);
                }
                Edit::Repeat => {
                    d.repeat(p);
                }
                Edit::Text(t) => {
                    if let Some(el) = d.get_mut(p) {
                        el.set_raw(xtree::escape(t));
                    }
                }
                Edit::Raw(t) => {
                    if let Some(el) = d.get_mut(p) {
                        el.set_raw(t.clone());
                    }
                }
            },
            (Field::Json(p), Body::Json(j)) => match e {
                Edit::Remove => {
                    j.remove(p);
                }
                Edit::Repeat => {
                    j.repeat(p);
                }
                Edit::Text(t) => {
                    if let Some(v) = j.get_mut(p) {
                        *v = J::Raw(jtree::string(t));
                    }
                }
                Edit::Raw(t) => {
                    if let Some(v) = j.get_mut(p) {
                        *v = J::Raw(t.clone());
                    }
                }
            },
            (Field::Query(i), _) => match e {
                Edit::Remove => {
                    s.query.remove(*i);
                }
                Edit::Repeat => {
                    let q = s.query[*i].clone();
                    s.query.insert(*i + 1, q);
                }
                Edit::Text(t) => s.query[*i].1 = percent(t),
                Edit::Raw(t) => s.query[*i].1 = t.clone(),
            },
            (Field::Segment(i), _) => match e {
                Edit::Remove => {
                    s.segments.remove(*i);
                }
                Edit::Repeat => {
                    let seg = s.segments[*i].clone();
                    s.segments.insert(*i + 1, seg);
                }
                Edit::Text(t) => s.segments[*i] = percent(t),
                Edit::Raw(t) => s.segments[*i] = t.clone(),
            },
            _ => {}
        }
        s.to_request()
    }

    /// The request this shape writes.
    pub fn to_request(&self) -> Request {
        let mut r = self.request.clone();
        r.path = format!("/{}", self.segments.join("/"));
        if !self.query.is_empty() {
            let q: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            r.path = format!("{}?{}", r.path, q.join("&"));
        }
        match &self.body {
            Body::Xml(d) => r.body = d.to_string().into_bytes(),
            Body::Json(j) => r.body = j.to_string().into_bytes(),
            Body::Opaque => {}
        }
        r.renegotiated()
    }
}

/// One random single-field mutation: (what was done, the request).
pub fn random_field(shape: &Shape, rng: &mut Rng) -> Option<(String, Request)> {
    let fields = shape.fields();
    if fields.is_empty() {
        return None;
    }
    let f = rng.pick(&fields);
    let class = *rng.pick(&CLASSES);
    let (orig, json_string) = shape.value(f);
    let edits = edits(class, shape.syntax(f), &orig, json_string, true);
    let (label, edit) = rng.pick(&edits);
    Some((
        format!("{} {}: {label}", shape.name(f), class.name()),
        shape.apply(f, edit),
    ))
}

/// Names that occur in fixtures, to rename or add elements with.
const NAMES: [&str; 12] = [
    "externalReference",
    "agreementData",
    "accountCode",
    "billingCycle",
    "accountIdentifier",
    "subscriptionNumber",
    "eligibilityRules",
    "auditRecord",
    "userID",
    "x",
    "Envelope",
    "Body",
];

/// One random structural mutation of the body tree (deep nesting, self-closing root,
/// duplicated or removed subtrees, renamed elements, markup the parser must refuse).
pub fn random_structure(shape: &Shape, rng: &mut Rng) -> Option<(String, Request)> {
    let mut s = shape.clone();
    let label = match &mut s.body {
        Body::Xml(d) => xml_structure(d, rng),
        Body::Json(j) => json_structure(j, rng),
        Body::Opaque => match s.query.len() {
            // A GET: a parameter whose dotted name nests deeply, or a stray one.
            0 if rng.one_in(2) => return None,
            _ => {
                let depth = *rng.pick(&[2, 40, 1000, 5000]);
                let name = vec!["a"; depth].join(".");
                s.query.push((name, "1".into()));
                format!("query parameter nested {depth} deep")
            }
        },
    };
    Some((label, s.to_request()))
}

fn xml_structure(d: &mut XDoc, rng: &mut Rng) -> String {
    let paths = d.element_paths();
    match rng.below(12) {
        0 => {
            d.root.children.clear();
            d.root.empty = true;
            "self-closing root".into()
        }
        1 => {
            d.root.children.clear();
            d.root.empty = false;
            "empty root".into()
        }
        2 | 3 if !paths.is_empty() => {
            let p = rng.pick(&paths).clone();
            let size = d.get(&p).map_or(1, |e| {
                let mut s = String::new();
                e.write(&mut s);
                s.len().max(1)
            });
            let n = (*rng.pick(&[2, 10, 1000])).min(MAX_BODY / size);
            for _ in 0..n {
                d.repeat(&p);
            }
            format!("{} repeated {n} times", d.name_of(&p))
        }
        4 if !paths.is_empty() => {
            let p = rng.pick(&paths).clone();
            let name = d.name_of(&p);
            d.remove(&p);
            format!("{name} removed")
        }
        5 => {
            let depth = *rng.pick(&[31, 32, 33, 100, 10_000]);
            let name = *rng.pick(&NAMES);
            let inner = format!(
                "{}1{}",
                format!("<{name}>").repeat(depth),
                format!("</{name}>").repeat(depth)
            );
            let target = if paths.is_empty() {
                None
            } else {
                Some(rng.pick(&paths).clone())
            };
            match target.and_then(|p| d.get_mut(&p)) {
                Some(e) => e.set_raw(inner),
                None => d.root.set_raw(inner),
            }
            format!("nested {depth} deep")
        }
        6 if !paths.is_empty() => {
            let p = rng.pick(&paths).clone();
            let name = *rng.pick(&NAMES);
            if let Some(e) = d.get_mut(&p) {
                e.name = name.to_string();
            }
            format!("element renamed {name}")
        }
        7 => {
            let attr = *rng.pick(&[
                " xmlns=\"urn:x\"",
                " a=\"1\"",
                " xsi:nil=\"true\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
                " a=\"&#0;\"",
                " xmlns:p=\"\"",
                " a=\"1\" a=\"2\"",
            ]);
            let p = if paths.is_empty() {
                Vec::new()
            } else {
                rng.pick(&paths).clone()
            };
            if let Some(e) = d.get_mut(&p) {
                e.attrs.push_str(attr);
            }
            format!("attribute {attr}")
        }
        8 => {
            let markup = *rng.pick(&[
                "<!-- c -->",
                "<![CDATA[1]]>",
                "<![CDATA[<x>&#0;]]>",
                "<?pi x?>",
                "&unknown;",
                "&#x1F600;",
                "]]>",
                "<x:y/>",
                "</x>",
            ]);
            let p = if paths.is_empty() {
                Vec::new()
            } else {
                rng.pick(&paths).clone()
            };
            if let Some(e) = d.get_mut(&p) {
                let at = rng.below(e.children.len() + 1);
                e.children.insert(at, XNode::Raw(markup.to_string()));
                e.empty = false;
            }
            format!("markup {markup}")
        }
        9 => {
            let prolog = *rng.pick(&[
                "<!DOCTYPE r [<!ENTITY e \"x\">]>",
                "<!DOCTYPE r SYSTEM \"file:///etc/passwd\">",
                "\u{feff}",
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
                "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
                "<?xml version=\"1.1\"?>",
                "<?xml version=\"1.0\" encoding=\"bogus\"?>",
            ]);
            let (decl, rest) = match d.prolog.trim_start().strip_prefix("<?xml") {
                Some(r) => match r.split_once("?>") {
                    Some((attrs, rest)) => (format!("<?xml{attrs}?>"), rest.to_string()),
                    None => (String::new(), d.prolog.clone()),
                },
                None => (String::new(), d.prolog.clone()),
            };
            d.prolog = if prolog.starts_with("<?xml") {
                format!("{prolog}{rest}")
            } else if prolog.starts_with("<!DOCTYPE") {
                format!("{decl}{prolog}{rest}")
            } else {
                format!("{prolog}{decl}{rest}")
            };
            format!("prolog {prolog:?}")
        }
        10 => {
            let tail = *rng.pick(&["<second/>", "text", "<!-- after -->", "\0"]);
            d.epilog.push_str(tail);
            "after the root".into()
        }
        _ if paths.len() >= 2 => {
            // Move a subtree somewhere else (unknown place, wrong parent).
            let a = rng.pick(&paths).clone();
            let b = rng.pick(&paths).clone();
            if b.starts_with(&a) {
                return "no move".into();
            }
            if let Some(sub) = d.get(&a).cloned() {
                if let Some(t) = d.get_mut(&b) {
                    t.children.push(XNode::El(sub));
                    t.empty = false;
                }
            }
            "subtree copied under another element".into()
        }
        _ => "no change".into(),
    }
}

fn json_structure(j: &mut J, rng: &mut Rng) -> String {
    let paths = j.paths();
    match rng.below(9) {
        0 => {
            let depth = *rng.pick(&[31, 32, 33, 100, 127, 129, 10_000]);
            let deep = if rng.one_in(2) {
                format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
            } else {
                format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
            };
            if paths.is_empty() {
                *j = J::Raw(deep);
            } else {
                let p = rng.pick(&paths).clone();
                if let Some(v) = j.get_mut(&p) {
                    *v = J::Raw(deep);
                }
            }
            format!("nested {depth} deep")
        }
        1 if !paths.is_empty() => {
            let p = rng.pick(&paths).clone();
            let size = j.get(&p).map_or(1, |v| v.to_string().len().max(1));
            let n = (*rng.pick(&[2, 10, 1000])).min(MAX_BODY / size);
            for _ in 0..n {
                j.repeat(&p);
            }
            format!("{} repeated {n} times", j.name_of(&p))
        }
        2 if !paths.is_empty() => {
            let p = rng.pick(&paths).clone();
            let name = j.name_of(&p);
            j.remove(&p);
            format!("{name} removed")
        }
        3 => {
            let top = *rng.pick(&["[]", "[{}]", "1", "\"x\"", "null", "{}", "true"]);
            *j = J::Raw(top.into());
            format!("top-level {top}")
        }
        4 if !paths.is_empty() => {
            // An object where a scalar is, or an array of the value (repeated nodes).
            let p = rng.pick(&paths).clone();
            if let Some(v) = j.get_mut(&p) {
                let old = v.clone();
                *v = if rng.one_in(2) {
                    J::Arr(vec![old.clone(), old])
                } else {
                    J::Obj(vec![("\"x\"".into(), old)])
                };
            }
            "value wrapped".into()
        }
        5 => {
            let name = *rng.pick(&NAMES);
            let old = j.clone();
            *j = J::Obj(vec![(jtree::string(name), old)]);
            format!("wrapped in {name}")
        }
        6 if !paths.is_empty() => {
            let p = rng.pick(&paths).clone();
            let key = *rng.pick(&[
                "\"\"",
                "\"\\u0000\"",
                "\"\\ud800\"",
                "\"a.b\"",
                "\"日本\"",
                "\"x\"",
            ]);
            if let Some((parent_path, last)) = p.split_last().map(|(l, p)| (p.to_vec(), *l)) {
                if let Some(J::Obj(m)) = j.get_mut(&parent_path) {
                    m[last].0 = key.to_string();
                }
            }
            format!("key {key}")
        }
        7 => {
            let s = j.to_string();
            let tail = *rng.pick(&[",", "}", " 1", "\u{feff}", "/*c*/"]);
            *j = J::Raw(format!("{s}{tail}"));
            format!("after the value {tail:?}")
        }
        _ => {
            let s = j.to_string();
            *j = J::Raw(format!("\u{feff}{s}"));
            "byte-order mark".into()
        }
    }
}

/// Byte-level damage: flips, insertions, deletions, truncation.
pub fn random_bytes(body: &mut Vec<u8>, rng: &mut Rng) -> String {
    if body.is_empty() {
        let start = *rng.pick(&[&b"{"[..], b"<", b"\0", b"\xff\xfe", b"[]"]);
        body.extend_from_slice(start);
        return "bytes into an empty body".into();
    }
    let n = 1 + rng.below(4);
    for _ in 0..n {
        let i = rng.below(body.len());
        match rng.below(5) {
            0 => body[i] ^= 1 << rng.below(8),
            1 => body.insert(
                i,
                *rng.pick(&[
                    0u8, b'<', b'>', b'&', b'"', b'{', b'}', 0xC3, 0xFF, 0x80, b'\\',
                ]),
            ),
            2 => {
                body.remove(i);
            }
            3 => body.truncate(i),
            _ => {
                let j = rng.below(body.len());
                let (a, b) = (i.min(j), i.max(j));
                let chunk = body[a..b.min(a + 64)].to_vec();
                let at = rng.below(body.len() + 1);
                body.splice(at..at, chunk);
            }
        }
        if body.is_empty() {
            break;
        }
    }
    format!("{n} byte edits")
}

/// The largest body a mutation makes: a bit above the gateway's 1 MiB limit, so that
/// stacked mutations cannot grow without bound (the limit itself is also tried).
pub const MAX_BODY: usize = 1536 << 10;

/// A random mutation of a fixture request: mostly one field, sometimes structure,
/// sometimes bytes, sometimes several stacked.
pub fn random(
    base: &Request,
    operation: Option<&registry::Operation>,
    rng: &mut Rng,
) -> (String, Request) {
    let mut req = base.clone();
    let mut what = Vec::new();
    let rounds = 1 + usize::from(rng.one_in(4)) + usize::from(rng.one_in(8));
    for _ in 0..rounds {
        let shape = Shape::of(&req, operation);
        let step = match rng.below(10) {
            0..=5 => random_field(&shape, rng),
            6..=8 => random_structure(&shape, rng),
            _ => None,
        };
        match step {
            Some((w, r)) if r.body.len() <= MAX_BODY && r.path.len() <= 64 << 10 => {
                what.push(w);
                req = r;
            }
            Some(_) => {}
            None => what.push(random_bytes(&mut req.body, rng)),
        }
    }
    if rng.one_in(20) {
        let charset = *rng.pick(&[
            "; charset=ISO-8859-1",
            "; charset=utf-16",
            "; charset=bogus",
            "; charset=\"utf-8\"",
        ]);
        if let Some((_, v)) = req.headers.iter_mut().find(|(n, _)| n == "content-type") {
            v.push_str(charset);
            what.push(format!("content-type{charset}"));
        }
    }
    (what.join("; "), req.renegotiated())
}
