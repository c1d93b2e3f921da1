//! Request body decoding (WIRE.md §2): UTF-8 is the charset; a body declared ISO-8859-1 or
//! windows-1252 is decoded, and so is UTF-16 with a byte order mark (WS-I Basic Profile
//! R1012 lets a SOAP message be UTF-8 or UTF-16). Everything downstream sees `&str`.

use std::borrow::Cow;
use std::fmt;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CharsetError {
    /// A declared charset we do not read (415), as the client spelled it.
    Unsupported(String),
    /// The body is not valid UTF-8 (or not valid UTF-16 after a UTF-16 byte order mark) (400).
    Malformed,
}

impl fmt::Display for CharsetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CharsetError::Unsupported(name) => write!(
                f,
                "unsupported charset {name:?}: send UTF-8, UTF-16 with a byte order mark, \
                 ISO-8859-1 or windows-1252"
            ),
            CharsetError::Malformed => f.write_str(
                "the body is not valid in its charset (UTF-8 unless declared or marked)",
            ),
        }
    }
}

impl std::error::Error for CharsetError {}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes `body` to text per the `charset` parameter of `content_type` (the raw header).
///
/// - The parameter name is case-insensitive; the value may be quoted. Labels resolve through
///   the WHATWG table (`encoding_rs::Encoding::for_label`), keeping only UTF-8 (`utf-8`,
///   `utf8`, ...) and windows-1252 (`iso-8859-1`, `latin1`, `l1`, `windows-1252`, `cp1252`,
///   `us-ascii`, ...): WHATWG reads ISO-8859-1 and US-ASCII as windows-1252, a superset that
///   maps every byte, so these never fail. Any other label: `Unsupported(label)`.
/// - Without a charset parameter, a body starting `<?xml` is read per its declaration's
///   `encoding` (same labels, same errors); otherwise UTF-8. The parameter wins over the
///   declaration (RFC 7303 §8.1).
/// - UTF-8 is validated and borrowed, minus a leading BOM; invalid UTF-8 is `Malformed`.
///   A UTF-8 BOM beats any declared charset (the WHATWG decode rule).
/// - windows-1252 borrows ASCII-only bodies and allocates otherwise.
/// - UTF-16: a UTF-16 byte order mark (`FF FE` little-endian, `FE FF` big-endian) decides,
///   like the UTF-8 one, whatever is declared; without one, `utf-16le` and `utf-16be` are
///   read as declared, and a plain `utf-16` (whose byte order only a mark tells) is
///   `Unsupported`. An unpaired surrogate is `Malformed` (never replaced silently).
pub fn decode_body<'a>(
    content_type: Option<&str>,
    body: &'a [u8],
) -> Result<Cow<'a, str>, CharsetError> {
    if let Some(rest) = body.strip_prefix(UTF8_BOM) {
        return decode_utf8(rest);
    }
    if let Some((encoding, _)) = Encoding::for_bom(body) {
        return decode_utf16(encoding, &body[2..]);
    }
    let label = content_type
        .and_then(charset_param)
        .or_else(|| xml_declared_encoding(body));
    let encoding = match label {
        None => UTF_8,
        Some(label) => Encoding::for_label(label.as_bytes())
            .filter(|e| *e == UTF_8 || *e == WINDOWS_1252 || is_utf16(e))
            // WHATWG maps a bare `utf-16` to little-endian; only a mark can tell.
            .filter(|e| {
                !is_utf16(e)
                    || matches!(label.to_ascii_lowercase().as_str(), "utf-16le" | "utf-16be")
            })
            .ok_or_else(|| CharsetError::Unsupported(label.to_owned()))?,
    };
    if encoding == UTF_8 {
        decode_utf8(body)
    } else if is_utf16(encoding) {
        decode_utf16(encoding, body)
    } else {
        Ok(encoding.decode_without_bom_handling(body).0)
    }
}

fn is_utf16(e: &Encoding) -> bool {
    *e == *UTF_16LE || *e == *UTF_16BE
}

fn decode_utf16(
    encoding: &'static Encoding,
    body: &[u8],
) -> Result<Cow<'static, str>, CharsetError> {
    encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .map(|t| Cow::Owned(t.into_owned()))
        .ok_or(CharsetError::Malformed)
}

fn decode_utf8(body: &[u8]) -> Result<Cow<'_, str>, CharsetError> {
    std::str::from_utf8(body)
        .map(Cow::Borrowed)
        .map_err(|_| CharsetError::Malformed)
}

/// The `charset` parameter's value, unquoted and trimmed.
fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| unquote(value.trim()).trim())
    })
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// How far to look for the end of an XML declaration (real ones are under 100 bytes).
const MAX_XML_DECLARATION: usize = 256;

