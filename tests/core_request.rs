#![cfg(not(target_arch = "wasm32"))]
//! Every request builder against the API documents' examples and the facts seen on the wire.

use clc_wasm::model::{Credentials, Token};
use clc_wasm::request::{self, ApiRequest, Method, Requests, ServerOp};
use clc_wasm::validate::*;

fn requests(base: &str) -> Requests {
    Requests::new(
        BaseUrl::parse(base).unwrap(),
        Token::new("tok-123".into()),
        AccountAlias::parse("ALIAS").unwrap(),
    )
}

fn ids(list: &[&str]) -> ServerIds {
    ServerIds::parse(list).unwrap()
}

fn headers(req: &ApiRequest) -> Vec<(&str, &str)> {
    req.headers.iter().map(|(k, v)| (*k, &**v)).collect()
}

const DOC_IDS: [&str; 2] = ["WA1ALIASWB01", "WA1ALIASWB02"];

#[test]
fn login_matches_the_document() {
    let base = BaseUrl::parse("https://api.ctl.io").unwrap();
    let req = request::login(&base, &Credentials::new("steve", "p@ss\"word").unwrap());
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://api.ctl.io/v2/authentication/login");
    assert_eq!(
        headers(&req),
        [
            ("Accept", "application/json"),
            ("Content-Type", "application/json")
        ]
    );
    assert_eq!(
        req.body.as_deref(),
        Some(r#"{"username":"steve","password":"p@ss\"word"}"#)
    );
    let body: serde_json::Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["password"], "p@ss\"word");
}

