//! The schemas as data: `schemas/*.xsd` read with roxmltree into simple types
//! (restriction + facets), complex types (sequence/all/choice of elements) and document
//! roots. One reader for the small XSD subset the project uses, shared by the message
//! generator (`cmp-model/build.rs`, at build time) and the published contract (the
//! gateway's `publish`, at run time). What the subset does not allow is an error naming the
//! file and line:
//! - `xs:simpleType` = `xs:restriction` of a builtin or another simple type, with facets
//!   `minLength`, `maxLength`, `length`, `minInclusive`, `maxInclusive`, `totalDigits`,
//!   `fractionDigits`, `enumeration`;
//! - `xs:complexType` = `xs:sequence`, `xs:all` or `xs:choice` of elements, each naming its
//!   type;
//! - a top-level `xs:element` declares a document root;
//! - `<xs:appinfo><alias>name</alias></xs:appinfo>` adds an accepted misspelling.

use std::collections::BTreeMap;

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

fn type_ref(n: &roxmltree::Node, qname: &str) -> TypeRef {
    let (prefix, local) = match qname.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, qname),
    };
    let ns = n.lookup_namespace_uri(prefix);
    if ns == Some(XS) {
        TypeRef::Builtin(local.to_string())
    } else {
        TypeRef::Named(local.to_string())
    }
}

fn doc_of(n: &roxmltree::Node) -> Option<String> {
    n.children()
        .find(|c| is_xs(c, "annotation"))?
        .children()
        .find(|c| is_xs(c, "documentation"))
        .and_then(|d| d.text())
        .map(collapse)
        .filter(|t| !t.is_empty())
}

fn aliases_of(n: &roxmltree::Node) -> Vec<String> {
    n.children()
        .filter(|c| is_xs(c, "annotation"))
        .flat_map(|a| a.descendants())
        .filter(|c| c.is_element() && c.tag_name().name() == "alias")
        .filter_map(|c| c.text().map(|t| t.trim().to_string()))
        .filter(|t| !t.is_empty())
        .collect()
}

fn field(e: &roxmltree::Node, at: &dyn Fn(&roxmltree::Node) -> String) -> Result<Field, String> {
    let name = e
        .attribute("name")
        .ok_or_else(|| format!("{}: an element without a name", at(e)))?;
    let ty = e
        .attribute("type")
        .ok_or_else(|| format!("{}: element {name} must name its type", at(e)))?;
    let occurs = |v: &str| {
        v.parse::<u32>()
            .map_err(|_| format!("{}: bad occurrence {v} on {name}", at(e)))
    };
    let min = e.attribute("minOccurs").map_or(Ok(1), occurs)?;
    let max = match e.attribute("maxOccurs") {
        None => Some(1),
        Some("unbounded") => None,
        Some(v) => Some(occurs(v)?),
    };
    Ok(Field {
        name: name.to_string(),
        ty: type_ref(e, ty),
        min,
        max,
        aliases: aliases_of(e),
        doc: doc_of(e),
    })
}

/// The facets the subset knows.
const FACETS: &[&str] = &[
    "minLength",
    "maxLength",
    "length",
    "minInclusive",
    "maxInclusive",
    "totalDigits",
    "fractionDigits",
    "enumeration",
];

