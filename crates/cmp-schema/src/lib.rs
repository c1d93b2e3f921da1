//! The schemas as data: `schemas/*.xsd` read with roxmltree into simple types
//! (restriction + facets), complex types (sequence/all/choice of elements) and document
//! roots. One reader for the small XSD subset the project uses, shared by the message
//! generator ([`codegen`], run by `cmp-model/build.rs`) and the published contract (the
//! gateway's `publish`, at run time). The subset, and nothing else:
//! - `xs:schema` (only `elementFormDefault="unqualified"`, no target namespace) holding
//!   `xs:simpleType`, `xs:complexType`, `xs:element` and `xs:annotation`;
//! - `xs:simpleType name` = one `xs:restriction base` (a builtin of [`BUILTINS`] or
//!   another simple type) with facets `minLength`, `maxLength`, `length`, `enumeration`
//!   (strings), `minInclusive`, `maxInclusive`, `totalDigits` (integers and decimals),
//!   `fractionDigits` (decimals), each with a `value`; `pattern` (strings, one on a type
//!   and its bases) in the regular-expression subset of [`check_pattern`], which means
//!   the same to XSD, to the decoder (`regex-lite`) and to JSON Schema (ECMA-262);
//! - `xs:complexType name` = nothing, or one `xs:sequence`, `xs:all` or `xs:choice` of
//!   `xs:element name type [minOccurs] [maxOccurs]` (in a choice: exactly once each);
//! - a top-level `xs:element name type` declares a document root (of a complex type);
//! - `xs:annotation` with `xs:documentation` (text) on types and elements;
//!   `<xs:appinfo><alias>name</alias></xs:appinfo>` on elements: an accepted misspelling;
//!   `<xs:appinfo><erasable/></xs:appinfo>` on a sequence or all: its optional single
//!   elements are three-state (absent, sent empty, a value: `cmp_model::Patch`);
//!   `<xs:appinfo><oneOf code="…">a b</oneOf></xs:appinfo>` (and `atMostOne`,
//!   `atLeastOne`) on a sequence or all: a rule across its optional single elements
//!   ([`Together`]), which XSD 1.0 cannot state for elements that are not a choice group;
//!   `<xs:appinfo><notServed value="…">why</notServed></xs:appinfo>` on a single element:
//!   a value its type allows (an enumeration value, `true`/`false`, a choice branch) that
//!   the operation refuses (`NOT_SUPPORTED`, [`NotServed`]);
//!   `<xs:appinfo><ordered code="…" [strict="false"]>a b</ordered></xs:appinfo>` and
//!   `<requiredWhen field="…" value="…">a</requiredWhen>` on a sequence or all:
//!   values in order when both are given, an element required by another's value
//!   ([`Ordered`], [`RequiredWhen`]; the operation checks them, the document states them);
//!   `<xs:appinfo><unique code="…">key …</unique></xs:appinfo>` on a repeated element: no
//!   two of its items have the same key ([`Unique`]), which XSD states with `xs:unique`
//!   and an XPath this subset does not read.
//!
//! Reading is a whitelist (a `Shape` per construct): every other element, attribute or
//! text is refused with an error naming the file and line (`complexContent`, attributes,
//! `import`, `ref=`, anonymous types, nested groups, `nillable`, `default`, `whiteSpace`, …),
//! as are a type or root declared twice, a reference to an undeclared type, a facet on a
//! primitive it does not restrict and a name the generated code could not use (type names
//! are ASCII PascalCase, element names ASCII letters and digits, no two with one Rust
//! name). Nothing is ever dropped silently.

use std::collections::BTreeMap;

pub mod codegen;

const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// The primitive a simple type comes down to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prim {
    Str,
    Int,
    Dec,
    Date,
    DateTime,
    Bool,
}

impl Prim {
    pub fn label(self) -> &'static str {
        match self {
            Prim::Str => "string",
            Prim::Int => "integer",
            Prim::Dec => "decimal",
            Prim::Date => "date",
            Prim::DateTime => "dateTime",
            Prim::Bool => "boolean",
        }
    }
}

/// A type reference: an XSD builtin (`xs:date`) or a named type of the schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    Builtin(String),
    Named(String),
}

impl TypeRef {
    pub fn name(&self) -> &str {
        match self {
            TypeRef::Builtin(n) | TypeRef::Named(n) => n,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Simple {
    pub name: String,
    pub base: TypeRef,
    /// Facets in source order: (`maxLength`, `6`), (`enumeration`, `BASIC`), …
    pub facets: Vec<(String, String)>,
    pub doc: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Sequence,
    All,
    Choice,
}

impl Group {
    pub fn xs(self) -> &'static str {
        match self {
            Group::Sequence => "sequence",
            Group::All => "all",
            Group::Choice => "choice",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: TypeRef,
    pub min: u32,
    /// `None` = unbounded.
    pub max: Option<u32>,
    /// Accepted misspellings (`<xs:appinfo><alias>`).
    pub aliases: Vec<String>,
    pub doc: Option<String>,
    /// Values the type allows that the operation refuses (`<xs:appinfo><notServed>`).
    pub not_served: Vec<NotServed>,
    /// No two items with one key (`<xs:appinfo><unique>`, a repeated element).
    pub unique: Option<Unique>,
}

/// A value an element's type allows that the operations refuse with `NOT_SUPPORTED`
/// (the 7.3.8 contract offers it; this gateway does not serve it): an enumeration value,
/// `true` or `false` for a boolean, or a branch element of a choice. The operation
/// refuses it (the core's rule, `why` its reason); the OpenAPI document leaves it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotServed {
    pub value: String,
    pub why: String,
}

/// Items of a repeated element that must differ in `keys` (single simple elements of
/// the item type): a second item with the same key is refused with `code`
/// (`DUPLICATE_CODE`, `DUPLICATE_ELEMENT`) by the operation, and stated in the OpenAPI
/// document (`x-cmp-unique`), which JSON Schema cannot say for objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unique {
    pub keys: Vec<String>,
    pub code: String,
}

impl Field {
    pub fn repeated(&self) -> bool {
        self.max != Some(1)
    }
    pub fn required(&self) -> bool {
        self.min >= 1
    }
    /// `0..1`, `1`, `0..*`, `1..3`.
    pub fn occurs(&self) -> String {
        match (self.min, self.max) {
            (0, Some(1)) => "0..1".into(),
            (1, Some(1)) => "1".into(),
            (min, None) => format!("{min}..*"),
            (min, Some(max)) => format!("{min}..{max}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Complex {
    pub name: String,
    pub group: Group,
    pub fields: Vec<Field>,
    pub doc: Option<String>,
    /// `<xs:appinfo><erasable/></xs:appinfo>`: its optional single fields tell "sent
    /// empty" from "absent" (`cmp_model::Patch`).
    pub erasable: bool,
    /// Rules across its optional single fields (`<oneOf>`, `<atMostOne>`, `<atLeastOne>`).
    pub together: Vec<Together>,
    /// Values in order (`<ordered>`).
    pub ordered: Vec<Ordered>,
    /// Elements another's value requires (`<requiredWhen>`).
    pub required_when: Vec<RequiredWhen>,
}

/// Two single values of one type in order when both are given: `first` before `then`
/// (or equal, unless `strict`), refused otherwise with `code` on `then` by the operation
/// (`INVALID_DATES`: an expiry not after its effective date). JSON Schema cannot
/// compare two values; the OpenAPI document says it (`x-cmp-ordered`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ordered {
    pub first: String,
    pub then: String,
    pub strict: bool,
    pub code: String,
}

/// `required` must be given when `field` holds `value` (a bolt-on package names its
/// primary group): refused with `MANDATORY` by the operation, and in the OpenAPI
/// document as "not that value, or the element given".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredWhen {
    pub field: String,
    pub value: String,
    pub required: String,
}

/// How many of a [`Together`]'s fields a message may give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HowMany {
    /// Exactly one (`<oneOf>`).
    OneOf,
    /// None or one (`<atMostOne>`).
    AtMostOne,
    /// One or more (`<atLeastOne>`).
    AtLeastOne,
}

impl HowMany {
    pub fn element(self) -> &'static str {
        match self {
            HowMany::OneOf => "oneOf",
            HowMany::AtMostOne => "atMostOne",
            HowMany::AtLeastOne => "atLeastOne",
        }
    }
    /// `exactly one`, `at most one`, `at least one`.
    pub fn phrase(self) -> &'static str {
        match self {
            HowMany::OneOf => "exactly one",
            HowMany::AtMostOne => "at most one",
            HowMany::AtLeastOne => "at least one",
        }
    }
    /// Whether giving none of the fields is refused (`MANDATORY`).
    pub fn needs_one(self) -> bool {
        self != HowMany::AtMostOne
    }
    /// Whether giving several is refused (with the rule's `code`).
    pub fn allows_several(self) -> bool {
        self == HowMany::AtLeastOne
    }
}

/// A rule across optional single fields of one complex type, checked by the decoder
/// (`cmp_model::codec::Reader::together`) and stated in the OpenAPI document: none given
/// is `MANDATORY` (when the rule needs one), several given is `code` (`CHOICE` unless
/// the `code` attribute names another field-error code of `cmp_model::codes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Together {
    pub how: HowMany,
    pub fields: Vec<String>,
    pub code: String,
}

