//! The shapes of the service's answers, as data, and one checker for all of them.
//!
//! Each shape says what [`crate::model`]'s serde types accept: which fields are required, which may be absent or
//! `null`, which arrays default to empty, and the kind of every value. Checking an answer against its shape
//! before handing it on means a dashboard gets the declared shape or a clear error, never a half-read object.
//! Unknown fields are ignored, as the model ignores them. Tests hold the shapes and the serde types to the same
//! answers (`tests/core_props.rs`).
//!
//! Why data rather than serde's derived code: in the wasm, one small checker plus these tables costs a fraction
//! of the per-type code serde generates, and a failure names the exact place (`details.snapshots[0].name`).
//!
//! ```
//! use clc_wasm::shape::{check, SERVER_OPERATIONS};
//! let ok = serde_json::json!([{"server": "wa1aliaswb01", "isQueued": false, "errorMessage": "…"}]);
//! assert!(check(&ok, &SERVER_OPERATIONS).is_ok());
//! let bad = serde_json::json!([{"server": "wa1aliaswb01", "isQueued": "yes"}]);
//! assert_eq!(check(&bad, &SERVER_OPERATIONS).unwrap_err(), "[0].isQueued: expected a boolean");
//! ```

use crate::prelude::*;
use crate::text::push_decimal;

use alloc::borrow::Cow;

use crate::json::Json;
use crate::parsed::{same_text, Value};

/// What a value must be.
#[derive(Debug)]
pub enum Shape {
    /// A string.
    Text,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array whose elements all have this shape.
    List(&'static Shape),
    /// An object with these fields (and any others, which are ignored).
    Object(&'static [Field]),
}

/// Whether a field must be there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Present and not `null`.
    Required,
    /// May be absent or `null`.
    Optional,
    /// An array that may be absent, meaning empty (but not `null`). [`fill`] fills it in.
    EmptyIfAbsent,
}

/// One field of an object shape.
#[derive(Debug)]
pub struct Field {
    /// The field's name, as the service spells it.
    pub name: &'static str,
    /// Its shape.
    pub shape: Shape,
    /// Whether it must be there.
    pub presence: Presence,
}

const fn required(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        presence: Presence::Required,
    }
}

const fn optional(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        presence: Presence::Optional,
    }
}

const fn list(name: &'static str, item: &'static Shape) -> Field {
    Field {
        name,
        shape: Shape::List(item),
        presence: Presence::EmptyIfAbsent,
    }
}

/// [`crate::model::Link`].
pub static LINK: Shape = Shape::Object(&[
    required("rel", Shape::Text),
    required("href", Shape::Text),
    optional("id", Shape::Text),
    optional("name", Shape::Text),
    optional("verbs", Shape::List(&Shape::Text)),
]);

/// [`crate::model::StatusLink`]: what Archive Group returns.
pub static STATUS_LINK: Shape = Shape::Object(&[
    required("rel", Shape::Text),
    required("href", Shape::Text),
    optional("id", Shape::Text),
]);

/// [`crate::model::ServerOperation`].
pub static SERVER_OPERATION: Shape = Shape::Object(&[
    required("server", Shape::Text),
    required("isQueued", Shape::Boolean),
    list("links", &LINK),
    optional("errorMessage", Shape::Text),
]);

/// A list of [`crate::model::ServerOperation`]: what every server operation returns.
pub static SERVER_OPERATIONS: Shape = Shape::List(&SERVER_OPERATION);

/// [`crate::model::StatusResponse`]: what Get Status returns.
pub static STATUS: Shape = Shape::Object(&[required("status", Shape::Text)]);

/// [`crate::model::LoginResponse`].
pub static LOGIN: Shape = Shape::Object(&[
    required("userName", Shape::Text),
    required("accountAlias", Shape::Text),
    optional("locationAlias", Shape::Text),
    list("roles", &Shape::Text),
    required("bearerToken", Shape::Text),
]);

static IP_ADDRESS: Shape = Shape::Object(&[
    optional("internal", Shape::Text),
    optional("public", Shape::Text),
]);

static SNAPSHOT: Shape = Shape::Object(&[required("name", Shape::Text), list("links", &LINK)]);

