//! Content negotiation (WIRE.md §2): the request format from `Content-Type` (or a sniffed
//! body), the response format from `Accept` per RFC 9110.
//!
//! Pure functions over `&str`/`&[u8]`, no allocation: actix's `Accept::ranked()` keeps `q=0`
//! entries (STACK.md), so negotiation is done here and only the result reaches actix.

use std::fmt;

/// What the request body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestFormat {
    Xml,
    Json,
    Soap11,
    Soap12,
}

/// What we answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseFormat {
    Json,
    /// `application/xml`
    Xml,
    /// `text/xml`
    TextXml,
}

/// Why negotiation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegotiationError {
    /// 415: the request body is in a format we do not read.
    UnsupportedMediaType,
    /// 406: `Accept` rules out every offered type.
    NotAcceptable,
}

impl NegotiationError {
    /// The HTTP status code for this error.
    #[must_use]
    pub fn status(self) -> u16 {
        match self {
            NegotiationError::UnsupportedMediaType => 415,
            NegotiationError::NotAcceptable => 406,
        }
    }
}

impl fmt::Display for NegotiationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NegotiationError::UnsupportedMediaType => {
                "unsupported media type: send application/xml, text/xml, application/json \
                 or application/soap+xml"
            }
            NegotiationError::NotAcceptable => {
                "not acceptable: we answer in application/json, application/xml or text/xml"
            }
        })
    }
}

impl std::error::Error for NegotiationError {}

impl ResponseFormat {
    /// The `Content-Type` to send. XML says `charset=UTF-8` explicitly so that a `text/xml`
    /// reader does not fall back to US-ASCII (RFC 7303); JSON is always UTF-8 (RFC 8259)
    /// and takes no charset parameter.
    #[must_use]
    pub fn content_type(&self) -> &'static str {
        match self {
            ResponseFormat::Json => "application/json",
            ResponseFormat::Xml => "application/xml; charset=UTF-8",
            ResponseFormat::TextXml => "text/xml; charset=UTF-8",
        }
    }
}

/// The request format from `content_type` (the raw header) or, without one, from the body.
///
/// - `application/soap+xml` is SOAP 1.2 on any path; `text/xml` is SOAP 1.1 on a SOAP
///   endpoint (`soap_endpoint`) and plain XML elsewhere; `application/xml` and any other
///   `application/*+xml` are XML; `application/json` and `application/*+json` are JSON.
/// - Parameters are ignored (see `charset::decode_body`); names are case-insensitive and
///   whitespace around them is tolerated.
/// - A blank `Content-Type` counts as missing. Missing, the first byte after a UTF-8 BOM
///   and ASCII whitespace decides: `<` XML (SOAP 1.1 on a SOAP endpoint), `{` or `[` JSON.
///   A body that is empty or blank gives `Ok(None)`: there is nothing to read.
/// - Anything else is `UnsupportedMediaType`.
pub fn request_format(
    content_type: Option<&str>,
    body: &[u8],
    soap_endpoint: bool,
) -> Result<Option<RequestFormat>, NegotiationError> {
    let media_type = content_type
        .map(|ct| ct.split(';').next().unwrap_or("").trim())
        .filter(|mt| !mt.is_empty());
    let Some(media_type) = media_type else {
        return sniff(body, soap_endpoint);
    };
    let (ty, sub) = split_media_type(media_type).ok_or(NegotiationError::UnsupportedMediaType)?;
    let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let format = if is(ty, "application") && is(sub, "soap+xml") {
        RequestFormat::Soap12
    } else if is(ty, "text") && is(sub, "xml") {
        if soap_endpoint {
            RequestFormat::Soap11
        } else {
            RequestFormat::Xml
        }
    } else if is(ty, "application") && (is(sub, "xml") || has_suffix(sub, "+xml")) {
        RequestFormat::Xml
    } else if is(ty, "application") && (is(sub, "json") || has_suffix(sub, "+json")) {
        RequestFormat::Json
    } else {
        return Err(NegotiationError::UnsupportedMediaType);
    };
    Ok(Some(format))
}

