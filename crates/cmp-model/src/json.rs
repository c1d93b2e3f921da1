//! JSON in (a [`Node`] tree) and JSON out (a [`Sink`]).

use std::fmt::Write as _;

use serde_json::Value;

use crate::codec::Sink;
use crate::node::{Limits, Node, ParseError};

/// Reads a JSON object as the content of document `root`. A body wrapped in its root
/// name (`{"createAgreement": {…}}`, or an alias) is unwrapped.
pub fn parse(text: &str, root: &str, aliases: &[&str], limits: Limits) -> Result<Node, ParseError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let msg = format!(
            "JSON is not well-formed at line {}, column {}: {e}",
            e.line(),
            e.column()
        );
        if e.to_string().contains("recursion limit") {
            ParseError::limit(msg)
        } else {
            ParseError::malformed(msg)
        }
    })?;
    let Value::Object(mut obj) = value else {
        return Err(ParseError::malformed("the JSON body must be an object"));
    };
    if obj.len() == 1 {
        let key = obj.keys().next().cloned().unwrap_or_default();
        if (key == root || aliases.contains(&key.as_str())) && obj[&key].is_object() {
            if let Some(Value::Object(inner)) = obj.remove(&key) {
                obj = inner;
            }
        }
    }
    let mut count = 0;
    let mut node = Node {
        name: root.to_string(),
        ..Default::default()
    };
    fill(&mut node, obj, 1, limits, &mut count)?;
    Ok(node)
}

fn fill(
    node: &mut Node,
    obj: serde_json::Map<String, Value>,
    depth: usize,
    limits: Limits,
    count: &mut usize,
) -> Result<(), ParseError> {
    if depth > limits.max_depth {
        return Err(ParseError::limit(format!(
            "objects nested deeper than {}",
            limits.max_depth
        )));
    }
    for (key, value) in obj {
        match value {
            Value::Array(items) => {
                for item in items {
                    if item.is_array() {
                        return Err(ParseError::malformed(format!(
                            "{key}: arrays of arrays are not allowed"
                        )));
                    }
                    node.children
                        .push(convert(&key, item, depth, limits, count)?);
                }
            }
            other => node
                .children
                .push(convert(&key, other, depth, limits, count)?),
        }
    }
    Ok(())
}

fn convert(
    key: &str,
    value: Value,
    depth: usize,
    limits: Limits,
    count: &mut usize,
) -> Result<Node, ParseError> {
    *count += 1;
    if *count > limits.max_elements {
        return Err(ParseError::limit(format!(
            "more than {} properties",
            limits.max_elements
        )));
    }
    let mut n = Node {
        name: key.to_string(),
        ..Default::default()
    };
    match value {
        Value::Null => {}
        Value::Bool(b) => n.text = b.to_string(),
        Value::Number(x) => n.text = x.to_string(),
        Value::String(s) => n.text = s,
        Value::Object(o) => fill(&mut n, o, depth + 1, limits, count)?,
        Value::Array(_) => unreachable!("arrays are flattened by the caller"),
    }
    Ok(n)
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
