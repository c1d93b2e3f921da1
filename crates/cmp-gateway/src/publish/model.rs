//! The schemas as data: `cmp_model::messages::SCHEMA_FILES` read once with roxmltree
//! into simple types (restriction + facets), complex types (sequence/all/choice of
//! elements) and document roots. The same small XSD subset `cmp-model/build.rs` accepts;
//! whatever it does not know is skipped here (build.rs already refused it).

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
    pub name: &'static str,
    pub text: &'static str,
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

fn field(e: &roxmltree::Node) -> Option<Field> {
    let name = e.attribute("name")?;
    let ty = type_ref(e, e.attribute("type")?);
    let min = e
        .attribute("minOccurs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let max = match e.attribute("maxOccurs") {
        None => Some(1),
        Some("unbounded") => None,
        Some(v) => Some(v.parse().unwrap_or(1)),
    };
    Some(Field {
        name: name.to_string(),
        ty,
        min,
        max,
        aliases: aliases_of(e),
        doc: doc_of(e),
    })
}

impl Model {
    /// Reads every schema file. Declarations of the same name: the later one wins, as in
    /// the generated code.
    pub fn read(files: &[(&'static str, &'static str)]) -> Model {
        let mut m = Model::default();
        for (name, text) in files {
            let doc = match roxmltree::Document::parse(text) {
                Ok(d) => d,
                Err(e) => {
                    log::error!("schema {name} does not parse: {e}");
                    continue;
                }
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
                let Some(tname) = top.attribute("name") else {
                    continue;
                };
                if is_xs(&top, "simpleType") {
                    let Some(r) = top.children().find(|c| is_xs(c, "restriction")) else {
                        continue;
                    };
                    let base = type_ref(&r, r.attribute("base").unwrap_or("xs:string"));
                    let facets = r
                        .children()
                        .filter(|c| c.is_element() && !is_xs(c, "annotation"))
                        .map(|c| {
                            (
                                c.tag_name().name().to_string(),
                                c.attribute("value").unwrap_or_default().to_string(),
                            )
                        })
                        .collect();
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
                    let fields = g
                        .map(|g| {
                            g.children()
                                .filter(|c| is_xs(c, "element"))
                                .filter_map(|c| field(&c))
                                .collect()
                        })
                        .unwrap_or_default();
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
                    let Some(ty) = top.attribute("type") else {
                        continue;
                    };
                    m.roots.insert(
                        tname.to_string(),
                        Root {
                            element: tname.to_string(),
                            ty: type_ref(&top, ty).name().to_string(),
                            aliases: aliases_of(&top),
                        },
                    );
                    continue;
                } else {
                    continue;
                }
                m.file_of.insert(tname.to_string(), stem.clone());
            }
            m.files.push(SchemaFile {
                name,
                text,
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
        m
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
    fn every_schema_file_is_read() {
        let m = Model::read(cmp_model::messages::SCHEMA_FILES);
        assert_eq!(m.files.len(), cmp_model::messages::SCHEMA_FILES.len());
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
