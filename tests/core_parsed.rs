#![cfg(not(target_arch = "wasm32"))]
//! The wasm's JSON parser (`clc_wasm::parsed`) against serde_json: the same texts accepted, the same values
//! read, the text it writes read back to the same value; and no input makes it panic or overflow the stack.

use clc_wasm::json::Json;
use clc_wasm::parsed::{parse, write_string, Refused, Value};
use proptest::prelude::*;
use serde_json::Value as Serde;

/// JSON values whose numbers serde_json reads exactly as written (no `1e400`: serde refuses what `JSON.parse`
/// reads as Infinity, which the parser keeps as text).
fn json() -> impl Strategy<Value = Serde> {
    let leaf = prop_oneof![
        Just(Serde::Null),
        any::<bool>().prop_map(Serde::Bool),
        any::<i64>().prop_map(Serde::from),
        (-1e300f64..1e300).prop_map(Serde::from),
        "\\PC{0,12}|[\"\\\\/\u{0}-\u{1f}\u{7f}-\u{a0}\u{2028}é😀]{0,6}".prop_map(Serde::String),
        // Plain runs of any length with a byte to stop at anywhere: the parser skips plain bytes eight at a time.
        "([a-z0-9/-]{0,11}[\"\\\\\u{0}-\u{1f}\u{7f}-\u{a0}é😀]?){0,4}".prop_map(Serde::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Serde::Array),
            prop::collection::btree_map("[a-z\"\\\\é]{0,4}", inner, 0..6)
                .prop_map(|m| Serde::Object(m.into_iter().collect())),
        ]
    })
}

/// The tree as a serde value, to compare (numbers through serde's own reading of their text).
fn to_serde(value: &Value<'_>) -> Serde {
    match value {
        Value::Null => Serde::Null,
        Value::Bool(b) => Serde::Bool(*b),
        Value::Number(text) => serde_json::from_str(text).expect("a number the parser accepted"),
        Value::Text(text) => Serde::String(text.to_string()),
        Value::List(items) => Serde::Array(items.iter().map(to_serde).collect()),
        // Last one wins, as in serde_json and `JSON.parse`.
        Value::Object(fields) => Serde::Object(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), to_serde(v)))
                .collect(),
        ),
    }
}

/// Text near JSON: pieces of a JSON text spliced, cut and repeated.
fn near_json() -> impl Strategy<Value = String> {
    (
        json(),
        any::<usize>(),
        any::<usize>(),
        prop::sample::select(vec![
            "", "]", "}", ",", ":", "\"", "\\", "-", "0", "e", ".", " ", "\u{0}", "\\u", "\\ud800",
            "tru", "nul",
        ]),
    )
        .prop_map(|(value, cut, at, piece)| {
            let text = value.to_string();
            let mut chars: Vec<char> = text.chars().collect();
            let cut = cut % (chars.len() + 1);
            let at = at % (chars.len() + 1);
            match at % 3 {
                0 => chars.truncate(cut),
                1 => chars.splice(at..at, piece.chars()).for_each(drop),
                _ => {
                    if at < chars.len() {
                        chars.remove(at);
                    }
                }
            }
            chars.into_iter().collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn reads_what_serde_reads(value in json(), pretty: bool) {
        let text = if pretty { serde_json::to_string_pretty(&value).unwrap() } else { value.to_string() };
        let tree = parse(&text);
        prop_assert!(tree.is_ok(), "refused {text:?}");
        let tree = tree.unwrap();
        prop_assert_eq!(to_serde(&tree), value.clone());
        // What it writes reads back the same.
        let written = tree.to_text();
        prop_assert_eq!(serde_json::from_str::<Serde>(&written).unwrap(), value);
    }

    #[test]
    fn accepts_exactly_what_serde_accepts(text in near_json()) {
        let ours = parse(&text);
        let theirs = serde_json::from_str::<Serde>(&text);
        // serde refuses numbers beyond f64 (`1e400`) that `JSON.parse` reads as Infinity; the parser keeps them.
        if theirs.as_ref().is_err_and(|e| e.to_string().starts_with("number out of range")) {
            return Ok(());
        }
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: ours {:?}, serde {:?}", text, ours, theirs.err());
        if let (Ok(ours), Ok(theirs)) = (ours, theirs) {
            prop_assert_eq!(to_serde(&ours), theirs);
        }
    }

    #[test]
    fn never_panics_on_any_text(text in "\\PC{0,60}|[\\[\\]{}\",:0-9eE.+\\-\\\\u tfrn]{0,60}") {
        let _ = parse(&text);
    }

    #[test]
    fn strings_written_read_back(text in "\\PC{0,30}|[\"\\\\\u{0}-\u{1f}]{0,10}") {
        let mut out = String::new();
        write_string(&text, &mut out);
        prop_assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text);
    }
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    assert_eq!(parse(&deep), Err(Refused::TooDeep));
    let ok = "[".repeat(60) + &"]".repeat(60);
    assert!(parse(&ok).is_ok());
    // Too deep wins over what comes after: the text is refused for its depth, whatever follows.
    assert_eq!(parse(&("[".repeat(100) + "x")), Err(Refused::TooDeep));
}

#[test]
fn refusals_and_edges() {
    for bad in [
        "",
        " ",
        "01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "[1,]",
        "{\"a\":1,}",
        "{a:1}",
        "'a'",
        "\"\\x\"",
        "\"\u{1}\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "nul",
        "truee",
        "[] []",
        "\u{feff}[]",
    ] {
        assert_eq!(parse(bad), Err(Refused::NotJson), "{bad:?}");
    }
    assert_eq!(
        parse(" \t\r\n[] ").map(|v| v.to_text()).as_deref(),
        Ok("[]")
    );
    assert_eq!(
        parse("\"\\ud83d\\ude00\"")
            .ok()
            .and_then(|v| (&v).text())
            .as_deref(),
        Some("😀")
    );
    // A repeated name reads as its last value, and is listed once, where it first came.
    let dup = parse(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
    assert_eq!((&dup).field("a").and_then(|v| v.number()), Some(3.0));
    let names: Vec<String> = (&dup)
        .entries()
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(names, ["a", "b"]);
    // Numbers keep their digits: what `JSON.parse` reads as Infinity or a rounded value stays as sent.
    assert_eq!(
        parse("[1e400, 12345678901234567890]").unwrap().to_text(),
        "[1e400,12345678901234567890]"
    );
}