/// [`crate::model::ServerDetails`]; a `const`, so [`SERVER`] holds it by value.
const SERVER_DETAILS: Shape = Shape::Object(&[
    optional("powerState", Shape::Text),
    optional("inMaintenanceMode", Shape::Boolean),
    optional("cpu", Shape::Number),
    optional("memoryMB", Shape::Number),
    optional("storageGB", Shape::Number),
    list("ipAddresses", &IP_ADDRESS),
    list("snapshots", &SNAPSHOT),
]);

/// [`crate::model::Server`]: what Get Server returns.
pub static SERVER: Shape = Shape::Object(&[
    required("id", Shape::Text),
    required("name", Shape::Text),
    optional("description", Shape::Text),
    optional("groupId", Shape::Text),
    optional("locationId", Shape::Text),
    optional("osType", Shape::Text),
    optional("status", Shape::Text),
    optional("type", Shape::Text),
    optional("storageType", Shape::Text),
    optional("details", SERVER_DETAILS),
    list("links", &LINK),
]);

/// [`crate::model::Group`]: what Get Group returns (child groups nest).
pub static GROUP: Shape = Shape::Object(&[
    required("id", Shape::Text),
    required("name", Shape::Text),
    optional("description", Shape::Text),
    optional("locationId", Shape::Text),
    optional("type", Shape::Text),
    optional("status", Shape::Text),
    optional("serversCount", Shape::Number),
    list("groups", &GROUP),
    list("links", &LINK),
]);

/// A group as Get Group with `serverDetail=detailed` returns it: every group of the tree also holds its servers,
/// each in the Get Server shape.
pub static GROUP_DETAILED: Shape = Shape::Object(&[
    required("id", Shape::Text),
    required("name", Shape::Text),
    optional("description", Shape::Text),
    optional("locationId", Shape::Text),
    optional("type", Shape::Text),
    optional("status", Shape::Text),
    optional("serversCount", Shape::Number),
    list("groups", &GROUP_DETAILED),
    list("servers", &SERVER),
    list("links", &LINK),
]);

/// What Get Data Center List returns.
pub static DATA_CENTERS: Shape = Shape::List(&DATA_CENTER);

/// [`crate::model::DataCenter`]: what Get Data Center returns.
pub static DATA_CENTER: Shape = Shape::Object(&[
    required("id", Shape::Text),
    required("name", Shape::Text),
    list("links", &LINK),
]);

/// The shapes the JS edge checks answers against before the wasm reads them (`src/js/accepted.js`), in the
/// order of that file's table: `shapes_js` writes it, and a shape's place here is its number there.
pub static CHECKED_IN_JS: [&Shape; 7] = [
    &SERVER_OPERATIONS,
    &STATUS_LINK,
    &SERVER,
    &DATA_CENTER,
    &DATA_CENTERS,
    &GROUP,
    &GROUP_DETAILED,
];

/// The number of `shape` in [`CHECKED_IN_JS`].
pub fn checked_in_js(shape: &Shape) -> Option<usize> {
    CHECKED_IN_JS.iter().position(|s| core::ptr::eq(*s, shape))
}

/// The shapes of [`CHECKED_IN_JS`] as the JS table `src/js/accepted.js` holds (`tests/core_shapes_js.rs` keeps
/// the file equal to it): `const SHAPES = [...]`, one entry per list or object shape, the ones of
/// [`CHECKED_IN_JS`] first and in its order. A shape is named by its index there, or by `-1` (a string), `-2`
/// (a number), `-3` (a boolean); a list is `[item]`, an object `[name, presence, shape, ...]` (presence 0
/// required, 1 optional, 2 an array that may be absent). Shapes that hold themselves (a group's `groups`) refer
/// back by index.
///
/// ```
/// let table = clc_wasm::shape::shapes_js();
/// assert!(table.starts_with("const SHAPES = [[7],"));
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub fn shapes_js() -> String {
    let mut table: Vec<&'static Shape> = CHECKED_IN_JS.to_vec();
    let mut out = String::new();
    let mut at = 0;
    while let Some(&shape) = table.get(at) {
        let mut refer = |shape: &'static Shape| -> String {
            match shape {
                Shape::Text => "-1".into(),
                Shape::Number => "-2".into(),
                Shape::Boolean => "-3".into(),
                _ => {
                    let index = match table.iter().position(|s| same_shape(s, shape)) {
                        Some(index) => index,
                        None => {
                            table.push(shape);
                            table.len() - 1
                        }
                    };
                    crate::text::decimal(index as u64)
                }
            }
        };
        let entry = match shape {
            Shape::List(item) => cat_list(&[refer(item)]),
            Shape::Object(fields) => {
                let mut parts = Vec::new();
                for field in fields.iter() {
                    let mut name = String::new();
                    crate::parsed::write_string(field.name, &mut name);
                    let presence = match field.presence {
                        Presence::Required => "0",
                        Presence::Optional => "1",
                        Presence::EmptyIfAbsent => "2",
                    };
                    parts.push(name);
                    parts.push(presence.into());
                    parts.push(refer(&field.shape));
                }
                cat_list(&parts)
            }
            // Only lists and objects are put in the table.
            _ => String::new(),
        };
        out.push_str(if at == 0 { "const SHAPES = [" } else { "," });
        out.push_str(&entry);
        at += 1;
    }
    out.push_str("];\n");
    let number = |shape: &Shape| table.iter().position(|s| same_shape(s, shape));
    if let (Some(index), Shape::Object(fields)) = (number(&SERVER_OPERATION), &SERVER_OPERATION) {
        out.push_str(&written_js(index, fields, number));
    }
    out.push_str("// (The end of what shape::shapes_js writes.)");
    out
}

