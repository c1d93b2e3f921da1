//! XML in (a [`Node`] tree, no DTDs, no entities beyond the predefined ones) and XML out
//! (a [`Sink`] writing lowerCamel for REST or PascalCase for SOAP).

use std::fmt::Write as _;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::codec::Sink;
use crate::node::{Limits, Node, ParseError};
use crate::text::LONE_SURROGATE;

/// Reads an XML document into a tree. Local names only; namespaces are kept on the
/// nodes when `keep_ns` (for SOAP dispatch). Attributes are ignored.
pub fn parse(text: &str, limits: Limits, keep_ns: bool) -> Result<Node, ParseError> {
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut count = 0usize;
    let at = |pos: u64| {
        let upto = &text.as_bytes()[..(pos as usize).min(text.len())];
        let line = upto.iter().filter(|b| **b == b'\n').count() + 1;
        let col = upto.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        format!("line {line}, column {col}")
    };
    loop {
        let (res, ev) = match reader.read_resolved_event() {
            Ok(x) => x,
            Err(e) => {
                let pos = reader.error_position();
                return Err(ParseError::malformed(format!(
                    "XML is not well-formed at {}: {e}",
                    at(pos)
                )));
            }
        };
        match ev {
            Event::Start(_) | Event::Empty(_) => {
                count += 1;
                if count > limits.max_elements {
                    return Err(ParseError::limit(format!(
                        "more than {} elements",
                        limits.max_elements
                    )));
                }
                if stack.len() >= limits.max_depth {
                    return Err(ParseError::limit(format!(
                        "elements nested deeper than {}",
                        limits.max_depth
                    )));
                }
                let (e, empty) = match &ev {
                    Event::Start(e) => (e, false),
                    Event::Empty(e) => (e, true),
                    _ => unreachable!(),
                };
                let name = e.local_name().into_inner().to_string();
                let ns = match (keep_ns, res) {
                    (true, ResolveResult::Bound(n)) => Some(n.into_inner().to_string()),
                    _ => None,
                };
                let node = Node {
                    name,
                    ns,
                    ..Default::default()
                };
                if empty && stack.is_empty() {
                    // A self-closing root (`<getCatalogue/>`) is the whole document.
                    return finish(&mut reader, node, &at);
                } else if empty {
                    push_child(&mut stack, node)?;
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| ParseError::malformed("unbalanced end tag"))?;
                if stack.is_empty() {
                    // Anything after the root other than blanks/comments is malformed;
                    // quick-xml reports a second root as an error on the next read.
                    return finish(&mut reader, node, &at);
                }
                push_child(&mut stack, node)?;
            }
            Event::Text(t) => append_text(&mut stack, &t.xml10_content())?,
            Event::CData(t) => append_text(&mut stack, &t.xml10_content())?,
            Event::GeneralRef(r) => {
                let name = r.xml10_content();
                let ch = match char_ref(&name) {
                    Some(c) => c,
                    None => match &*name {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => {
                            return Err(ParseError::malformed(format!(
                                "undefined entity &{other}; (DTDs and entities are not allowed)"
                            )))
                        }
                    },
                };
                append_text(&mut stack, ch.encode_utf8(&mut [0; 4]))?;
            }
            Event::DocType(_) => {
                return Err(ParseError {
                    message_id: crate::codes::Code::DtdNotAllowed,
                    message: "DTDs and entity declarations are not allowed".into(),
                })
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => {
                let end = at(reader.buffer_position());
                let what = if stack.is_empty() {
                    "has no root element"
                } else {
                    "ends before its elements are closed"
                };
                return Err(ParseError::malformed(format!(
                    "the XML document {what} (at {end})"
                )));
            }
        }
    }
}

/// A character reference (`#65`, `#x41`) as the character it names. References to
/// characters XML forbids (`&#0;`, `&#1;`, `&#xFFFE;`) are read as those characters, so
/// that the decoder refuses them naming the field (`FORBIDDEN_CHARACTER`), rather than
/// as a malformed body; a surrogate (`&#xD800;`) is read as [`LONE_SURROGATE`], likewise
/// refused. `None`: not a character reference, or beyond U+10FFFF.
fn char_ref(name: &str) -> Option<char> {
    let n = name.strip_prefix('#')?;
    let (digits, radix) = match n.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (n, 10),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = u32::from_str_radix(digits, radix).ok()?;
    match char::from_u32(v) {
        Some(c) => Some(c),
        None if (0xD800..=0xDFFF).contains(&v) => Some(LONE_SURROGATE),
        None => None,
    }
}

fn finish(
    reader: &mut NsReader<&[u8]>,
    root: Node,
    at: &dyn Fn(u64) -> String,
) -> Result<Node, ParseError> {
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return Ok(root),
            Ok(Event::Text(t)) if t.xml10_content().trim().is_empty() => {}
            Ok(Event::Comment(_) | Event::PI(_)) => {}
            Ok(_) => {
                return Err(ParseError::malformed(format!(
                    "content after the root element at {}",
                    at(reader.buffer_position())
                )))
            }
            Err(e) => {
                return Err(ParseError::malformed(format!(
                    "XML is not well-formed at {}: {e}",
                    at(reader.error_position())
                )))
            }
        }
    }
}

fn push_child(stack: &mut [Node], node: Node) -> Result<(), ParseError> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(node);
            Ok(())
        }
        None => Err(ParseError::malformed("more than one root element")),
    }
}

fn append_text(stack: &mut [Node], t: &str) -> Result<(), ParseError> {
    match stack.last_mut() {
        Some(n) => {
            n.text.push_str(t);
            Ok(())
        }
        None if t.trim().is_empty() => Ok(()),
        None => Err(ParseError::malformed("text outside the root element")),
    }
}

