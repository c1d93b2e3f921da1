//! JSON in (a [`Node`] tree) and JSON out (a [`Sink`]).

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::codec::Sink;
use crate::node::{Limits, Node, ParseError};
use crate::text::LONE_SURROGATE;

/// Reads a JSON object as the content of document `root`. A body wrapped in its root
/// name (`{"createAgreement": {…}}`, or an alias) is unwrapped. The tree is built while
/// parsing (no intermediate `Value`), so a key given twice stays twice and is refused by
/// the decoder like a repeated XML element.
pub fn parse(text: &str, root: &str, aliases: &[&str], limits: Limits) -> Result<Node, ParseError> {
    let text = stand_in_for_lone_surrogates(text);
    let mut de = serde_json::Deserializer::from_str(&text);
    let mut count = 0;
    let seed = ValueSeed {
        name: root,
        count: &mut count,
        limits,
        depth: 0,
        in_array: false,
    };
    let nodes = seed
        .deserialize(&mut de)
        .and_then(|n| de.end().map(|_| n))
        .map_err(|e| {
            let msg = e.to_string();
            match msg.strip_prefix(LIMIT) {
                Some(rest) => ParseError::limit(rest.to_string()),
                None if msg.contains("recursion limit") => {
                    ParseError::limit(format!("JSON nested too deeply: {msg}"))
                }
                None => ParseError::malformed(format!("JSON is not well-formed: {msg}")),
            }
        })?;
    let mut node = match <[Node; 1]>::try_from(nodes) {
        // An object: `null`, `""` (read as nothing) and other values are not a document.
        Ok([n]) if n.container && n.text.is_empty() => n,
        _ => return Err(ParseError::malformed("the JSON body must be an object")),
    };
    if let [only] = node.children.as_slice() {
        if (only.name == root || aliases.contains(&only.name.as_str())) && only.text.is_empty() {
            node.children = node.children.remove(0).children;
        }
    }
    Ok(node)
}

/// A JSON string may escape a lone surrogate (`"\ud800"`), which no Rust string (and no
/// XML document) can hold and which serde_json refuses as malformed JSON. Each such escape
/// is rewritten as `\uFFFF` ([`LONE_SURROGATE`], same length, so error positions stay),
/// which the decoder refuses as a forbidden character naming the field. A body without
/// one is borrowed as it is.
fn stand_in_for_lone_surrogates(text: &str) -> Cow<'_, str> {
    fn unit(b: &[u8], i: usize) -> Option<u16> {
        // `\uXXXX` at `i`.
        let hex = b.get(i..i + 6)?;
        if hex[0] != b'\\' || hex[1] != b'u' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    }
    let b = text.as_bytes();
    let mut lone = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit(b, i) {
            Some(0xD800..=0xDBFF) if matches!(unit(b, i + 6), Some(0xDC00..=0xDFFF)) => i += 12,
            Some(0xD800..=0xDFFF) => {
                lone.push(i);
                i += 6;
            }
            Some(_) => i += 6,
            // Any other escape: skip the escaped character (`\\` must not start one).
            None => i += 2,
        }
    }
    if lone.is_empty() {
        return Cow::Borrowed(text);
    }
    let stand_in = format!("\\u{:04X}", LONE_SURROGATE as u32);
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    for at in lone {
        // Escapes are ASCII: `at` and `at + 6` are character boundaries.
        out.push_str(&text[start..at]);
        out.push_str(&stand_in);
        start = at + 6;
    }
    out.push_str(&text[start..]);
    Cow::Owned(out)
}

/// Marks errors that are limits rather than malformed JSON.
const LIMIT: &str = "limit: ";

/// One JSON value named `name`: a scalar is a leaf, `null` an empty node, an object a node
/// with children, an array several nodes of the same name.
struct ValueSeed<'a> {
    name: &'a str,
    count: &'a mut usize,
    limits: Limits,
    depth: usize,
    in_array: bool,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Vec<Node>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Node>, D::Error> {
        d.deserialize_any(self)
    }
}

