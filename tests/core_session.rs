#![cfg(not(target_arch = "wasm32"))]
//! The session policies of the pure core: Retry-After, JWT expiry, result order, the request queue, the
//! single-flight token refresh, and checked tokens.

use proptest::prelude::*;

mod retry_after {
    use super::*;
    use clc_wasm::retry_after::{civil_from_days, days_from_civil, delay_ms, MAX_DELAY_MS};

    const DOC_MS: f64 = 784_111_777_000.0; // Sun, 06 Nov 1994 08:49:37 GMT

    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const LONG_DAYS: [&str; 7] = [
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
    ];

    /// The civil time of `seconds` since 1970, the slow way (year by year, month by month), so the test does
    /// not share the module's arithmetic: (year, month 0-11, day, hour, minute, second, weekday from Thursday).
    fn civil(seconds: i64) -> (i64, usize, i64, i64, i64, i64, usize) {
        let mut days = seconds.div_euclid(86_400);
        let weekday = days.rem_euclid(7) as usize;
        let rest = seconds.rem_euclid(86_400);
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let mut year = 1970;
        while days >= if leap(year) { 366 } else { 365 } {
            days -= if leap(year) { 366 } else { 365 };
            year += 1;
        }
        let lengths = [
            31,
            if leap(year) { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        let mut month = 0;
        while days >= lengths[month] {
            days -= lengths[month];
            month += 1;
        }
        (
            year,
            month,
            days + 1,
            rest / 3600,
            rest / 60 % 60,
            rest % 60,
            weekday,
        )
    }

    fn imf_fixdate(seconds: i64) -> String {
        let (y, mo, d, h, mi, s, wd) = civil(seconds);
        format!(
            "{}, {d:02} {} {y:04} {h:02}:{mi:02}:{s:02} GMT",
            DAYS[wd], MONTHS[mo]
        )
    }

    fn rfc850(seconds: i64) -> String {
        let (y, mo, d, h, mi, s, wd) = civil(seconds);
        let yy = y % 100;
        format!(
            "{}, {d:02}-{}-{yy:02} {h:02}:{mi:02}:{s:02} GMT",
            LONG_DAYS[wd], MONTHS[mo]
        )
    }

    fn asctime(seconds: i64) -> String {
        let (y, mo, d, h, mi, s, wd) = civil(seconds);
        format!(
            "{} {} {d:>2} {h:02}:{mi:02}:{s:02} {y:04}",
            DAYS[wd], MONTHS[mo]
        )
    }

    #[test]
    fn the_test_formatter_matches_the_rfc_example() {
        assert_eq!(imf_fixdate(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(rfc850(784_111_777), "Sunday, 06-Nov-94 08:49:37 GMT");
        assert_eq!(asctime(784_111_777), "Sun Nov  6 08:49:37 1994");
    }

    #[test]
    fn delta_seconds() {
        assert_eq!(delay_ms("0", DOC_MS), Some(0.0));
        assert_eq!(delay_ms("120", DOC_MS), Some(120_000.0));
        assert_eq!(delay_ms(" \t 007 ", f64::NAN), Some(7_000.0));
        assert_eq!(delay_ms("86400", DOC_MS), Some(MAX_DELAY_MS));
        assert_eq!(delay_ms("86401", DOC_MS), None, "more than a day is absurd");
        assert_eq!(delay_ms("99999999999999999999999", DOC_MS), None);
        for bad in [
            "", " ", "-1", "+1", "1.5", "1e3", "12 s", "１２", "0x10", "1 2",
        ] {
            assert_eq!(delay_ms(bad, DOC_MS), None, "{bad:?}");
        }
    }

    #[test]
    fn the_three_date_forms() {
        for date in [
            "Sun, 06 Nov 1994 08:49:47 GMT",
            "Sunday, 06-Nov-94 08:49:47 GMT",
            "Sun Nov  6 08:49:47 1994",
            " Sun, 06 Nov 1994 08:49:47 GMT\t",
        ] {
            assert_eq!(delay_ms(date, DOC_MS), Some(10_000.0), "{date:?}");
        }
        // A two-digit asctime day; the weekday is not held against the date (Nov 16 1994 was a Wednesday).
        for date in ["Wed Nov 16 08:49:37 1994", "Sun Nov 16 08:49:37 1994"] {
            assert_eq!(
                delay_ms(date, DOC_MS + 9.0 * 86_400_000.0),
                Some(86_400_000.0)
            );
        }
        // In the past: now.
        assert_eq!(delay_ms("Sun, 06 Nov 1994 08:49:36 GMT", DOC_MS), Some(0.0));
        assert_eq!(delay_ms("Thu, 01 Jan 1970 00:00:00 GMT", DOC_MS), Some(0.0));
        // More than a day ahead: absurd.
        assert_eq!(delay_ms("Tue, 08 Nov 1994 08:49:37 GMT", DOC_MS), None);
        // Leap days and leap seconds.
        let leap_day = days_from_civil(2024, 2, 29) as f64 * 86_400_000.0;
        assert_eq!(
            delay_ms("Thu, 29 Feb 2024 00:00:01 GMT", leap_day),
            Some(1000.0)
        );
        assert_eq!(
            delay_ms("Thu, 29 Feb 2024 00:00:60 GMT", leap_day),
            Some(60_000.0)
        );
        // No clock: a date cannot be placed.
        assert_eq!(delay_ms("Sun, 06 Nov 1994 08:49:47 GMT", f64::NAN), None);
        assert_eq!(
            delay_ms("Sun, 06 Nov 1994 08:49:47 GMT", f64::INFINITY),
            None
        );
    }

    #[test]
    fn malformed_dates() {
        for bad in [
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Tue, 29 Feb 2100 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:61 GMT",
            "Sun, 06 Nov 1994 08-49-37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sun Nov 06 08:49:37 94",
            "Sun Nov  6 08:49:37 1994 GMT",
            "Sun,  06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMTé",
            "Sun, 06 Nov 1994 08:49:+7 GMT",
        ] {
            assert_eq!(delay_ms(bad, DOC_MS - 1000.0), None, "{bad:?}");
        }
    }

    #[test]
    fn two_digit_years_are_at_most_fifty_years_ahead() {
        // Seen in 2060, "60" is 2060.
        let now = days_from_civil(2060, 1, 1) as f64 * 86_400_000.0;
        assert_eq!(
            delay_ms("Thursday, 01-Jan-60 00:00:05 GMT", now),
            Some(5000.0)
        );
        // Seen just before the turn of a century, "00" is the next year.
        let now = days_from_civil(2099, 12, 31) as f64 * 86_400_000.0;
        assert_eq!(
            delay_ms("Friday, 01-Jan-00 00:00:00 GMT", now),
            Some(86_400_000.0)
        );
        // A clock far off places the year far off, without overflowing.
        for now in [1e300, -1e300, f64::MAX, f64::MIN, 1e19, -1e19] {
            assert_eq!(
                delay_ms("Sunday, 06-Nov-94 08:49:37 GMT", now),
                None,
                "{now}"
            );
        }
        // "94" seen in 2026 is 1994, in the past.
        let now = days_from_civil(2026, 12, 2) as f64 * 86_400_000.0;
        assert_eq!(delay_ms("Sunday, 06-Nov-94 08:49:37 GMT", now), Some(0.0));
    }

    proptest! {
        #[test]
        fn never_panics(value in any::<String>(), now in any::<f64>()) {
            if let Some(delay) = delay_ms(&value, now) {
                prop_assert!((0.0..=MAX_DELAY_MS).contains(&delay));
            }
        }

        #[test]
        fn never_panics_on_near_dates(
            value in "[A-Za-z]{3,9},? [0-9 ]{1,2}[- ][A-Za-z]{3}[- ][0-9]{2,4} [0-9]{2}:[0-9]{2}:[0-9]{2}( GMT)?",
            now in any::<f64>(),
        ) {
            if let Some(delay) = delay_ms(&value, now) {
                prop_assert!((0.0..=MAX_DELAY_MS).contains(&delay));
            }
        }

        #[test]
        fn rfc850_dates_with_any_clock(seconds in 0i64..=253_402_300_799, now in any::<f64>()) {
            if let Some(delay) = delay_ms(&rfc850(seconds), now) {
                prop_assert!((0.0..=MAX_DELAY_MS).contains(&delay));
            }
        }

        #[test]
        fn a_formatted_date_parses_back(seconds in 0i64..=253_402_300_799, ahead in 0i64..=86_400_000) {
            let at = seconds * 1000;
            let now = (at - ahead) as f64;
            prop_assert_eq!(delay_ms(&imf_fixdate(seconds), now), Some(ahead as f64));
            prop_assert_eq!(delay_ms(&asctime(seconds), now), Some(ahead as f64));
            // Past dates are now.
            prop_assert_eq!(delay_ms(&imf_fixdate(seconds), (at + ahead) as f64), Some(0.0));
        }

        #[test]
        fn rfc850_dates_parse_back_near_now(seconds in 0i64..=253_402_300_799, ahead in 0i64..=86_400_000) {
            let now = (seconds * 1000 - ahead) as f64;
            prop_assert_eq!(delay_ms(&rfc850(seconds), now), Some(ahead as f64));
        }

        #[test]
        fn civil_dates_round_trip(days in -1_000_000i64..=3_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
            if days >= 0 {
                let (year, month, day, ..) = civil(days * 86_400);
                prop_assert_eq!((y, m as usize, i64::from(d)), (year, month + 1, day));
            }
        }
    }
}

mod jwt {
    use super::*;
    use clc_wasm::jwt::{claims_text, expires_at_ms};
    use serde_json::{json, Value};

    /// base64url without padding, written here so the test does not share the module's decoder.
    fn b64url(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }

    fn token(claims: &str) -> String {
        let header = b64url(br#"{"alg":"HS256","typ":"JWT"}"#);
        format!(
            "{header}.{}.{}",
            b64url(claims.as_bytes()),
            b64url(b"signature bytes")
        )
    }

    fn padded(text: &str) -> String {
        format!("{text}{}", "=".repeat((4 - text.len() % 4) % 4))
    }

    #[test]
    fn a_real_shaped_token() {
        let claims = r#"{"sub":"demo","exp":1700000000,"name":"Zoë ✓"}"#;
        let t = token(claims);
        assert_eq!(claims_text(&t).as_deref(), Some(claims));
        let value: Value = serde_json::from_str(&claims_text(&t).unwrap()).unwrap();
        assert_eq!(expires_at_ms(&value), Some(1_700_000_000_000.0));
    }

    #[test]
    fn padding_is_optional_but_must_be_right() {
        for claims in [r#"{"exp":1}"#, r#"{"exp":12}"#, r#"{"exp":123}"#] {
            let middle = b64url(claims.as_bytes());
            let with = padded(&middle);
            assert_eq!(
                claims_text(&format!("h.{middle}.s")).as_deref(),
                Some(claims)
            );
            assert_eq!(claims_text(&format!("h.{with}.s")).as_deref(), Some(claims));
            if with != middle {
                assert_eq!(
                    claims_text(&format!("h.{with}=.s")),
                    None,
                    "too much padding"
                );
            }
        }
        assert_eq!(claims_text("h.e30=.s").as_deref(), Some("{}"));
        assert_eq!(claims_text("h.e30==.s"), None);
        assert_eq!(claims_text("h.e3=0.s"), None);
    }

    #[test]
    fn what_is_not_a_jwt() {
        let middle = b64url(br#"{"exp":1}"#);
        for bad in [
            String::new(),
            "opaque-token".into(),
            format!("h.{middle}"),
            format!("h.{middle}.s.x"),
            "h..s".into(),
            "h.e30+.s".into(), // standard base64, not base64url
            "h.e3/0.s".into(),
            "h.e.s".into(), // one character is no whole byte
            format!("h.{}.s", b64url(&[0xff, 0xfe, 0x00])), // not UTF-8
        ] {
            assert_eq!(claims_text(&bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_exp_claim() {
        let exp = |v: Value| expires_at_ms(&v);
        assert_eq!(exp(json!({"exp": 0})), Some(0.0));
        assert_eq!(exp(json!({"exp": 1.5})), Some(1500.0));
        assert_eq!(
            exp(json!({"exp": 253_402_300_799_i64})),
            Some(253_402_300_799_000.0)
        );
        assert_eq!(exp(json!({"exp": 253_402_300_800_i64})), None);
        assert_eq!(exp(json!({"exp": -1})), None);
        assert_eq!(exp(json!({"exp": "1700000000"})), None);
        assert_eq!(exp(json!({"exp": null})), None);
        assert_eq!(exp(json!({"nbf": 1})), None);
        assert_eq!(exp(json!([1])), None);
        assert_eq!(exp(json!(1_700_000_000)), None);
    }

    proptest! {
        #[test]
        fn never_panics(text in any::<String>()) {
            if let Some(claims) = claims_text(&text) {
                prop_assert!(!claims.is_empty());
            }
        }

        #[test]
        fn any_claims_text_comes_back(claims in ".{1,200}", pad: bool) {
            let middle = b64url(claims.as_bytes());
            let middle = if pad { padded(&middle) } else { middle };
            prop_assert_eq!(claims_text(&format!("x.{middle}.y")), Some(claims));
        }
    }
}

mod order {
    use super::*;
    use clc_wasm::order::{request_order, Placed};

    fn pairs(placed: &[Placed]) -> Vec<(usize, Option<usize>)> {
        placed.iter().map(|p| (p.returned, p.requested)).collect()
    }

    #[test]
    fn lower_cased_and_reordered_answers_come_back_in_request_order() {
        let requested = ["WA1ALIASWB01", "WA1ALIASWB02", "WA1ALIASWB03"];
        let returned = ["wa1aliaswb03", "wa1aliaswb01", "wa1aliaswb02"];
        assert_eq!(
            pairs(&request_order(&requested, &returned)),
            [(1, Some(0)), (2, Some(1)), (0, Some(2))]
        );
    }

    #[test]
    fn duplicates_missing_and_extra_entries() {
        let requested = ["A", "B", "A", "C"];
        let returned = ["x", "a", "b", "a", "A"];
        assert_eq!(
            pairs(&request_order(&requested, &returned)),
            // The two requested "A"s take the first two "a"s; "C" has no answer; "x" and the third "A" are extra.
            [
                (1, Some(0)),
                (2, Some(1)),
                (3, Some(2)),
                (0, None),
                (4, None)
            ]
        );
        assert!(request_order(&["A"], &[]).is_empty());
        assert_eq!(
            pairs(&request_order(&[], &["a", "b"])),
            [(0, None), (1, None)]
        );
    }

    #[test]
    fn only_ascii_case_is_ignored() {
        // 'İ' lower-cases to "i̇" in Unicode; IDs are ASCII, so it must stay different from 'i'.
        assert_eq!(pairs(&request_order(&["İD"], &["id"])), [(0, None)]);
        assert_eq!(pairs(&request_order(&["ÉA"], &["Éa"])), [(0, Some(0))]);
    }

    #[test]
    fn five_thousand_ids() {
        let requested: Vec<String> = (0..5000).map(|i| format!("WA1ALIASWB{i:05}")).collect();
        let returned: Vec<String> = requested.iter().rev().map(|s| s.to_lowercase()).collect();
        let req: Vec<&str> = requested.iter().map(String::as_str).collect();
        let ret: Vec<&str> = returned.iter().map(String::as_str).collect();
        let placed = request_order(&req, &ret);
        assert_eq!(placed.len(), 5000);
        for (i, p) in placed.iter().enumerate() {
            assert_eq!((p.returned, p.requested), (4999 - i, Some(i)));
        }
    }

    /// One entry of a server operation's answer as text: its name plain, escaped or given twice, `links` there
    /// or not, spaces between the tokens or not.
    fn entry_text() -> impl Strategy<Value = String> {
        (
            "[a-cA-C]{1,2}",
            0..4u8,
            any::<bool>(),
            any::<bool>(),
            prop::sample::select(vec!["", " ", "\n  "]),
        )
            .prop_map(|(name, spelling, queued, links, sp)| {
                let server = match spelling {
                    0 | 1 => format!(r#""server"{sp}:{sp}"{name}""#),
                    2 => format!(r#""server":"\u0061{name}""#),
                    _ => format!(r#""server":"x","server":"{name}""#),
                };
                let links = if links {
                    format!(r#",{sp}"links":[{sp}{{"rel":"status","href":"/s/{name}","id":"i"}}]"#)
                } else {
                    String::new()
                };
                let message = if queued {
                    ""
                } else {
                    r#","errorMessage":"Not \"queued\"""#
                };
                format!(r#"{{{sp}{server},"isQueued":{queued}{links}{message}{sp}}}"#)
            })
    }

    /// What `in_request_order` must give, the slow way: the answer as serde_json values, `links` added where
    /// absent, in request order, each matched entry's (last) `server` as requested.
    fn reference(answer: &str, requested: &[String]) -> serde_json::Value {
        let serde_json::Value::Array(entries) = serde_json::from_str(answer).unwrap() else {
            panic!("not a list")
        };
        let req: Vec<&str> = requested.iter().map(String::as_str).collect();
        let names: Vec<String> = entries
            .iter()
            .map(|e| e["server"].as_str().unwrap().to_string())
            .collect();
        let ret: Vec<&str> = names.iter().map(String::as_str).collect();
        let placed = request_order(&req, &ret);
        serde_json::Value::Array(
            placed
                .iter()
                .map(|p| {
                    let mut entry = entries[p.returned].clone();
                    let fields = entry.as_object_mut().unwrap();
                    fields
                        .entry("links")
                        .or_insert_with(|| serde_json::json!([]));
                    if let Some(r) = p.requested {
                        fields.insert("server".into(), requested[r].clone().into());
                    }
                    entry
                })
                .collect(),
        )
    }

    proptest! {
        #[test]
        fn batches_come_back_as_the_reference_says(
            entries in prop::collection::vec(entry_text(), 0..12),
            requested in prop::collection::btree_set("[A-C]{1,2}", 1..12)
                .prop_map(|ids| ids.into_iter().collect::<Vec<_>>()),
            sp in prop::sample::select(vec!["", " ", "\n"]),
        ) {
            use clc_wasm::{order::in_request_order, parsed::parse_list, shape, validate::ServerIds};
            let answer = format!("[{sp}{}{sp}]", entries.join(&format!("{sp},{sp}")));
            let (value, items) = parse_list(&answer).unwrap();
            prop_assert!(shape::check(&&value, &shape::SERVER_OPERATIONS).is_ok());
            let ids = ServerIds::parse(requested.iter().map(String::as_str)).unwrap();
            let out = in_request_order(value, &items, &ids);
            let got: serde_json::Value = serde_json::from_str(&out).unwrap();
            prop_assert_eq!(got, reference(&answer, &requested));
        }
    }

    /// `in_request_order` copies each entry's text and adds what `fill` added at its end: right only while
    /// `fill` changes nothing inside an entry's fields, that is while no shape under an entry has an array
    /// that may be absent. The wasm's batch path (src/js/sender.rs) relies on the same, and on `links` being the
    /// only one at the top.
    #[test]
    fn fill_only_adds_fields_at_the_top_of_a_server_operation() {
        use clc_wasm::shape::{Presence, Shape, SERVER_OPERATION};
        fn none_inside(shape: &Shape) -> bool {
            match shape {
                Shape::List(item) => none_inside(item),
                Shape::Object(fields) => fields
                    .iter()
                    .all(|f| f.presence != Presence::EmptyIfAbsent && none_inside(&f.shape)),
                _ => true,
            }
        }
        let Shape::Object(fields) = &SERVER_OPERATION else {
            panic!("not an object")
        };
        assert!(fields.iter().all(|f| none_inside(&f.shape)));
        // And at the top, `links` is the one: the wasm's batch path fills only it (`Placement::without_links`).
        let absent: Vec<&str> = fields
            .iter()
            .filter(|f| f.presence == Presence::EmptyIfAbsent)
            .map(|f| f.name)
            .collect();
        assert_eq!(absent, ["links"]);
    }

    proptest! {
        #[test]
        fn every_returned_index_once(
            requested in prop::collection::vec("[a-cA-C]{1,2}", 0..20),
            returned in prop::collection::vec("[a-cA-C]{1,2}", 0..20),
        ) {
            let req: Vec<&str> = requested.iter().map(String::as_str).collect();
            let ret: Vec<&str> = returned.iter().map(String::as_str).collect();
            let placed = request_order(&req, &ret);
            let mut seen: Vec<usize> = placed.iter().map(|p| p.returned).collect();
            seen.sort_unstable();
            prop_assert_eq!(seen, (0..returned.len()).collect::<Vec<_>>());
            // Matches pair equal names, each requested index at most once and in increasing order, before
            // every unmatched entry.
            let matched: Vec<&Placed> = placed.iter().take_while(|p| p.requested.is_some()).collect();
            prop_assert!(placed[matched.len()..].iter().all(|p| p.requested.is_none()));
            for pair in matched.windows(2) {
                prop_assert!(pair[0].requested < pair[1].requested);
            }
            for p in &matched {
                let r = p.requested.unwrap();
                prop_assert!(requested[r].eq_ignore_ascii_case(&returned[p.returned]));
            }
            // Nothing that could have matched was left out: an unmatched entry's name has no requested ID
            // left over for it.
            for p in &placed[matched.len()..] {
                let name = returned[p.returned].to_ascii_lowercase();
                let asked = requested.iter().filter(|r| r.to_ascii_lowercase() == name).count();
                let taken = matched.iter().filter(|m| returned[m.returned].to_ascii_lowercase() == name).count();
                prop_assert_eq!(asked, taken);
            }
        }

        #[test]
        fn in_place_answers_pair_in_place(requested in prop::collection::vec("[a-cA-C]{1,2}", 0..20), flips: u32) {
            // Duplicates included: each still pairs with the entry at its own place (the first unused of its name).
            let returned: Vec<String> = requested
                .iter()
                .enumerate()
                .map(|(i, id)| if flips >> (i % 32) & 1 == 1 { id.to_ascii_uppercase() } else { id.to_ascii_lowercase() })
                .collect();
            let req: Vec<&str> = requested.iter().map(String::as_str).collect();
            let ret: Vec<&str> = returned.iter().map(String::as_str).collect();
            let expected: Vec<(usize, Option<usize>)> = (0..req.len()).map(|i| (i, Some(i))).collect();
            prop_assert_eq!(pairs(&request_order(&req, &ret)), expected.clone());
            // The same answer with one stray entry behind it goes the general way, to the same pairs.
            let mut longer = ret.clone();
            longer.push("zz");
            let mut with_stray = expected;
            with_stray.push((req.len(), None));
            prop_assert_eq!(pairs(&request_order(&req, &longer)), with_stray);
        }

        #[test]
        fn shuffled_lower_cased_answers_come_back(ids in prop::collection::hash_set("[A-Z0-9]{4,12}", 0..50), seed: u64) {
            let requested: Vec<String> = ids.into_iter().collect();
            // A permutation from the seed (a simple LCG shuffle).
            let mut order: Vec<usize> = (0..requested.len()).collect();
            let mut state = seed;
            for i in (1..order.len()).rev() {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                order.swap(i, (state >> 33) as usize % (i + 1));
            }
            let returned: Vec<String> = order.iter().map(|&i| requested[i].to_lowercase()).collect();
            let req: Vec<&str> = requested.iter().map(String::as_str).collect();
            let ret: Vec<&str> = returned.iter().map(String::as_str).collect();
            let placed = request_order(&req, &ret);
            prop_assert_eq!(placed.len(), requested.len());
            for (i, p) in placed.iter().enumerate() {
                prop_assert_eq!(p.requested, Some(i));
                prop_assert_eq!(&returned[p.returned], &requested[i].to_lowercase());
            }
        }
    }
}

mod queue {
    use super::*;
    use clc_wasm::queue::{Access, RequestQueue, Ticket, DEFAULT_MAX_CONCURRENT};
    use clc_wasm::retry_after::delay_ms;
    use clc_wasm::ErrorKind;
    use Access::{Read, Write};

    #[test]
    fn requests_start_in_line_order() {
        let mut q = RequestQueue::default();
        let tickets: Vec<Ticket> = [Read, Write, Read].into_iter().map(|a| q.push(a)).collect();
        assert_eq!((q.waiting(), q.in_flight()), (3, 0));
        assert_eq!(q.start(0.0), tickets);
        assert_eq!((q.waiting(), q.in_flight()), (0, 3));
        assert_eq!(q.start(0.0), [], "nothing starts twice");
        assert_eq!(DEFAULT_MAX_CONCURRENT, RequestQueue::DEFAULT_MAX_CONCURRENT);
        assert_eq!(DEFAULT_MAX_CONCURRENT, 6);
    }

    #[test]
    fn at_most_max_in_flight() {
        let mut q = RequestQueue::new(2);
        let t: Vec<Ticket> = (0..5).map(|_| q.push(Read)).collect();
        assert_eq!(q.start(0.0), t[..2]);
        assert_eq!(q.start(0.0), []);
        assert_eq!((q.waiting(), q.in_flight()), (3, 2));
        q.finish(t[1]);
        assert_eq!(q.start(0.0), [t[2]]);
        q.finish(t[0]);
        q.finish(t[2]);
        assert_eq!(q.start(0.0), t[3..]);
        // Zero would never move: it counts as one.
        let mut q = RequestQueue::new(0);
        let (a, _) = (q.push(Write), q.push(Write));
        assert_eq!(q.start(0.0), [a]);
    }

    #[test]
    fn places_taken_outside_count_against_the_limit() {
        // The JS fast path's calls: the queue does not start them, but they hold places.
        let mut q = RequestQueue::new(3);
        q.set_outside(2);
        let t: Vec<Ticket> = (0..3).map(|_| q.push(Write)).collect();
        assert_eq!(q.start(0.0), [t[0]], "one place left");
        assert_eq!(q.start_now(Write), None);
        q.set_outside(1); // one outside call ended
        assert_eq!(q.start(0.0), [t[1]]);
        // One outside call handed over to the queue: the same places taken, now one inside.
        q.set_outside(0);
        let adopted = q.adopt(Write);
        assert_eq!((q.waiting(), q.in_flight()), (1, 3));
        assert_eq!(q.start(0.0), []);
        q.finish(adopted);
        assert_eq!(q.start(0.0), [t[2]]);
        // A paused read's timer is only wanted while a place is free, outside places counted.
        let mut q = RequestQueue::new(1);
        let r = q.push(Read);
        assert_eq!(q.start(0.0), [r]);
        q.requeue(r);
        q.pause_reads(10.0);
        assert_eq!(q.next_timeout(), Some(10.0));
        q.set_outside(1);
        assert_eq!(q.next_timeout(), None);
        q.set_outside(0);
        assert_eq!(q.start(10.0), [r]);
    }

    #[test]
    fn cancelling_a_waiting_request_frees_nothing_in_flight() {
        let mut q = RequestQueue::new(1);
        let (a, b, c) = (q.push(Read), q.push(Write), q.push(Read));
        assert_eq!(q.start(0.0), [a]);
        q.finish(b); // cancelled while waiting: it leaves at once
        assert_eq!((q.waiting(), q.in_flight()), (1, 1));
        assert_eq!(q.start(0.0), [], "a is still in flight");
        q.finish(b);
        q.finish(b); // idempotent
        let foreign = RequestQueue::new(1).push(Read);
        let mut other = RequestQueue::new(1);
        for _ in 0..10 {
            other.push(Read);
        }
        q.finish(other.push(Read)); // unknown here
        assert_eq!((q.waiting(), q.in_flight()), (1, 1));
        q.finish(a);
        assert_eq!(q.start(0.0), [c]);
        q.finish(foreign); // the same number as a, already finished: ignored
        assert_eq!((q.waiting(), q.in_flight()), (0, 1));
    }

    #[test]
    fn a_requeued_read_keeps_its_place_at_the_front() {
        let mut q = RequestQueue::new(2);
        let t: Vec<Ticket> = (0..4).map(|_| q.push(Read)).collect();
        assert_eq!(q.start(0.0), t[..2]);
        // Both get a 429, the later one first: each goes back where it was.
        q.requeue(t[1]);
        q.requeue(t[0]);
        assert_eq!(q.in_flight(), 0);
        assert_eq!(q.start(0.0), t[..2]);
        q.requeue(t[1]);
        assert_eq!(q.start(0.0), [t[1]], "ahead of t[2], which came later");
        // Only in-flight reads go back.
        q.requeue(t[3]);
        assert_eq!((q.waiting(), q.in_flight()), (2, 2));
        let w = q.push(Write);
        q.finish(t[0]);
        q.finish(t[1]);
        assert_eq!(q.start(0.0), t[2..]);
        q.finish(t[2]);
        assert_eq!(q.start(0.0), [w]);
        q.requeue(w); // a POST is never resent
        assert_eq!((q.waiting(), q.in_flight()), (0, 2));
    }

    #[test]
    fn pauses_from_both_retry_after_forms() {
        let now = 784_111_777_000.0; // Sun, 06 Nov 1994 08:49:37 GMT
        for header in ["3", "Sun, 06 Nov 1994 08:49:40 GMT"] {
            let mut q = RequestQueue::new(4);
            let (a, b) = (q.push(Read), q.push(Read));
            assert_eq!(q.start(now), [a, b]);
            q.requeue(a);
            q.pause_reads(now + delay_ms(header, now).unwrap());
            assert_eq!(q.start(now + 10.0), [], "{header}");
            assert_eq!(q.next_timeout(), Some(now + 3000.0), "{header}");
            let c = q.push(Read);
            assert_eq!(q.start(now + 2999.0), []);
            assert_eq!(q.start(now + 3000.0), [a, c]);
            assert_eq!(q.next_timeout(), None, "no read waits");
        }
    }

    #[test]
    fn the_latest_pause_holds() {
        let mut q = RequestQueue::new(1);
        let r = q.push(Read);
        q.pause_reads(5000.0);
        q.pause_reads(1000.0);
        q.pause_reads(f64::NAN);
        assert_eq!(q.start(4999.0), []);
        assert_eq!(q.next_timeout(), Some(5000.0));
        assert_eq!(
            q.start(f64::NAN),
            [],
            "no clock is no reason to stop pausing"
        );
        assert_eq!(q.start(5000.0), [r]);
    }

    #[test]
    fn writes_pass_a_paused_read() {
        let mut q = RequestQueue::new(2);
        let r = q.push(Read);
        assert_eq!(q.start(0.0), [r]);
        q.requeue(r);
        q.pause_reads(1000.0);
        let (w, r2, w2) = (q.push(Write), q.push(Read), q.push(Write));
        assert_eq!(q.start(0.0), [w, w2]);
        assert_eq!(q.next_timeout(), None, "no slot is free for the read");
        q.finish(w);
        assert_eq!(q.next_timeout(), Some(1000.0));
        assert_eq!(q.start(1000.0), [r]);
        q.finish(w2);
        assert_eq!(q.start(1000.0), [r2]);
    }

    #[test]
    fn max_concurrent_option() {
        for ok in [1.0, 6.0, 1000.0] {
            assert_eq!(RequestQueue::max_concurrent(ok), Ok(ok as usize));
        }
        for bad in [0.0, -1.0, 1.5, 1001.0, f64::NAN, f64::INFINITY, -0.0, 1e300] {
            let err = RequestQueue::max_concurrent(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Validation);
            assert_eq!(err.details[0].field, "maxConcurrent");
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        Push(bool),
        Start(u16),
        Finish(usize),
        Requeue(usize),
        Pause(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => any::<bool>().prop_map(Op::Push),
            3 => any::<u16>().prop_map(Op::Start),
            2 => any::<usize>().prop_map(Op::Finish),
            1 => any::<usize>().prop_map(Op::Requeue),
            1 => any::<u16>().prop_map(Op::Pause),
        ]
    }

    proptest! {
        #[test]
        fn the_limit_holds_under_any_sequence(max in 0usize..5, ops in prop::collection::vec(op(), 0..200)) {
            let mut q = RequestQueue::new(max);
            let limit = max.max(1);
            let mut now = 0.0;
            let mut latest_pause = f64::NEG_INFINITY;
            let mut tickets: Vec<(Ticket, Access)> = Vec::new();
            let mut done = std::collections::BTreeSet::new();
            for op in ops {
                match op {
                    Op::Push(read) => {
                        let access = if read { Read } else { Write };
                        tickets.push((q.push(access), access));
                    }
                    Op::Start(step) => {
                        now += f64::from(step);
                        let started = q.start(now);
                        prop_assert!(started.windows(2).all(|w| w[0] < w[1]), "line order");
                        for t in &started {
                            let access = tickets.iter().find(|(k, _)| k == t).map(|(_, a)| *a);
                            if access == Some(Read) {
                                prop_assert!(now >= latest_pause, "a read started during a pause");
                            }
                            prop_assert!(!done.contains(t));
                        }
                    }
                    Op::Finish(i) if !tickets.is_empty() => {
                        let t = tickets[i % tickets.len()].0;
                        q.finish(t);
                        done.insert(t);
                    }
                    Op::Requeue(i) if !tickets.is_empty() => q.requeue(tickets[i % tickets.len()].0),
                    Op::Pause(ms) => {
                        let until = now + f64::from(ms);
                        latest_pause = latest_pause.max(until);
                        q.pause_reads(until);
                    }
                    _ => {}
                }
                prop_assert!(q.in_flight() <= limit);
                prop_assert_eq!(q.in_flight() + q.waiting(), tickets.len() - done.len());
            }
        }
    }

    proptest! {
        /// The fast path's start is the queue's own, never a different outcome: whenever `start_now` gives a
        /// ticket, a push and a start (at any time) would have started that ticket and no other.
        #[test]
        fn start_now_is_a_push_and_start(
            max in 0usize..4,
            ops in prop::collection::vec(op(), 0..120),
            read: bool,
            late in any::<u16>(),
        ) {
            let mut q = RequestQueue::new(max);
            let mut tickets = Vec::new();
            let mut now = 0.0;
            for op in ops {
                match op {
                    Op::Push(read) => tickets.push(q.push(if read { Read } else { Write })),
                    Op::Start(step) => {
                        now += f64::from(step);
                        q.start(now);
                    }
                    Op::Finish(i) if !tickets.is_empty() => q.finish(tickets[i % tickets.len()]),
                    Op::Requeue(i) if !tickets.is_empty() => q.requeue(tickets[i % tickets.len()]),
                    Op::Pause(ms) => q.pause_reads(now + f64::from(ms)),
                    _ => {}
                }
            }
            let access = if read { Read } else { Write };
            let mut queued = q.clone();
            let before = (q.in_flight(), q.waiting());
            match q.start_now(access) {
                Some(ticket) => {
                    let pushed = queued.push(access);
                    prop_assert_eq!(pushed, ticket);
                    prop_assert_eq!(queued.start(now + f64::from(late)), vec![ticket]);
                    prop_assert_eq!((q.in_flight(), q.waiting()), (before.0 + 1, 0));
                }
                None => prop_assert_eq!((q.in_flight(), q.waiting()), before, "a refusal changes nothing"),
            }
        }
    }
}

mod refresh {
    use clc_wasm::refresh::{OnUnauthorized, Refresh};
    use OnUnauthorized::*;

    #[test]
    fn five_concurrent_401s_refresh_once() {
        let mut r = Refresh::new();
        let sent_with = r.generation();
        let answers: Vec<OnUnauthorized> = (0..5)
            .map(|_| r.on_unauthorized(sent_with, false, true))
            .collect();
        assert_eq!(answers, [Refresh, Join, Join, Join, Join]);
        assert!(r.refreshing());
        assert_eq!(r.on_refreshed(), 1);
        assert!(!r.refreshing());
        assert_eq!(r.generation(), 1);
    }

    #[test]
    fn a_request_sent_with_an_old_token_is_resent() {
        let mut r = Refresh::new();
        let old = r.generation();
        assert_eq!(r.on_unauthorized(old, false, true), Refresh);
        let new = r.on_refreshed();
        // A request that was in flight with the old token comes back 401 after the refresh.
        assert_eq!(r.on_unauthorized(old, false, true), Resend);
        assert_eq!(
            r.on_unauthorized(old, false, false),
            Resend,
            "no refresh needed"
        );
        assert!(!r.refreshing());
        // With the current token, it is a new refusal.
        assert_eq!(r.on_unauthorized(new, false, true), Refresh);
    }

    #[test]
    fn a_second_401_after_a_resend_fails() {
        let mut r = Refresh::new();
        let g = r.generation();
        assert_eq!(r.on_unauthorized(g, false, true), Refresh);
        let g = r.on_refreshed();
        assert_eq!(r.on_unauthorized(g, true, true), Fail);
        assert!(!r.refreshing(), "a failed resend starts no refresh");
        assert_eq!(r.on_unauthorized(0, true, true), Fail);
    }

    #[test]
    fn without_a_way_to_refresh_a_401_fails() {
        let mut r = Refresh::new();
        assert_eq!(r.on_unauthorized(0, false, false), Fail);
        assert!(!r.refreshing());
        // But a refresh under way (started by a request that could) is joined.
        assert_eq!(r.on_unauthorized(0, false, true), Refresh);
        assert_eq!(r.on_unauthorized(0, false, false), Join);
    }

    #[test]
    fn a_failed_refresh_then_a_later_success() {
        let mut r = Refresh::new();
        assert_eq!(r.on_unauthorized(0, false, true), Refresh);
        assert_eq!(r.on_unauthorized(0, false, true), Join);
        r.on_refresh_failed();
        assert!(!r.refreshing());
        assert_eq!(r.generation(), 0, "no new token");
        assert_eq!(
            r.on_unauthorized(0, false, true),
            Refresh,
            "a later 401 tries again"
        );
        assert_eq!(r.on_refreshed(), 1);
        assert_eq!(r.on_unauthorized(0, false, true), Resend);
    }
}

mod token {
    use super::*;
    use clc_wasm::model::Token;
    use clc_wasm::ErrorKind;

    #[test]
    fn what_a_header_can_carry() {
        for ok in [
            "t",
            "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
            "abc+/=_-~",
            "caf\u{e9}\u{ff}",
        ] {
            assert_eq!(Token::parse(ok).unwrap().expose(), ok);
        }
        for bad in [
            "",
            " ",
            "secret token",
            " secret",
            "secret\n",
            "sec\tret",
            "sec\u{0}ret",
            "sec\u{7f}ret",
            "sec\u{85}ret",
            "sec\u{a0}ret",
            "sec\u{100}ret",
            "sec\u{2028}ret",
            "sec€ret",
            "sec😀ret",
        ] {
            let err = Token::parse(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Validation, "{bad:?}");
            assert_eq!(err.details[0].field, "token");
            if !bad.trim().is_empty() {
                let shown = format!("{err:?}{err}");
                assert!(!shown.contains("sec") && !shown.contains("ret"), "{shown}");
            }
        }
    }

    proptest! {
        #[test]
        fn accepted_tokens_are_latin1_printable(value in any::<String>()) {
            match Token::parse(&value) {
                Ok(token) => {
                    prop_assert_eq!(token.expose(), value.as_str());
                    prop_assert!(!value.is_empty());
                    prop_assert!(value.chars().all(|c| (c as u32) <= 0xFF && !c.is_control() && !c.is_whitespace()));
                }
                Err(err) => {
                    prop_assert_eq!(err.details[0].field.as_str(), "token");
                    if value.chars().count() >= 10 {
                        prop_assert!(!err.message.contains(value.as_str()));
                    }
                }
            }
        }
    }
}