impl Together {
    /// `a, b and c`.
    pub fn names(&self) -> String {
        match self.fields.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl Complex {
    /// Whether `f` (one of its fields) is read as a three-state `Patch`.
    pub fn is_patch(&self, f: &Field) -> bool {
        self.erasable && (f.min, f.max) == (0, Some(1))
    }
}

#[derive(Debug, Clone)]
pub struct Root {
    pub element: String,
    pub ty: String,
    pub aliases: Vec<String>,
}

/// One declaration, in file order.
#[derive(Debug, Clone)]
pub enum Decl {
    Simple(String),
    Complex(String),
}

#[derive(Debug, Clone)]
pub struct SchemaFile {
    pub name: String,
    pub text: String,
    /// The comment before `<xs:schema>`, whitespace collapsed.
    pub comment: Option<String>,
    pub decls: Vec<Decl>,
}

/// The facets of a simple type, flattened down its restrictions (the nearest wins).
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub prim: Option<Prim>,
    pub min_len: Option<u64>,
    pub max_len: Option<u64>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub total_digits: Option<u32>,
    pub fraction_digits: Option<u32>,
    pub enums: Vec<String>,
    /// `xs:pattern`: the whole value must match (at most one on a type and its bases).
    pub pattern: Option<String>,
}

#[derive(Debug, Default)]
pub struct Model {
    pub files: Vec<SchemaFile>,
    pub simple: BTreeMap<String, Simple>,
    pub complex: BTreeMap<String, Complex>,
    /// Document roots by element name.
    pub roots: BTreeMap<String, Root>,
    /// The file (stem: `agreement`) that declares each type.
    pub file_of: BTreeMap<String, String>,
}

fn is_xs(n: &roxmltree::Node, name: &str) -> bool {
    n.is_element() && n.tag_name().namespace() == Some(XS) && n.tag_name().name() == name
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The builtin types the subset knows (the generator writes a `FACETS_XS_*` constant for
/// each); any other `xs:` type is refused.
pub const BUILTINS: &[&str] = &[
    "string",
    "integer",
    "int",
    "long",
    "decimal",
    "date",
    "dateTime",
    "boolean",
    "nonNegativeInteger",
    "positiveInteger",
];

/// The facets the subset knows, with the primitives each may restrict (a facet the
/// runtime would not check on that primitive is refused, not ignored).
const FACETS: &[(&str, &[Prim])] = &[
    ("minLength", &[Prim::Str]),
    ("maxLength", &[Prim::Str]),
    ("length", &[Prim::Str]),
    ("minInclusive", &[Prim::Int, Prim::Dec]),
    ("maxInclusive", &[Prim::Int, Prim::Dec]),
    ("totalDigits", &[Prim::Int, Prim::Dec]),
    ("fractionDigits", &[Prim::Dec]),
    ("enumeration", &[Prim::Str]),
    ("pattern", &[Prim::Str]),
];

/// The facets XSD has and the subset does not (named as facets in the refusal).
const OTHER_FACETS: &[&str] = &[
    "whiteSpace",
    "minExclusive",
    "maxExclusive",
    "assertion",
    "explicitTimezone",
];

/// What one construct may hold. Every attribute and child element not listed is
/// refused with its file and line, so whatever the generator does not implement can
/// never be dropped silently.
struct Shape {
    attrs: &'static [&'static str],
    /// Children in the XSD namespace.
    children: &'static [&'static str],
    /// Whether text other than blanks may appear.
    text: bool,
}

const SCHEMA: Shape = Shape {
    attrs: &["elementFormDefault"],
    children: &["annotation", "simpleType", "complexType", "element"],
    text: false,
};
const SIMPLE_TYPE: Shape = Shape {
    attrs: &["name"],
    children: &["annotation", "restriction"],
    text: false,
};
const RESTRICTION: Shape = Shape {
    attrs: &["base"],
    children: &[
        "minLength",
        "maxLength",
        "length",
        "minInclusive",
        "maxInclusive",
        "totalDigits",
        "fractionDigits",
        "enumeration",
        "pattern",
    ],
    text: false,
};
const FACET: Shape = Shape {
    attrs: &["value"],
    children: &[],
    text: false,
};
const COMPLEX_TYPE: Shape = Shape {
    attrs: &["name"],
    children: &["annotation", "sequence", "all", "choice"],
    text: false,
};
const GROUP: Shape = Shape {
    attrs: &[],
    children: &["element"],
    text: false,
};
const FIELD: Shape = Shape {
    attrs: &["name", "type", "minOccurs", "maxOccurs"],
    children: &["annotation"],
    text: false,
};
const ROOT: Shape = Shape {
    attrs: &["name", "type"],
    children: &["annotation"],
    text: false,
};
const ANNOTATION: Shape = Shape {
    attrs: &[],
    children: &["documentation", "appinfo"],
    text: false,
};
const DOCUMENTATION: Shape = Shape {
    attrs: &[],
    children: &[],
    text: true,
};
/// `<alias>` and the other children of `xs:appinfo` (no namespace).
const NOTE: Shape = Shape {
    attrs: &[],
    children: &[],
    text: true,
};
/// `<oneOf>`, `<atMostOne>`, `<atLeastOne>`: element names, and the code for "several".
const TOGETHER: Shape = Shape {
    attrs: &["code"],
    children: &[],
    text: true,
};
const TOGETHER_NOTES: [&str; 3] = ["oneOf", "atMostOne", "atLeastOne"];
/// `<ordered code="…" strict="…">a b</ordered>`.
const ORDERED: Shape = Shape {
    attrs: &["code", "strict"],
    children: &[],
    text: true,
};
/// `<requiredWhen field="…" value="…">a</requiredWhen>`.
const REQUIRED_WHEN: Shape = Shape {
    attrs: &["field", "value"],
    children: &[],
    text: true,
};
/// `<notServed value="…">why</notServed>`.
const NOT_SERVED: Shape = Shape {
    attrs: &["value"],
    children: &[],
    text: true,
};

/// Names the generated code uses unqualified, which a type may not take.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Vec",
    "String",
    "Box",
    "Result",
    "Ok",
    "Err",
    "Self",
    "Default",
    "Node",
    "Facets",
    "Prim",
    "Problem",
    "ScalarValue",
    "Decode",
    "Encode",
    "Document",
    "Sink",
    "Reader",
    "Patch",
    "FieldPath",
];

/// ASCII letters and digits, starting with a letter (upper-case: `upper`).
fn is_name(name: &str, upper: bool) -> bool {
    let mut cs = name.chars();
    cs.next()
        .is_some_and(|c| c.is_ascii_alphabetic() && (!upper || c.is_ascii_uppercase()))
        && cs.all(|c| c.is_ascii_alphanumeric())
}

type XNode<'a, 'i> = roxmltree::Node<'a, 'i>;

/// One schema file being read: names a node by file and line.
struct Src<'a, 'i> {
    name: &'a str,
    doc: &'a roxmltree::Document<'i>,
}

impl Src<'_, '_> {
    fn at(&self, n: &XNode) -> String {
        let row = self.doc.text_pos_at(n.range().start).row;
        format!("{} line {row}", self.name)
    }
    fn fail<T>(&self, n: &XNode, what: impl std::fmt::Display) -> Result<T, String> {
        Err(format!("{}: {what}", self.at(n)))
    }
}

/// How a child element is named in a refusal: `xs:complexContent`, `facet pattern`,
/// `<foo>`.
fn construct(c: &XNode, parent: &XNode) -> String {
    let local = c.tag_name().name();
    match c.tag_name().namespace() {
        Some(XS) if is_xs(parent, "restriction") && OTHER_FACETS.contains(&local) => {
            format!("facet {local}")
        }
        Some(XS) => format!("xs:{local}"),
        None => format!("<{local}>"),
        Some(ns) => format!("<{local}> (namespace {ns})"),
    }
}

/// Why a child is refused, where a word helps.
fn hint(c: &XNode, parent: &XNode) -> &'static str {
    let groups = ["sequence", "choice", "all", "group"];
    if groups.iter().any(|g| is_xs(c, g)) && groups.iter().any(|g| is_xs(parent, g)) {
        ": nested groups are not supported"
    } else if (is_xs(c, "complexType") || is_xs(c, "simpleType")) && is_xs(parent, "element") {
        ": anonymous types are not supported (declare a named type, refer to it with type=)"
    } else if is_xs(c, "simpleType") && is_xs(parent, "restriction") {
        ": anonymous types are not supported (declare a named type, refer to it with base=)"
    } else {
        ""
    }
}

/// Refuses every attribute of `n` not in `allowed`.
fn check_attrs(src: &Src, n: &XNode, what: &str, allowed: &[&str]) -> Result<(), String> {
    match n
        .attributes()
        .find(|a| a.namespace().is_some() || !allowed.contains(&a.name()))
    {
        Some(a) => src.fail(
            n,
            format!("attribute {}= on {what} is not supported", a.name()),
        ),
        None => Ok(()),
    }
}

/// Refuses every attribute, child and text of `n` that `shape` does not list.
fn check(src: &Src, n: &XNode, what: &str, shape: &Shape) -> Result<(), String> {
    check_attrs(src, n, what, shape.attrs)?;
    for c in n.children() {
        if c.is_element() {
            let known = c.tag_name().namespace() == Some(XS)
                && shape.children.contains(&c.tag_name().name());
            if !known {
                return src.fail(
                    &c,
                    format!(
                        "{} is not supported in {what}{}",
                        construct(&c, n),
                        hint(&c, n)
                    ),
                );
            }
        } else if c.is_text() && !shape.text && !c.text().unwrap_or_default().trim().is_empty() {
            return src.fail(&c, format!("text is not allowed in {what}"));
        }
    }
    Ok(())
}

/// What the annotations of a construct say.
#[derive(Default)]
struct Notes {
    doc: Option<String>,
    aliases: Vec<String>,
    erasable: bool,
    together: Vec<Together>,
    not_served: Vec<NotServed>,
    unique: Option<Unique>,
    ordered: Vec<Ordered>,
    required_when: Vec<RequiredWhen>,
}

/// A fault code attribute (`A_CODE`) of `<name>`, `default` when absent.
fn code_attr(src: &Src, n: &XNode, name: &str, default: &str) -> Result<String, String> {
    let code = n.attribute("code").unwrap_or(default).to_string();
    if code.is_empty() || !code.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
        return src.fail(
            n,
            format!("<{name}> code {code:?} is not a fault code (A_CODE)"),
        );
    }
    Ok(code)
}