/// The check of the table's shape `index`, an object of `fields`, written out as a JS function `written(v, d)`
/// (`WRITTEN` is its number): field by field, each read by its name. Walking the table reads every field by a
/// name that changes from field to field, which the engine cannot make fast: for a batch's entries, checked
/// once per server, the written check is a third of the walk (Node 20).
#[cfg(not(target_arch = "wasm32"))]
fn written_js(index: usize, fields: &[Field], number: impl Fn(&Shape) -> Option<usize>) -> String {
    let mut out = alloc::format!(
        "const WRITTEN = {index};\nfunction written(v, d) {{\n  \
         if (typeof v !== \"object\" || v === null || isArray(v)) return false;\n  let p = 0, x;\n"
    );
    for field in fields {
        let mut name = String::new();
        crate::parsed::write_string(field.name, &mut name);
        let check = match field.shape {
            Shape::Text => "d < MAX_DEPTH && typeof x === \"string\"".into(),
            Shape::Number => "d < MAX_DEPTH && typeof x === \"number\"".into(),
            Shape::Boolean => "d < MAX_DEPTH && typeof x === \"boolean\"".into(),
            ref shape => {
                let inner = number(shape).expect("the table holds every shape a field names");
                alloc::format!("fits(x, {inner}, d + 1)")
            }
        };
        let null = if field.presence == Presence::Optional {
            "x !== null && "
        } else {
            ""
        };
        let read =
            alloc::format!("x = v[{name}];\n    p++;\n    if ({null}!({check})) return false;");
        out += &match field.presence {
            Presence::Required => {
                alloc::format!("  if (!hasOwn.call(v, {name})) return false;\n  {{\n    {read}\n  }}\n")
            }
            Presence::Optional => alloc::format!("  if (hasOwn.call(v, {name})) {{\n    {read}\n  }}\n"),
            Presence::EmptyIfAbsent => alloc::format!(
                "  if (hasOwn.call(v, {name})) {{\n    {read}\n  }} else {{\n    v[{name}] = [];\n    p++;\n  }}\n"
            ),
        };
    }
    out + &alloc::format!("  return others(v, p, SHAPES[{index}], d);\n}}\n")
}

