//! JSON text parsed in the wasm, into a tree that borrows from the text, and written back out.
//!
//! Why parse here when the browser has `JSON.parse`: checking a parsed JS value costs a call into JS per field
//! and per type test (about 25 for one server of a batch), which made a batch of 5,000 servers twice as slow
//! as a raw `fetch`. Parsed here, an answer is checked with no call at all, and what the caller gets back is
//! one `JSON.parse` of the original text (or of the tree written out again, when the SDK changed it). Since then
//! `src/js/accepted.js` checks the value of that one `JSON.parse` in JS, walking it rather than calling in per field,
//! and the wasm parses only what it declines, and every error: this parser and `crate::shape` remain the
//! reference it is tested against (`tests/accepted`).
//!
//! The grammar is RFC 8259's, as `JSON.parse` reads it, with two refusals: nesting deeper than
//! [`crate::shape::MAX_DEPTH`] (the checker would refuse it anyway; the bound keeps the parser's recursion off
//! the end of the wasm's stack), and `\u` escapes of unpaired surrogates (a Rust string cannot hold them; no
//! answer of the API has one).
//! Numbers keep their text: the tree never rounds them, and writing it out gives `JSON.parse` the same digits.
//!
//! ```
//! use clc_wasm::json::Json;
//! use clc_wasm::parsed::{parse, Refused};
//! let text = r#"{"status": "executing", "n": 1e3, "links": []}"#;
//! let value = parse(text).unwrap();
//! assert_eq!((&value).field("status").and_then(|s| s.text()).as_deref(), Some("executing"));
//! assert_eq!((&value).field("n").and_then(|n| n.number()), Some(1000.0));
//! assert_eq!(value.to_text(), r#"{"status":"executing","n":1e3,"links":[]}"#);
//! assert_eq!(parse("{\"a\": 1,}"), Err(Refused::NotJson));
//! ```

use crate::prelude::*;
use alloc::borrow::Cow;
use core::ops::Range;

use crate::json::Json;
use crate::shape::MAX_DEPTH;

/// One JSON value, borrowing its strings from the text where they have no escapes.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(&'a str),
    /// A string, unescaped.
    Text(Cow<'a, str>),
    /// An array.
    List(Vec<Value<'a>>),
    /// An object's fields in the order written (a repeated name is kept twice; [`Json::field`] reads the
    /// last, as `JSON.parse` does).
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

/// Why a text did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// It is not JSON (or holds a `\u` escape of an unpaired surrogate).
    NotJson,
    /// It nests deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// Parses a whole JSON text (whitespace around it allowed).
pub fn parse(text: &str) -> Result<Value<'_>, Refused> {
    parse_with(text, false).map(|(value, _)| value)
}

/// Parses a whole JSON text as [`parse`] does, and where it is an array, also says where each element's text is,
/// so that an element left as it was can be copied out, not written again.
///
/// ```
/// use clc_wasm::parsed::parse_list;
/// let (value, items) = parse_list(r#"[ {"a": 1}, [2] ]"#).unwrap();
/// assert_eq!((items.text(0), items.text(1), items.text(2)), (Some(r#"{"a": 1}"#), Some("[2]"), None));
/// assert_eq!(value.to_text(), r#"[{"a":1},[2]]"#);
/// ```
pub fn parse_list(text: &str) -> Result<(Value<'_>, Items<'_>), Refused> {
    parse_with(text, true)
}

/// [`parse_list`], noting where the top-level elements are only when `spans` says so.
fn parse_with(text: &str, spans: bool) -> Result<(Value<'_>, Items<'_>), Refused> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
        too_deep: false,
        spans: spans.then(Vec::new),
    };
    let value = parser.value(0);
    parser.skip_space();
    match value {
        Some(value) if parser.at == parser.bytes.len() => Ok((
            value,
            Items {
                text,
                spans: parser.spans.unwrap_or_default(),
            },
        )),
        _ if parser.too_deep => Err(Refused::TooDeep),
        _ => Err(Refused::NotJson),
    }
}