/// Reads the `xs:annotation` children of `owner`. `doc`: whether `xs:documentation` is
/// kept there; `known`: the `xs:appinfo` children understood there.
fn notes(src: &Src, owner: &XNode, what: &str, doc: bool, known: &[&str]) -> Result<Notes, String> {
    let mut out = Notes::default();
    let mut docs = Vec::new();
    for a in owner.children().filter(|c| is_xs(c, "annotation")) {
        check(src, &a, &format!("the annotation of {what}"), &ANNOTATION)?;
        for c in a.children().filter(|c| c.is_element()) {
            if is_xs(&c, "documentation") {
                if !doc {
                    return src.fail(&c, format!("xs:documentation is not read in {what}"));
                }
                check(src, &c, "xs:documentation", &DOCUMENTATION)?;
                let text: String = c.children().filter_map(|t| t.text()).collect();
                docs.push(collapse(&text));
                continue;
            }
            check_attrs(src, &c, "xs:appinfo", &[])?;
            for n in c.children() {
                if !n.is_element() {
                    if n.is_text() && !n.text().unwrap_or_default().trim().is_empty() {
                        return src.fail(&n, "text is not allowed in xs:appinfo");
                    }
                    continue;
                }
                let name = n.tag_name().name();
                if n.tag_name().namespace().is_some() || !known.contains(&name) {
                    let here = if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    };
                    return src.fail(
                        &n,
                        format!(
                            "{} is not supported in the xs:appinfo of {what} (known here: {here})",
                            construct(&n, &c)
                        ),
                    );
                }
                let shape = if TOGETHER_NOTES.contains(&name) || name == "unique" {
                    &TOGETHER
                } else if name == "notServed" {
                    &NOT_SERVED
                } else if name == "ordered" {
                    &ORDERED
                } else if name == "requiredWhen" {
                    &REQUIRED_WHEN
                } else {
                    &NOTE
                };
                check(src, &n, &format!("<{name}>"), shape)?;
                let text = n.text().unwrap_or_default().trim().to_string();
                match name {
                    "alias" if text.is_empty() => {
                        return src.fail(&n, "an empty <alias>");
                    }
                    "alias" => out.aliases.push(text),
                    "erasable" if !text.is_empty() || n.has_children() => {
                        return src.fail(&n, "<erasable/> takes no content");
                    }
                    "erasable" => out.erasable = true,
                    "oneOf" | "atMostOne" | "atLeastOne" => {
                        let how = match name {
                            "oneOf" => HowMany::OneOf,
                            "atMostOne" => HowMany::AtMostOne,
                            _ => HowMany::AtLeastOne,
                        };
                        let code = code_attr(src, &n, name, "CHOICE")?;
                        let fields: Vec<String> =
                            text.split_whitespace().map(str::to_string).collect();
                        if fields.len() < 2 {
                            return src
                                .fail(&n, format!("<{name}> needs two element names or more"));
                        }
                        out.together.push(Together { how, fields, code });
                    }
                    "notServed" => {
                        let Some(value) = n.attribute("value").filter(|v| !v.is_empty()) else {
                            return src.fail(&n, "<notServed> needs a value attribute");
                        };
                        if text.is_empty() {
                            return src.fail(&n, "<notServed> needs its reason as text");
                        }
                        out.not_served.push(NotServed {
                            value: value.to_string(),
                            why: collapse(&text),
                        });
                    }
                    "ordered" => {
                        let code = code_attr(src, &n, name, "OUT_OF_RANGE")?;
                        let strict = match n.attribute("strict") {
                            None | Some("true") => true,
                            Some("false") => false,
                            Some(v) => {
                                return src
                                    .fail(&n, format!("<ordered> strict {v:?}: true or false"))
                            }
                        };
                        let [first, then] = text.split_whitespace().collect::<Vec<_>>()[..] else {
                            return src.fail(&n, "<ordered> names two elements");
                        };
                        out.ordered.push(Ordered {
                            first: first.into(),
                            then: then.into(),
                            strict,
                            code,
                        });
                    }
                    "requiredWhen" => {
                        let (Some(field), Some(value)) =
                            (n.attribute("field"), n.attribute("value"))
                        else {
                            return src.fail(&n, "<requiredWhen> needs field and value attributes");
                        };
                        if text.is_empty() || text.contains(char::is_whitespace) {
                            return src.fail(&n, "<requiredWhen> names one element");
                        }
                        out.required_when.push(RequiredWhen {
                            field: field.into(),
                            value: value.into(),
                            required: text.clone(),
                        });
                    }
                    "unique" if out.unique.is_some() => {
                        return src.fail(&n, "a second <unique> on one element");
                    }
                    "unique" => {
                        let code = code_attr(src, &n, name, "DUPLICATE_ELEMENT")?;
                        let keys: Vec<String> =
                            text.split_whitespace().map(str::to_string).collect();
                        if keys.is_empty() {
                            return src.fail(&n, "<unique> needs the key's element names");
                        }
                        out.unique = Some(Unique { keys, code });
                    }
                    _ => unreachable!("every known appinfo child is read above"),
                }
            }
        }
    }
    out.doc = Some(docs.join(" ")).filter(|t| !t.is_empty());
    Ok(out)
}

/// What a type reference must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Simple,
    Complex,
    Any,
}

/// A reference to a named type, checked once every file is read.
struct Ref {
    at: String,
    name: String,
    want: Want,
    what: String,
}

/// A facet, checked against its type's primitive once every file is read.
struct FacetUse {
    at: String,
    ty: String,
    facet: String,
    value: String,
}

/// The state of [`Model::read`].
#[derive(Default)]
struct Reading {
    m: Model,
    /// Where each type name and each root element was declared.
    types_at: BTreeMap<String, String>,
    roots_at: BTreeMap<String, String>,
    refs: Vec<Ref>,
    facets: Vec<FacetUse>,
    /// (where, owner type, element) of each element with `<notServed>` or `<unique>`.
    noted: Vec<(String, String, String)>,
    /// (where, type) of each type with `<ordered>` or `<requiredWhen>`.
    ruled: Vec<(String, String)>,
    /// (where, owner type, `a/b`) of each rule across fields naming a nested element.
    nested_rules: Vec<(String, String, String)>,
}

impl Reading {
    fn file(&mut self, src: &Src, text: &str) -> Result<(), String> {
        let schema = src.doc.root_element();
        if !is_xs(&schema, "schema") {
            return src.fail(&schema, "the document element must be xs:schema");
        }
        check(src, &schema, "xs:schema", &SCHEMA)?;
        if let Some(v) = schema
            .attribute("elementFormDefault")
            .filter(|v| *v != "unqualified")
        {
            return src.fail(
                &schema,
                format!("elementFormDefault=\"{v}\" is not supported (only unqualified)"),
            );
        }
        // A top-level annotation is checked, not kept: the file's own documentation is the
        // comment before `<xs:schema>`.
        notes(src, &schema, "xs:schema", true, &[])?;
        let comment = src
            .doc
            .root()
            .children()
            .find(|n| n.is_comment())
            .and_then(|n| n.text())
            .map(collapse)
            .filter(|t| !t.is_empty());
        let stem = src.name.trim_end_matches(".xsd").to_string();
        let mut decls = Vec::new();
        for top in schema.children().filter(|n| n.is_element()) {
            if is_xs(&top, "annotation") {
                continue;
            }
            let kind = top.tag_name().name();
            let Some(tname) = top.attribute("name") else {
                return src.fail(&top, format!("an xs:{kind} without a name"));
            };
            if is_xs(&top, "element") {
                let root = self.root(src, &top, tname)?;
                self.m.roots.insert(tname.to_string(), root);
                continue;
            }
            if let Some(first) = self.types_at.get(tname) {
                return src.fail(
                    &top,
                    format!("type {tname} is declared twice (first at {first})"),
                );
            }
            if !is_name(tname, true) || RESERVED_TYPES.contains(&tname) {
                return src.fail(
                    &top,
                    format!("type name {tname} is not supported (ASCII PascalCase, not a name of the generated code's runtime)"),
                );
            }
            self.types_at.insert(tname.to_string(), src.at(&top));
            if is_xs(&top, "simpleType") {
                let s = self.simple(src, &top, tname)?;
                self.m.simple.insert(tname.to_string(), s);
                decls.push(Decl::Simple(tname.to_string()));
            } else {
                let c = self.complex(src, &top, tname)?;
                self.m.complex.insert(tname.to_string(), c);
                decls.push(Decl::Complex(tname.to_string()));
            }
            self.m.file_of.insert(tname.to_string(), stem.clone());
        }
        self.m.files.push(SchemaFile {
            name: src.name.to_string(),
            text: text.to_string(),
            comment,
            decls,
        });
        Ok(())
    }

    /// A type reference (`xs:date`, `Integer8`): a builtin of the subset, or a named type
    /// (checked in [`Reading::finish`]).
    fn type_ref(
        &mut self,
        src: &Src,
        n: &XNode,
        qname: &str,
        want: Want,
        what: &str,
    ) -> Result<TypeRef, String> {
        let (prefix, local) = match qname.split_once(':') {
            Some((p, l)) => (Some(p), l),
            None => (None, qname),
        };
        match (n.lookup_namespace_uri(prefix), prefix) {
            (Some(XS), _) if !BUILTINS.contains(&local) => src.fail(
                n,
                format!(
                    "type xs:{local} in {what} is not supported (the subset knows xs:{})",
                    BUILTINS.join(", xs:")
                ),
            ),
            (Some(XS), _) if want == Want::Complex => src.fail(
                n,
                format!("{what} must have a complex type, not xs:{local}"),
            ),
            (Some(XS), _) => Ok(TypeRef::Builtin(local.to_string())),
            (None, None) => {
                self.refs.push(Ref {
                    at: src.at(n),
                    name: local.to_string(),
                    want,
                    what: what.to_string(),
                });
                Ok(TypeRef::Named(local.to_string()))
            }
            (None, Some(p)) => src.fail(n, format!("unknown prefix {p}: in {what}")),
            (Some(ns), _) => src.fail(
                n,
                format!("type {qname} in {what} is in namespace {ns}: other namespaces are not supported"),
            ),
        }
    }