impl Model {
    /// Reads every schema file (name, text). Declarations of the same name: the later one
    /// wins. Anything outside the subset is an error naming the file and line.
    pub fn read<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)]) -> Result<Model, String> {
        let mut m = Model::default();
        for (name, text) in files {
            let (name, text) = (name.as_ref(), text.as_ref());
            let doc = roxmltree::Document::parse(text)
                .map_err(|e| format!("{name}: not well-formed: {e}"))?;
            let at = |n: &roxmltree::Node| {
                format!("{name} line {}", doc.text_pos_at(n.range().start).row)
            };
            let stem = name.trim_end_matches(".xsd").to_string();
            let comment = doc
                .root()
                .children()
                .find(|n| n.is_comment())
                .and_then(|n| n.text())
                .map(collapse)
                .filter(|t| !t.is_empty());
            let mut decls = Vec::new();
            for top in doc.root_element().children().filter(|n| n.is_element()) {
                if is_xs(&top, "annotation") || is_xs(&top, "import") || is_xs(&top, "include") {
                    continue;
                }
                let tname = top
                    .attribute("name")
                    .ok_or_else(|| format!("{}: a declaration without a name", at(&top)))?;
                if is_xs(&top, "simpleType") {
                    let r = top
                        .children()
                        .find(|c| is_xs(c, "restriction"))
                        .ok_or_else(|| {
                            format!("{}: simpleType {tname} must be a restriction", at(&top))
                        })?;
                    let base = type_ref(&r, r.attribute("base").unwrap_or("xs:string"));
                    let mut facets = Vec::new();
                    for c in r
                        .children()
                        .filter(|c| c.is_element() && !is_xs(c, "annotation"))
                    {
                        let facet = c.tag_name().name();
                        if !FACETS.contains(&facet) {
                            return Err(format!("{}: facet {facet} is not supported", at(&c)));
                        }
                        facets.push((
                            facet.to_string(),
                            c.attribute("value").unwrap_or_default().to_string(),
                        ));
                    }
                    m.simple.insert(
                        tname.to_string(),
                        Simple {
                            name: tname.to_string(),
                            base,
                            facets,
                            doc: doc_of(&top),
                        },
                    );
                    decls.push(Decl::Simple(tname.to_string()));
                } else if is_xs(&top, "complexType") {
                    let g = top
                        .children()
                        .find(|c| is_xs(c, "sequence") || is_xs(c, "all") || is_xs(c, "choice"));
                    let group = match g {
                        Some(g) if is_xs(&g, "choice") => Group::Choice,
                        Some(g) if is_xs(&g, "all") => Group::All,
                        _ => Group::Sequence,
                    };
                    let mut fields = Vec::new();
                    for c in g
                        .iter()
                        .flat_map(|g| g.children())
                        .filter(|c| c.is_element() && !is_xs(c, "annotation"))
                    {
                        if !is_xs(&c, "element") {
                            return Err(format!("{}: only elements may appear in {tname}", at(&c)));
                        }
                        fields.push(field(&c, &at)?);
                    }
                    m.complex.insert(
                        tname.to_string(),
                        Complex {
                            name: tname.to_string(),
                            group,
                            fields,
                            doc: doc_of(&top),
                        },
                    );
                    decls.push(Decl::Complex(tname.to_string()));
                } else if is_xs(&top, "element") {
                    let ty = top.attribute("type").ok_or_else(|| {
                        format!("{}: root element {tname} must name its type", at(&top))
                    })?;
                    let ty = type_ref(&top, ty).name().to_string();
                    m.roots.insert(
                        tname.to_string(),
                        Root {
                            element: tname.to_string(),
                            ty,
                            aliases: aliases_of(&top),
                        },
                    );
                    continue;
                } else {
                    return Err(format!(
                        "{}: {} is not supported",
                        at(&top),
                        top.tag_name().name()
                    ));
                }
                m.file_of.insert(tname.to_string(), stem.clone());
            }
            m.files.push(SchemaFile {
                name: name.to_string(),
                text: text.to_string(),
                comment,
                decls,
            });
        }
        // A redeclared name is published once, where it was last declared.
        let mut seen = std::collections::BTreeSet::new();
        for f in m.files.iter_mut().rev() {
            f.decls.retain(|d| {
                let n = match d {
                    Decl::Simple(n) | Decl::Complex(n) => n.clone(),
                };
                seen.insert(n)
            });
        }
        for (element, root) in &m.roots {
            if !m.complex.contains_key(&root.ty) {
                return Err(format!(
                    "root {element} must have a complex type, not {}",
                    root.ty
                ));
            }
        }
        Ok(m)
    }

    /// The type of a document root element.
    pub fn root_type(&self, element: &str) -> Option<&Complex> {
        self.complex.get(&self.roots.get(element)?.ty)
    }

    pub fn builtin_prim(name: &str) -> Option<Prim> {
        Some(match name {
            "string" | "token" | "normalizedString" => Prim::Str,
            "integer" | "int" | "long" | "short" | "nonNegativeInteger" | "positiveInteger" => {
                Prim::Int
            }
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

    #[test]
    fn constructs_outside_the_subset_are_refused_with_their_line() {
        let xsd = |body: &str| {
            format!(r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{body}</xs:schema>"#)
        };
        let bad = xsd(
            r#"<xs:simpleType name="P"><xs:restriction base="xs:string"><xs:pattern value="x"/></xs:restriction></xs:simpleType>"#,
        );
        assert!(Model::read(&[("a.xsd", bad)])
            .unwrap_err()
            .contains("facet pattern"));
        let untyped = xsd(
            r#"<xs:complexType name="C"><xs:sequence><xs:element name="e"/></xs:sequence></xs:complexType>"#,
        );
        assert!(Model::read(&[("b.xsd", untyped)])
            .unwrap_err()
            .starts_with("b.xsd line 1"));
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
