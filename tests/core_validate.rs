#![cfg(not(target_arch = "wasm32"))]
//! Every validation rule, with good and bad inputs; each refusal names its field.

use clc_wasm::model::Credentials;
use clc_wasm::validate::*;
use clc_wasm::{Error, ErrorKind};

fn refused(result: Result<impl std::fmt::Debug, Error>, field: &str) {
    let err = result.expect_err("should be refused");
    assert_eq!(err.kind, ErrorKind::Validation);
    assert_eq!(err.details.len(), 1);
    assert_eq!(err.details[0].field, field);
    assert!(
        err.message.starts_with(&format!("{field}: ")),
        "{}",
        err.message
    );
    assert_eq!(err.status, None);
}

#[test]
fn base_urls() {
    for good in [
        "https://api.ctl.io",
        "https://api.ctl.io/",
        "http://127.0.0.1:8787",
        "http://[::1]:8787/prefix/",
        "https://proxy.example/clc",
    ] {
        assert!(BaseUrl::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "api.ctl.io",
        "/v2",
        "ftp://api.ctl.io",
        "https://",
        "https:///path",
        "https://:80",
        "https://api.ctl.io?x=1",
        "https://api.ctl.io/#frag",
        "https://user:pw@api.ctl.io",
        "https://api ctl.io",
        "https://api.ctl.io\n",
        "javascript:alert(1)",
    ] {
        refused(BaseUrl::parse(bad), "baseUrl");
    }
}

#[test]
fn account_aliases_and_data_centers() {
    for good in ["ALIAS", "RLS1", "a", "ABCDEFGHIJKLMNOP"] {
        assert!(AccountAlias::parse(good).is_ok(), "{good}");
        assert!(DataCenterId::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        "AL IAS",
        "AL/IAS",
        "..",
        "ABCDEFGHIJKLMNOPQ",
        "ALÏAS",
        "a-b",
    ] {
        refused(AccountAlias::parse(bad), "accountAlias");
        refused(DataCenterId::parse(bad), "dataCenter");
    }
}

#[test]
fn server_ids() {
    for good in ["WA1ALIASWB01", "wa1aliaswb01", "a.b-c_d", "…"] {
        assert!(ServerId::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        " ",
        "WA1 ALIAS",
        "tab\there",
        "nl\n",
        "nul\0",
        ".",
        "..",
        &"x".repeat(257),
    ] {
        refused(ServerId::parse(bad), "serverId");
    }
}

#[test]
fn server_id_lists() {
    let list = ServerIds::parse(["WA1ALIASWB01", "WA1ALIASWB02"]).unwrap();
    assert_eq!(list.len(), 2);
    assert!(!list.is_empty());
    let names: Vec<&str> = list.iter().map(ServerId::as_str).collect();
    assert_eq!(names, ["WA1ALIASWB01", "WA1ALIASWB02"]);

    refused(ServerIds::parse(Vec::<&str>::new()), "serverIds");
    refused(ServerIds::parse(["A", ""]), "serverIds[1]");
    refused(ServerIds::parse(["A", "B", "bad id"]), "serverIds[2]");
    // The service lower-cases names, so these are one server twice.
    refused(
        ServerIds::parse(["WA1ALIASWB01", "wa1aliaswb01"]),
        "serverIds[1]",
    );
    refused(ServerIds::parse(["A", "A"]), "serverIds[1]");
    let many: Vec<String> = (0..5000).map(|i| format!("WA1ALIAS{i:05}")).collect();
    assert_eq!(ServerIds::parse(&many).unwrap().len(), 5000);
}

#[test]
fn group_ids() {
    assert!(GroupId::parse("2a5c0b9662cf4fc8bf6180f139facdc0").is_ok());
    assert!(GroupId::parse("2A5C0B9662CF4FC8BF6180F139FACDC0").is_ok());
    for bad in [
        "",
        "2a5c0b9662cf4fc8bf6180f139facdc",
        "2a5c0b9662cf4fc8bf6180f139facdc00",
        "2a5c0b9662cf4fc8bf6180f139facdcg",
        "../../../../../../../../../../..",
        "2a5c0b9662cf4fc8bf6180f139facd/0",
    ] {
        refused(GroupId::parse(bad), "groupId");
    }
}

#[test]
fn status_ids() {
    for good in ["wa1-12345", "de1-81351", "a_b.c"] {
        assert!(StatusId::parse(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        ".",
        "..",
        "wa1/12345",
        "wa1 1",
        "wa1?x",
        "é",
        &"a".repeat(257),
    ] {
        refused(StatusId::parse(bad), "statusId");
    }
}

#[test]
fn snapshot_expiration_days() {
    for days in 1..=10 {
        assert_eq!(
            SnapshotExpirationDays::from_f64(f64::from(days))
                .unwrap()
                .get(),
            days as u8
        );
    }
    for bad in [
        0.0,
        11.0,
        2.5,
        -1.0,
        -0.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        10.000001,
    ] {
        refused(SnapshotExpirationDays::from_f64(bad), "expirationDays");
    }
    let err = SnapshotExpirationDays::not_a_number("a string");
    assert_eq!(err.details[0].field, "expirationDays");
    assert!(err.message.contains("not a string"), "{}", err.message);
}

#[test]
fn credentials() {
    assert!(Credentials::new("demo", "pw").is_ok());
    refused(Credentials::new("", "pw"), "username");
    refused(Credentials::new("demo", ""), "password");
    refused(Credentials::new("de\u{1}mo", "pw"), "username");
}