impl ValueSeed<'_> {
    /// A JSON number or boolean: text, marked so that a string field refuses it.
    fn literal<E: de::Error>(self, text: String) -> Result<Vec<Node>, E> {
        let mut nodes = self.leaf(text)?;
        for n in &mut nodes {
            n.literal = true;
        }
        Ok(nodes)
    }
    fn leaf<E: de::Error>(self, text: String) -> Result<Vec<Node>, E> {
        *self.count += 1;
        if *self.count > self.limits.max_elements {
            return Err(E::custom(format!(
                "{LIMIT}more than {} properties",
                self.limits.max_elements
            )));
        }
        Ok(vec![Node {
            name: self.name.to_string(),
            text,
            ..Default::default()
        }])
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Vec<Node>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Vec<Node>, E> {
        self.literal(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<Node>, E> {
        self.literal(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<Node>, E> {
        self.literal(v.to_string())
    }
    /// A number with a fraction or an exponent (or beyond 64 bits). JSON, like JSON
    /// Schema's `integer`, does not tell `36.0` or `3.6e1` from `36`: a whole number that
    /// an f64 holds exactly (below 2^53) is written as digits, so an integer field takes
    /// it; any other keeps its `.` or `e` (`3.5`, `1e20`), so an integer field refuses it
    /// while a decimal still reads it.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<Node>, E> {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if v.fract() == 0.0 && v.abs() < EXACT {
            return self.literal(format!("{}", v as i64));
        }
        self.literal(format!("{v:?}"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<Node>, E> {
        self.leaf(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Vec<Node>, E> {
        self.leaf(v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<Node>, E> {
        // `null` is an absent value, but an item of a list is never absent: kept as the
        // literal `null`, which every item type refuses, naming the item.
        if self.in_array {
            return self.literal("null".to_string());
        }
        self.leaf(String::new())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Node>, A::Error> {
        if self.depth >= self.limits.max_depth {
            return Err(de::Error::custom(format!(
                "{LIMIT}objects nested deeper than {}",
                self.limits.max_depth
            )));
        }
        let mut node = Node {
            name: self.name.to_string(),
            container: true,
            ..Default::default()
        };
        while let Some(key) = map.next_key::<String>()? {
            let seed = ValueSeed {
                name: &key,
                count: &mut *self.count,
                limits: self.limits,
                depth: self.depth + 1,
                in_array: false,
            };
            node.children.extend(map.next_value_seed(seed)?);
        }
        Ok(vec![node])
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Node>, A::Error> {
        if self.in_array {
            return Err(de::Error::custom(format!(
                "{}: arrays of arrays are not allowed",
                self.name
            )));
        }
        let mut nodes = Vec::new();
        loop {
            let seed = ValueSeed {
                name: self.name,
                count: &mut *self.count,
                limits: self.limits,
                depth: self.depth,
                in_array: true,
            };
            match seq.next_element_seed(seed)? {
                Some(n) => nodes.extend(n),
                // `[]` inside the body is one empty container: nothing in a list, but a
                // container where a value belongs. At the top it is no object at all.
                None if nodes.is_empty() && self.depth > 0 => {
                    return Ok(vec![Node {
                        name: self.name.to_string(),
                        container: true,
                        ..Default::default()
                    }])
                }
                None => return Ok(nodes),
            }
        }
    }
}

/// Writes a JSON object: one member per element, arrays for repeated elements.
pub struct JsonSink<'a> {
    out: &'a mut String,
    /// Per open object/array: whether a member has been written (for commas), and
    /// whether it is an array (members have no key).
    stack: Vec<(bool, bool)>,
}

impl<'a> JsonSink<'a> {
    /// Starts the outer object; [`JsonSink::finish`] closes it.
    pub fn new(out: &'a mut String) -> Self {
        out.push('{');
        JsonSink {
            out,
            stack: vec![(false, false)],
        }
    }

    pub fn finish(self) {
        self.out.push('}');
    }

    fn key(&mut self, name: &str) {
        let (written, in_array) = self.stack.last_mut().expect("open object");
        if *written {
            self.out.push(',');
        }
        *written = true;
        if !*in_array {
            // Keys are schema names: nothing to escape.
            self.out.push('"');
            self.out.push_str(name);
            self.out.push_str("\":");
        }
    }
}

/// Writes a JSON string literal, copying runs that need no escape in one go.
pub fn string_into(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

impl Sink for JsonSink<'_> {
    fn open(&mut self, name: &'static str) {
        self.key(name);
        self.out.push('{');
        self.stack.push((false, false));
    }
    fn close(&mut self, _: &'static str) {
        self.stack.pop();
        self.out.push('}');
    }
    fn open_list(&mut self, name: &'static str, _: usize) {
        self.key(name);
        self.out.push('[');
        self.stack.push((false, true));
    }
    fn close_list(&mut self, _: &'static str) {
        self.stack.pop();
        self.out.push(']');
    }
    fn text(&mut self, name: &'static str, value: &str) {
        self.key(name);
        string_into(self.out, value);
    }
    fn value(&mut self, name: &'static str, value: &dyn std::fmt::Display, json_literal: bool) {
        self.key(name);
        if json_literal {
            let _ = write!(self.out, "{value}");
        } else {
            let _ = write!(self.out, "\"{value}\"");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_become_repeated_nodes_and_scalars_text() {
        let n = parse(
            r#"{"a":[1,2],"b":{"c":true,"d":null}}"#,
            "r",
            &[],
            Limits::default(),
        )
        .unwrap();
        let names: Vec<_> = n
            .children
            .iter()
            .map(|c| (c.name.as_str(), c.text.as_str()))
            .collect();
        assert_eq!(names, [("a", "1"), ("a", "2"), ("b", "")]);
        assert_eq!(n.children[2].children[0].text, "true");
        assert!(n.children[2].children[1].is_blank());
    }

    #[test]
    fn a_body_wrapped_in_its_root_name_is_unwrapped() {
        let n = parse(
            r#"{"alias":{"x":"1"}}"#,
            "root",
            &["alias"],
            Limits::default(),
        )
        .unwrap();
        assert_eq!(
            (n.name.as_str(), n.children[0].name.as_str()),
            ("root", "x")
        );
    }

    #[test]
    fn malformed_json_names_the_line_and_column() {
        let e = parse("{\n\"a\": }", "r", &[], Limits::default()).unwrap_err();
        assert!(e.message.contains("line 2"), "{}", e.message);
        assert!(parse("[1]", "r", &[], Limits::default()).is_err());
        assert!(parse("{} {}", "r", &[], Limits::default()).is_err());
    }

    #[test]
    fn whole_numbers_read_as_digits_others_keep_a_fraction_or_exponent() {
        let n = parse(
            r#"{"a":3.0,"b":1e1,"c":3,"d":{},"e":[],"f":[1],"g":1e20,"h":18446744073709551615,"i":3.5,"j":-0.0,"k":9007199254740992.0}"#,
            "r",
            &[],
            Limits::default(),
        )
        .unwrap();
        let seen: Vec<_> = n
            .children
            .iter()
            .map(|c| (c.name.as_str(), c.text.as_str(), c.container))
            .collect();
        assert_eq!(
            seen,
            [
                ("a", "3", false),
                ("b", "10", false),
                ("c", "3", false),
                ("d", "", true),
                ("e", "", true),
                ("f", "1", false),
                ("g", "1e20", false),
                ("h", "18446744073709551615", false),
                ("i", "3.5", false),
                ("j", "0", false),
                ("k", "9007199254740992.0", false),
            ]
        );
        assert!(parse("[]", "r", &[], Limits::default()).is_err());
        for not_an_object in ["null", "\"\"", "true", "0"] {
            let e = parse(not_an_object, "r", &[], Limits::default()).unwrap_err();
            assert!(e.message.contains("must be an object"), "{not_an_object}");
        }
    }

    #[test]
    fn lone_surrogates_are_read_as_a_forbidden_stand_in() {
        let n = parse(
            r#"{"a":"x\ud800y","b":"\udc00","c":"\ud83d\ude00","d":"\\ud800","e":"\u0000"}"#,
            "r",
            &[],
            Limits::default(),
        )
        .unwrap();
        let texts: Vec<&str> = n.children.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["x\u{FFFF}y", "\u{FFFF}", "😀", "\\ud800", "\0"]);
        assert!(matches!(
            stand_in_for_lone_surrogates(r#"{"a":"\u00e9"}"#),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn the_sink_always_writes_valid_json() {
        let mut s = String::new();
        let mut j = JsonSink::new(&mut s);
        j.text(
            "a",
            "\u{0}\u{1}\u{1f}\u{7f}\u{FFFE}\u{FFFF}\u{2028}\"\\\r\n\t",
        );
        j.finish();
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(
            v["a"],
            "\u{0}\u{1}\u{1f}\u{7f}\u{FFFE}\u{FFFF}\u{2028}\"\\\r\n\t"
        );
    }

    #[test]
    fn a_key_given_twice_stays_twice() {
        let n = parse(r#"{"a":1,"a":2}"#, "r", &[], Limits::default()).unwrap();
        assert_eq!(n.children.len(), 2);
    }

    #[test]
    fn the_sink_writes_objects_arrays_and_literals() {
        let mut s = String::new();
        let mut j = JsonSink::new(&mut s);
        j.text("a", "x\"y\u{1}");
        j.open_list("l", 2);
        j.open("l");
        j.value("n", &5, true);
        j.close("l");
        j.open("l");
        j.close("l");
        j.close_list("l");
        j.value("m", &"20.00", false);
        j.finish();
        assert_eq!(s, r#"{"a":"x\"y\u0001","l":[{"n":5},{}],"m":"20.00"}"#);
    }
}