    fn simple(&mut self, src: &Src, top: &XNode, name: &str) -> Result<Simple, String> {
        let what = format!("simpleType {name}");
        check(src, top, &what, &SIMPLE_TYPE)?;
        let notes = notes(src, top, &what, true, &[])?;
        let mut rs = top.children().filter(|c| is_xs(c, "restriction"));
        let Some(r) = rs.next() else {
            return src.fail(top, format!("simpleType {name} must be a restriction"));
        };
        if let Some(second) = rs.next() {
            return src.fail(&second, format!("{what} has more than one restriction"));
        }
        let what = format!("the restriction of {name}");
        check(src, &r, &what, &RESTRICTION)?;
        let Some(base) = r.attribute("base") else {
            return src.fail(&r, format!("{what} must name its base"));
        };
        let base = self.type_ref(src, &r, base, Want::Simple, &what)?;
        let mut facets = Vec::new();
        for c in r.children().filter(|c| c.is_element()) {
            let facet = c.tag_name().name();
            let what = format!("facet {facet} of {name}");
            check(src, &c, &what, &FACET)?;
            let Some(value) = c.attribute("value") else {
                return src.fail(&c, format!("{what} needs a value"));
            };
            if facet != "enumeration" && facets.iter().any(|(f, _)| f == facet) {
                return src.fail(&c, format!("{what} appears twice"));
            }
            let counts = [
                "minLength",
                "maxLength",
                "length",
                "totalDigits",
                "fractionDigits",
            ];
            if counts.contains(&facet) && value.parse::<u32>().is_err() {
                return src.fail(&c, format!("{what}: {value} is not a count"));
            }
            if facet == "pattern" {
                if let Err(e) = check_pattern(value) {
                    return src.fail(&c, format!("{what}: {e}"));
                }
            }
            self.facets.push(FacetUse {
                at: src.at(&c),
                ty: name.to_string(),
                facet: facet.to_string(),
                value: value.to_string(),
            });
            facets.push((facet.to_string(), value.to_string()));
        }
        Ok(Simple {
            name: name.to_string(),
            base,
            facets,
            doc: notes.doc,
        })
    }

