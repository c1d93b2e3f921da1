//! The runtime behind the generated types: decoding a [`Node`] tree with every field
//! error collected ([`Reader`]), and encoding into a dialect-neutral [`Sink`].

use crate::fault::{Code, FieldError, PathSeg};
use crate::node::Node;

/// The primitive under a simple type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prim {
    Str,
    Int,
    Dec,
    Date,
    DateTime,
    Bool,
}

/// The facets of one simple type, flattened by the generator.
#[derive(Debug, Clone, Copy)]
pub struct Facets {
    pub type_name: &'static str,
    pub prim: Prim,
    pub min_len: Option<u32>,
    pub max_len: Option<u32>,
    pub min: Option<&'static str>,
    pub max: Option<&'static str>,
    pub total_digits: Option<u32>,
    pub fraction_digits: Option<u32>,
    /// `xs:pattern` (the subset of `cmp_schema::check_pattern`): the whole value must match.
    pub pattern: Option<&'static str>,
}

/// Whether all of `text` matches `pattern` (an `xs:pattern` of the schemas). Each
/// pattern is compiled once, on first use, and kept.
pub fn matches_pattern(pattern: &'static str, text: &str) -> bool {
    use std::collections::HashMap;
    use std::sync::{OnceLock, RwLock};
    static COMPILED: OnceLock<RwLock<HashMap<&'static str, regex_lite::Regex>>> = OnceLock::new();
    let cache = COMPILED.get_or_init(Default::default);
    if let Some(re) = cache.read().unwrap_or_else(|e| e.into_inner()).get(pattern) {
        return re.is_match(text);
    }
    // The schema reader checked the pattern's syntax; the generator wrote it from there.
    let re = regex_lite::Regex::new(&format!("^(?:{pattern})$"))
        .unwrap_or_else(|e| panic!("xs:pattern {pattern:?} of the schemas: {e}"));
    let found = re.is_match(text);
    cache
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(pattern, re);
    found
}

/// How many fields of a rule across fields a message may give, as the schemas say it
/// (the generated decoders name it here).
pub use cmp_schema::HowMany;

/// Why a scalar was refused; rendered into a [`FieldError`] with its path.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    TooShort(u32),
    TooLong(u32),
    OutOfRange(Option<&'static str>, Option<&'static str>),
    /// Not a value of the named kind (`integer`, `date`, …).
    Format(&'static str),
    Enum(&'static [&'static str]),
    /// Not of the type's `xs:pattern`: (type, pattern).
    Pattern(&'static str, &'static str),
}

impl Problem {
    pub fn into_error(self, path: Vec<PathSeg>) -> FieldError {
        match self {
            Problem::TooShort(n) => FieldError::new(
                Code::TooShort,
                path,
                format!("needs at least {n} characters"),
            ),
            Problem::TooLong(n) => {
                FieldError::new(Code::TooLong, path, format!("exceeds {n} characters"))
            }
            Problem::OutOfRange(min, max) => {
                let range = match (min, max) {
                    (Some(a), Some(b)) => format!("{a} to {b}"),
                    (Some(a), None) => format!("at least {a}"),
                    (None, Some(b)) => format!("at most {b}"),
                    (None, None) => "the allowed range".into(),
                };
                FieldError::new(Code::OutOfRange, path, format!("is out of range ({range})"))
            }
            Problem::Format(what) => {
                FieldError::new(Code::InvalidFormat, path, format!("is not a valid {what}"))
            }
            Problem::Pattern(ty, pattern) => FieldError::new(
                Code::InvalidFormat,
                path,
                format!("is not of the form of {ty} (pattern {pattern})"),
            ),
            Problem::Enum(values) => FieldError::new(
                Code::InvalidEnum,
                path,
                format!("is not one of: {}", values.join(", ")),
            ),
        }
    }
}

/// An optional field of an erasable type (`<xs:appinfo><erasable/></xs:appinfo>` on its
/// complexType): the decoder tells a field not sent from one sent empty (an empty
/// element, `""` or JSON `null`), which an update reads as an attempt to erase it. Both
/// encode as nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Patch<T> {
    /// Not sent.
    #[default]
    Absent,
    /// Sent empty.
    Empty,
    /// Sent with a value.
    Value(T),
}