/// Where the elements of a top-level array are in its text (see [`parse_list`]).
#[derive(Debug)]
pub struct Items<'a> {
    text: &'a str,
    spans: Vec<Range<usize>>,
}

impl<'a> Items<'a> {
    /// The text of element `index`, as written; `None` past the end or when the text was not an array.
    pub fn text(&self, index: usize) -> Option<&'a str> {
        self.text.get(self.spans.get(index)?.clone())
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// The parse stopped at [`MAX_DEPTH`].
    too_deep: bool,
    /// Where the elements of a top-level array are, when asked.
    spans: Option<Vec<Range<usize>>>,
}

// `peek` is inlined by hand: the wasm is built for size (`opt-level = "z"`), which otherwise leaves it a call,
// and it runs once per byte.
impl<'a> Parser<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Consumes `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.at += usize::from(next);
        next
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Option<Value<'a>> {
        let end = self.at.checked_add(word.len())?;
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            value
        })
    }

    fn value(&mut self, depth: usize) -> Option<Value<'a>> {
        if depth > MAX_DEPTH {
            self.too_deep = true;
            return None;
        }
        self.skip_space();
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.list(depth),
            b'"' => self.string().map(Value::Text),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            _ => self.number(),
        }
    }

    fn list(&mut self, depth: usize) -> Option<Value<'a>> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.eat(b']') {
            return Some(Value::List(items));
        }
        loop {
            self.skip_space();
            let start = self.at;
            items.push(self.value(depth + 1)?);
            if let (0, Some(spans)) = (depth, &mut self.spans) {
                spans.push(start..self.at);
            }
            self.skip_space();
            if self.eat(b']') {
                return Some(Value::List(items));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<Value<'a>> {
        self.at += 1;
        let mut fields = Vec::new();
        self.skip_space();
        if self.eat(b'}') {
            return Some(Value::Object(fields));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return None;
            }
            let name = self.string()?;
            self.skip_space();
            if !self.eat(b':') {
                return None;
            }
            fields.push((name, self.value(depth + 1)?));
            self.skip_space();
            if self.eat(b'}') {
                return Some(Value::Object(fields));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Option<Value<'a>> {
        let start = self.at;
        self.eat(b'-');
        if !self.eat(b'0') && (!self.peek()?.is_ascii_digit() || self.digits() == 0) {
            return None;
        }
        if self.eat(b'.') && self.digits() == 0 {
            return None;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return None;
            }
        }
        self.text.get(start..self.at).map(Value::Number)
    }

    /// Moves past the bytes a string holds as they are (none of `"`, `\\`, a control character), eight at a
    /// time: a batch's answer is mostly such bytes, and one at a time was a quarter of parsing it (instructions).
    fn skip_plain(&mut self) {
        const EACH: u64 = 0x0101_0101_0101_0101;
        while let Some(Ok(eight)) = self
            .bytes
            .get(self.at..self.at.wrapping_add(8))
            .map(<[u8; 8]>::try_from)
        {
            let word = u64::from_le_bytes(eight);
            let quote = word ^ (EACH * u64::from(b'"'));
            let backslash = word ^ (EACH * u64::from(b'\\'));
            // The high bit of each byte that is zero (a quote or backslash before the xor) or below 0x20; bytes
            // past the first such one may be flagged wrongly (borrows), the first never is.
            let stops = (quote.wrapping_sub(EACH)
                | backslash.wrapping_sub(EACH)
                | word.wrapping_sub(EACH * 0x20))
                & !word
                & (EACH * 0x80);
            if stops != 0 {
                self.at += (stops.trailing_zeros() / 8) as usize;
                return;
            }
            self.at += 8;
        }
        while self.peek().is_some_and(is_plain) {
            self.at += 1;
        }
    }

    /// A string from its opening quote: borrowed when it has no escape.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.at += 1;
        let start = self.at;
        self.skip_plain();
        if self.peek()? == b'"' {
            let text = self.text.get(start..self.at)?;
            self.at += 1;
            return Some(Cow::Borrowed(text));
        }
        let mut out = String::new();
        let mut run = start;
        loop {
            out.push_str(self.text.get(run..self.at)?);
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                _ => return None,
            }
            run = self.at;
            self.skip_plain();
        }
    }

    /// The character of an escape, after its backslash.
    fn escape(&mut self) -> Option<char> {
        let byte = self.peek()?;
        self.at += 1;
        Some(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xdc00..0xe000).contains(&high) {
                    return None;
                }
                if !(0xd800..0xdc00).contains(&high) {
                    return char::from_u32(high);
                }
                if !(self.eat(b'\\') && self.eat(b'u')) {
                    return None;
                }
                let low = self.hex4()?;
                if !(0xdc00..0xe000).contains(&low) {
                    return None;
                }
                return char::from_u32(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00));
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = char::from(self.peek()?).to_digit(16)?;
            self.at += 1;
            code = code * 16 + digit;
        }
        Some(code)
    }
}