    fn complex(&mut self, src: &Src, top: &XNode, name: &str) -> Result<Complex, String> {
        let what = format!("complexType {name}");
        check(src, top, &what, &COMPLEX_TYPE)?;
        let notes = notes(
            src,
            top,
            &what,
            true,
            &[
                "erasable",
                "oneOf",
                "atMostOne",
                "atLeastOne",
                "ordered",
                "requiredWhen",
            ],
        )?;
        let groups: Vec<XNode> = top
            .children()
            .filter(|c| c.is_element() && !is_xs(c, "annotation"))
            .collect();
        if let Some(second) = groups.get(1) {
            return src.fail(second, format!("{what} has more than one group"));
        }
        let (group, g) = match groups.first() {
            None => (Group::Sequence, None),
            Some(g) if is_xs(g, "choice") => (Group::Choice, Some(g)),
            Some(g) if is_xs(g, "all") => (Group::All, Some(g)),
            Some(g) => (Group::Sequence, Some(g)),
        };
        let mut fields: Vec<Field> = Vec::new();
        if let Some(g) = g {
            check(src, g, &format!("the xs:{} of {name}", group.xs()), &GROUP)?;
            for e in g.children().filter(|c| c.is_element()) {
                let f = self.field(src, &e, name)?;
                let taken: Vec<&String> = fields
                    .iter()
                    .flat_map(|o| std::iter::once(&o.name).chain(&o.aliases))
                    .collect();
                if let Some(n) = std::iter::once(&f.name)
                    .chain(&f.aliases)
                    .find(|n| taken.contains(n))
                {
                    return src.fail(&e, format!("{n} appears twice in {what}"));
                }
                // The generated field (or variant) names must differ too.
                let rust = |n: &str| match group {
                    Group::Choice => codegen::variant(n),
                    _ => codegen::snake(n),
                };
                if let Some(o) = fields.iter().find(|o| rust(&o.name) == rust(&f.name)) {
                    return src.fail(
                        &e,
                        format!(
                            "elements {} and {} of {what} have the same Rust name {}",
                            o.name,
                            f.name,
                            rust(&f.name)
                        ),
                    );
                }
                if group == Group::Choice && (f.min, f.max) != (1, Some(1)) {
                    return src.fail(
                        &e,
                        format!(
                            "element {} of choice {name}: minOccurs/maxOccurs in a choice are not supported",
                            f.name
                        ),
                    );
                }
                fields.push(f);
            }
        }
        let c = Complex {
            name: name.to_string(),
            group,
            fields,
            doc: notes.doc,
            erasable: notes.erasable,
            together: notes.together,
            ordered: notes.ordered,
            required_when: notes.required_when,
        };
        if (!c.ordered.is_empty() || !c.required_when.is_empty()) && c.group == Group::Choice {
            return src.fail(top, format!("a rule across elements on choice {what}"));
        }
        if !c.ordered.is_empty() || !c.required_when.is_empty() {
            self.ruled.push((src.at(top), name.to_string()));
        }
        if c.erasable && !c.fields.iter().any(|f| c.is_patch(f)) {
            return src.fail(
                top,
                format!("<erasable/> on {what}, which has no optional single element"),
            );
        }
        if !c.together.is_empty() && c.group == Group::Choice {
            return src.fail(top, format!("a rule across elements on choice {what}"));
        }
        for t in &c.together {
            for n in &t.fields {
                // `a/b`: the element b of the optional single container a (checked once
                // every type is read).
                let (n, nested) = match n.split_once('/') {
                    Some((a, b)) => (&a.to_string(), Some(b)),
                    None => (n, None),
                };
                if let Some(b) = nested {
                    if b.contains('/') {
                        return src.fail(
                            top,
                            format!(
                                "<{}> of {what} names {n}/{b}: one level down at most",
                                t.how.element()
                            ),
                        );
                    }
                    self.nested_rules
                        .push((src.at(top), name.to_string(), format!("{n}/{b}")));
                }
                match c.fields.iter().find(|f| f.name == *n) {
                    None => {
                        return src.fail(
                            top,
                            format!(
                                "<{}> of {what} names {n}, not one of its elements",
                                t.how.element()
                            ),
                        )
                    }
                    Some(f) if (f.min, f.max) != (0, Some(1)) => {
                        return src.fail(
                            top,
                            format!(
                                "<{}> of {what} names {n}, which is not an optional single element",
                                t.how.element()
                            ),
                        )
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(c)
    }

    fn field(&mut self, src: &Src, e: &XNode, owner: &str) -> Result<Field, String> {
        let what = match e.attribute("name") {
            Some(n) => format!("element {n} of {owner}"),
            None => format!("an element of {owner}"),
        };
        check(src, e, &what, &FIELD)?;
        let Some(name) = e.attribute("name") else {
            return src.fail(e, format!("{what} has no name"));
        };
        if !is_name(name, false) {
            return src.fail(
                e,
                format!("element name {name} is not supported (ASCII letters and digits)"),
            );
        }
        let Some(ty) = e.attribute("type") else {
            return src.fail(e, format!("element {name} must name its type"));
        };
        let occurs = |v: &str| {
            v.parse::<u32>()
                .map_err(|_| format!("{}: bad occurrence {v} on {name}", src.at(e)))
        };
        let min = e.attribute("minOccurs").map_or(Ok(1), occurs)?;
        let max = match e.attribute("maxOccurs") {
            None => Some(1),
            Some("unbounded") => None,
            Some(v) => Some(occurs(v)?),
        };
        if max.is_some_and(|m| m == 0 || m < min) {
            return src.fail(e, format!("bad occurrences {min}..{max:?} on {name}"));
        }
        let notes = notes(src, e, &what, true, &["alias", "notServed", "unique"])?;
        if !notes.not_served.is_empty() && max != Some(1) {
            return src.fail(e, format!("<notServed> on {what}, which is repeated"));
        }
        if notes.unique.is_some() && max == Some(1) {
            return src.fail(e, format!("<unique> on {what}, which is not repeated"));
        }
        if !notes.not_served.is_empty() || notes.unique.is_some() {
            self.noted
                .push((src.at(e), owner.to_string(), name.to_string()));
        }
        Ok(Field {
            name: name.to_string(),
            ty: self.type_ref(src, e, ty, Want::Any, &what)?,
            min,
            max,
            aliases: notes.aliases,
            doc: notes.doc,
            not_served: notes.not_served,
            unique: notes.unique,
        })
    }

    fn root(&mut self, src: &Src, top: &XNode, name: &str) -> Result<Root, String> {
        let what = format!("root element {name}");
        check(src, top, &what, &ROOT)?;
        if let Some(first) = self.roots_at.get(name) {
            return src.fail(
                top,
                format!("element {name} is declared twice (first at {first})"),
            );
        }
        self.roots_at.insert(name.to_string(), src.at(top));
        let Some(ty) = top.attribute("type") else {
            return src.fail(top, format!("root element {name} must name its type"));
        };
        let ty = self.type_ref(src, top, ty, Want::Complex, &what)?;
        let notes = notes(src, top, &what, false, &["alias"])?;
        Ok(Root {
            element: name.to_string(),
            ty: ty.name().to_string(),
            aliases: notes.aliases,
        })
    }

    /// The checks that need every file: references resolve to a type of the right kind,
    /// simple types do not restrict themselves, facets fit their primitive.
    fn finish(self) -> Result<Model, String> {
        let m = self.m;
        for r in &self.refs {
            let (simple, complex) = (
                m.simple.contains_key(&r.name),
                m.complex.contains_key(&r.name),
            );
            let problem = match r.want {
                _ if !simple && !complex => "is not declared",
                Want::Simple if complex => "is a complex type, where a simple type belongs",
                Want::Complex if simple => "is a simple type, where a complex type belongs",
                _ => continue,
            };
            return Err(format!("{}: type {} in {} {problem}", r.at, r.name, r.what));
        }
        for (name, s) in &m.simple {
            let mut seen = vec![name.as_str()];
            let mut base = &s.base;
            while let TypeRef::Named(b) = base {
                if seen.contains(&b.as_str()) {
                    return Err(format!(
                        "{}: simpleType {name} restricts itself (through {})",
                        self.types_at[name],
                        seen.join(", ")
                    ));
                }
                seen.push(b);
                base = &m.simple[b].base;
            }
        }
        let mut enums: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for f in &self.facets {
            let prim = m.resolve(&m.simple[&f.ty].base).prim;
            let prims = FACETS.iter().find(|(n, _)| *n == f.facet).map(|(_, p)| *p);
            let Some(prim) = prim.filter(|p| prims.is_some_and(|ps| ps.contains(p))) else {
                return Err(format!(
                    "{}: facet {} is not supported on {} (its primitive is {})",
                    f.at,
                    f.facet,
                    f.ty,
                    prim.map_or("?", Prim::label)
                ));
            };
            let bound = matches!(f.facet.as_str(), "minInclusive" | "maxInclusive");
            if bound && !is_number(&f.value, prim == Prim::Dec) {
                return Err(format!(
                    "{}: facet {} of {}: {} is not a {}",
                    f.at,
                    f.facet,
                    f.ty,
                    f.value,
                    prim.label()
                ));
            }
            if f.facet == "pattern" && m.resolve(&m.simple[&f.ty].base).pattern.is_some() {
                // XSD would require both to match; one pattern per type keeps each rule in
                // one place and the published `pattern` a single expression.
                return Err(format!(
                    "{}: facet pattern of {}: its base already has a pattern",
                    f.at, f.ty
                ));
            }
            if f.facet == "enumeration" {
                let values = enums.entry(&f.ty).or_default();
                let rust = codegen::variant(&f.value);
                if rust.is_empty() {
                    return Err(format!(
                        "{}: enumeration value {:?} of {} has no letter or digit to name it by",
                        f.at, f.value, f.ty
                    ));
                }
                if let Some(o) = values.iter().find(|o| codegen::variant(o) == rust) {
                    return Err(format!(
                        "{}: enumeration values {o} and {} of {} have the same Rust name {rust}",
                        f.at, f.value, f.ty
                    ));
                }
                values.push(&f.value);
            }
        }
        for (at, owner) in &self.ruled {
            check_rules(&m, &m.complex[owner])
                .map_err(|e| format!("{at}: complexType {owner}: {e}"))?;
        }
        for (at, owner, path) in &self.nested_rules {
            let (a, b) = path.split_once('/').expect("a path");
            let outer = m.complex[owner].fields.iter().find(|f| f.name == a);
            let inner = outer
                .and_then(|f| m.complex.get(f.ty.name()))
                .filter(|c| c.group != Group::Choice)
                .and_then(|c| c.fields.iter().find(|f| f.name == b));
            if !inner.is_some_and(|f| (f.min, f.max) == (0, Some(1)) && m.is_simple(&f.ty)) {
                return Err(format!(
                    "{at}: the rule across elements of {owner} names {path}, which is not an optional single value of {a}"
                ));
            }
        }
        for (at, owner, name) in &self.noted {
            let f = m.complex[owner]
                .fields
                .iter()
                .find(|f| f.name == *name)
                .expect("noted when read");
            check_field_notes(&m, f)
                .map_err(|e| format!("{at}: element {name} of {owner}: {e}"))?;
        }
        Ok(m)
    }
}

/// The values a simple type lists: its enumeration, or `true` and `false` for a boolean
/// (none for other types).
fn scalar_values(m: &Model, t: &TypeRef) -> Vec<String> {
    let r = m.resolve(t);
    match r.prim {
        Some(Prim::Bool) => vec!["true".into(), "false".into()],
        _ => r.enums,
    }
}

/// `<ordered>` names two single values of one primitive that compares (a number, a
/// date); `<requiredWhen>` a single enumeration or boolean with one of its values, and
/// an optional single element.
fn check_rules(m: &Model, c: &Complex) -> Result<(), String> {
    let single = |n: &str| {
        c.fields
            .iter()
            .find(|f| f.name == n && !f.repeated())
            .ok_or(format!("{n} is not a single element of it"))
    };
    for o in &c.ordered {
        let (a, b) = (single(&o.first)?, single(&o.then)?);
        let (pa, pb) = (m.resolve(&a.ty).prim, m.resolve(&b.ty).prim);
        if pa != pb
            || !matches!(
                pa,
                Some(Prim::Int | Prim::Dec | Prim::Date | Prim::DateTime)
            )
        {
            return Err(format!(
                "<ordered> {} {}: two numbers or two dates",
                o.first, o.then
            ));
        }
    }
    for r in &c.required_when {
        let f = single(&r.field)?;
        let t = single(&r.required)?;
        let allowed = scalar_values(m, &f.ty);
        if !allowed.contains(&r.value) {
            return Err(format!(
                "<requiredWhen> value {} is not one of {} ({})",
                r.value,
                r.field,
                allowed.join(", ")
            ));
        }
        if t.required() {
            return Err(format!(
                "<requiredWhen> names {}, which is required anyway",
                r.required
            ));
        }
    }
    Ok(())
}

/// A `<notServed>` value must be one its type allows (an enumeration value, a boolean,
/// a choice branch); a `<unique>` key a single simple element of the item type.
fn check_field_notes(m: &Model, f: &Field) -> Result<(), String> {
    for n in &f.not_served {
        let allowed: Vec<String> = match m.complex.get(f.ty.name()) {
            Some(c) if c.group == Group::Choice => {
                c.fields.iter().map(|b| b.name.clone()).collect()
            }
            Some(_) => return Err("<notServed> on an element of a sequence type".into()),
            None => match scalar_values(m, &f.ty) {
                v if v.is_empty() => {
                    return Err("<notServed> needs an enumeration, a boolean or a choice".into())
                }
                v => v,
            },
        };
        if !allowed.contains(&n.value) {
            return Err(format!(
                "<notServed> value {} is not one of {}",
                n.value,
                allowed.join(", ")
            ));
        }
    }
    if let Some(u) = &f.unique {
        let item = m
            .complex
            .get(f.ty.name())
            .filter(|c| c.group != Group::Choice)
            .ok_or("<unique> on an element whose items are not a sequence or all")?;
        for k in &u.keys {
            if !item
                .fields
                .iter()
                .any(|i| i.name == *k && !i.repeated() && m.is_simple(&i.ty))
            {
                return Err(format!(
                    "<unique> key {k} is not a single simple element of {}",
                    item.name
                ));
            }
        }
    }
    Ok(())
}

/// Characters that are operators in a pattern (outside a class).
const PATTERN_META: &str = ".\\?*+{}()[]|^$";

/// Whether `c` may appear in a pattern as itself: a character XML 1.0 carries, not a
/// control character and not a surrogate or noncharacter the decoder refuses.
fn pattern_char(c: char) -> bool {
    !(c < ' ' || ('\u{7f}'..='\u{9f}').contains(&c) || c == '\u{fffe}' || c == '\u{ffff}')
}

/// The regular-expression subset of `xs:pattern`, chosen so that XSD, `regex-lite` (the
/// decoder, the pattern anchored as `^(?:…)$`) and ECMA-262 (JSON Schema `pattern`,
/// published anchored the same way) all read it alike: characters as themselves,
/// operators escaped with `\` (`\.`, `\+`, …; in a class also `\-`), classes `[a-z0-9_]`
/// with ranges (not negated: a negated class would admit characters XML cannot carry),
/// groups `(…)`, alternatives `|` and the quantifiers `?`, `*`, `+`, `{n}`, `{n,}`,
/// `{n,m}`. Refused, each named: `.`, `\d`, `\s`, `\w`, `\p{…}` and the other escapes
/// (their meaning differs between the three), `^` and `$` (literal in XSD, anchors
/// elsewhere), `(?`, lazy quantifiers, class subtraction and set operators.
pub fn check_pattern(p: &str) -> Result<(), String> {
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut depth = 0usize;
    // Whether a quantifier may follow: after an atom or a closed group.
    let mut quantifiable = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&e) = chars.get(i + 1) else {
                    return Err("ends with a lone \\".into());
                };
                if !PATTERN_META.contains(e) {
                    return Err(format!("escape \\{e} is not in the subset"));
                }
                i += 2;
                quantifiable = true;
            }
            '[' => {
                i = class_end(&chars, i)?;
                quantifiable = true;
            }
            '(' => {
                if chars.get(i + 1) == Some(&'?') {
                    return Err("(? groups are not in the subset".into());
                }
                depth += 1;
                i += 1;
                quantifiable = false;
            }
            ')' => {
                if depth == 0 || matches!(chars[i - 1], '(' | '|') {
                    return Err("a ) without its ( or an empty group".into());
                }
                depth -= 1;
                i += 1;
                quantifiable = true;
            }
            '|' => {
                i += 1;
                quantifiable = false;
            }
            '?' | '*' | '+' | '{' => {
                if !quantifiable {
                    return Err(format!("quantifier {c} follows nothing it can repeat"));
                }
                i = if c == '{' {
                    braces_end(&chars, i)?
                } else {
                    i + 1
                };
                quantifiable = false;
            }
            '.' | '^' | '$' | ']' | '}' => {
                return Err(format!("{c} unescaped is not in the subset: write \\{c}"));
            }
            c if !pattern_char(c) => {
                return Err(format!("character U+{:04X} is not in the subset", c as u32));
            }
            _ => {
                i += 1;
                quantifiable = true;
            }
        }
    }
    if depth > 0 {
        return Err("a ( is not closed".into());
    }
    if p.is_empty() {
        return Err("is empty".into());
    }
    Ok(())
}