impl<T> Patch<T> {
    /// The value, if one was sent.
    pub fn value(&self) -> Option<&T> {
        match self {
            Patch::Value(v) => Some(v),
            Patch::Absent | Patch::Empty => None,
        }
    }
    /// The value, if one was sent: sent empty reads as absent, as in other optional fields.
    pub fn into_value(self) -> Option<T> {
        match self {
            Patch::Value(v) => Some(v),
            Patch::Absent | Patch::Empty => None,
        }
    }
    /// Whether the field was sent empty: an attempt to erase it.
    pub fn is_empty_sent(&self) -> bool {
        matches!(self, Patch::Empty)
    }
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }
    /// The value changed by `f`, the state kept.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Empty => Patch::Empty,
            Patch::Value(v) => Patch::Value(f(v)),
        }
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `None` is absent.
    fn from(v: Option<T>) -> Self {
        v.map_or(Patch::Absent, Patch::Value)
    }
}

/// A scalar that can be read from text and written to a sink.
pub trait ScalarValue: Sized {
    fn decode_text(text: &str, facets: &Facets) -> Result<Self, Problem>;
    fn encode(&self, name: &'static str, sink: &mut dyn Sink);
}

/// A generated type read from a node; `None` means errors were recorded in the reader.
pub trait Decode: Sized {
    fn decode(node: &Node, r: &mut Reader) -> Option<Self>;
}

/// A generated type written as the content of an element.
pub trait Encode {
    fn encode_fields(&self, sink: &mut dyn Sink);
}

/// A generated type that is a document root (a top-level `xs:element`).
pub trait Document: Decode + Encode {
    const ROOT: &'static str;
    const ALIASES: &'static [&'static str];
}

