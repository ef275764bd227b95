//! What the wasm's parser and checker make of answers, for `tests/accepted/run.mjs`, which holds
//! `src/js/accepted.js` to them. Reads one JSON object per line, `{"text", "shape", "ids"?}` (`shape` a number of
//! `shape::CHECKED_IN_JS`, `ids` a batch's requested IDs), and writes one line for each: `null` when the wasm
//! refuses the answer, else the JSON text the caller gets (absent arrays filled; with `ids`, in their order).

// Natively only: it reads its cases with serde_json, which the wasm target does not have.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use std::io::{BufRead, Write};

    use clc_wasm::{order, parsed, shape, validate::ServerIds};

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in std::io::stdin().lock().lines() {
        let case: serde_json::Value =
            serde_json::from_str(&line.expect("a line")).expect("a JSON case");
        let text = case["text"].as_str().expect("text");
        let shape = shape::CHECKED_IN_JS[case["shape"].as_u64().expect("shape") as usize];
        let verdict = match parsed::parse_list(text) {
            Ok((value, items)) if shape::check(&&value, shape).is_ok() => {
                Some(match case["ids"].as_array() {
                    Some(ids) => {
                        let ids =
                            ServerIds::parse(ids.iter().map(|id| id.as_str().expect("an ID")))
                                .expect("valid IDs");
                        order::in_request_order(value, &items, &ids)
                    }
                    None => {
                        let mut value = value;
                        shape::fill(&mut value, shape);
                        value.to_text()
                    }
                })
            }
            _ => None,
        };
        let line = match verdict {
            Some(text) => serde_json::Value::String(text).to_string(),
            None => "null".into(),
        };
        writeln!(out, "{line}").expect("stdout");
    }
}