/// The same shape in the table: the same one, or lists of the same one (each `list` field holds its own).
#[cfg(not(target_arch = "wasm32"))]
fn same_shape(a: &Shape, b: &Shape) -> bool {
    match (a, b) {
        (Shape::List(x), Shape::List(y)) => core::ptr::eq(*x, *y),
        _ => core::ptr::eq(a, b),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn cat_list(parts: &[String]) -> String {
    String::from("[") + &parts.join(",") + "]"
}

/// How deep an answer may nest (a group tree is far shallower): deeper input is refused rather than risking
/// the stack, whose overflow would kill the wasm instance.
pub const MAX_DEPTH: usize = 64;

/// Checks `value` against `shape`, without changing it. On a mismatch, says where and what was expected, never
/// what was found (it may be a secret).
pub fn check<J: Json>(value: &J, shape: &Shape) -> Result<(), String> {
    check_at(value, shape, 0).map_err(Mismatch::into_message)
}

/// Fills in the arrays `shape` says may be absent (an empty array where they are), in a value [`check`]
/// accepted; whether it changed anything. The caller gets every array the types promise.
///
/// ```
/// use clc_wasm::{parsed::parse, shape};
/// let mut answer = parse(r#"[{"server": "wa1b", "isQueued": false}]"#).unwrap();
/// assert!(shape::fill(&mut answer, &shape::SERVER_OPERATIONS));
/// assert_eq!(answer.to_text(), r#"[{"server":"wa1b","isQueued":false,"links":[]}]"#);
/// ```
pub fn fill(value: &mut Value<'_>, shape: &Shape) -> bool {
    let mut changed = false;
    match (shape, value) {
        (Shape::List(item), Value::List(items)) => {
            for element in items {
                changed |= fill(element, item);
            }
        }
        (Shape::Object(fields), Value::Object(entries)) => {
            for field in fields.iter().filter(|field| may_fill(field, 0)) {
                match entries
                    .iter_mut()
                    .rev()
                    .find(|(name, _)| same_text(name, field.name))
                {
                    Some((_, v)) => changed |= fill(v, &field.shape),
                    None if field.presence == Presence::EmptyIfAbsent => {
                        entries.push((Cow::Borrowed(field.name), Value::List(Vec::new())));
                        changed = true;
                    }
                    None => {}
                }
            }
        }
        _ => {}
    }
    changed
}

/// Whether [`fill`] may add anything at or under `field`: links hold no array that may be absent, and looking for
/// each of their fields was a tenth of putting 5,000 results in order (natively, `order::in_request_order`, in
/// instructions). Below eight levels of fields it answers true without looking (the shapes nest four deep), so a
/// recursive shape can neither loop nor be skipped where it must not.
fn may_fill(field: &Field, depth: usize) -> bool {
    let mut shape = &field.shape;
    while let Shape::List(item) = shape {
        shape = item;
    }
    field.presence == Presence::EmptyIfAbsent
        || depth > 8
        || matches!(shape, Shape::Object(fields) if fields.iter().any(|f| may_fill(f, depth + 1)))
}

/// One step of the way to a bad part.
enum Step {
    Index(usize),
    Field(&'static str),
}

/// What is wrong, and where. The path is collected while returning from the bad part, so a good answer (a batch
/// of thousands of servers) costs no path building at all.
struct Mismatch {
    /// Innermost step first.
    steps: Vec<Step>,
    why: &'static str,
}

impl Mismatch {
    fn at(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// `details.snapshots[0].name: expected a string`, or just the reason for the value itself.
    fn into_message(self) -> String {
        let mut out = String::new();
        for step in self.steps.iter().rev() {
            match step {
                Step::Index(index) => {
                    out.push('[');
                    push_decimal(&mut out, *index as u64);
                    out.push(']');
                }
                Step::Field(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
            }
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(self.why);
        out
    }
}

fn wrong(why: &'static str) -> Mismatch {
    Mismatch {
        steps: Vec::new(),
        why,
    }
}

/// Checks one value.
fn check_at<J: Json>(value: &J, shape: &Shape, depth: usize) -> Result<(), Mismatch> {
    if depth > MAX_DEPTH {
        return Err(wrong("nests too deeply"));
    }
    match shape {
        Shape::Text if value.is_text() => Ok(()),
        Shape::Text => Err(wrong("expected a string")),
        Shape::Number if value.is_number() => Ok(()),
        Shape::Number => Err(wrong("expected a number")),
        Shape::Boolean => value
            .boolean()
            .map(drop)
            .ok_or_else(|| wrong("expected a boolean")),
        Shape::List(item) => value
            .each_item(|index, element| {
                check_at(element, item, depth + 1).map_err(|m| m.at(Step::Index(index)))
            })
            .unwrap_or_else(|| Err(wrong("expected an array"))),
        Shape::Object(fields) => {
            if !value.is_object() {
                return Err(wrong("expected an object"));
            }
            for field in fields.iter() {
                let here = || Step::Field(field.name);
                match value.field(field.name) {
                    Some(v) if v.is_null() && field.presence == Presence::Optional => {}
                    Some(v) => check_at(&v, &field.shape, depth + 1).map_err(|m| m.at(here()))?,
                    None => match field.presence {
                        Presence::Required => return Err(wrong("is missing").at(here())),
                        Presence::Optional | Presence::EmptyIfAbsent => {}
                    },
                }
            }
            Ok(())
        }
    }
}
