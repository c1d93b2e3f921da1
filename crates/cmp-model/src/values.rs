//! Scalar types of WIRE.md §3 and their checks against a type's facets.

#[cfg(test)]
use crate::codec::Prim;
use crate::codec::{Facets, Problem, ScalarValue, Sink};

/// Money and other decimals: never a float.
pub type Decimal = rust_decimal::Decimal;
/// `xs:date`: emitted `YYYY-MM-DD`; a zone on input is accepted and dropped.
pub type Date = chrono::NaiveDate;
/// `xs:dateTime`: emitted in UTC with `Z`; input without a zone is taken as UTC.
pub type DateTime = chrono::DateTime<chrono::Utc>;

impl ScalarValue for String {
    fn decode_text(text: &str, f: &Facets) -> Result<Self, Problem> {
        let t = text.trim();
        let n = t.chars().count() as u32;
        if let Some(max) = f.max_len.filter(|m| n > *m) {
            return Err(Problem::TooLong(max));
        }
        if let Some(min) = f.min_len.filter(|m| n < *m) {
            return Err(Problem::TooShort(min));
        }
        if let Some(p) = f.pattern.filter(|p| !crate::codec::matches_pattern(p, t)) {
            return Err(Problem::Pattern(f.type_name, p));
        }
        Ok(t.to_string())
    }
    fn encode(&self, name: &'static str, sink: &mut dyn Sink) {
        sink.text(name, self)
    }
}

fn in_range<T: PartialOrd + std::str::FromStr>(v: &T, f: &Facets) -> Result<(), Problem> {
    let below = f
        .min
        .and_then(|m| m.parse::<T>().ok())
        .is_some_and(|m| *v < m);
    let above = f
        .max
        .and_then(|m| m.parse::<T>().ok())
        .is_some_and(|m| *v > m);
    if below || above {
        Err(Problem::OutOfRange(f.min, f.max))
    } else {
        Ok(())
    }
}

impl ScalarValue for i64 {
    fn decode_text(text: &str, f: &Facets) -> Result<Self, Problem> {
        let t = text.trim();
        let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Problem::Format("integer"));
        }
        let v: i64 = t.parse().map_err(|_| Problem::OutOfRange(f.min, f.max))?;
        let significant = digits.trim_start_matches('0').len() as u32;
        if f.total_digits.is_some_and(|d| significant > d) {
            return Err(Problem::OutOfRange(f.min, f.max));
        }
        in_range(&v, f)?;
        Ok(v)
    }
    fn encode(&self, name: &'static str, sink: &mut dyn Sink) {
        sink.value(name, self, true)
    }
}

impl ScalarValue for Decimal {
    fn decode_text(text: &str, f: &Facets) -> Result<Self, Problem> {
        let t = text.trim();
        let plain = t.strip_prefix(['+', '-']).unwrap_or(t);
        let (int, frac) = plain.split_once('.').unwrap_or((plain, ""));
        let ok = !int.is_empty() || !frac.is_empty();
        if !ok || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(Problem::Format("decimal"));
        }
        let frac = frac.trim_end_matches('0');
        let int = int.trim_start_matches('0');
        // The integer part may use only what fractionDigits leaves of totalDigits.
        let fd = f.fraction_digits.unwrap_or(0);
        if f.fraction_digits.is_some_and(|d| frac.len() as u32 > d)
            || f.total_digits.is_some_and(|d| {
                (int.len() + frac.len()) as u32 > d || int.len() as u32 > d.saturating_sub(fd)
            })
        {
            return Err(Problem::Format("amount (too many digits)"));
        }
        let v: Decimal = t.parse().map_err(|_| Problem::Format("decimal"))?;
        in_range(&v, f)?;
        Ok(v)
    }
    fn encode(&self, name: &'static str, sink: &mut dyn Sink) {
        // Money is a JSON string ("20.00"), never a float.
        sink.value(name, self, false)
    }
}

/// Splits an optional zone (`Z`, `+01:00`, `-05:00`) off the end of a date. Looks at
/// bytes and cuts only before an ASCII sign, so any text (`2024-01-3é+01:00`, `ééééé`) is
/// safe: no scalar parser slices request text at a byte position that may fall inside a
/// character.
fn strip_zone(t: &str) -> &str {
    if let Some(d) = t.strip_suffix(['Z', 'z']) {
        return d;
    }
    let b = t.as_bytes();
    if let Some(z) = b
        .len()
        .checked_sub(6)
        .filter(|_| b.len() > 10)
        .map(|i| &b[i..])
    {
        let digit = |i: usize| z[i].is_ascii_digit();
        if matches!(z[0], b'+' | b'-')
            && z[3] == b':'
            && digit(1)
            && digit(2)
            && digit(4)
            && digit(5)
        {
            // z[0] is ASCII, so the cut is on a character boundary.
            return &t[..t.len() - 6];
        }
    }
    t
}