fn sniff(body: &[u8], soap_endpoint: bool) -> Result<Option<RequestFormat>, NegotiationError> {
    // After a UTF-16 byte order mark, the byte of each code unit that holds ASCII.
    let mut ascii: Box<dyn Iterator<Item = &u8>> = match body {
        [0xFF, 0xFE, rest @ ..] => Box::new(rest.iter().step_by(2)),
        [0xFE, 0xFF, _, rest @ ..] => Box::new(rest.iter().step_by(2)),
        _ => Box::new(body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body).iter()),
    };
    match ascii.find(|b| !b.is_ascii_whitespace()) {
        None => Ok(None),
        Some(b'<') if soap_endpoint => Ok(Some(RequestFormat::Soap11)),
        Some(b'<') => Ok(Some(RequestFormat::Xml)),
        Some(b'{' | b'[') => Ok(Some(RequestFormat::Json)),
        Some(_) => Err(NegotiationError::UnsupportedMediaType),
    }
}

/// `type/subtype`, each part trimmed and non-empty.
fn split_media_type(media_type: &str) -> Option<(&str, &str)> {
    let (ty, sub) = media_type.split_once('/')?;
    let (ty, sub) = (ty.trim(), sub.trim());
    (!ty.is_empty() && !sub.is_empty()).then_some((ty, sub))
}

