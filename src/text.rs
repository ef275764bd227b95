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

/// A hash of `name` that names equal ignoring ASCII case share ([`same_name`]): FNV-1a of its bytes with their
/// 0x20 bit set, which lower-cases the letters and leaves equal bytes equal.
pub(crate) fn name_hash(name: &str) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for &byte in name.as_bytes() {
        hash = (hash ^ u64::from(byte | 0x20)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Whether two names are equal ignoring ASCII case, as `eq_ignore_ascii_case` says; that one is not inlined at
/// opt-level z (260 instructions for a 14-byte name) and was a tenth of putting 5,000 results in order.
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    for (x, y) in a.iter().zip(b) {
        if x != y && (x ^ y != 0x20 || !(x | 0x20).is_ascii_lowercase()) {
            return false;
        }
    }
    true
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

    #[test]
    fn names_compare_as_eq_ignore_ascii_case_does() {
        let chars: Vec<char> = (0..128u8)
            .map(char::from)
            .chain(['é', 'É', 'ı', 'K'])
            .collect();
        for &x in &chars {
            for &y in &chars {
                let (x, y) = (x.to_string(), y.to_string());
                assert_eq!(same_name(&x, &y), x.eq_ignore_ascii_case(&y), "{x:?} {y:?}");
                let (long_x, long_y) = (x.repeat(3) + "wa1", y.repeat(3) + "WA1");
                assert_eq!(
                    same_name(&long_x, &long_y),
                    long_x.eq_ignore_ascii_case(&long_y)
                );
            }
        }
        assert!(!same_name("wa1a", "wa1ab"));
        assert_eq!(name_hash("wa1demoweb01"), name_hash("WA1DemoWeb01"));
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