impl Value<'_> {
    /// The value as JSON text, with no whitespace.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// Appends the value as JSON text to `out`.
    pub fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(true) => out.push_str("true"),
            Value::Bool(false) => out.push_str("false"),
            Value::Number(text) => out.push_str(text),
            Value::Text(text) => write_string(text, out),
            Value::List(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Value::Object(fields) => {
                out.push('{');
                for (index, (name, value)) in fields.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write_string(name, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Whether a string holds `byte` as it is in JSON text: not `"`, `\\` or a control character.
fn is_plain(byte: u8) -> bool {
    byte >= 0x20 && byte != b'"' && byte != b'\\'
}

/// `a == b`, with the lengths compared inline first: most names a lookup passes differ in length, and the
/// size-optimized wasm otherwise calls `memcmp` for each.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes() == b.as_bytes()
}

/// Appends `text` as a JSON string: quotes, backslashes and control characters escaped, the rest as it is.
pub fn write_string(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    // The usual name or ID has nothing to escape: one copy, not a test per byte.
    if text.bytes().all(is_plain) {
        out.push_str(text);
        out.push('"');
        return;
    }
    let mut run = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escaped = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(text.get(run..at).unwrap_or_default());
        run = at + 1;
        if escaped.is_empty() {
            out.push_str("\\u00");
            for nibble in [byte >> 4, byte & 0xf] {
                out.push(char::from(
                    HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
                ));
            }
        } else {
            out.push_str(escaped);
        }
    }
    out.push_str(text.get(run..).unwrap_or_default());
    out.push('"');
}

impl<'t, 'a> Json for &'t Value<'a> {
    fn text(&self) -> Option<String> {
        match self {
            Value::Text(text) => Some(String::from(&**text)),
            _ => None,
        }
    }

    fn is_text(&self) -> bool {
        matches!(self, Value::Text(_))
    }

    fn number(&self) -> Option<f64> {
        match self {
            Value::Number(text) => text.parse().ok(),
            _ => None,
        }
    }

    fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    fn boolean(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    fn items(&self) -> Option<Vec<Self>> {
        match self {
            Value::List(items) => Some(items.iter().collect()),
            _ => None,
        }
    }

    fn each_item<E>(
        &self,
        mut f: impl FnMut(usize, &Self) -> Result<(), E>,
    ) -> Option<Result<(), E>> {
        match self {
            Value::List(items) => Some(
                items
                    .iter()
                    .enumerate()
                    .try_for_each(|(index, item)| f(index, &item)),
            ),
            _ => None,
        }
    }

    fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    fn entries(&self) -> Option<Vec<(String, Self)>> {
        let Value::Object(fields) = self else {
            return None;
        };
        // As `Object.entries` of `JSON.parse`'s object: each name once, where it first came, with its last value.
        let mut out: Vec<(String, Self)> = Vec::new();
        for (name, value) in fields {
            match out.iter_mut().find(|(seen, _)| seen == name) {
                Some(entry) => entry.1 = value,
                None => out.push((String::from(&**name), value)),
            }
        }
        Some(out)
    }

    fn field(&self, key: &'static str) -> Option<Self> {
        let Value::Object(fields) = self else {
            return None;
        };
        fields
            .iter()
            .rev()
            .find(|(name, _)| same_text(name, key))
            .map(|(_, value)| value)
    }
}
