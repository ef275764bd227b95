#![cfg(not(target_arch = "wasm32"))]
//! Properties over arbitrary input: decoding and validation never panic, the answer shapes accept exactly what
//! the serde model reads, no built URL leaves its path, the sorted tables agree with the B-trees (the wait
//! properties are in core_poller.rs).

use clc_wasm::model::*;
use clc_wasm::request::Requests;
use clc_wasm::response::{decode, Body};
use clc_wasm::shape::{self, Presence, Shape};
use clc_wasm::validate::*;
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
        prop::sample::select(vec![
            "status",
            "succeeded",
            "executing",
            "message",
            "modelState",
            "server",
            "isQueued",
            "links",
            "rel",
            "href",
            "id",
            "bearerToken",
            "userName",
            "accountAlias",
            "roles",
            "error",
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop::sample::select(vec![
            "status",
            "message",
            "Message",
            "modelState",
            "exceptionMessage",
            "error",
            "server",
            "isQueued",
            "links",
            "rel",
            "href",
            "id",
            "errorMessage",
            "userName",
            "accountAlias",
            "roles",
            "bearerToken",
            "name",
            "details",
            "groups",
            "snapshots",
            "powerState",
            "x",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys.prop_map(String::from), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every answer shape the SDK checks.
const SHAPES: [&Shape; 7] = [
    &shape::LOGIN,
    &shape::SERVER_OPERATIONS,
    &shape::STATUS_LINK,
    &shape::STATUS,
    &shape::SERVER,
    &shape::GROUP,
    &shape::DATA_CENTER,
];

/// Decodes `body` as every answer the SDK reads; none may panic.
fn decode_all(status: u16, body: impl Fn() -> Body<Value>) {
    for shape in SHAPES {
        let _ = decode(status, body(), shape);
    }
}

/// Values near `shape`: mostly right, with fields absent, `null` or of another kind here and there.
/// Arrays never stand where an object is expected: serde's derive would read them positionally (a form the
/// service never sends, which the shapes refuse; see `shapes_refuse_arrays_for_objects`).
fn near(shape: &'static Shape, depth: u32) -> BoxedStrategy<Value> {
    let scalars = || {
        prop_oneof![
            Just(Value::Null),
            Just(json!(true)),
            Just(json!(2.5)),
            Just(json!("text")),
            Just(json!({}))
        ]
    };
    let right: BoxedStrategy<Value> = match shape {
        Shape::Text => ".{0,6}".prop_map(Value::String).boxed(),
        Shape::Number => any::<i32>().prop_map(Value::from).boxed(),
        Shape::Boolean => any::<bool>().prop_map(Value::Bool).boxed(),
        Shape::List(_) if depth == 0 => Just(json!([])).boxed(),
        Shape::List(item) => prop::collection::vec(near(item, depth - 1), 0..3)
            .prop_map(Value::Array)
            .boxed(),
        Shape::Object(fields) => {
            let values: Vec<BoxedStrategy<Option<Value>>> = fields
                .iter()
                .map(|field| {
                    let value = if depth == 0 && field.presence != Presence::Required {
                        Just(Value::Null).boxed()
                    } else {
                        near(&field.shape, depth.saturating_sub(1))
                    };
                    prop_oneof![1 => Just(None), 1 => Just(Some(Value::Null)), 8 => value.prop_map(Some)]
                        .boxed()
                })
                .collect();
            values
                .prop_map(move |values| {
                    let mut object = serde_json::Map::new();
                    object.insert("unknown".into(), json!({"ignored": [1]}));
                    for (field, value) in fields.iter().zip(values) {
                        if let Some(value) = value {
                            object.insert(field.name.into(), value);
                        }
                    }
                    Value::Object(object)
                })
                .boxed()
        }
    };
    let wrong = match shape {
        Shape::Object(_) => scalars().boxed(),
        _ => prop_oneof![scalars(), Just(json!([1]))].boxed(),
    };
    prop_oneof![12 => right, 1 => wrong].boxed()
}

/// The shape accepts `value` exactly when serde reads it as `T`; returns serde's reading.
fn agree<T: DeserializeOwned>(value: &Value, shape: &Shape) -> Result<Option<T>, TestCaseError> {
    let by_shape = shape::check(value, shape);
    let by_serde = serde_json::from_value::<T>(value.clone());
    prop_assert_eq!(
        by_shape.is_ok(),
        by_serde.is_ok(),
        "{} / {:?}",
        value,
        by_shape
    );
    Ok(by_serde.ok())
}

fn requests() -> Requests {
    Requests::new(
        BaseUrl::parse("https://api.ctl.io/base").unwrap(),
        Token::new("t".into()),
        AccountAlias::parse("ALIAS").unwrap(),
    )
}

/// The path after the base, split into decoded segments.
fn segments(url: &str) -> Vec<String> {
    let rest = url
        .strip_prefix("https://api.ctl.io/base/v2/")
        .expect("stays under the base");
    let path = rest.split('?').next().unwrap();
    assert!(!rest.contains('#'));
    path.split('/').map(percent_decode).collect()
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&segment[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn shapes_refuse_arrays_for_objects() {
    // serde's derive reads `[]` as a struct whose fields are all optional; the service never answers so.
    assert!(serde_json::from_value::<IpAddress>(json!([])).is_ok());
    let details = json!({"id": "S", "name": "S", "details": []});
    assert_eq!(
        shape::check(&details, &shape::SERVER).unwrap_err(),
        "details: expected an object"
    );
}

#[test]
fn nesting_is_bounded() {
    // A group tree deeper than any real one, and a deeply nested error body: refused or skipped, no overflow.
    let mut group = json!({"id": "g", "name": "g"});
    for _ in 0..200 {
        group = json!({"id": "g", "name": "g", "groups": [group]});
    }
    let err = decode(200, Body::Json(group), &shape::GROUP).unwrap_err();
    assert!(err.message.ends_with("nests too deeply"), "{}", err.message);
    // (serde_json's own clone and drop recurse, so the native test stays at a depth they can take.)
    let mut deep = json!("deep message");
    for _ in 0..1_000 {
        deep = json!([deep]);
    }
    let err = decode(500, Body::Json(json!({ "message": deep })), &shape::STATUS).unwrap_err();
    assert_eq!(err.message, "HTTP 500 Internal Server Error");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn shapes_accept_exactly_what_serde_reads(
        operations in near(&shape::SERVER_OPERATIONS, 3),
        link in near(&shape::STATUS_LINK, 2),
        status in near(&shape::STATUS, 2),
        login in near(&shape::LOGIN, 2),
        server in near(&shape::SERVER, 4),
        group in near(&shape::GROUP, 4),
        data_center in near(&shape::DATA_CENTER, 3),
    ) {
        // The readers the JS edge uses give what serde gives.
        if let Some(read) = agree::<Vec<ServerOperation>>(&operations, &shape::SERVER_OPERATIONS)? {
            prop_assert_eq!(ServerOperation::read_list(&operations), read);
        }
        if let Some(read) = agree::<StatusLink>(&link, &shape::STATUS_LINK)? {
            prop_assert_eq!(StatusLink::read(&link), read);
        }
        if let Some(read) = agree::<LoginResponse>(&login, &shape::LOGIN)? {
            prop_assert_eq!(LoginResponse::read(&login).into_parts(), read.into_parts());
        }
        agree::<StatusResponse>(&status, &shape::STATUS)?;
        agree::<Server>(&server, &shape::SERVER)?;
        agree::<Group>(&group, &shape::GROUP)?;
        agree::<DataCenter>(&data_center, &shape::DATA_CENTER)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn duplicates_are_found_like_a_plain_search_would(ids in prop::collection::vec("[aAbB1]{1,3}", 1..40)) {
        // The earliest entry equal (ignoring ASCII case) to an earlier one, found the slow, obvious way.
        let expected = (0..ids.len()).find(|&i| ids[..i].iter().any(|e| e.eq_ignore_ascii_case(&ids[i])));
        match ServerIds::parse(&ids) {
            Ok(parsed) => {
                prop_assert_eq!(expected, None);
                prop_assert_eq!(parsed.len(), ids.len());
            }
            Err(e) => {
                let index = expected.expect("refused without a duplicate");
                prop_assert_eq!(&e.details[0].field, &format!("serverIds[{index}]"));
            }
        }
    }

    #[test]
    fn decoding_json_never_panics(status in any::<u16>(), value in json_value()) {
        decode_all(status, || Body::Json(value.clone()));
    }

    #[test]
    fn decoding_text_never_panics(status in any::<u16>(), text in ".{0,300}") {
        decode_all(status, || Body::not_json(&text));
        decode_all(status, || Body::Empty);
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            decode_all(status, || Body::Json(value.clone()));
        }
    }

    #[test]
    fn decoding_arbitrary_bytes_as_text_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        decode_all(502, || Body::not_json(&text));
    }

    #[test]
    fn validation_never_panics(text in "\\PC{0,40}|.{0,40}", number in any::<f64>()) {
        let _ = BaseUrl::parse(&text);
        let _ = AccountAlias::parse(&text);
        let _ = DataCenterId::parse(&text);
        let _ = ServerId::parse(&text);
        let _ = ServerIds::parse([&text, &text]);
        let _ = GroupId::parse(&text);
        let _ = StatusId::parse(&text);
        let _ = Credentials::new(&text, &text);
        let _ = SnapshotExpirationDays::from_f64(number);
    }

    #[test]
    fn errors_are_refusals_with_a_field(text in ".{0,40}") {
        for err in [ServerId::parse(&text).err(), GroupId::parse(&text).err(), StatusId::parse(&text).err()]
            .into_iter()
            .flatten()
        {
            prop_assert_eq!(err.details.len(), 1);
            prop_assert!(err.message.starts_with(&err.details[0].field));
        }
    }

    #[test]
    fn no_server_id_leaves_its_segment(id in "\\PC{1,40}|[./%?#\\\\ a-z]{1,12}") {
        if let Ok(server) = ServerId::parse(&id) {
            let url = requests().get_server(&server).into_data().url;
            let segs = segments(&url);
            prop_assert_eq!(segs.len(), 3, "{}", url);
            prop_assert_eq!(&segs[..2], &["servers".to_owned(), "ALIAS".to_owned()]);
            prop_assert_eq!(&segs[2], &id);
            prop_assert!(segs.iter().all(|s| s != ".." && s != "."));
            let raw_segments: Vec<&str> = url.split('/').collect();
            prop_assert!(!raw_segments.iter().any(|s| *s == ".." || s.eq_ignore_ascii_case("%2e%2e")));
        }
    }

    #[test]
    fn no_status_or_group_id_leaves_its_segment(id in "[a-zA-Z0-9._/-]{1,40}") {
        if let Ok(status) = StatusId::parse(&id) {
            let segs = segments(&requests().get_status(&status).url);
            prop_assert_eq!(segs, vec!["operations".to_owned(), "ALIAS".into(), "status".into(), id.clone()]);
        }
        if let Ok(group) = GroupId::parse(&id) {
            let segs = segments(&requests().archive_group(&group).url);
            prop_assert_eq!(segs, vec!["groups".to_owned(), "ALIAS".into(), id.clone(), "archive".into()]);
        }
    }

    #[test]
    fn batch_bodies_are_json_arrays_of_the_ids(ids in prop::collection::vec("\\PC{1,12}", 1..8)) {
        if let Ok(list) = ServerIds::parse(&ids) {
            let req = requests().archive_server(&list);
            let parsed: Vec<String> = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
            prop_assert_eq!(parsed, ids);
            prop_assert_eq!(segments(&req.url).len(), 4);
        }
    }
}

/// One change to a sorted table, applied alike to `clc_wasm::sorted` and to the std B-trees.
#[derive(Clone, Debug)]
enum TableOp {
    Insert(u8, u8),
    Remove(u8),
    TakeBelow(u8),
    RetainOdd,
}

fn table_ops() -> impl Strategy<Value = Vec<TableOp>> {
    prop::collection::vec(
        prop_oneof![
            4 => (any::<u8>(), any::<u8>()).prop_map(|(k, v)| TableOp::Insert(k, v)),
            2 => any::<u8>().prop_map(TableOp::Remove),
            1 => any::<u8>().prop_map(TableOp::TakeBelow),
            1 => Just(TableOp::RetainOdd),
        ],
        0..200,
    )
}

proptest! {
    #[test]
    fn sorted_tables_behave_like_the_btrees(ops in table_ops()) {
        use clc_wasm::sorted::{Map, Set};
        use std::collections::{BTreeMap, BTreeSet};
        let (mut map, mut map_model) = (Map::new(), BTreeMap::new());
        let (mut set, mut set_model) = (Set::new(), BTreeSet::new());
        for op in ops {
            match op {
                TableOp::Insert(k, v) => {
                    prop_assert_eq!(map.insert(k, v), map_model.insert(k, v));
                    prop_assert_eq!(set.insert(k), set_model.insert(k));
                }
                TableOp::Remove(k) => {
                    prop_assert_eq!(map.remove(&k), map_model.remove(&k));
                    prop_assert_eq!(set.remove(&k), set_model.remove(&k));
                }
                TableOp::TakeBelow(bound) => {
                    let taken = set.take_while(|k| *k < bound);
                    let rest = set_model.split_off(&bound);
                    prop_assert_eq!(taken, std::mem::replace(&mut set_model, rest).into_iter().collect::<Vec<_>>());
                }
                TableOp::RetainOdd => {
                    map.retain(|k, _| k % 2 == 1);
                    map_model.retain(|k, _| k % 2 == 1);
                    set.retain(|k| k % 2 == 1);
                    set_model.retain(|k| k % 2 == 1);
                }
            }
            prop_assert!(map.iter().map(|(k, v)| (*k, *v)).eq(map_model.iter().map(|(k, v)| (*k, *v))));
            prop_assert!(set.iter().eq(set_model.iter()));
            prop_assert_eq!(set.first(), set_model.first());
        }
    }
}