impl ScalarValue for Date {
    fn decode_text(text: &str, _: &Facets) -> Result<Self, Problem> {
        let t = strip_zone(text.trim());
        if t.len() != 10 {
            return Err(Problem::Format("date (YYYY-MM-DD)"));
        }
        Date::parse_from_str(t, "%Y-%m-%d").map_err(|_| Problem::Format("date (YYYY-MM-DD)"))
    }
    fn encode(&self, name: &'static str, sink: &mut dyn Sink) {
        sink.value(name, &ymd(self), false)
    }
}

/// `%Y-%m-%dT%H:%M:%S%.6fZ`, as [`ymd`].
fn iso_time(d: &DateTime) -> String {
    use chrono::Timelike;
    let (t, nanos) = (d.naive_utc(), d.nanosecond());
    if (0..=9999).contains(&chrono::Datelike::year(&t)) && nanos < 1_000_000_000 {
        format!(
            "{}T{:02}:{:02}:{:02}.{:06}Z",
            ymd(&t.date()),
            t.hour(),
            t.minute(),
            t.second(),
            nanos / 1000
        )
    } else {
        d.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

/// `%Y-%m-%d` without chrono's format-string interpreter (on every date of every answer).
fn ymd(d: &Date) -> String {
    use chrono::Datelike;
    match d.year() {
        y @ 0..=9999 => format!("{y:04}-{:02}-{:02}", d.month(), d.day()),
        _ => d.format("%Y-%m-%d").to_string(),
    }
}

impl ScalarValue for DateTime {
    fn decode_text(text: &str, _: &Facets) -> Result<Self, Problem> {
        let t = text.trim();
        if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
            return Ok(d.with_timezone(&chrono::Utc));
        }
        // xs:dateTime without a zone (as 7.3.8 clients send it): UTC.
        chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
            .map(|n| n.and_utc())
            .map_err(|_| Problem::Format("date-time (RFC 3339)"))
    }
    fn encode(&self, name: &'static str, sink: &mut dyn Sink) {
        sink.value(name, &iso_time(self), false)
    }
}

impl ScalarValue for bool {
    fn decode_text(text: &str, _: &Facets) -> Result<Self, Problem> {
        match text.trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(Problem::Format("boolean (true or false)")),
        }
    }
    fn encode(&self, name: &'static str, sink: &mut dyn Sink) {
        sink.value(name, self, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INT8: Facets = Facets {
        type_name: "Integer8",
        prim: Prim::Int,
        min_len: None,
        max_len: None,
        min: Some("0"),
        max: Some("99999999"),
        total_digits: None,
        fraction_digits: None,
        pattern: None,
    };
    const MONEY: Facets = Facets {
        type_name: "Money",
        prim: Prim::Dec,
        total_digits: Some(11),
        fraction_digits: Some(2),
        min: None,
        max: None,
        ..INT8
    };
    const S6: Facets = Facets {
        type_name: "String6",
        prim: Prim::Str,
        min_len: Some(1),
        max_len: Some(6),
        min: None,
        max: None,
        ..INT8
    };

    #[test]
    fn strings_are_trimmed_and_counted_in_characters() {
        assert_eq!(String::decode_text("  ÉÉÉÉÉÉ ", &S6).unwrap(), "ÉÉÉÉÉÉ");
        assert_eq!(
            String::decode_text("1234567", &S6),
            Err(Problem::TooLong(6))
        );
        assert_eq!(String::decode_text("  ", &S6), Err(Problem::TooShort(1)));
    }

    #[test]
    fn a_pattern_must_match_the_whole_trimmed_value() {
        const DIGITS8: Facets = Facets {
            type_name: "BankAccountNumber",
            min_len: Some(8),
            max_len: Some(8),
            pattern: Some("[0-9]{8}"),
            ..S6
        };
        assert_eq!(
            String::decode_text(" 12345678 ", &DIGITS8).unwrap(),
            "12345678"
        );
        for t in ["1234567x", "x2345678", "1234 678"] {
            assert_eq!(
                String::decode_text(t, &DIGITS8),
                Err(Problem::Pattern("BankAccountNumber", "[0-9]{8}")),
                "{t}"
            );
        }
    }

    #[test]
    fn integers_keep_to_their_range_and_reject_other_text() {
        assert_eq!(i64::decode_text(" 99999999 ", &INT8), Ok(99_999_999));
        assert!(matches!(
            i64::decode_text("100000000", &INT8),
            Err(Problem::OutOfRange(..))
        ));
        assert!(matches!(
            i64::decode_text("-1", &INT8),
            Err(Problem::OutOfRange(..))
        ));
        assert_eq!(
            i64::decode_text("12a", &INT8),
            Err(Problem::Format("integer"))
        );
        assert_eq!(
            i64::decode_text("1.5", &INT8),
            Err(Problem::Format("integer"))
        );
    }

    #[test]
    fn money_allows_two_decimals_and_nine_integer_digits() {
        assert_eq!(
            Decimal::decode_text("20.00", &MONEY).unwrap().to_string(),
            "20.00"
        );
        assert!(Decimal::decode_text("20.001", &MONEY).is_err());
        assert!(Decimal::decode_text("1234567890.00", &MONEY).is_err());
        assert!(Decimal::decode_text("1e5", &MONEY).is_err());
    }

    #[test]
    fn dates_accept_and_drop_a_zone() {
        let d = Date::from_ymd_opt(2024, 1, 31).unwrap();
        for t in [
            "2024-01-31",
            "2024-01-31Z",
            "2024-01-31+01:00",
            "2024-01-31-05:00",
        ] {
            assert_eq!(Date::decode_text(t, &S6), Ok(d), "{t}");
        }
        assert!(Date::decode_text("2024-02-30", &S6).is_err());
        assert!(Date::decode_text("31/01/2024", &S6).is_err());
    }

    #[test]
    fn date_times_without_a_zone_are_utc() {
        let a = DateTime::decode_text("2026-11-01T09:30:00", &S6).unwrap();
        let b = DateTime::decode_text("2026-11-01T10:30:00+01:00", &S6).unwrap();
        assert_eq!(a, b);
    }

    /// Every scalar parser, given text with multi-byte characters anywhere (the bytes of
    /// a date's length, a zone's position), refuses it without panicking.
    #[test]
    fn no_scalar_parser_panics_on_multi_byte_text() {
        let texts = [
            "é",
            "éééééééééé",
            "2024-01-3é",
            "2024-01-31é",
            "2024-01-31+01:0é",
            "2024-01-31€01:00",
            "2024-01-31+é:00",
            "€€€€+01:00",
            "ü2024-01-31Z",
            "😀😀😀😀😀😀",
            "2026-11-01T09:30:00é",
            "2026-11-01T09:30:00+01:0é",
            "１２３",
            "-é",
            "3.é",
            "é.5",
            "truе",
            "２０２４-０１-３１",
            "2024\u{0}01-31",
            "\u{FEFF}2024-01-31",
        ];
        for t in texts {
            for pad in ["", " ", "Z"] {
                let t = format!("{t}{pad}");
                assert!(Date::decode_text(&t, &S6).is_err(), "{t}");
                let _ = DateTime::decode_text(&t, &S6);
                assert!(i64::decode_text(&t, &INT8).is_err(), "{t}");
                let _ = Decimal::decode_text(&t, &MONEY);
                let _ = bool::decode_text(&t, &S6);
                let _ = String::decode_text(&t, &S6);
            }
        }
    }

    #[test]
    fn integers_are_digits_with_an_optional_sign_and_huge_ones_are_out_of_range() {
        const ANY: Facets = Facets {
            min: None,
            max: None,
            ..INT8
        };
        assert_eq!(i64::decode_text("+7", &ANY), Ok(7));
        assert_eq!(i64::decode_text("-7", &ANY), Ok(-7));
        for t in ["3.0", "1e1", "10.0", "1e20", "0x10", "", "+", " - 1"] {
            assert_eq!(
                i64::decode_text(t, &ANY),
                Err(Problem::Format("integer")),
                "{t}"
            );
        }
        for t in [
            "9223372036854775808",
            "18446744073709551615",
            "99999999999999999999999",
        ] {
            assert!(
                matches!(i64::decode_text(t, &ANY), Err(Problem::OutOfRange(..))),
                "{t}"
            );
        }
        assert_eq!(
            Decimal::decode_text("3.0", &MONEY).unwrap().to_string(),
            "3.0"
        );
        assert!(Decimal::decode_text("99999999999999999999999999999999.0", &MONEY).is_err());
    }

    #[test]
    fn booleans_accept_words_and_digits() {
        assert_eq!(bool::decode_text("1", &S6), Ok(true));
        assert_eq!(bool::decode_text("false", &S6), Ok(false));
        assert!(bool::decode_text("yes", &S6).is_err());
    }
}

#[cfg(test)]
mod format_tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn dates_and_times_are_written_as_chrono_formats_them() {
        for d in [
            NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            NaiveDate::from_ymd_opt(7, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(12345, 6, 7).unwrap(),
        ] {
            assert_eq!(super::ymd(&d), d.format("%Y-%m-%d").to_string());
        }
        for t in [
            Utc.with_ymd_and_hms(2026, 11, 22, 9, 5, 7).unwrap()
                + chrono::Duration::microseconds(42),
            Utc.with_ymd_and_hms(1999, 1, 1, 23, 59, 59).unwrap(),
        ] {
            assert_eq!(
                super::iso_time(&t),
                t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
            );
        }
    }
}
