//! Card-number screening (DOMAIN.md "Accounts and payments"): a full card number never
//! enters the system. The registry declares it per operation (`bind!(no_card_numbers …)`),
//! and it runs on the request tree before decoding, so it covers every element, known or
//! not; `dispatch` also keeps such a value out of the log and the echoed externalReference.

use cmp_model::fault::PathSeg;
use cmp_model::{Code, Fault, FieldError, Node};

/// [`looks_like_card_number`] as a regular expression (found anywhere in the text; no
/// look-around, so ECMA-262, Python and `regex-lite` read it alike), published in the
/// OpenAPI document: a run starts at the text's start, after a character that is not a
/// digit or separator, or after a separator that does not follow a digit; it ends alike.
pub const CARD_NUMBER_PATTERN: &str =
    "(?:^|[^0-9 -]|(?:^|[^0-9])[ -])[0-9](?:[ -]?[0-9]){12,18}(?:$|[^0-9 -]|[ -](?:$|[^0-9]))";

/// Whether `text` holds a 13–19 digit number (digits, possibly separated by spaces or
/// dashes): a card number.
pub fn looks_like_card_number(text: &str) -> bool {
    let mut digits = 0usize;
    let mut pending_sep = false;
    let end_run = |digits: &mut usize| {
        let hit = (13..=19).contains(digits);
        *digits = 0;
        hit
    };
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            digits += 1;
            pending_sep = false;
        } else if (ch == ' ' || ch == '-') && digits > 0 && !pending_sep {
            pending_sep = true;
        } else {
            pending_sep = false;
            if end_run(&mut digits) {
                return true;
            }
        }
    }
    end_run(&mut digits)
}

/// Refuses a request with a card number in any element (DOMAIN.md: a 13–19 digit number
/// in any field is `CARD_NUMBER_NOT_ALLOWED`), naming every such element. Runs on the
/// request tree before it is decoded, so it covers every field, known or not.
pub fn refuse_card_numbers(node: &Node) -> Result<(), Fault> {
    fn walk(n: &Node, path: &mut Vec<PathSeg>, out: &mut Vec<FieldError>) {
        path.push(PathSeg::owned(&n.name));
        if looks_like_card_number(&n.text) {
            out.push(FieldError::new(
                Code::CardNumberNotAllowed,
                path.clone(),
                "holds a card number: send the payment provider's token, never the card number",
            ));
        }
        for c in &n.children {
            walk(c, path, out);
        }
        path.pop();
    }
    let mut errors = Vec::new();
    walk(node, &mut Vec::new(), &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Fault::validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_are_13_to_19_digits_with_single_separators() {
        assert!(looks_like_card_number("4111111111111111"));
        assert!(looks_like_card_number("4111 1111 1111 1111"));
        assert!(looks_like_card_number("ref 4111-1111-1111-1111 x"));
        assert!(!looks_like_card_number("411111111111"));
        assert!(!looks_like_card_number("41111111111111111111"));
        assert!(!looks_like_card_number("4111  1111 1111 1111"));
    }

    /// The published pattern and the screening agree, on every text of up to 22
    /// characters drawn from digits, both separators and a letter (a pseudo-random sample).
    #[test]
    fn the_published_pattern_is_the_screening_rule() {
        let re = regex_lite::Regex::new(CARD_NUMBER_PATTERN).unwrap();
        let alphabet = ['1', '1', '1', '1', '1', ' ', '-', 'x'];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut hits = 0;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 23) as usize;
            let text: String = (0..len)
                .map(|i| alphabet[((seed >> (i * 2 % 60)) as usize + i) % alphabet.len()])
                .collect();
            let hit = looks_like_card_number(&text);
            assert_eq!(re.is_match(&text), hit, "{text:?}");
            hits += usize::from(hit);
        }
        assert!(
            (1_000..190_000).contains(&hits),
            "{hits} card numbers in the sample"
        );
        for t in [
            "4111111111111111",
            "a 1234567890123",
            "1234567890123 -",
            "-1234567890123",
        ] {
            assert!(re.is_match(t), "{t}");
        }
    }
}
