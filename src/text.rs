//! Strings built without `format!`, which would link Rust's formatting machinery (`core::fmt`, its padding and
//! integer printing) into the wasm for messages that only join text and small integers.

use crate::prelude::*;

/// `parts`, joined.
pub(crate) fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `n` in decimal.
pub(crate) fn decimal(n: u64) -> String {
    let mut out = String::new();
    push_decimal(&mut out, n);
    out
}

/// Appends `n` in decimal to `out`.
pub(crate) fn push_decimal(out: &mut String, n: u64) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// `text` cut at each ASCII `separator`, found byte by byte: `str::split` and `rsplit` bring core's slice-index
/// panic and its formatting (`Range` Debug, integer padding) into the wasm. Never panics.
pub(crate) fn pieces(text: &str, separator: u8) -> impl DoubleEndedIterator<Item = &str> {
    debug_assert!(separator.is_ascii());
    // Cut at an ASCII byte, each piece is whole UTF-8, so the default is never taken.
    text.as_bytes()
        .split(move |&b| b == separator)
        .map(|piece| core::str::from_utf8(piece).unwrap_or_default())
}

// Native only: proptest is a native dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn joins_parts() {
        assert_eq!(cat(&[]), "");
        assert_eq!(cat(&["serverIds[", "3", "]"]), "serverIds[3]");
    }

    #[test]
    fn prints_the_edges() {
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(9), "9");
        assert_eq!(decimal(10), "10");
        assert_eq!(decimal(u64::MAX), "18446744073709551615");
    }

    proptest! {
        #[test]
        fn pieces_are_what_split_gives(text in "[a-c./é]{0,12}", dot: bool) {
            let sep = if dot { '.' } else { '/' };
            prop_assert_eq!(pieces(&text, sep as u8).collect::<Vec<_>>(), text.split(sep).collect::<Vec<_>>());
            prop_assert_eq!(pieces(&text, sep as u8).next_back(), text.rsplit(sep).next());
        }

        #[test]
        fn decimal_is_what_display_prints(n: u64) {
            prop_assert_eq!(decimal(n), n.to_string());
        }
    }
}