/// `sub` is `<something>+suffix` (case-insensitive).
fn has_suffix(sub: &str, suffix: &str) -> bool {
    sub.len() > suffix.len()
        && sub.is_char_boundary(sub.len() - suffix.len())
        && sub[sub.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// Offered types in server preference order, with the format each one answers in.
const OFFERED: [(&str, &str, ResponseFormat); 3] = [
    ("application", "json", ResponseFormat::Json),
    ("application", "xml", ResponseFormat::Xml),
    ("text", "xml", ResponseFormat::TextXml),
];

/// How specifically a media range names an offered type (RFC 9110 §12.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Specificity {
    Any,     // */*
    Subtype, // type/*
    Exact,   // type/subtype
}

/// The response format from `accept` (the raw header), per RFC 9110 §12.5.1.
///
/// - Each offered type (`application/json`, `application/xml`, `text/xml`) takes the q-value
///   of the most specific range that matches it (`type/subtype` > `type/*` > `*/*`); of
///   several equally specific ranges the first wins. `q=0` excludes; no `q` means 1.
/// - The highest q wins. Ties go to the type named most specifically (`application/json, */*`
///   is JSON even for an XML request), then to the request's format (`Xml` application/xml,
///   `Json` application/json, `Soap11` text/xml, `Soap12` application/xml), then to server
///   preference: JSON, application/xml, text/xml. So no `Accept` (or a blank one, or `*/*`)
///   answers in the request's format, and JSON when there is no body (a GET).
/// - Parameters other than `q` are ignored (`text/xml;charset=utf-8` matches `text/xml`).
/// - A malformed range (no `/`, `*/json`) or one with a malformed q (not RFC `qvalue`:
///   `q=2`, `q=0.5000`, `q=x`) is dropped: a syntax error neither grants nor withdraws a
///   type. A header with no well-formed range at all counts as missing (RFC 9110 lets a
///   server ignore a bad `Accept`).
/// - If every offered type is excluded or unmatched: `NotAcceptable`.
pub fn response_format(
    accept: Option<&str>,
    request: Option<&RequestFormat>,
) -> Result<ResponseFormat, NegotiationError> {
    // Per offered type: the most specific matching range so far and its q (in thousandths).
    let mut best: [Option<(Specificity, u16)>; 3] = [None; 3];
    let mut any_range = false;
    for (ty, sub, q) in accept.unwrap_or("").split(',').filter_map(parse_range) {
        any_range = true;
        for (slot, (offered_ty, offered_sub, _)) in best.iter_mut().zip(OFFERED) {
            let specificity = if ty == "*" {
                Specificity::Any
            } else if !ty.eq_ignore_ascii_case(offered_ty) {
                continue;
            } else if sub == "*" {
                Specificity::Subtype
            } else if sub.eq_ignore_ascii_case(offered_sub) {
                Specificity::Exact
            } else {
                continue;
            };
            if slot.is_none_or(|(s, _)| specificity > s) {
                *slot = Some((specificity, q));
            }
        }
    }
    if !any_range {
        best = [Some((Specificity::Any, 1000)); 3];
    }
    let preferred = match request {
        Some(RequestFormat::Json) => Some(ResponseFormat::Json),
        Some(RequestFormat::Xml | RequestFormat::Soap12) => Some(ResponseFormat::Xml),
        Some(RequestFormat::Soap11) => Some(ResponseFormat::TextXml),
        None => None,
    };
    // Iterating in server preference order, a later type must be strictly better to win.
    let mut winner: Option<((u16, Specificity, bool), ResponseFormat)> = None;
    for (slot, (_, _, format)) in best.into_iter().zip(OFFERED) {
        let Some((specificity, q)) = slot.filter(|&(_, q)| q > 0) else {
            continue;
        };
        let rank = (q, specificity, preferred == Some(format));
        if winner.is_none_or(|(r, _)| rank > r) {
            winner = Some((rank, format));
        }
    }
    winner
        .map(|(_, format)| format)
        .ok_or(NegotiationError::NotAcceptable)
}

/// One `Accept` element as `(type, subtype, q in thousandths)`; `None` when empty or malformed.
fn parse_range(element: &str) -> Option<(&str, &str, u16)> {
    let mut parts = element.split(';');
    let range = parts.next()?.trim();
    if range.is_empty() {
        return None;
    }
    let (ty, sub) = split_media_type(range)?;
    if ty == "*" && sub != "*" {
        return None;
    }
    let mut q = 1000;
    for param in parts {
        if let Some((name, value)) = param.split_once('=') {
            if name.trim().eq_ignore_ascii_case("q") {
                q = parse_qvalue(value.trim())?;
                break; // RFC 9110: `q` ends the media range's own parameters.
            }
        }
    }
    Some((ty, sub, q))
}

/// RFC 9110 `qvalue` (`0[.ddd]` or `1[.000]`) in thousandths.
fn parse_qvalue(value: &str) -> Option<u16> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_thousandths = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0u16, |n, b| n * 10 + u16::from(b - b'0'));
    match int {
        "0" => Some(frac_thousandths),
        "1" if frac_thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::NegotiationError::{NotAcceptable, UnsupportedMediaType};
    use super::RequestFormat::{Json, Soap11, Soap12, Xml};
    use super::*;

    const SOAP: bool = true;
    const REST: bool = false;

    /// Content-Type, body, SOAP endpoint?, expected.
    type RequestCase<'a> = (
        Option<&'a str>,
        &'a [u8],
        bool,
        Result<Option<RequestFormat>, NegotiationError>,
    );
    /// Accept, request format, expected.
    type ResponseCase<'a> = (
        Option<&'a str>,
        Option<RequestFormat>,
        Result<ResponseFormat, NegotiationError>,
    );

    fn check_request(cases: &[RequestCase]) {
        for (content_type, body, soap_endpoint, expected) in cases {
            assert_eq!(
                request_format(*content_type, body, *soap_endpoint),
                *expected,
                "Content-Type {content_type:?}, body {:?}, soap endpoint {soap_endpoint}",
                String::from_utf8_lossy(body)
            );
        }
    }

    fn check_response(cases: &[ResponseCase]) {
        for (accept, request, expected) in cases {
            assert_eq!(
                response_format(*accept, request.as_ref()),
                *expected,
                "Accept {accept:?}, request {request:?}"
            );
        }
    }

    const BODY: &[u8] = b"<x/>";

    #[test]
    fn xml_media_types_read_as_xml_on_rest_paths() {
        check_request(&[
            (Some("application/xml"), BODY, REST, Ok(Some(Xml))),
            (Some("text/xml"), BODY, REST, Ok(Some(Xml))),
            (Some("application/vnd.cmp+xml"), BODY, REST, Ok(Some(Xml))),
            (Some("application/atom+xml"), BODY, REST, Ok(Some(Xml))),
            (Some("application/xml"), b"", REST, Ok(Some(Xml))),
        ]);
    }

    #[test]
    fn json_media_types_read_as_json() {
        check_request(&[
            (Some("application/json"), b"{}", REST, Ok(Some(Json))),
            (
                Some("application/problem+json"),
                b"{}",
                REST,
                Ok(Some(Json)),
            ),
            (
                Some("application/vnd.cmp+json"),
                b"{}",
                SOAP,
                Ok(Some(Json)),
            ),
        ]);
    }

    #[test]
    fn soap_media_types_read_as_soap() {
        check_request(&[
            (Some("text/xml"), BODY, SOAP, Ok(Some(Soap11))),
            (Some("application/soap+xml"), BODY, SOAP, Ok(Some(Soap12))),
            (Some("application/soap+xml"), BODY, REST, Ok(Some(Soap12))),
            (Some("application/xml"), BODY, SOAP, Ok(Some(Xml))),
            (
                Some("application/soap+xml; charset=utf-8; action=\"urn:x\""),
                BODY,
                SOAP,
                Ok(Some(Soap12)),
            ),
        ]);
    }

    #[test]
    fn media_types_ignore_case_parameters_and_whitespace() {
        check_request(&[
            (Some("APPLICATION/XML"), BODY, REST, Ok(Some(Xml))),
            (
                Some("Text/Xml; Charset=ISO-8859-1"),
                BODY,
                SOAP,
                Ok(Some(Soap11)),
            ),
            (
                Some("application/JSON;charset=UTF-8"),
                b"{}",
                REST,
                Ok(Some(Json)),
            ),
            (
                Some("  application/json  ; charset=utf-8"),
                b"{}",
                REST,
                Ok(Some(Json)),
            ),
            (Some("application / json"), b"{}", REST, Ok(Some(Json))),
            (Some("Application/Vnd.Cmp+XML"), BODY, REST, Ok(Some(Xml))),
            (Some("application/SOAP+XML"), BODY, REST, Ok(Some(Soap12))),
        ]);
    }

    #[test]
    fn other_media_types_are_unsupported() {
        check_request(&[
            (Some("text/plain"), BODY, REST, Err(UnsupportedMediaType)),
            (Some("text/html"), BODY, SOAP, Err(UnsupportedMediaType)),
            (Some("text/json"), b"{}", REST, Err(UnsupportedMediaType)),
            (
                Some("application/x-www-form-urlencoded"),
                b"a=1",
                REST,
                Err(UnsupportedMediaType),
            ),
            (
                Some("multipart/form-data; boundary=x"),
                BODY,
                REST,
                Err(UnsupportedMediaType),
            ),
            (
                Some("application/octet-stream"),
                BODY,
                REST,
                Err(UnsupportedMediaType),
            ),
            (
                Some("application/+xml"),
                BODY,
                REST,
                Err(UnsupportedMediaType),
            ),
            (
                Some("text/vnd.x+xml"),
                BODY,
                REST,
                Err(UnsupportedMediaType),
            ),
            (Some("xml"), BODY, REST, Err(UnsupportedMediaType)),
            (Some("application/"), BODY, REST, Err(UnsupportedMediaType)),
            (Some("*/*"), BODY, REST, Err(UnsupportedMediaType)),
            (
                Some("application/xmlx"),
                BODY,
                REST,
                Err(UnsupportedMediaType),
            ),
        ]);
    }

    #[test]
    fn a_missing_content_type_sniffs_the_first_non_blank_byte() {
        check_request(&[
            (None, b"<a/>", REST, Ok(Some(Xml))),
            (None, b"<a/>", SOAP, Ok(Some(Soap11))),
            (None, b"{\"a\":1}", REST, Ok(Some(Json))),
            (None, b"[1]", REST, Ok(Some(Json))),
            (None, b" \t\r\n<a/>", REST, Ok(Some(Xml))),
            (
                None,
                b"\xEF\xBB\xBF<?xml version=\"1.0\"?><a/>",
                REST,
                Ok(Some(Xml)),
            ),
            (None, b"\xEF\xBB\xBF \n {}", REST, Ok(Some(Json))),
            (Some(""), b"{}", REST, Ok(Some(Json))),
            (Some("  "), b"<a/>", SOAP, Ok(Some(Soap11))),
        ]);
    }

    #[test]
    fn a_utf16_body_is_sniffed_after_its_byte_order_mark() {
        check_request(&[
            (None, b"\xFF\xFE \x00<\x00a\x00", SOAP, Ok(Some(Soap11))),
            (None, b"\xFE\xFF\x00{\x00}", REST, Ok(Some(Json))),
            (None, b"\xFF\xFE<\0", REST, Ok(Some(Xml))),
        ]);
    }

    #[test]
    fn a_missing_content_type_with_an_unrecognised_body_is_unsupported() {
        check_request(&[
            (None, b"a=1", REST, Err(UnsupportedMediaType)),
            (None, b"hello", SOAP, Err(UnsupportedMediaType)),
            (
                None,
                b"\xEF\xBB\xBF\xEF\xBB\xBF<a/>",
                REST,
                Err(UnsupportedMediaType),
            ),
        ]);
    }

    #[test]
    fn a_missing_content_type_with_no_body_is_no_format() {
        check_request(&[
            (None, b"", REST, Ok(None)),
            (None, b"", SOAP, Ok(None)),
            (None, b" \r\n", REST, Ok(None)),
            (None, b"\xEF\xBB\xBF", REST, Ok(None)),
        ]);
    }

    use ResponseFormat::{Json as J, TextXml as T, Xml as X};

    #[test]
    fn no_accept_answers_in_the_request_format_and_a_get_in_json() {
        check_response(&[
            (None, Some(Xml), Ok(X)),
            (None, Some(Json), Ok(J)),
            (None, None, Ok(J)),
            (None, Some(Soap11), Ok(T)),
            (None, Some(Soap12), Ok(X)),
            (Some(""), Some(Xml), Ok(X)),
            (Some("  "), None, Ok(J)),
            (Some(" , ,"), Some(Xml), Ok(X)),
        ]);
    }

    #[test]
    fn any_type_answers_in_the_request_format() {
        check_response(&[
            (Some("*/*"), Some(Xml), Ok(X)),
            (Some("*/*"), Some(Json), Ok(J)),
            (Some("*/*"), None, Ok(J)),
            (Some("*/*"), Some(Soap11), Ok(T)),
            (Some("*/*;q=0.3"), Some(Xml), Ok(X)),
        ]);
    }

    #[test]
    fn an_exact_type_is_answered_in_that_type() {
        check_response(&[
            (Some("application/json"), Some(Xml), Ok(J)),
            (Some("application/xml"), Some(Json), Ok(X)),
            (Some("text/xml"), None, Ok(T)),
            (Some("text/xml"), Some(Json), Ok(T)),
        ]);
    }

    #[test]
    fn the_highest_q_value_wins() {
        check_response(&[
            (
                Some("application/json;q=0.5, application/xml"),
                Some(Json),
                Ok(X),
            ),
            (
                Some("application/xml;q=0.9, application/json;q=0.91"),
                Some(Xml),
                Ok(J),
            ),
            (
                Some("text/xml;q=1.0, application/xml;q=0.999"),
                Some(Xml),
                Ok(T),
            ),
            (Some("application/json;q=0.001, */*;q=0"), None, Ok(J)),
            (Some("application/xml;q=0.8, */*;q=0.9"), Some(Xml), Ok(J)),
            (
                Some("application/xml;q=0.8, */*;q=0.9"),
                Some(Soap11),
                Ok(T),
            ),
            (Some("application/xml;q=0.8, */*;q=0.9"), None, Ok(J)),
        ]);
    }

    #[test]
    fn q_zero_excludes_a_type() {
        check_response(&[
            (Some("application/json;q=0, */*"), Some(Xml), Ok(X)),
            (Some("application/json;q=0, */*"), Some(Soap11), Ok(T)),
            (Some("application/json;q=0, */*"), Some(Json), Ok(X)),
            (Some("application/json;q=0, */*"), None, Ok(X)),
            (Some("application/*;q=0, */*"), Some(Json), Ok(T)),
            (Some("*/*, text/xml;q=0.000"), Some(Xml), Ok(X)),
            (Some("*/*, text/xml;q=0.000"), Some(Soap11), Ok(J)),
        ]);
    }

    #[test]
    fn the_most_specific_range_sets_the_quality() {
        check_response(&[
            (
                Some("application/*;q=0.5, application/json;q=0.1"),
                Some(Json),
                Ok(X),
            ),
            (
                Some("application/json;q=0.1, application/*;q=0.5"),
                None,
                Ok(X),
            ),
            (
                Some("*/*;q=0.9, text/*;q=0.2, application/xml;q=0.1"),
                Some(Xml),
                Ok(J),
            ),
            (Some("*/*;q=0.1, text/*;q=0.2"), Some(Json), Ok(T)),
            (
                Some("application/json;q=1, application/json;q=0"),
                Some(Xml),
                Ok(J),
            ),
        ]);
    }

    #[test]
    fn equal_quality_prefers_the_most_specific_match_then_the_request_format_then_json() {
        check_response(&[
            (Some("application/json, */*"), Some(Xml), Ok(J)),
            (Some("text/xml, application/*"), Some(Json), Ok(T)),
            (Some("application/*"), Some(Xml), Ok(X)),
            (Some("application/*"), Some(Json), Ok(J)),
            (Some("application/*"), Some(Soap11), Ok(J)),
            (Some("application/*"), None, Ok(J)),
            (Some("text/*"), Some(Json), Ok(T)),
            (Some("application/xml, text/xml"), Some(Soap11), Ok(T)),
            (Some("application/xml, text/xml"), Some(Json), Ok(X)),
            (Some("application/json, application/xml"), Some(Xml), Ok(X)),
            (Some("application/json, application/xml"), None, Ok(J)),
        ]);
    }

    #[test]
    fn an_accept_ruling_out_every_offered_type_is_not_acceptable() {
        check_response(&[
            (Some("text/html"), Some(Xml), Err(NotAcceptable)),
            (Some("text/html"), None, Err(NotAcceptable)),
            (
                Some("application/json;q=0, application/xml;q=0, text/xml;q=0"),
                Some(Json),
                Err(NotAcceptable),
            ),
            (Some("*/*;q=0"), Some(Xml), Err(NotAcceptable)),
            (
                Some("application/*;q=0, text/*;q=0, */*"),
                None,
                Err(NotAcceptable),
            ),
            (
                Some("image/png, text/plain;q=0.5"),
                Some(Json),
                Err(NotAcceptable),
            ),
            (
                Some("application/problem+json"),
                Some(Json),
                Err(NotAcceptable),
            ),
            (Some("application/json;q=0"), Some(Json), Err(NotAcceptable)),
        ]);
    }

    #[test]
    fn accept_ignores_case_whitespace_and_other_parameters() {
        check_response(&[
            (Some("APPLICATION/JSON"), Some(Xml), Ok(J)),
            (Some("Text/XML"), None, Ok(T)),
            (Some("application/json;Q=0, */*"), Some(Json), Ok(X)),
            (
                Some("  application/xml ;  q = 0.5 ,\ttext/html"),
                None,
                Ok(X),
            ),
            (Some("text/xml;charset=utf-8"), Some(Json), Ok(T)),
            (
                Some("application/xml;charset=utf-8;q=0, application/json;q=0.1"),
                Some(Xml),
                Ok(J),
            ),
            (
                Some("application/json;q=0.5;level=1, application/xml;q=0.4"),
                None,
                Ok(J),
            ),
            (
                Some("APPLICATION/*;Q=0.5, application/JSON;q=0.1"),
                None,
                Ok(X),
            ),
        ]);
    }

    #[test]
    fn malformed_ranges_are_dropped() {
        check_response(&[
            (
                Some("application/json;q=abc, application/xml;q=0.5"),
                Some(Json),
                Ok(X),
            ),
            (Some("application/json;q=2, */*;q=0.5"), Some(Json), Ok(J)),
            (
                Some("application/xml;q=0.5000, application/json;q=0.1"),
                Some(Xml),
                Ok(J),
            ),
            (Some("application/json;q=-1, text/xml"), None, Ok(T)),
            (Some("*/json, text/xml;q=0.1"), Some(Json), Ok(T)),
            (Some("json, application/xml"), Some(Json), Ok(X)),
            (Some("application/json;q=, text/xml"), None, Ok(T)),
        ]);
    }

    #[test]
    fn an_accept_with_no_well_formed_range_counts_as_missing() {
        check_response(&[
            (Some("garbage"), Some(Xml), Ok(X)),
            (Some("application/json;q=1.5"), Some(Xml), Ok(X)),
            (Some("*/xml"), None, Ok(J)),
        ]);
    }

    #[test]
    fn qvalues_follow_the_rfc_grammar() {
        let cases: &[(&str, Option<u16>)] = &[
            ("0", Some(0)),
            ("0.", Some(0)),
            ("0.000", Some(0)),
            ("0.5", Some(500)),
            ("0.05", Some(50)),
            ("0.123", Some(123)),
            ("1", Some(1000)),
            ("1.", Some(1000)),
            ("1.000", Some(1000)),
            ("1.001", None),
            ("0.1234", None),
            ("2", None),
            (".5", None),
            ("0.5x", None),
            ("", None),
            ("-0", None),
            ("0.-1", None),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_qvalue(value), *expected, "q={value:?}");
        }
    }

    #[test]
    fn content_types_name_utf8_for_xml() {
        assert_eq!(ResponseFormat::Json.content_type(), "application/json");
        assert_eq!(
            ResponseFormat::Xml.content_type(),
            "application/xml; charset=UTF-8"
        );
        assert_eq!(
            ResponseFormat::TextXml.content_type(),
            "text/xml; charset=UTF-8"
        );
    }

    #[test]
    fn errors_map_to_their_status_codes() {
        assert_eq!(UnsupportedMediaType.status(), 415);
        assert_eq!(NotAcceptable.status(), 406);
    }
}