#[test]
fn the_four_seed_operations_match_their_documents() {
    let r = requests("https://api.ctl.io");
    let list = ids(&DOC_IDS);
    let cases = [
        (r.archive_server(&list), "archive"),
        (r.shut_down_server(&list), "shutDown"),
        (r.reset_server(&list), "reset"),
    ];
    for (req, op) in cases {
        assert_eq!(req.method, Method::Post);
        assert_eq!(
            req.url,
            format!("https://api.ctl.io/v2/operations/ALIAS/servers/{op}")
        );
        assert_eq!(
            req.body.as_deref(),
            Some(r#"["WA1ALIASWB01","WA1ALIASWB02"]"#)
        );
        assert_eq!(
            headers(&req),
            [
                ("Accept", "application/json"),
                ("Content-Type", "application/json"),
                ("Authorization", "Bearer tok-123")
            ]
        );
    }
}

#[test]
fn create_snapshot_sends_the_days_as_an_integer() {
    let r = requests("https://api.ctl.io");
    let days = SnapshotExpirationDays::from_f64(7.0).unwrap();
    let req = r.create_snapshot(&ids(&DOC_IDS), days);
    assert_eq!(
        req.url,
        "https://api.ctl.io/v2/operations/ALIAS/servers/createSnapshot"
    );
    assert_eq!(
        req.body.as_deref(),
        Some(r#"{"snapshotExpirationDays":7,"serverIds":["WA1ALIASWB01","WA1ALIASWB02"]}"#)
    );
}

#[test]
fn every_batch_operation_has_its_path() {
    let r = requests("https://api.ctl.io");
    let list = ids(&["A"]);
    let all = [
        (ServerOp::Archive, r.archive_server(&list)),
        (ServerOp::ShutDown, r.shut_down_server(&list)),
        (ServerOp::Reset, r.reset_server(&list)),
        (ServerOp::PowerOn, r.power_on_server(&list)),
        (ServerOp::PowerOff, r.power_off_server(&list)),
        (ServerOp::Pause, r.pause_server(&list)),
        (ServerOp::Reboot, r.reboot_server(&list)),
        (ServerOp::StartMaintenance, r.start_maintenance(&list)),
        (ServerOp::StopMaintenance, r.stop_maintenance(&list)),
    ];
    let segments: Vec<&str> = all.iter().map(|(op, _)| op.path_segment()).collect();
    assert_eq!(
        segments,
        [
            "archive",
            "shutDown",
            "reset",
            "powerOn",
            "powerOff",
            "pause",
            "reboot",
            "startMaintenance",
            "stopMaintenance"
        ]
    );
    for (op, req) in all {
        assert_eq!(req, r.server_operation(op, &list));
        assert!(req
            .url
            .ends_with(&format!("/servers/{}", op.path_segment())));
    }
}

#[test]
fn archive_group_posts_without_a_body() {
    let r = requests("https://api.ctl.io");
    let req = r.archive_group(&GroupId::parse("2a5c0b9662cf4fc8bf6180f139facdc0").unwrap());
    assert_eq!(req.method, Method::Post);
    assert_eq!(
        req.url,
        "https://api.ctl.io/v2/groups/ALIAS/2a5c0b9662cf4fc8bf6180f139facdc0/archive"
    );
    assert_eq!(req.body, None);
    assert_eq!(req.header("content-type"), None);
    assert_eq!(req.header("authorization"), Some("Bearer tok-123"));
}

#[test]
fn reads_are_gets_with_the_token() {
    let r = requests("https://api.ctl.io/");
    let cases = [
        (
            r.get_status(&StatusId::parse("wa1-12345").unwrap()),
            "https://api.ctl.io/v2/operations/ALIAS/status/wa1-12345",
        ),
        (
            r.get_server(&ServerId::parse("WA1ALIASWB01").unwrap()),
            "https://api.ctl.io/v2/servers/ALIAS/WA1ALIASWB01",
        ),
        (
            r.get_group(&GroupId::parse("2a5c0b9662cf4fc8bf6180f139facdc0").unwrap()),
            "https://api.ctl.io/v2/groups/ALIAS/2a5c0b9662cf4fc8bf6180f139facdc0",
        ),
        (
            r.get_data_center(&DataCenterId::parse("WA1").unwrap()),
            "https://api.ctl.io/v2/datacenters/ALIAS/WA1?groupLinks=true",
        ),
    ];
    for (req, url) in cases {
        assert_eq!(req.method, Method::Get);
        assert_eq!(req.url, url);
        assert_eq!(req.body, None);
        assert_eq!(
            headers(&req),
            [
                ("Accept", "application/json"),
                ("Authorization", "Bearer tok-123")
            ]
        );
    }
}

#[test]
fn base_url_keeps_a_path_prefix_and_drops_trailing_slashes() {
    for base in [
        "http://127.0.0.1:8787",
        "http://127.0.0.1:8787/",
        "http://127.0.0.1:8787///",
    ] {
        let req = requests(base).get_status(&StatusId::parse("wa1-1").unwrap());
        assert_eq!(
            req.url,
            "http://127.0.0.1:8787/v2/operations/ALIAS/status/wa1-1"
        );
    }
    let req = requests("https://proxy.example/clc/").reset_server(&ids(&["A"]));
    assert_eq!(
        req.url,
        "https://proxy.example/clc/v2/operations/ALIAS/servers/reset"
    );
}

#[test]
fn path_segments_are_percent_encoded() {
    let r = requests("https://api.ctl.io");
    let req = r.get_server(&ServerId::parse("a/b?c#d%e").unwrap());
    assert_eq!(
        req.url,
        "https://api.ctl.io/v2/servers/ALIAS/a%2Fb%3Fc%23d%25e"
    );
    let req = r.get_server(&ServerId::parse("..%2F..").unwrap());
    assert_eq!(req.url, "https://api.ctl.io/v2/servers/ALIAS/..%252F..");
    let req = r.get_server(&ServerId::parse("é").unwrap());
    assert_eq!(req.url, "https://api.ctl.io/v2/servers/ALIAS/%C3%A9");
}

#[test]
fn bodies_escape_what_json_requires() {
    let r = requests("https://api.ctl.io");
    let req = r.archive_server(&ids(&["a\"b", "c\\d", "é€"]));
    let body = req.into_data().body.unwrap();
    assert_eq!(body, r#"["a\"b","c\\d","é€"]"#);
    let parsed: Vec<String> = serde_json::from_str(&body).unwrap();
    assert_eq!(parsed, ["a\"b", "c\\d", "é€"]);
    let creds = Credentials::new("u", "tab\u{7f}?").unwrap_err();
    assert_eq!(creds.details[0].field, "password");
}

#[test]
fn debug_output_never_shows_the_token_or_the_password() {
    let r = requests("https://api.ctl.io");
    let req = r.get_status(&StatusId::parse("wa1-1").unwrap());
    let shown = format!("{req:?} {r:?}");
    assert!(!shown.contains("tok-123"), "{shown}");
    assert!(shown.contains("Bearer <redacted>"));
    let base = BaseUrl::parse("https://api.ctl.io").unwrap();
    let creds = Credentials::new("demo", "hunter2").unwrap();
    let login = request::login(&base, &creds);
    let shown = format!("{login:?} {creds:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

mod id_array {
    use super::*;
    use clc_wasm::request::IdArray;
    use proptest::prelude::*;

    /// IDs from pieces that are plain and pieces that are not (quotes, escapes, spaces, controls, non-ASCII, dots,
    /// letters that fold), so that lists of both kinds come up, and repeats in another case.
    fn id() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[!#-\\[\\]-~]{1,12}",
            1 => Just("WA1ALIASWB01".to_owned()),
            1 => Just("wa1aliaswb01".to_owned()),
            1 => prop::sample::select(vec![
                ".", "..", "\"", "\\", " ", "\t", "\u{7f}", "\u{0}", "é", "\u{212a}", "k", "K", "😀", "\u{2028}",
            ])
            .prop_map(str::to_owned),
            1 => Just("W".repeat(250)),
        ];
        prop::collection::vec(piece, 0..3).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]

        /// `plain` takes a list as JSON.stringify writes it (serde_json writes these the same), or joined with
        /// nothing escaped (accepted.js's idsText), only when the full check accepts it and writes the same text;
        /// and it takes every list of plain IDs.
        #[test]
        fn plain_agrees_with_the_full_check(list in prop::collection::vec(id(), 0..6), joined: bool) {
            let text = if joined {
                format!("[\"{}\"]", list.join("\",\""))
            } else {
                serde_json::to_string(&list).unwrap()
            };
            let full = ServerIds::parse(&list);
            match IdArray::plain(text.clone(), list.len()) {
                Some(array) => {
                    prop_assert_eq!(array.as_str(), text.as_str());
                    let written = IdArray::new(&full.expect("the full check accepts it"));
                    prop_assert_eq!(written.as_str(), text.as_str());
                }
                None => {
                    let plain = list.iter().all(|id| {
                        id.bytes().all(|b| (b'!'..=b'~').contains(&b) && b != b'"' && b != b'\\')
                    });
                    prop_assert!(!(plain && full.is_ok()), "a plain list the full check accepts was declined: {}", text);
                }
            }
        }

        /// Any text at all: `plain` never panics, and what it takes is a list the full check accepts, written alike.
        #[test]
        fn plain_takes_only_what_the_full_check_writes(
            text in "[\\[\\]\",a-cA-C.\\\\ é]{0,24}",
            count in 0..6usize,
        ) {
            if let Some(array) = IdArray::plain(text.clone(), count) {
                let list: Vec<String> = serde_json::from_str(&text).expect("plain took a JSON array of strings");
                prop_assert_eq!(list.len(), count);
                let ids = ServerIds::parse(&list).expect("the full check accepts it");
                let written = IdArray::new(&ids);
                prop_assert_eq!(written.as_str(), array.as_str());
            }
        }
    }

    #[test]
    fn plain_declines_by_each_rule() {
        let w256 = "W".repeat(256);
        let taken = [
            "[\"WA1ALIASWB01\"]".to_owned(),
            format!("[\"{w256}\"]"),
            "[\"a\",\"b\",\"...\"]".into(),
        ];
        for text in taken {
            let count = text.matches("\",\"").count() + 1;
            assert!(IdArray::plain(text.clone(), count).is_some(), "{text}");
            assert!(IdArray::plain(text.clone(), count + 1).is_none(), "{text}");
        }
        let w257 = "W".repeat(257);
        for text in [
            "[]",
            "[\"\"]",
            "[\".\"]",
            "[\"a\",\"..\"]",
            "[\"a\",\"A\"]",
            "[\"a b\"]",
            "[\"a\\\"b\"]",
            "[\"a\\\\b\"]",
            "[\"é\"]",
            "[\"a\", \"b\"]",
            "[\"a\",,\"b\"]",
            "[\"a\"]x",
            "[\"a\"",
            "\"a\"",
            "[\"a\",1]",
            "[\"a\"\"b\"]",
            "[\"a\",\"\"]",
            &format!("[\"{w257}\"]"),
        ] {
            let count = text.matches("\",\"").count() + 1;
            assert!(IdArray::plain(text.to_owned(), count).is_none(), "{text}");
        }
    }
}