/// The index after the class starting at `start` (`[`), checked.
fn class_end(chars: &[char], start: usize) -> Result<usize, String> {
    let mut i = start + 1;
    if chars.get(i) == Some(&'^') {
        return Err("a negated class [^…] is not in the subset".into());
    }
    let mut items: Vec<char> = Vec::new();
    let mut prev_range_end = false;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("a [ is not closed".into());
        };
        let (lit, next) = match c {
            ']' if !items.is_empty() => return Ok(i + 1),
            ']' => return Err("an empty class [] is not in the subset".into()),
            '[' => return Err("[ inside a class (class subtraction) is not in the subset".into()),
            '\\' => match chars.get(i + 1) {
                Some(&e) if PATTERN_META.contains(e) || e == '-' => (e, i + 2),
                Some(&e) => return Err(format!("escape \\{e} is not in the subset")),
                None => return Err("a [ is not closed".into()),
            },
            '-' if chars.get(i + 1) == Some(&'[') => {
                return Err("-[ in a class (class subtraction) is not in the subset".into());
            }
            '-' => {
                let first = items.is_empty();
                let last = chars.get(i + 1) == Some(&']');
                if first || last {
                    ('-', i + 1)
                } else if prev_range_end {
                    return Err("a range after a range's end: escape the - as \\-".into());
                } else {
                    // A range: the previous item to the next character.
                    let from = *items.last().unwrap_or(&'-');
                    let (to, after) = match chars.get(i + 1) {
                        Some('\\') => match chars.get(i + 2) {
                            Some(&e) if PATTERN_META.contains(e) || e == '-' => (e, i + 3),
                            _ => return Err("a range ends in an escape outside the subset".into()),
                        },
                        Some(&t) if t != '[' => (t, i + 2),
                        _ => return Err("a range without its end".into()),
                    };
                    if to < from {
                        return Err(format!("range {from}-{to} is reversed"));
                    }
                    // Surrogates are no chars here, but a JSON string can hold them.
                    if ((from as u32) < 0xd800 && (to as u32) > 0xdfff)
                        || (from..=to).contains(&'\u{fffe}')
                    {
                        return Err(format!(
                            "range {from}-{to} spans characters XML cannot carry"
                        ));
                    }
                    if !pattern_char(to) {
                        return Err(format!(
                            "character U+{:04X} is not in the subset",
                            to as u32
                        ));
                    }
                    items.push(to);
                    prev_range_end = true;
                    i = after;
                    continue;
                }
            }
            '&' | '~' if chars.get(i + 1) == Some(&c) => {
                return Err(format!(
                    "{c}{c} in a class (a set operator) is not in the subset"
                ));
            }
            c if !pattern_char(c) => {
                return Err(format!("character U+{:04X} is not in the subset", c as u32));
            }
            c => (c, i + 1),
        };
        items.push(lit);
        prev_range_end = false;
        i = next;
    }
}

/// The index after `{n}`, `{n,}` or `{n,m}` starting at `start`, checked.
fn braces_end(chars: &[char], start: usize) -> Result<usize, String> {
    let end = chars[start..]
        .iter()
        .position(|&c| c == '}')
        .map(|n| start + n)
        .ok_or("a { is not closed")?;
    let inner: String = chars[start + 1..end].iter().collect();
    let (a, b) = match inner.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (inner.as_str(), None),
    };
    let count = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let ok = count(a)
        && match b {
            None | Some("") => true,
            Some(b) => count(b) && a.parse::<u64>().ok() <= b.parse::<u64>().ok(),
        };
    if !ok {
        return Err(format!(
            "quantifier {{{inner}}} is not {{n}}, {{n,}} or {{n,m}}"
        ));
    }
    if matches!(chars.get(end + 1), Some('?' | '+')) {
        return Err("lazy or possessive quantifiers are not in the subset".into());
    }
    Ok(end + 1)
}

/// A pattern of the subset as the whole-value expression the decoder and the published
/// document use: `^(?:…)$`.
pub fn anchored(pattern: &str) -> String {
    format!("^(?:{pattern})$")
}

/// `-12`, `+3`, and with `decimal` also `1.5`, `.5`.
fn is_number(v: &str, decimal: bool) -> bool {
    let v = v.strip_prefix(['+', '-']).unwrap_or(v);
    let (int, frac) = match v.split_once('.') {
        Some((i, f)) if decimal => (i, f),
        _ => (v, ""),
    };
    !(int.is_empty() && frac.is_empty())
        && int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
}