/// Where encoded values go: an XML, SOAP or JSON writer.
pub trait Sink {
    /// Start an element (or, inside a list, an item) holding other elements.
    fn open(&mut self, name: &'static str);
    fn close(&mut self, name: &'static str);
    /// A repeated element: `len` items follow, each opened with the same name.
    fn open_list(&mut self, name: &'static str, len: usize);
    fn close_list(&mut self, name: &'static str);
    /// A string value (escaped for XML, quoted for JSON).
    fn text(&mut self, name: &'static str, value: &str);
    /// A value whose text needs no escaping: a JSON number or boolean when
    /// `json_literal`, a JSON string otherwise.
    fn value(&mut self, name: &'static str, value: &dyn std::fmt::Display, json_literal: bool);
}

/// `text` cut to the maximum length of `f` (in characters) and trimmed: a value stored
/// under a wider type (a customer's 30-character first name) answered in a narrower one
/// (the 7.3.8 address's 15-character `forename`) still fits what the contract says.
pub fn fit(text: &str, f: &Facets) -> String {
    match f.max_len {
        Some(n) if text.chars().count() > n as usize => text
            .chars()
            .take(n as usize)
            .collect::<String>()
            .trim_end()
            .to_string(),
        _ => text.to_string(),
    }
}

/// The index of `text` among an enumeration's documented tokens, matching
/// case-insensitively and ignoring blanks, `_` and `-` (WIRE.md §3).
pub fn enum_index(text: &str, values: &[&str]) -> Option<usize> {
    fn norm(s: &str) -> impl Iterator<Item = char> + '_ {
        s.chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-' | '\t'))
            .map(|c| c.to_ascii_lowercase())
    }
    values.iter().position(|v| norm(v).eq(norm(text)))
}

/// Decodes a whole document: the root node must carry `T::ROOT` or one of its aliases
/// (the caller has already checked or renamed it). Every error is collected.
pub fn decode_document<T: Document>(node: &Node) -> Result<T, Vec<FieldError>> {
    let mut r = Reader::new(T::ROOT);
    match T::decode(node, &mut r) {
        Some(v) if r.errors.is_empty() => Ok(v),
        _ => Err(r.errors),
    }
}

/// Decoding state: the current element path and the errors found so far.
pub struct Reader {
    path: Vec<PathSeg>,
    errors: Vec<FieldError>,
    /// Reading an empty JSON container (`{}`, `[]`) given for a single field: a scalar
    /// refuses it, a container reads it as absent (see [`Reader::empty_container`]).
    probing_empty_container: bool,
}

impl Reader {
    pub fn new(root: &'static str) -> Self {
        Reader {
            path: vec![PathSeg::new(root)],
            errors: Vec::new(),
            probing_empty_container: false,
        }
    }

    pub fn error_count(&self) -> usize {
        self.errors.len()
    }

    fn fail(&mut self, code: Code, child: Option<PathSeg>, phrase: impl Into<String>) {
        let mut path = self.path.clone();
        path.extend(child);
        self.errors.push(FieldError::new(code, path, phrase));
    }

    /// Sorts the children of a container by field (`names[i]` = the field's name and
    /// aliases). Unknown children are errors; so is text where elements belong.
    pub fn group<'n>(&mut self, node: &'n Node, names: &[&[&str]]) -> Option<Vec<Vec<&'n Node>>> {
        if std::mem::take(&mut self.probing_empty_container) {
            // `{}` where a container belongs: absent, like an empty element.
            return None;
        }
        if !node.text.trim().is_empty() {
            // Text beside elements too (`<a>true<b>1</b></a>`, or a resource route's body
            // that is a value, the path's elements added): never dropped silently.
            self.fail(
                Code::InvalidFormat,
                None,
                "must contain elements, not a value",
            );
            return None;
        }
        let mut groups = vec![Vec::new(); names.len()];
        for child in &node.children {
            match names
                .iter()
                .position(|alts| alts.contains(&child.name.as_str()))
            {
                Some(i) => groups[i].push(child),
                None => self.fail(
                    Code::UnknownElement,
                    Some(PathSeg::owned(&child.name)),
                    "is not a known element",
                ),
            }
        }
        Some(groups)
    }

    /// A rule across optional single fields of one type (`cmp_schema::Together`, from
    /// the schemas' `xs:appinfo`): `given` = each field's name (or `a/b`, the field b of
    /// its container a) and the nodes found for it (a blank one is not given). None
    /// given, where one is needed, is `MANDATORY` on the first field; several given,
    /// where that is refused, is `code` on each of them.
    pub fn together(&mut self, how: HowMany, given: &[(&'static str, &[&Node])], code: Code) {
        let mut at = |code: Code, name: &'static str, phrase: String| {
            let mut path = self.path.clone();
            path.extend(name.split('/').map(PathSeg::new));
            self.errors.push(FieldError::new(code, path, phrase));
        };
        let names: Vec<&str> = given.iter().map(|(n, _)| *n).collect();
        let list = match names.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => return,
        };
        let present: Vec<&str> = given
            .iter()
            .filter(|(_, found)| found.iter().any(|n| !n.is_blank()))
            .map(|(n, _)| *n)
            .collect();
        let phrase = how.phrase();
        match present.as_slice() {
            [] if how.needs_one() => at(
                Code::Mandatory,
                names[0],
                format!("is mandatory: give {phrase} of {list}"),
            ),
            [_, _, ..] if !how.allows_several() => {
                for name in &present {
                    let others: Vec<&str> = present.iter().copied().filter(|o| o != name).collect();
                    at(
                        code,
                        name,
                        format!(
                            "cannot be given with {}: give {phrase} of {list}",
                            others.join(", ")
                        ),
                    );
                }
            }
            _ => {}
        }
    }

    /// The single child of a choice container.
    pub fn choice<'n>(&mut self, node: &'n Node, names: &[&[&str]]) -> Option<(usize, &'n Node)> {
        let groups = self.group(node, names)?;
        let present: Vec<(usize, &Node)> = groups
            .iter()
            .enumerate()
            .flat_map(|(i, g)| g.iter().map(move |n| (i, *n)))
            .collect();
        if present.len() == 1 {
            return Some(present[0]);
        }
        let all: Vec<&str> = names.iter().map(|n| n[0]).collect();
        self.fail(
            Code::Choice,
            None,
            format!("must hold exactly one of: {}", all.join(", ")),
        );
        None
    }

    /// Reads `node` as field `name` (at `index` within a list).
    pub fn at<T>(
        &mut self,
        node: &Node,
        name: &'static str,
        index: Option<usize>,
        read: impl FnOnce(&Node, &mut Reader) -> Option<T>,
    ) -> Option<T> {
        self.path.push(PathSeg {
            name: name.into(),
            index,
        });
        let v = read(node, self);
        self.path.pop();
        v
    }

    pub fn required<T>(
        &mut self,
        _node: &Node,
        name: &'static str,
        found: &[&Node],
        read: impl FnOnce(&Node, &mut Reader) -> Option<T>,
    ) -> Option<T> {
        match found {
            [] => {
                self.fail(Code::Mandatory, Some(PathSeg::new(name)), "is mandatory");
                None
            }
            [one] if one.is_blank() => {
                let before = self.error_count();
                if one.container {
                    self.empty_container(one, name, read);
                }
                if self.error_count() == before {
                    self.fail(Code::Mandatory, Some(PathSeg::new(name)), "is mandatory");
                }
                None
            }
            [one] => self.at(one, name, None, read),
            _ => {
                self.fail(
                    Code::DuplicateElement,
                    Some(PathSeg::new(name)),
                    "may occur only once",
                );
                None
            }
        }
    }

    /// An optional field: absent, JSON `null` and an empty element all read as `None`.
    pub fn optional<T>(
        &mut self,
        node: &Node,
        name: &'static str,
        found: &[&Node],
        read: impl FnOnce(&Node, &mut Reader) -> Option<T>,
    ) -> Option<T> {
        self.patch(node, name, found, read).into_value()
    }

    /// An optional field of an erasable type: absent, sent empty (JSON `null`, `""`, an
    /// empty element) or a value.
    pub fn patch<T>(
        &mut self,
        _node: &Node,
        name: &'static str,
        found: &[&Node],
        read: impl FnOnce(&Node, &mut Reader) -> Option<T>,
    ) -> Patch<T> {
        match found {
            [] => Patch::Absent,
            [one] if one.is_blank() && one.container => {
                // `{}` or `[]`: refused where a value belongs, sent empty where a
                // container does.
                let before = self.error_count();
                self.empty_container(one, name, read);
                if self.error_count() > before {
                    Patch::Absent
                } else {
                    Patch::Empty
                }
            }
            [one] if one.is_blank() => Patch::Empty,
            [one] => self.at(one, name, None, read).into(),
            _ => {
                self.fail(
                    Code::DuplicateElement,
                    Some(PathSeg::new(name)),
                    "may occur only once",
                );
                Patch::Absent
            }
        }
    }

    /// An empty JSON object or array given for a single field: where a value belongs it
    /// is refused (`INVALID_FORMAT`, never read as absent); where a container belongs it
    /// reads as absent, as an empty element does. Which one is known only to `read`, so it
    /// runs in a mode where [`Reader::group`] answers "absent" at once.
    fn empty_container<T>(
        &mut self,
        node: &Node,
        name: &'static str,
        read: impl FnOnce(&Node, &mut Reader) -> Option<T>,
    ) -> Option<T> {
        self.probing_empty_container = true;
        let v = self.at(node, name, None, read);
        self.probing_empty_container = false;
        v
    }

    pub fn many<T>(
        &mut self,
        _node: &Node,
        name: &'static str,
        found: &[&Node],
        min: u32,
        max: Option<u32>,
        read: impl Fn(&Node, &mut Reader) -> Option<T>,
    ) -> Vec<T> {
        let present: Vec<&Node> = found.iter().copied().filter(|n| !n.is_blank()).collect();
        if (present.len() as u32) < min {
            let phrase = if min == 1 {
                "is mandatory".to_string()
            } else {
                format!("must occur at least {min} times")
            };
            self.fail(Code::Mandatory, Some(PathSeg::new(name)), phrase);
        }
        if let Some(max) = max.filter(|m| present.len() as u32 > *m) {
            self.fail(
                Code::TooMany,
                Some(PathSeg::new(name)),
                format!("may occur at most {max} times"),
            );
        }
        present
            .iter()
            .enumerate()
            .filter_map(|(i, n)| self.at(n, name, Some(i), &read))
            .collect()
    }

    /// Reads a scalar value from a leaf node.
    pub fn scalar<T: ScalarValue>(&mut self, node: &Node, facets: &Facets) -> Option<T> {
        self.probing_empty_container = false;
        if !node.children.is_empty() || node.container {
            self.fail(
                Code::InvalidFormat,
                None,
                "must be a value, not a container",
            );
            return None;
        }
        if node.literal && facets.prim == Prim::Str {
            self.fail(
                Code::InvalidFormat,
                None,
                "must be a string, not a number, boolean or null",
            );
            return None;
        }
        // `1`/`0` are booleans in XML's lexical space, not in JSON (WIRE.md §3).
        if node.literal
            && facets.prim == Prim::Bool
            && !matches!(node.text.as_str(), "true" | "false")
        {
            self.fail(
                Code::InvalidFormat,
                None,
                "must be true or false, not a number",
            );
            return None;
        }
        // Before any other check, whatever the type: no value may hold a character that a
        // database or an XML answer cannot carry (crate::text::is_xml_char).
        if crate::text::has_forbidden_character(&node.text) {
            self.fail(
                Code::ForbiddenCharacter,
                None,
                "holds a character that is not allowed (a control character other than tab, \
                 line feed and carriage return, U+FFFE, U+FFFF or a lone surrogate)",
            );
            return None;
        }
        match T::decode_text(&node.text, facets) {
            Ok(v) => Some(v),
            Err(p) => {
                let path = self.path.clone();
                self.errors.push(p.into_error(path));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests;
