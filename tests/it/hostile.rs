//! A hostile-input sweep through the real HTTP routes: every request gets a
//! clean 4xx or a clear user error, nothing is half-stored, and the service
//! stays up. Plus property tests of the parsers and the signature check.

use crate::common::*;
use proptest::prelude::*;
use serde_json::{json, Value};
use staffloop::handlers::Command;
use staffloop::slack::payload::{EventDelivery, Interaction, SlashCommand};
use staffloop::slack::verify::{sign, verify};

async fn still_healthy(app: &TestApp) {
    let r = app
        .http
        .get(format!("{}/healthz", app.ops))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn hostile_requests_get_clean_answers_and_store_nothing() {
    let app = TestApp::spawn().await;
    let form = "application/x-www-form-urlencoded";
    let json_ct = "application/json";
    let payload = |v: Value| serde_urlencoded::to_string([("payload", v.to_string())]).unwrap();
    let cases: Vec<(&str, &str, Vec<u8>, u16)> = vec![
        ("/slack/commands", form, b"%%%&&&==".to_vec(), 400),
        ("/slack/commands", form, vec![0xff, 0xfe, 0x00, 0x01], 400),
        ("/slack/interactions", form, b"payload=".to_vec(), 400),
        ("/slack/interactions", form, b"payload=%7B%22type%22%3A".to_vec(), 400),
        ("/slack/interactions", form, payload(json!({"type": 42})).into_bytes(), 400),
        ("/slack/interactions", form, payload(json!({"type": "block_actions"})).into_bytes(), 400),
        ("/slack/interactions", form, payload(json!([1, 2, 3])).into_bytes(), 400),
        ("/slack/events", json_ct, b"{\"type\":\"event_callback\"}".to_vec(), 400),
        ("/slack/events", json_ct, b"\"just a string\"".to_vec(), 400),
        ("/slack/events", json_ct, json!({"type": "event_callback", "team_id": TEAM, "event_id": "x".repeat(300), "event": {}}).to_string().into_bytes(), 400),
    ];
    for (path, ct, body, want) in cases {
        let shown = String::from_utf8_lossy(&body)
            .chars()
            .take(60)
            .collect::<String>();
        assert_eq!(
            app.post_signed(path, ct, body).await.status().as_u16(),
            want,
            "{path} {shown}"
        );
    }
    // Unknown interaction and event types are acknowledged and ignored.
    for kind in [
        "shortcut",
        "message_action",
        "view_closed",
        "block_suggestion",
        "no_such_type",
    ] {
        let r = app
            .post_signed(
                "/slack/interactions",
                form,
                payload(json!({"type": kind, "user": {"id": HM}})),
            )
            .await;
        assert_eq!(r.status(), 200, "{kind}");
    }
    let r = app.event(&json!({"type": "event_callback", "team_id": TEAM, "event_id": "Ev1", "event": {"type": "reaction_added"}})).await;
    assert_eq!(r.status(), 200);
    let r = app
        .event(&json!({"type": "app_rate_limited", "team_id": TEAM}))
        .await;
    assert_eq!(r.status(), 200);
    // Enormous fields, control characters, markup and SQL-looking text in a form.
    let mut f = loop_form("Robert'); DROP TABLE loops;--");
    f["design_doc_url"]["value"]["value"] =
        json!(format!("https://x.example/{}", "a".repeat(200_000)));
    let v: Value = app
        .submit(RECRUITER, "V0HOSTILE1", &f)
        .await
        .json()
        .await
        .unwrap();
    assert!(v["errors"]["design_doc_url"].is_string(), "{v}");
    let mut f = loop_form("\u{0000}\u{0007}\u{001b}[31m\u{202e}<@U1> <!everyone>");
    f["stage_4_coding_who"]["value"]["selected_users"] = json!("UNOTALIST");
    f["stage_3_deep_dive_at"]["value"]["selected_date_time"] = json!("tomorrow");
    f["applied_level"]["value"]["selected_option"] = json!({"value": ["staff"]});
    let v: Value = app
        .submit(RECRUITER, "V0HOSTILE2", &f)
        .await
        .json()
        .await
        .unwrap();
    let errors = v["errors"].as_object().unwrap();
    for block in [
        "stage_4_coding_who",
        "stage_3_deep_dive_at",
        "applied_level",
    ] {
        assert!(
            errors.contains_key(block),
            "wrong types in {block} give a field error: {v}"
        );
    }
    // Slash-command text: control characters, markup, huge text.
    for text in [
        "\u{0000}\u{0001}",
        "<!channel> <@U123> &amp;",
        "'; DROP TABLE loops; --",
        &"x".repeat(100_000),
    ] {
        let r = app.command(HM, "C1", text).await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["response_type"], "ephemeral", "{text:.20}");
        assert!(!v.to_string().contains("<!channel>"));
    }
    // A valid signature over a body replayed ten minutes later.
    let body = command_form(HM, "C1", "help");
    let then = chrono::Utc::now().timestamp() - 600;
    let sig = sign(SECRET.as_bytes(), then, body.as_bytes());
    assert_eq!(
        app.post_raw("/slack/commands", form, body, then, Some(sig))
            .await
            .status(),
        401
    );
    // Timestamps at the ends of the range: refused, never an overflow.
    for extreme in [i64::MIN, i64::MAX] {
        let body = command_form(HM, "C1", "help");
        let sig = sign(SECRET.as_bytes(), extreme, body.as_bytes());
        assert_eq!(
            app.post_raw("/slack/commands", form, body, extreme, Some(sig))
                .await
                .status(),
            401
        );
    }
    // A wrong scorecard form, submitted as if it were one.
    let r = submit_view(
        &app,
        CODER,
        "V9",
        "staffloop_scorecard",
        "99999999",
        &json!({"x": {"y": {"value": 1}}}),
    )
    .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["response_action"],
        "errors"
    );

    for table in [
        "loops",
        "stages",
        "scorecards",
        "outbox",
        "processed_events",
    ] {
        let n = app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await;
        let expected = if table == "processed_events" { 1 } else { 0 };
        assert_eq!(n, expected, "{table}: nothing half-stored");
    }
    still_healthy(&app).await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn the_command_parser_never_panics(text in ".{0,400}") {
        let _ = Command::parse(&text);
    }

    #[test]
    fn the_form_parsers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = SlashCommand::from_form(&body);
        let _ = Interaction::from_form(&body);
    }

    #[test]
    fn the_payload_parsers_never_panic(json in arbitrary_json()) {
        let _ = Interaction::from_json(&json);
        let _ = EventDelivery::from_json(&json);
        let _ = SlashCommand::from_json(&json);
        let template = staffloop::domain::Template::default_template();
        let _ = staffloop::slack::views::open_loop::read(&json, &template).validate(&template, 0);
        let _ = staffloop::slack::views::open_loop::acknowledged(&json);
        for kind in staffloop::domain::StageKind::KINDS {
            let spec = staffloop::domain::StageSpec::default_for(kind);
            let _ = staffloop::slack::views::scorecard::read(&spec, &json).validate(&spec);
        }
    }

    #[test]
    fn only_the_right_signature_verifies(body in proptest::collection::vec(any::<u8>(), 0..300), ts in 0i64..4_000_000_000, other in ".{0,80}") {
        let good = sign(b"secret", ts, &body);
        let stamp = ts.to_string();
        prop_assert!(verify(b"secret", Some(&stamp), Some(&good), &body, ts).is_ok());
        prop_assert!(verify(b"other", Some(&stamp), Some(&good), &body, ts).is_err());
        if other != good {
            prop_assert!(verify(b"secret", Some(&stamp), Some(&other), &body, ts).is_err());
        }
        let _ = verify(b"secret", Some(&other), Some(&other), &body, ts);
    }
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        ".{0,20}".prop_map(Value::String),
        prop::sample::select(vec![
            "view_submission",
            "block_actions",
            "event_callback",
            "url_verification",
            "staffloop_scorecard",
            "value",
            "selected_option"
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "type",
                        "user",
                        "id",
                        "team",
                        "view",
                        "state",
                        "values",
                        "actions",
                        "event",
                        "event_id",
                        "team_id",
                        "private_metadata",
                        "callback_id",
                        "value",
                        "selected_option",
                        "selected_users",
                        "candidate_name",
                        "score_scope_of_judgement"
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}
