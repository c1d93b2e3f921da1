//! Rust for the message types of a [`Model`] (see `docs/architecture.md`, "Messages from
//! schemas"): one Rust type per XSD type, `Decode`/`Encode` impls calling the runtime in
//! `cmp-model`'s `codec`, a `FACETS_*` constant per simple type, the document roots and
//! their typed element paths. `cmp-model/build.rs` writes it into `OUT_DIR` for the real
//! schemas; the golden tests (`tests/golden/`) check it for small fixtures.

use std::fmt::Write as _;

use crate::{Field, Group, Model, Prim, Resolved, TypeRef, BUILTINS};

/// A simple type flattened to its primitive and the facets of every level.
fn resolve(s: &Model, ty: &TypeRef) -> (Prim, Resolved) {
    let r = s.resolve(ty);
    let p = r
        .prim
        .unwrap_or_else(|| panic!("unknown simple type {}", ty.name()));
    (p, r)
}

/// The Rust field (and path method) of an element name: `billingCycle` → `billing_cycle`.
pub(crate) fn snake(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if i > 0 && (prev_lower || next_lower) && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(*c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    match out.as_str() {
        // Not allowed as raw identifiers.
        "self" | "super" | "crate" => format!("{out}_"),
        k if KEYWORDS.contains(&k) => format!("r#{out}"),
        _ => out,
    }
}

/// Rust's keywords, strict and reserved: a field of that name is written `r#name`.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// The Rust variant of an enumeration token or a choice's element: `pay-as-you-go` →
/// `PayAsYouGo`, `3G` → `V3g`.
pub(crate) fn variant(value: &str) -> String {
    let words: Vec<&str> = value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = String::new();
    for w in words {
        let all_upper = w.chars().all(|c| !c.is_ascii_lowercase());
        let mut cs = w.chars();
        if let Some(first) = cs.next() {
            out.push(first.to_ascii_uppercase());
            if all_upper {
                out.extend(cs.map(|c| c.to_ascii_lowercase()));
            } else {
                out.extend(cs);
            }
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

fn shout(name: &str) -> String {
    snake(name).trim_start_matches("r#").to_ascii_uppercase()
}

fn rust_prim(p: Prim) -> &'static str {
    match p {
        Prim::Str => "String",
        Prim::Int => "i64",
        Prim::Dec => "crate::Decimal",
        Prim::Date => "crate::Date",
        Prim::DateTime => "crate::DateTime",
        Prim::Bool => "bool",
    }
}

fn prim_name(p: Prim) -> &'static str {
    match p {
        Prim::Str => "Str",
        Prim::Int => "Int",
        Prim::Dec => "Dec",
        Prim::Date => "Date",
        Prim::DateTime => "DateTime",
        Prim::Bool => "Bool",
    }
}

enum Kind {
    /// A scalar with a facets constant (builtin types get an ad hoc one).
    Scalar {
        rust: String,
        facets: String,
    },
    /// A generated enum of a simple type.
    Enum(String),
    Complex(String),
}

fn kind(s: &Model, ty: &TypeRef) -> Kind {
    let name = ty.name();
    if s.complex.contains_key(name) {
        return Kind::Complex(name.to_string());
    }
    let (p, f) = resolve(s, ty);
    if !f.enums.is_empty() {
        return Kind::Enum(name.to_string());
    }
    let facets = match ty {
        TypeRef::Builtin(_) => format!("FACETS_XS_{}", shout(name)),
        TypeRef::Named(_) => format!("FACETS_{}", shout(name)),
    };
    Kind::Scalar {
        rust: rust_prim(p).to_string(),
        facets,
    }
}

fn facets_const(name: &str, type_name: &str, p: Prim, f: &Resolved) -> String {
    let opt = |v: Option<u64>| v.map_or("None".to_string(), |n| format!("Some({n})"));
    let opt_s = |v: &Option<String>| {
        v.as_ref()
            .map_or("None".to_string(), |n| format!("Some({n:?})"))
    };
    format!(
        "pub const {name}: Facets = Facets {{ type_name: {type_name:?}, prim: Prim::{}, min_len: {}, max_len: {}, min: {}, max: {}, total_digits: {}, fraction_digits: {}, pattern: {} }};\n",
        prim_name(p),
        opt(f.min_len),
        opt(f.max_len),
        opt_s(&f.min),
        opt_s(&f.max),
        opt(f.total_digits.map(u64::from)),
        opt(f.fraction_digits.map(u64::from)),
        opt_s(&f.pattern),
    )
}

/// The Rust of every type, facet constant, root and path of `s`: the text included in
/// `cmp_model::messages` (which brings the runtime's names into scope).
pub fn generate(s: &Model) -> String {
    let mut out = String::from("// @generated by cmp_schema::codegen. Do not edit.\n\n");
    // Facet constants for every builtin and named simple type.
    for b in BUILTINS {
        let (p, f) = resolve(s, &TypeRef::Builtin(b.to_string()));
        out += &facets_const(&format!("FACETS_XS_{}", shout(b)), b, p, &f);
    }
    for name in s.simple.keys() {
        let (p, f) = resolve(s, &TypeRef::Named(name.clone()));
        if f.enums.is_empty() {
            out += &facets_const(&format!("FACETS_{}", shout(name)), name, p, &f);
        } else {
            gen_enum(&mut out, s, name, &f.enums);
        }
    }
    for (name, def) in &s.complex {
        match def.group {
            Group::Choice => gen_choice(&mut out, s, name, &def.fields),
            Group::Sequence | Group::All => gen_struct(&mut out, s, name, &def.fields),
        }
    }
    // Document roots.
    out += "\n/// Every document root declared in the schemas: (element, type, aliases).\npub const ROOTS: &[(&str, &str, &[&str])] = &[\n";
    for (el, root) in &s.roots {
        writeln!(out, "    ({el:?}, {:?}, &{:?}),", root.ty, root.aliases).unwrap();
    }
    out += "];\n";
    // Every document type once, with a decoder that boxes it: tools that take any
    // document (the fuzzers) read this table instead of a list kept by hand.
    out += "\n/// Every type that is a document root, once: (type, decode it boxed).\npub const DOCUMENT_TYPES: &[(&str, fn(&Node, &mut Reader) -> Option<Box<dyn Encode>>)] = &[\n";
    let mut seen = std::collections::BTreeSet::new();
    for root in s.roots.values() {
        if seen.insert(root.ty.as_str()) {
            writeln!(
                out,
                "    ({t:?}, |n, r| {t}::decode(n, r).map(|v| Box::new(v) as Box<dyn Encode>)),",
                t = root.ty
            )
            .unwrap();
        }
    }
    out += "];\n";
    gen_paths(&mut out, s);
    // A type that roots several elements (the four faults) gets no `Document` impl.
    for (el, root) in &s.roots {
        let (ty, al) = (&root.ty, &root.aliases);
        if s.roots.values().filter(|r| r.ty == *ty).count() > 1 {
            continue;
        }
        writeln!(
            out,
            "impl Document for {ty} {{ const ROOT: &'static str = {el:?}; const ALIASES: &'static [&'static str] = &{al:?}; }}\nimpl {ty} {{ /// The path of this document's root element.\n pub fn path() -> paths::{ty} {{ paths::{ty}(crate::fault::FieldPath::root({el:?})) }} }}"
        )
        .unwrap();
    }
    out
}

/// Typed element paths (`CreateAgreementRequest::path().agreement_data().billing_cycle()`),
/// so that rules name fields through the schema rather than through hand-typed strings:
/// a renamed element is a compile error, not a silently wrong `extraInfo`.
fn gen_paths(out: &mut String, s: &Model) {
    out.push_str("\n/// Element paths into each complex type, for field errors found after decoding.\npub mod paths {\n    use crate::fault::FieldPath;\n");
    for (name, def) in &s.complex {
        writeln!(
            out,
            "    /// A path that ends at a `{name}`.\n    #[derive(Debug, Clone, PartialEq)]\n    pub struct {name}(pub FieldPath);\n    impl From<{name}> for FieldPath {{ fn from(p: {name}) -> FieldPath {{ p.0 }} }}\n    impl {name} {{\n        /// The same path at position `i` of a repeated element (0-based).\n        pub fn nth(self, i: usize) -> Self {{ Self(self.0.nth(i)) }}"
        )
        .unwrap();
        for f in &def.fields {
            let m = snake(&f.name);
            if s.complex.contains_key(f.ty.name()) {
                writeln!(
                    out,
                    "        pub fn {m}(self) -> {t} {{ {t}(self.0.child({n:?})) }}",
                    t = f.ty.name(),
                    n = f.name
                )
                .unwrap();
            } else {
                writeln!(
                    out,
                    "        pub fn {m}(self) -> FieldPath {{ self.0.child({n:?}) }}",
                    n = f.name
                )
                .unwrap();
            }
        }
        out.push_str("    }\n");
    }
    out.push_str("}\n");
}

fn doc_comment(out: &mut String, s: &Model, name: &str) {
    let doc = s
        .simple
        .get(name)
        .and_then(|t| t.doc.as_ref())
        .or_else(|| s.complex.get(name).and_then(|t| t.doc.as_ref()));
    if let Some(d) = doc {
        writeln!(out, "/// {d}").unwrap();
    }
}

fn gen_enum(out: &mut String, s: &Model, name: &str, values: &[String]) {
    doc_comment(out, s, name);
    writeln!(
        out,
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum {name} {{"
    )
    .unwrap();
    for v in values {
        writeln!(out, "    /// `{v}`\n    {},", variant(v)).unwrap();
    }
    out.push_str("}\n");
    writeln!(
        out,
        "impl {name} {{\n    pub const VALUES: &'static [&'static str] = &{values:?};"
    )
    .unwrap();
    out.push_str("    /// The token exactly as the schema documents it.\n    pub fn as_str(self) -> &'static str {\n        match self {\n");
    for v in values {
        writeln!(out, "            Self::{} => {v:?},", variant(v)).unwrap();
    }
    out.push_str("        }\n    }\n    /// Matches case-insensitively, ignoring blanks, `_` and `-`.\n    pub fn parse(text: &str) -> Option<Self> {\n");
    out.push_str("        let i = crate::codec::enum_index(text, Self::VALUES)?;\n        Some([");
    for v in values {
        write!(out, "Self::{}, ", variant(v)).unwrap();
    }
    out.push_str("][i])\n    }\n}\n");
    writeln!(
        out,
        "impl ScalarValue for {name} {{\n    fn decode_text(text: &str, _: &Facets) -> Result<Self, Problem> {{ Self::parse(text).ok_or(Problem::Enum(Self::VALUES)) }}\n    fn encode(&self, name: &'static str, sink: &mut dyn Sink) {{ sink.text(name, self.as_str()) }}\n}}"
    )
    .unwrap();
}

/// The Rust type of a field and the expression that reads it; `patch`: an optional field
/// of an erasable type.
fn field_parts(s: &Model, f: &Field, patch: bool) -> (String, String) {
    let (base, reader) = match kind(s, &f.ty) {
        Kind::Scalar { rust, facets } => (rust, format!("|n, r| r.scalar::<_>(n, &{facets})")),
        Kind::Enum(t) => (
            t.clone(),
            "|n, r| r.scalar::<_>(n, &FACETS_XS_STRING)".to_string(),
        ),
        Kind::Complex(t) => (t.clone(), format!("|n, r| {t}::decode(n, r)")),
    };
    let ty = match (f.min, f.max) {
        (_, None) | (_, Some(2..)) => format!("Vec<{base}>"),
        (0, _) if patch => format!("Patch<{base}>"),
        (0, _) => format!("Option<{base}>"),
        _ => base,
    };
    (ty, reader)
}

/// `impl Decode for T { fn decode(…) { const NAMES: … = [field names and aliases];`
fn decode_header(out: &mut String, name: &str, fields: &[Field]) {
    writeln!(
        out,
        "impl Decode for {name} {{\n    fn decode(node: &Node, r: &mut Reader) -> Option<Self> {{"
    )
    .unwrap();
    let names: Vec<String> = fields.iter().map(names_array).collect();
    writeln!(
        out,
        "        const NAMES: &[&[&str]] = &[{}];",
        names.join(", ")
    )
    .unwrap();
}

/// `TWO_LEVELS` → `TwoLevels`: the variant of `cmp_model::codes::Code` spelled so.
fn code_variant(code: &str) -> String {
    code.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or(String::new(), |f| {
                f.to_string() + &c.as_str().to_ascii_lowercase()
            })
        })
        .collect()
}

fn names_array(f: &Field) -> String {
    let mut all = vec![f.name.clone()];
    all.extend(f.aliases.iter().cloned());
    format!("&{all:?}")
}

fn gen_struct(out: &mut String, s: &Model, name: &str, fields: &[Field]) {
    let def = &s.complex[name];
    doc_comment(out, s, name);
    let default = if has_default(s, name) {
        ", Default"
    } else {
        ""
    };
    writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq{default})]\npub struct {name} {{"
    )
    .unwrap();
    for f in fields {
        let (ty, _) = field_parts(s, f, def.is_patch(f));
        writeln!(
            out,
            "    /// `{}`\n    pub {}: {ty},",
            f.name,
            snake(&f.name)
        )
        .unwrap();
    }
    out.push_str("}\n");
    // Field table used by the decoder to match child names.
    decode_header(out, name, fields);
    out.push_str(
        "        let __groups = r.group(node, NAMES)?;\n        let __before = r.error_count();\n",
    );
    for (i, f) in fields.iter().enumerate() {
        let (_, reader) = field_parts(s, f, def.is_patch(f));
        let max = f.max.map_or("None".to_string(), |m| format!("Some({m})"));
        let call = match (f.min, f.max) {
            (_, None) | (_, Some(2..)) => "many",
            (0, _) if def.is_patch(f) => "patch",
            (0, _) => "optional",
            _ => "required",
        };
        let extra = if call == "many" {
            format!(", {}, {max}", f.min)
        } else {
            String::new()
        };
        writeln!(
            out,
            "        let {} = r.{call}(node, {:?}, &__groups[{i}]{extra}, {reader});",
            snake(&f.name),
            f.name
        )
        .unwrap();
    }
    for t in &def.together {
        let given: Vec<String> = t
            .fields
            .iter()
            .map(|n| {
                let (outer, inner) = match n.split_once('/') {
                    Some((a, b)) => (a, Some(b)),
                    None => (n.as_str(), None),
                };
                let i = fields
                    .iter()
                    .position(|f| f.name == outer)
                    .expect("checked by the reader");
                match inner {
                    // `a/b`: the b children of the a found.
                    Some(b) => format!(
                        "({n:?}, &__groups[{i}].iter().flat_map(|n| n.children.iter().filter(|c| c.name == {b:?})).collect::<Vec<&Node>>()[..])"
                    ),
                    None => format!("({n:?}, &__groups[{i}][..])"),
                }
            })
            .collect();
        writeln!(
            out,
            "        r.together(crate::codec::HowMany::{:?}, &[{}], crate::fault::Code::{});",
            t.how,
            given.join(", "),
            code_variant(&t.code)
        )
        .unwrap();
    }
    out.push_str("        if r.error_count() > __before { return None; }\n");
    write!(out, "        Some(Self {{ ").unwrap();
    for f in fields {
        let v = snake(&f.name);
        let needs_unwrap = matches!((f.min, f.max), (1.., Some(1)));
        if needs_unwrap {
            write!(out, "{v}: {v}?, ").unwrap();
        } else {
            write!(out, "{v}, ").unwrap();
        }
    }
    out.push_str("})\n    }\n}\n");
    writeln!(
        out,
        "impl Encode for {name} {{\n    fn encode_fields(&self, sink: &mut dyn Sink) {{"
    )
    .unwrap();
    for f in fields {
        let v = snake(&f.name);
        let is_complex = s.complex.contains_key(f.ty.name());
        let one = if is_complex {
            format!(
                "sink.open({n:?}); x.encode_fields(sink); sink.close({n:?});",
                n = f.name
            )
        } else {
            format!("x.encode({:?}, sink);", f.name)
        };
        match (f.min, f.max) {
            (_, None) | (_, Some(2..)) => writeln!(
                out,
                "        sink.open_list({n:?}, self.{v}.len()); for x in &self.{v} {{ {one} }} sink.close_list({n:?});",
                n = f.name
            )
            .unwrap(),
            // Absent and sent empty write nothing.
            (0, _) if def.is_patch(f) => {
                writeln!(out, "        if let Patch::Value(x) = &self.{v} {{ {one} }}").unwrap()
            }
            (0, _) => writeln!(out, "        if let Some(x) = &self.{v} {{ {one} }}").unwrap(),
            _ => writeln!(out, "        {{ let x = &self.{v}; {one} }}").unwrap(),
        }
    }
    out.push_str("    }\n}\n");
}

/// Whether a struct can derive `Default`: every required single field must have one
/// (scalars and structs do; enums and choices do not).
fn has_default(s: &Model, name: &str) -> bool {
    match s.complex.get(name) {
        Some(c) if c.group != Group::Choice => c.fields.iter().all(|f| {
            !matches!((f.min, f.max), (1.., Some(1)))
                || match kind(s, &f.ty) {
                    Kind::Scalar { .. } => true,
                    Kind::Enum(_) => false,
                    Kind::Complex(t) => has_default(s, &t),
                }
        }),
        _ => false,
    }
}

fn gen_choice(out: &mut String, s: &Model, name: &str, fields: &[Field]) {
    doc_comment(out, s, name);
    writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq)]\npub enum {name} {{"
    )
    .unwrap();
    for f in fields {
        let (ty, _) = field_parts(
            s,
            &Field {
                min: 1,
                max: Some(1),
                ..f.clone()
            },
            false,
        );
        writeln!(out, "    /// `{}`\n    {}({ty}),", f.name, variant(&f.name)).unwrap();
    }
    out.push_str("}\n");
    decode_header(out, name, fields);
    out.push_str("        let (i, child) = r.choice(node, NAMES)?;\n        match i {\n");
    for (i, f) in fields.iter().enumerate() {
        let (_, reader) = field_parts(
            s,
            &Field {
                min: 1,
                max: Some(1),
                ..f.clone()
            },
            false,
        );
        writeln!(
            out,
            "            {i} => r.at(child, {:?}, None, {reader}).map(Self::{}),",
            f.name,
            variant(&f.name)
        )
        .unwrap();
    }
    out.push_str("            _ => None,\n        }\n    }\n}\n");
    writeln!(out, "impl Encode for {name} {{\n    fn encode_fields(&self, sink: &mut dyn Sink) {{\n        match self {{").unwrap();
    for f in fields {
        let one = if s.complex.contains_key(f.ty.name()) {
            format!(
                "{{ sink.open({n:?}); x.encode_fields(sink); sink.close({n:?}); }}",
                n = f.name
            )
        } else {
            format!("x.encode({:?}, sink)", f.name)
        };
        writeln!(out, "            Self::{}(x) => {one},", variant(&f.name)).unwrap();
    }
    out.push_str("        }\n    }\n}\n");
}