/// Writes elements into a string; `pascal` upper-cases the first letter of every name
/// (SOAP), otherwise names are written as the schema spells them (REST).
pub struct XmlSink<'a> {
    pub out: &'a mut String,
    pub pascal: bool,
}

impl XmlSink<'_> {
    fn tag(&mut self, open: bool, name: &str) {
        self.out.push_str(if open { "<" } else { "</" });
        let mut cs = name.chars();
        if let (true, Some(c)) = (self.pascal, cs.next()) {
            self.out.push(c.to_ascii_uppercase());
            self.out.push_str(cs.as_str());
        } else {
            self.out.push_str(name);
        }
        self.out.push('>');
    }
}

/// Escapes text content, copying runs that need no escape in one go. A character XML 1.0
/// cannot carry (a C0 control other than TAB, LF, CR; U+FFFE, U+FFFF) is written as
/// U+FFFD, so no stored value can make an answer ill-formed.
pub fn escape_into(out: &mut String, s: &str) {
    const FFFD: &str = "\u{FFFD}";
    let b = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        let (esc, len) = match b[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            0..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F => (FFFD, 1),
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF.
            0xEF if b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)) => {
                (FFFD, 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        // `i` is at an ASCII byte or a lead byte: a character boundary.
        out.push_str(&s[start..i]);
        out.push_str(esc);
        i += len;
        start = i;
    }
    out.push_str(&s[start..]);
}

impl Sink for XmlSink<'_> {
    fn open(&mut self, name: &'static str) {
        self.tag(true, name);
    }
    fn close(&mut self, name: &'static str) {
        self.tag(false, name);
    }
    fn open_list(&mut self, _: &'static str, _: usize) {}
    fn close_list(&mut self, _: &'static str) {}
    fn text(&mut self, name: &'static str, value: &str) {
        self.tag(true, name);
        escape_into(self.out, value);
        self.tag(false, name);
    }
    fn value(&mut self, name: &'static str, value: &dyn std::fmt::Display, _: bool) {
        self.tag(true, name);
        let _ = write!(self.out, "{value}");
        self.tag(false, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Node, ParseError> {
        parse(s, Limits::default(), false)
    }

    #[test]
    fn elements_text_and_predefined_entities_are_read() {
        let n = p("<?xml version='1.0'?><a><b>x &amp; &#65;</b><c/><!-- c --></a>").unwrap();
        assert_eq!(n.name, "a");
        assert_eq!(n.children[0].text, "x & A");
        assert!(n.children[1].is_blank());
    }

    #[test]
    fn prefixes_are_dropped_and_namespaces_kept_on_request() {
        let n = parse("<s:E xmlns:s='urn:x'><s:B/></s:E>", Limits::default(), true).unwrap();
        assert_eq!((n.name.as_str(), n.ns.as_deref()), ("E", Some("urn:x")));
    }

    #[test]
    fn dtds_and_unknown_entities_are_refused() {
        let laughs = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>]><a>&lol;</a>";
        assert_eq!(p(laughs).unwrap_err().message_id, "DTD_NOT_ALLOWED");
        assert_eq!(
            p("<a>&lol;</a>").unwrap_err().message_id,
            "MALFORMED_REQUEST"
        );
    }

    #[test]
    fn malformed_documents_name_the_line_and_column() {
        let e = p("<a>\n  <b></c>\n</a>").unwrap_err();
        assert!(e.message.contains("line 2"), "{}", e.message);
        assert!(p("<a/><b/>").is_err());
        let e = p("<a>\n<b>").unwrap_err();
        assert!(e.message.contains("line 2"), "{}", e.message);
    }

    #[test]
    fn a_self_closing_root_is_the_whole_document() {
        let n = p("<?xml version='1.0'?>\n<getCatalogue/>\n<!-- end -->\n").unwrap();
        assert_eq!((n.name.as_str(), n.children.len()), ("getCatalogue", 0));
        assert!(p("<a/><b/>").is_err());
        assert!(p("<a/>text").is_err());
    }

    #[test]
    fn character_references_to_forbidden_characters_are_read_for_the_decoder_to_refuse() {
        let n =
            p("<a><b>&#0;</b><c>&#1;&#x1F;</c><d>&#xFFFE;</d><e>&#xD800;</e><f>&#x1F600;</f></a>")
                .unwrap();
        let texts: Vec<&str> = n.children.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["\0", "\u{1}\u{1f}", "\u{FFFE}", "\u{FFFF}", "😀"]);
        assert!(p("<a>&#x110000;</a>").is_err());
        assert!(p("<a>&#X41;</a>").is_err());
    }

    #[test]
    fn the_writer_never_emits_a_character_xml_forbids() {
        let mut out = String::new();
        escape_into(
            &mut out,
            "a\u{0}b\u{1}<\u{FFFE}\u{FFFF}\u{FFFD}\u{EFBF}é\t\r\n",
        );
        assert_eq!(
            out,
            "a\u{FFFD}b\u{FFFD}&lt;\u{FFFD}\u{FFFD}\u{FFFD}\u{EFBF}é\t\r\n"
        );
        assert!(!crate::text::has_forbidden_character(&out));
        // What the writer wrote reads back.
        let doc = format!("<a>{out}</a>");
        assert!(p(&doc).is_ok());
    }

    #[test]
    fn depth_and_element_limits_hold() {
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert_eq!(p(&deep).unwrap_err().message_id, "LIMIT_EXCEEDED");
        let wide = format!("<a>{}</a>", "<b/>".repeat(10_001));
        assert_eq!(p(&wide).unwrap_err().message_id, "LIMIT_EXCEEDED");
    }
}