impl Model {
    /// Reads every schema file (name, text). Anything outside the subset, a type or root
    /// declared twice, and a reference to nothing are errors naming the file and line.
    pub fn read<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)]) -> Result<Model, String> {
        let mut r = Reading::default();
        for (name, text) in files {
            let (name, text) = (name.as_ref(), text.as_ref());
            let doc = roxmltree::Document::parse(text)
                .map_err(|e| format!("{name}: not well-formed: {e}"))?;
            r.file(&Src { name, doc: &doc }, text)?;
        }
        r.finish()
    }

    /// The type of a document root element.
    pub fn root_type(&self, element: &str) -> Option<&Complex> {
        self.complex.get(&self.roots.get(element)?.ty)
    }

    pub fn builtin_prim(name: &str) -> Option<Prim> {
        Some(match name {
            "string" => Prim::Str,
            "integer" | "int" | "long" | "nonNegativeInteger" | "positiveInteger" => Prim::Int,
            "decimal" => Prim::Dec,
            "date" => Prim::Date,
            "dateTime" => Prim::DateTime,
            "boolean" => Prim::Bool,
            _ => return None,
        })
    }

    /// Whether a type reference names a simple type (builtin or declared).
    pub fn is_simple(&self, t: &TypeRef) -> bool {
        match t {
            TypeRef::Builtin(_) => true,
            TypeRef::Named(n) => self.simple.contains_key(n),
        }
    }

    /// A simple type flattened to its primitive and the facets of every level.
    pub fn resolve(&self, t: &TypeRef) -> Resolved {
        self.resolve_depth(t, 0)
    }

    fn resolve_depth(&self, t: &TypeRef, depth: usize) -> Resolved {
        let name = match t {
            TypeRef::Builtin(b) => {
                let mut r = Resolved {
                    prim: Self::builtin_prim(b),
                    ..Resolved::default()
                };
                match b.as_str() {
                    "positiveInteger" => r.min = Some("1".into()),
                    "nonNegativeInteger" => r.min = Some("0".into()),
                    _ => {}
                }
                return r;
            }
            TypeRef::Named(n) => n,
        };
        let Some(def) = self.simple.get(name).filter(|_| depth < 32) else {
            return Resolved::default();
        };
        let mut r = self.resolve_depth(&def.base, depth + 1);
        let mut enums = Vec::new();
        for (facet, v) in &def.facets {
            match facet.as_str() {
                "minLength" => r.min_len = v.parse().ok(),
                "maxLength" => r.max_len = v.parse().ok(),
                "length" => {
                    r.min_len = v.parse().ok();
                    r.max_len = v.parse().ok();
                }
                "minInclusive" => r.min = Some(v.clone()),
                "maxInclusive" => r.max = Some(v.clone()),
                "totalDigits" => r.total_digits = v.parse().ok(),
                "fractionDigits" => r.fraction_digits = v.parse().ok(),
                "enumeration" => enums.push(v.clone()),
                "pattern" => r.pattern = Some(v.clone()),
                _ => {}
            }
        }
        if !enums.is_empty() {
            r.enums = enums;
        }
        r
    }

    /// A short description of a simple type's facets: `1..6 characters`, `0..99999999`,
    /// `one of BASIC, INVOICECONTROL`.
    pub fn describe_simple(&self, t: &TypeRef) -> String {
        let r = self.resolve(t);
        let mut parts = Vec::new();
        if let Some(p) = r.prim {
            parts.push(p.label().to_string());
        }
        if !r.enums.is_empty() {
            parts.push(format!("one of {}", r.enums.join(", ")));
        }
        match (r.min_len, r.max_len) {
            (Some(a), Some(b)) if a == b => parts.push(format!("{a} characters")),
            (Some(a), Some(b)) => parts.push(format!("{a}..{b} characters")),
            (None, Some(b)) => parts.push(format!("at most {b} characters")),
            (Some(a), None) => parts.push(format!("at least {a} characters")),
            (None, None) => {}
        }
        match (&r.min, &r.max) {
            (Some(a), Some(b)) => parts.push(format!("{a}..{b}")),
            (Some(a), None) => parts.push(format!(">= {a}")),
            (None, Some(b)) => parts.push(format!("<= {b}")),
            (None, None) => {}
        }
        if let Some(p) = &r.pattern {
            parts.push(format!("pattern {p}"));
        }
        if let Some(td) = r.total_digits {
            let fd = r.fraction_digits.unwrap_or(0);
            parts.push(format!(
                "at most {} integer digits, {fd} decimals",
                td.saturating_sub(fd)
            ));
        } else if let Some(fd) = r.fraction_digits {
            parts.push(format!("at most {fd} decimals"));
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">"#;

    /// A schema file whose first line is `<xs:schema …>`, then `body`.
    fn schema(body: &str) -> String {
        format!("{HEAD}\n{body}\n</xs:schema>\n")
    }

    /// One fixture per construct outside the subset: (what the message must name, the
    /// line it must give, the schema body from line 2).
    const REFUSED: &[(&str, u32, &str)] = &[
        (
            "xs:complexContent",
            3,
            r#"<xs:complexType name="C">
  <xs:complexContent><xs:extension base="B"/></xs:complexContent>
</xs:complexType>"#,
        ),
        (
            "xs:simpleContent",
            3,
            r#"<xs:complexType name="C">
  <xs:simpleContent><xs:extension base="xs:string"/></xs:simpleContent>
</xs:complexType>"#,
        ),
        (
            "xs:attribute",
            4,
            r#"<xs:complexType name="C">
  <xs:sequence><xs:element name="e" type="xs:string"/></xs:sequence>
  <xs:attribute name="id" type="xs:string"/>
</xs:complexType>"#,
        ),
        (
            "xs:attribute",
            2,
            r#"<xs:attribute name="id" type="xs:string"/>"#,
        ),
        (
            "xs:attributeGroup",
            3,
            r#"<xs:complexType name="C">
  <xs:attributeGroup ref="G"/>
</xs:complexType>"#,
        ),
        (
            "xs:anyAttribute",
            3,
            r#"<xs:complexType name="C">
  <xs:anyAttribute/>
</xs:complexType>"#,
        ),
        (
            "xs:any",
            5,
            r#"<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="e" type="xs:string"/>
    <xs:any/>
  </xs:sequence>
</xs:complexType>"#,
        ),
        (
            "xs:import",
            2,
            r#"<xs:import namespace="urn:other" schemaLocation="other.xsd"/>"#,
        ),
        (
            "xs:include",
            2,
            r#"<xs:include schemaLocation="other.xsd"/>"#,
        ),
        (
            "xs:redefine",
            2,
            r#"<xs:redefine schemaLocation="other.xsd"/>"#,
        ),
        (
            "xs:group",
            2,
            r#"<xs:group name="G"><xs:sequence><xs:element name="e" type="xs:string"/></xs:sequence></xs:group>"#,
        ),
        (
            "xs:group",
            4,
            r#"<xs:complexType name="C">
  <xs:sequence>
    <xs:group ref="G"/>
  </xs:sequence>
</xs:complexType>"#,
        ),
        (
            "anonymous types",
            5,
            r#"<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="e">
      <xs:complexType><xs:sequence/></xs:complexType>
    </xs:element>
  </xs:sequence>
</xs:complexType>"#,
        ),
        (
            "anonymous types",
            5,
            r#"<xs:complexType name="C">
  <xs:all>
    <xs:element name="e">
      <xs:simpleType><xs:restriction base="xs:string"/></xs:simpleType>
    </xs:element>
  </xs:all>
</xs:complexType>"#,
        ),
        (
            "anonymous types",
            3,
            r#"<xs:element name="root">
  <xs:complexType><xs:sequence/></xs:complexType>
</xs:element>"#,
        ),
        (
            "nested groups",
            5,
            r#"<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="a" type="xs:string"/>
    <xs:sequence><xs:element name="b" type="xs:string"/></xs:sequence>
  </xs:sequence>
</xs:complexType>"#,
        ),
        (
            "nested groups",
            4,
            r#"<xs:complexType name="C">
  <xs:choice>
    <xs:sequence><xs:element name="b" type="xs:string"/></xs:sequence>
  </xs:choice>
</xs:complexType>"#,
        ),
        (
            "mixed=",
            2,
            r#"<xs:complexType name="C" mixed="true">
  <xs:sequence><xs:element name="a" type="xs:string"/></xs:sequence>
</xs:complexType>"#,
        ),
        (
            "abstract=",
            2,
            r#"<xs:complexType name="C" abstract="true"><xs:sequence/></xs:complexType>"#,
        ),
        (
            "abstract=",
            3,
            r#"<xs:complexType name="C"><xs:sequence/></xs:complexType>
<xs:element name="c" type="C" abstract="true"/>"#,
        ),
        (
            "substitutionGroup=",
            4,
            r#"<xs:complexType name="C"><xs:sequence/></xs:complexType>
<xs:element name="c" type="C"/>
<xs:element name="d" type="C" substitutionGroup="c"/>"#,
        ),
        (
            "fixed=",
            4,
            r#"<xs:simpleType name="S">
  <xs:restriction base="xs:string">
    <xs:maxLength value="3" fixed="true"/>
  </xs:restriction>
</xs:simpleType>"#,
        ),
        (
            "facet maxLength of S appears twice",
            4,
            r#"<xs:simpleType name="S">
  <xs:restriction base="xs:string">
    <xs:maxLength value="3"/><xs:maxLength value="4"/>
  </xs:restriction>
</xs:simpleType>"#,
        ),
        (
            "xs:list",
            3,
            r#"<xs:simpleType name="S">
  <xs:list itemType="xs:string"/>
</xs:simpleType>"#,
        ),
        (
            "xs:union",
            3,
            r#"<xs:simpleType name="S">
  <xs:union memberTypes="xs:string xs:date"/>
</xs:simpleType>"#,
        ),
        (
            "facet whiteSpace",
            4,
            r#"<xs:simpleType name="S">
  <xs:restriction base="xs:string">
    <xs:whiteSpace value="collapse"/>
  </xs:restriction>
</xs:simpleType>"#,
        ),
        (
            "anonymous types",
            4,
            r#"<xs:simpleType name="S">
  <xs:restriction>
    <xs:simpleType><xs:restriction base="xs:string"/></xs:simpleType>
  </xs:restriction>
</xs:simpleType>"#,
        ),
        // Unknown attributes, wherever they are.
        ("targetNamespace=", 1, ""),
        (
            "id=",
            2,
            r#"<xs:simpleType name="S" id="s"><xs:restriction base="xs:string"/></xs:simpleType>"#,
        ),
        (
            "maxOccurs=",
            3,
            r#"<xs:complexType name="C">
  <xs:sequence maxOccurs="unbounded"><xs:element name="e" type="xs:string"/></xs:sequence>
</xs:complexType>"#,
        ),
        (
            "<note>",
            6,
            r#"<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="e" type="xs:string">
      <xs:annotation><xs:appinfo>
        <note>x</note>
      </xs:appinfo></xs:annotation>
    </xs:element>
  </xs:sequence>
</xs:complexType>"#,
        ),
        (
            "<alias>",
            3,
            r#"<xs:complexType name="C">
  <xs:annotation><xs:appinfo><alias>D</alias></xs:appinfo></xs:annotation>
  <xs:sequence/>
</xs:complexType>"#,
        ),
        // What the generator could not write.
        (
            "facet maxLength is not supported on N",
            4,
            r#"<xs:simpleType name="N">
  <xs:restriction base="xs:integer">
    <xs:maxLength value="3"/>
  </xs:restriction>
</xs:simpleType>"#,
        ),
        (
            "minOccurs/maxOccurs in a choice",
            4,
            r#"<xs:complexType name="C">
  <xs:choice>
    <xs:element name="a" type="xs:string" minOccurs="0"/>
    <xs:element name="b" type="xs:string"/>
  </xs:choice>
</xs:complexType>"#,
        ),
        ("elementFormDefault", 1, ""),
        (
            "<erasable/> on complexType C",
            2,
            r#"<xs:complexType name="C">
  <xs:annotation><xs:appinfo><erasable/></xs:appinfo></xs:annotation>
  <xs:choice><xs:element name="a" type="xs:string"/></xs:choice>
</xs:complexType>"#,
        ),
        (
            "<erasable/> takes no content",
            3,
            r#"<xs:complexType name="C">
  <xs:annotation><xs:appinfo><erasable>yes</erasable></xs:appinfo></xs:annotation>
  <xs:all><xs:element name="a" type="xs:string" minOccurs="0"/></xs:all>
</xs:complexType>"#,
        ),
        (
            "<erasable>",
            5,
            r#"<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="a" type="xs:string" minOccurs="0">
      <xs:annotation><xs:appinfo><erasable/></xs:appinfo></xs:annotation>
    </xs:element>
  </xs:sequence>
</xs:complexType>"#,
        ),
        (
            "<notServed> value C is not one of A, B",
            5,
            r#"<xs:simpleType name="E"><xs:restriction base="xs:string"><xs:enumeration value="A"/><xs:enumeration value="B"/></xs:restriction></xs:simpleType>
<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="e" type="E"><xs:annotation><xs:appinfo><notServed value="C">why</notServed></xs:appinfo></xs:annotation></xs:element>
  </xs:sequence>
</xs:complexType>"#,
        ),
        (
            "<notServed> needs an enumeration, a boolean or a choice",
            4,
            r#"<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="e" type="xs:string"><xs:annotation><xs:appinfo><notServed value="x">why</notServed></xs:appinfo></xs:annotation></xs:element>
  </xs:sequence>
</xs:complexType>"#,
        ),
        (
            "<notServed> needs its reason as text",
            4,
            r#"<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="e" type="xs:boolean"><xs:annotation><xs:appinfo><notServed value="true"/></xs:appinfo></xs:annotation></xs:element>
  </xs:sequence>
</xs:complexType>"#,
        ),
        (
            "<unique> key b is not a single simple element of I",
            5,
            r#"<xs:complexType name="I"><xs:sequence><xs:element name="a" type="xs:string"/></xs:sequence></xs:complexType>
<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="i" type="I" maxOccurs="3"><xs:annotation><xs:appinfo><unique>b</unique></xs:appinfo></xs:annotation></xs:element>
  </xs:sequence>
</xs:complexType>"#,
        ),
        (
            "<unique> on element i of C, which is not repeated",
            5,
            r#"<xs:complexType name="I"><xs:sequence><xs:element name="a" type="xs:string"/></xs:sequence></xs:complexType>
<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="i" type="I"><xs:annotation><xs:appinfo><unique>a</unique></xs:appinfo></xs:annotation></xs:element>
  </xs:sequence>
</xs:complexType>"#,
        ),
        // Names the generated code could not use.
        (
            "type name Node",
            2,
            r#"<xs:complexType name="Node"><xs:sequence/></xs:complexType>"#,
        ),
        (
            "same Rust name url_value",
            5,
            r#"<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="URLValue" type="xs:string"/>
    <xs:element name="urlValue" type="xs:string"/>
  </xs:sequence>
</xs:complexType>"#,
        ),
        (
            "same Rust name PayAsYouGo",
            5,
            r#"<xs:simpleType name="S">
  <xs:restriction base="xs:string">
    <xs:enumeration value="PAY AS YOU GO"/>
    <xs:enumeration value="pay-as-you-go"/>
  </xs:restriction>
</xs:simpleType>"#,
        ),
    ];

    /// More fixtures: (what the message must name, an element that is the only child of a
    /// sequence in a complexType, on line 4).
    const REFUSED_ELEMENTS: &[(&str, &str)] = &[
        ("ref=", r#"<xs:element ref="e"/>"#),
        (
            "nillable=",
            r#"<xs:element name="e" type="xs:string" nillable="true"/>"#,
        ),
        (
            "default=",
            r#"<xs:element name="e" type="xs:string" minOccurs="0" default="x"/>"#,
        ),
        (
            "fixed=",
            r#"<xs:element name="e" type="xs:string" fixed="x"/>"#,
        ),
        (
            "form=",
            r#"<xs:element name="e" type="xs:string" form="qualified"/>"#,
        ),
        ("xs:anyURI", r#"<xs:element name="e" type="xs:anyURI"/>"#),
        ("Missing", r#"<xs:element name="e" type="Missing"/>"#),
        (
            "element name line-1",
            r#"<xs:element name="line-1" type="xs:string"/>"#,
        ),
    ];

    fn in_a_sequence(element: &str) -> String {
        format!(
            "<xs:complexType name=\"C\">\n  <xs:sequence>\n    {element}\n  </xs:sequence>\n</xs:complexType>"
        )
    }

    #[test]
    fn constructs_outside_the_subset_are_refused_with_their_line() {
        let elements = REFUSED_ELEMENTS
            .iter()
            .map(|(construct, element)| (*construct, 4, in_a_sequence(element)));
        let all = REFUSED
            .iter()
            .map(|(construct, line, body)| (*construct, *line, body.to_string()))
            .chain(elements);
        for (construct, line, body) in all {
            let text = match construct {
                "targetNamespace=" => {
                    schema(&body).replace("<xs:schema ", "<xs:schema targetNamespace=\"urn:t\" ")
                }
                "elementFormDefault" => schema(&body).replace(
                    "<xs:schema ",
                    "<xs:schema elementFormDefault=\"qualified\" ",
                ),
                _ => schema(&body),
            };
            let e = Model::read(&[("t.xsd", text)]).expect_err(construct);
            assert!(
                e.starts_with(&format!("t.xsd line {line}: ")) && e.contains(construct),
                "{construct}: {e}"
            );
        }
    }

    #[test]
    fn patterns_outside_the_subset_are_refused_with_their_line() {
        for ok in [
            "[0-9]{8}",
            "[A-Za-z0-9._%+\\-]+@[A-Za-z0-9\\-]+(\\.[A-Za-z0-9\\-]+)+",
            "(ab|c)?d*e+f{2,}g{1,3}",
            "[-a]x[a-]",
            "\\(\\)\\.",
        ] {
            assert_eq!(check_pattern(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            (".+", ". unescaped"),
            ("\\d{8}", "escape \\d"),
            ("\\s", "escape \\s"),
            ("\\p{L}", "escape \\p"),
            ("^a$", "^ unescaped"),
            ("[^@]+", "negated class"),
            ("[a-z-[aeiou]]", "class subtraction"),
            ("[a&&b]", "set operator"),
            ("(?:a)", "(? groups"),
            ("a*?", "quantifier ?"),
            ("a{2}?", "lazy"),
            ("a{3,2}", "quantifier {3,2}"),
            ("a{x}", "quantifier {x}"),
            ("*a", "quantifier *"),
            ("(a", "not closed"),
            ("a)", "without its ("),
            ("()", "empty group"),
            ("[z-a]", "reversed"),
            ("[]", "empty class"),
            ("a\u{1}", "U+0001"),
            ("", "empty"),
        ] {
            let e = check_pattern(bad).expect_err(bad);
            assert!(e.contains(why), "{bad}: {e}");
        }
        let text = schema(
            r#"<xs:simpleType name="S">
  <xs:restriction base="xs:string">
    <xs:pattern value="[0-9]+."/>
  </xs:restriction>
</xs:simpleType>"#,
        );
        let e = Model::read(&[("t.xsd", text)]).unwrap_err();
        assert!(
            e.starts_with("t.xsd line 4: facet pattern of S: . unescaped"),
            "{e}"
        );
        // One pattern on a type and its bases.
        let text = schema(
            r#"<xs:simpleType name="A"><xs:restriction base="xs:string"><xs:pattern value="[a-z]+"/></xs:restriction></xs:simpleType>
<xs:simpleType name="B"><xs:restriction base="A"><xs:pattern value="[a-c]+"/></xs:restriction></xs:simpleType>"#,
        );
        let e = Model::read(&[("t.xsd", text)]).unwrap_err();
        assert!(e.contains("B: its base already has a pattern"), "{e}");
        // A pattern on an integer is refused like any facet on a primitive it does not restrict.
        let text = schema(
            r#"<xs:simpleType name="N"><xs:restriction base="xs:integer"><xs:pattern value="[0-9]+"/></xs:restriction></xs:simpleType>"#,
        );
        let e = Model::read(&[("t.xsd", text)]).unwrap_err();
        assert!(e.contains("facet pattern is not supported on N"), "{e}");
    }

    #[test]
    fn values_not_served_and_unique_keys_are_read() {
        let text = schema(
            r#"<xs:simpleType name="E"><xs:restriction base="xs:string"><xs:enumeration value="A"/><xs:enumeration value="B"/></xs:restriction></xs:simpleType>
<xs:complexType name="Ch"><xs:choice><xs:element name="v" type="xs:date"/><xs:element name="clear" type="xs:string"/></xs:choice></xs:complexType>
<xs:complexType name="I"><xs:sequence><xs:element name="a" type="xs:string"/><xs:element name="b" type="E"/></xs:sequence></xs:complexType>
<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="e" type="E"><xs:annotation><xs:appinfo><notServed value="B">only A here</notServed></xs:appinfo></xs:annotation></xs:element>
    <xs:element name="f" type="xs:boolean" minOccurs="0"><xs:annotation><xs:appinfo><notServed value="true">never</notServed></xs:appinfo></xs:annotation></xs:element>
    <xs:element name="g" type="Ch"><xs:annotation><xs:appinfo><notServed value="clear">give the date</notServed></xs:appinfo></xs:annotation></xs:element>
    <xs:element name="i" type="I" maxOccurs="3"><xs:annotation><xs:appinfo><unique code="DUPLICATE_CODE">a b</unique></xs:appinfo></xs:annotation></xs:element>
  </xs:sequence>
</xs:complexType>"#,
        );
        let m = Model::read(&[("t.xsd", text)]).unwrap();
        let f = |n: &str| {
            m.complex["C"]
                .fields
                .iter()
                .find(|f| f.name == n)
                .unwrap()
                .clone()
        };
        let served = |n: &str| {
            f(n).not_served
                .iter()
                .map(|s| (s.value.clone(), s.why.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(served("e"), [("B".to_string(), "only A here".to_string())]);
        assert_eq!(served("f"), [("true".to_string(), "never".to_string())]);
        assert_eq!(
            served("g"),
            [("clear".to_string(), "give the date".to_string())]
        );
        assert_eq!(
            f("i").unique,
            Some(Unique {
                keys: vec!["a".into(), "b".into()],
                code: "DUPLICATE_CODE".into()
            })
        );
        assert!(f("e").unique.is_none() && f("i").not_served.is_empty());
    }

    #[test]
    fn a_type_declared_twice_names_both_places() {
        let a = schema(
            r#"<xs:simpleType name="Code"><xs:restriction base="xs:string"/></xs:simpleType>"#,
        );
        let b = schema("\n<xs:complexType name=\"Code\"><xs:sequence/></xs:complexType>");
        let e = Model::read(&[("a.xsd", a), ("b.xsd", b)]).unwrap_err();
        assert_eq!(
            e,
            "b.xsd line 3: type Code is declared twice (first at a.xsd line 2)"
        );
        let roots = schema(
            r#"<xs:complexType name="C"><xs:sequence/></xs:complexType>
<xs:element name="c" type="C"/>
<xs:element name="c" type="C"/>"#,
        );
        let e = Model::read(&[("r.xsd", roots)]).unwrap_err();
        assert!(
            e.starts_with("r.xsd line 4: element c is declared twice (first at r.xsd line 3)"),
            "{e}"
        );
    }

    #[test]
    fn an_untyped_element_is_refused() {
        let untyped = schema(
            r#"<xs:complexType name="C"><xs:sequence><xs:element name="e"/></xs:sequence></xs:complexType>"#,
        );
        assert_eq!(
            Model::read(&[("b.xsd", untyped)]).unwrap_err(),
            "b.xsd line 2: element e must name its type"
        );
    }

    #[test]
    fn every_schema_file_is_read() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "xsd"))
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        let m = Model::read(&files).unwrap();
        assert_eq!(m.files.len(), files.len());
        let ext = m.resolve(&TypeRef::Named("ExternalReference".into()));
        assert_eq!((ext.prim, ext.max_len), (Some(Prim::Str), Some(69)));
        let root = m.root_type("createAgreement").unwrap();
        assert_eq!(root.name, "CreateAgreementRequest");
        let data = &m.complex["AgreementData"];
        assert!(data
            .fields
            .iter()
            .any(|f| f.aliases.contains(&"invoiceConsolidatioLevel".to_string())));
    }
}