/// The `encoding` of a leading `<?xml ... ?>` declaration, if there is one.
fn xml_declared_encoding(body: &[u8]) -> Option<&str> {
    let rest = body.strip_prefix(b"<?xml")?;
    if !rest.first()?.is_ascii_whitespace() {
        return None; // `<?xml-stylesheet` and the like.
    }
    let head = &rest[..rest.len().min(MAX_XML_DECLARATION)];
    let end = head.windows(2).position(|w| w == b"?>")?;
    // The declaration is ASCII in every encoding we read; anything else has no encoding.
    let decl = std::str::from_utf8(&rest[..end]).ok()?;
    let after = &decl[decl.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &after[1..];
    Some(&value[..value.find(quote)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    type Decoded = Result<String, CharsetError>;

    fn ok(text: &str) -> Decoded {
        Ok(text.to_owned())
    }

    fn unsupported(name: &str) -> Decoded {
        Err(CharsetError::Unsupported(name.to_owned()))
    }

    /// Content-Type, body, expected.
    fn check(cases: &[(Option<&str>, &[u8], Decoded)]) {
        for (content_type, body, expected) in cases {
            let actual = decode_body(*content_type, body).map(Cow::into_owned);
            assert_eq!(
                actual, *expected,
                "Content-Type {content_type:?}, body {body:?}"
            );
        }
    }

    #[test]
    fn utf8_bodies_decode_with_or_without_a_charset() {
        check(&[
            (None, b"", ok("")),
            (None, "<a>é€</a>".as_bytes(), ok("<a>é€</a>")),
            (Some("application/json"), b"{}", ok("{}")),
            (
                Some("application/xml; charset=UTF-8"),
                "é".as_bytes(),
                ok("é"),
            ),
            (
                Some("application/xml;charset=utf8"),
                "é".as_bytes(),
                ok("é"),
            ),
            (Some("text/xml; Charset=\"utf-8\""), "é".as_bytes(), ok("é")),
            (
                Some("text/xml; CHARSET = UTF-8 ; action=x"),
                "é".as_bytes(),
                ok("é"),
            ),
        ]);
    }

    #[test]
    fn utf8_bodies_are_borrowed() {
        let body = "<a>é</a>".as_bytes();
        assert!(matches!(
            decode_body(None, body),
            Ok(Cow::Borrowed("<a>é</a>"))
        ));
        let with_bom = b"\xEF\xBB\xBF{}";
        assert!(matches!(
            decode_body(Some("application/json; charset=utf-8"), with_bom),
            Ok(Cow::Borrowed("{}"))
        ));
    }

    #[test]
    fn a_leading_utf8_bom_is_stripped() {
        check(&[
            (None, b"\xEF\xBB\xBF<a/>", ok("<a/>")),
            (
                Some("application/xml; charset=utf-8"),
                b"\xEF\xBB\xBF<a/>",
                ok("<a/>"),
            ),
            (
                Some("text/xml; charset=iso-8859-1"),
                b"\xEF\xBB\xBF\xC3\xA9",
                ok("é"),
            ),
            (None, b"\xEF\xBB\xBF\xEF\xBB\xBFx", ok("\u{FEFF}x")),
        ]);
    }

    #[test]
    fn latin1_bodies_decode_to_utf8() {
        check(&[
            (
                Some("text/xml; charset=ISO-8859-1"),
                b"<a>caf\xE9</a>",
                ok("<a>café</a>"),
            ),
            (Some("text/xml; charset=iso-8859-1"), b"\xE9", ok("é")),
            (Some("application/xml; charset=latin1"), b"\xE9", ok("é")),
            (
                Some("application/xml; charset=\"Latin1\""),
                b"\xFF\xC0",
                ok("ÿÀ"),
            ),
            (
                Some("application/json; charset=iso-8859-1"),
                b"{\"n\":\"\xE9\"}",
                ok("{\"n\":\"é\"}"),
            ),
            (Some("text/xml; charset=us-ascii"), b"plain", ok("plain")),
        ]);
    }

    #[test]
    fn windows_1252_bodies_decode_to_utf8() {
        check(&[
            (Some("text/xml; charset=windows-1252"), b"\x80", ok("€")),
            (
                Some("text/xml; charset=cp1252"),
                b"\x80 \x93x\x94",
                ok("€ “x”"),
            ),
            (Some("text/xml; charset=WINDOWS-1252"), b"\xE9", ok("é")),
            (Some("text/xml; charset=iso-8859-1"), b"\x80", ok("€")),
        ]);
    }

    #[test]
    fn ascii_bodies_in_a_single_byte_charset_are_borrowed() {
        assert!(matches!(
            decode_body(Some("text/xml; charset=iso-8859-1"), b"<a/>"),
            Ok(Cow::Borrowed("<a/>"))
        ));
    }

    #[test]
    fn other_charsets_are_unsupported_by_name() {
        check(&[
            (
                Some("text/xml; charset=shift_jis"),
                b"<a/>",
                unsupported("shift_jis"),
            ),
            (
                Some("text/xml; charset=\"UTF-16\""),
                b"<a/>",
                unsupported("UTF-16"),
            ),
            (
                Some("text/xml; charset=iso-8859-15"),
                b"<a/>",
                unsupported("iso-8859-15"),
            ),
            (
                Some("text/xml; charset=klingon"),
                b"<a/>",
                unsupported("klingon"),
            ),
            (Some("text/xml; charset="), b"<a/>", unsupported("")),
        ]);
    }

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for u in (if bom { "\u{FEFF}" } else { "" })
            .encode_utf16()
            .chain(text.encode_utf16())
        {
            let b = if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            };
            out.extend_from_slice(&b);
        }
        out
    }

    #[test]
    fn utf16_bodies_with_a_byte_order_mark_decode() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>é€😀</a>";
        for big in [false, true] {
            for ct in [
                None,
                Some("text/xml"),
                Some("text/xml; charset=utf-16"),
                Some("text/xml; charset=utf-8"),
            ] {
                let body = utf16(doc, big, true);
                assert_eq!(
                    decode_body(ct, &body).map(Cow::into_owned),
                    ok(doc),
                    "{ct:?} {big}"
                );
            }
        }
        check(&[
            (
                Some("text/xml; charset=utf-16le"),
                &utf16("<a/>", false, false),
                ok("<a/>"),
            ),
            (
                Some("text/xml; charset=UTF-16BE"),
                &utf16("<a/>", true, false),
                ok("<a/>"),
            ),
            // An unpaired surrogate is not replaced silently.
            (
                None,
                b"\xFF\xFE<\x00\x00\xD8>\x00",
                Err(CharsetError::Malformed),
            ),
            // A bare `utf-16` without a mark: which byte order is unknown.
            (
                Some("text/xml; charset=utf-16"),
                &utf16("<a/>", false, false),
                unsupported("utf-16"),
            ),
        ]);
    }

    #[test]
    fn invalid_utf8_is_malformed() {
        check(&[
            (None, b"<a>caf\xE9</a>", Err(CharsetError::Malformed)),
            (
                Some("application/json"),
                b"{\"a\":\"\xC3\"}",
                Err(CharsetError::Malformed),
            ),
            (
                Some("text/xml; charset=utf-8"),
                b"\xFF",
                Err(CharsetError::Malformed),
            ),
            (None, b"\xEF\xBB\xBF\xE9", Err(CharsetError::Malformed)),
            (None, b"\xED\xA0\x80", Err(CharsetError::Malformed)),
        ]);
    }

    #[test]
    fn an_xml_declaration_sets_the_charset_when_the_header_does_not() {
        check(&[
            (
                Some("text/xml"),
                b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9</a>",
                ok("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>é</a>"),
            ),
            (
                None,
                b"<?xml version='1.0' encoding = 'windows-1252' ?><a>\x80</a>",
                ok("<?xml version='1.0' encoding = 'windows-1252' ?><a>€</a>"),
            ),
            (
                Some("application/xml"),
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>é</a>".as_bytes(),
                ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>é</a>"),
            ),
            (
                None,
                b"<?xml version=\"1.0\"?><a>\xE9</a>",
                Err(CharsetError::Malformed),
            ),
            (
                None,
                b"<?xml version=\"1.0\" encoding=\"EBCDIC\"?><a/>",
                unsupported("EBCDIC"),
            ),
        ]);
    }

    #[test]
    fn the_charset_parameter_wins_over_the_xml_declaration() {
        check(&[
            (
                Some("text/xml; charset=utf-8"),
                b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9</a>",
                Err(CharsetError::Malformed),
            ),
            (
                Some("text/xml; charset=iso-8859-1"),
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>\xE9</a>",
                ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>é</a>"),
            ),
        ]);
    }

    #[test]
    fn only_a_leading_well_formed_xml_declaration_counts() {
        check(&[
            (
                None,
                b" <?xml version=\"1.0\" encoding=\"latin1\"?><a>\xE9</a>",
                Err(CharsetError::Malformed),
            ),
            (
                None,
                b"<?xml-stylesheet encoding=\"latin1\"?><a>\xE9</a>",
                Err(CharsetError::Malformed),
            ),
            (
                None,
                b"<?xml version=\"1.0\" encoding=\"latin1\"<a>\xE9</a>",
                Err(CharsetError::Malformed),
            ),
            (
                None,
                b"<?xml version=\"1.0\" encoding=latin1?><a>\xE9</a>",
                Err(CharsetError::Malformed),
            ),
            (
                None,
                b"<a>encoding=\"latin1\" \xE9</a>",
                Err(CharsetError::Malformed),
            ),
        ]);
    }
}
