//! Text rules every layer shares: which characters a value may hold (what an XML 1.0
//! document can carry, so what every dialect can answer), and how a value is written
//! into a one-line log record.

use std::borrow::Cow;

/// What an XML writer puts in place of a character XML 1.0 cannot carry (only data stored
/// before such characters were refused on input can hold one).
pub const REPLACEMENT: char = '\u{FFFD}';

/// What the JSON and XML readers put in place of a lone surrogate (`\ud800` in JSON,
/// `&#xD800;` in XML), which a Rust string cannot hold: a noncharacter that the decoder
/// then refuses like any other forbidden character, naming the field.
pub const LONE_SURROGATE: char = '\u{FFFF}';

/// XML 1.0 `Char`: TAB, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF. Every
/// other character (the other C0 controls, U+0000 included; U+FFFE, U+FFFF) is refused
/// in a request value in every dialect (`FORBIDDEN_CHARACTER`).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `s` holds a character [`is_xml_char`] refuses.
pub fn has_forbidden_character(s: &str) -> bool {
    // Fast path on bytes: every forbidden character is a C0 byte or starts with 0xEF.
    let b = s.as_bytes();
    b.iter().any(|&x| x < 0x20 || x == 0xEF) && !s.chars().all(is_xml_char)
}

/// A value as it may go into a log line: one line whatever it holds. Control characters
/// (C0, DEL, C1), the Unicode line and paragraph separators and the backslash are
/// escaped (`\n`, `\r`, `\t`, `\\`, `\u{1b}`), so a CR/LF in a client's value cannot split
/// or forge a record.
pub fn log_safe(s: &str) -> Cow<'_, str> {
    let needs = |c: char| c == '\\' || c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_chars_follow_the_xml_1_0_production() {
        for c in [
            '\t', '\n', '\r', ' ', 'é', '\u{D7FF}', '\u{E000}', '\u{FFFD}', '😀',
        ] {
            assert!(is_xml_char(c), "{c:?}");
        }
        for c in [
            '\0', '\u{1}', '\u{8}', '\u{B}', '\u{C}', '\u{1F}', '\u{FFFE}', '\u{FFFF}',
        ] {
            assert!(!is_xml_char(c), "{c:?}");
        }
        assert!(!has_forbidden_character("plain é € 😀 \t\r\n"));
        assert!(has_forbidden_character("a\u{0}b"));
        assert!(has_forbidden_character("a\u{FFFE}"));
        assert!(!has_forbidden_character("\u{FFFD}\u{EFFF}"));
    }

    #[test]
    fn a_logged_value_stays_on_one_line() {
        assert!(matches!(log_safe("MY-REF 1"), Cow::Borrowed("MY-REF 1")));
        assert_eq!(
            log_safe("A\r\nstatus=200 x\\y\u{1b}[31m\u{85}\u{2028}\t"),
            "A\\r\\nstatus=200 x\\\\y\\u{1b}[31m\\u{85}\\u{2028}\\t"
        );
        assert!(!log_safe("a\nb\rc\u{b}\u{c}").contains(['\n', '\r', '\u{b}', '\u{c}']));
    }
}
