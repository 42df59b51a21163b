//! Locked, hidden scorecards: prompts when a stage ends, the modal per stage,
//! every field error, locking, duplicates and forgeries, addenda, reminders,
//! the hiring manager's lists, the design-document gate, and restarts.

use crate::common::*;
use chrono::TimeZone;
use serde_json::{json, Value};

const H: i64 = 3600;

fn at(clock: &staffloop::clock::ManualClock, unix: i64) {
    clock.set(chrono::Utc.timestamp_opt(unix, 0).unwrap());
}

/// Runs the jobs due now, then waits until everything they caused is delivered.
async fn settle(app: &TestApp) {
    app.settle().await;
}

#[tokio::test]
async fn a_stage_end_prompts_each_interviewer_once_with_a_button() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let d = interview_day();
    // Coding runs 13:00–14:00; the screen and deep-dive ended before it.
    at(&clock, d + 4 * H + 60);
    let calls = app
        .slack
        .wait_for(10, "coding prompt", |c| !prompts_to(c, CODER).is_empty())
        .await;
    let dm = &prompts_to(&calls, CODER)[0];
    let text = dm.to_string();
    assert!(
        text.contains("Coding round") && text.contains("Ana Lima"),
        "{text}"
    );
    assert!(text.contains("coding card"), "what the stage probes");
    let button = &dm["blocks"][2]["elements"][0];
    assert_eq!(button["action_id"], "open_scorecard");
    assert_eq!(button["value"], app.stage_id("coding").await.to_string());
    settle(&app).await;
    let calls = app.slack.calls();
    assert_eq!(prompts_to(&calls, CODER).len(), 1);
    assert_eq!(prompts_to(&calls, STAFF).len(), 1, "deep-dive panel asked");
    assert_eq!(
        prompts_to(&calls, HM).len(),
        2,
        "HM sat the screen and the deep-dive"
    );
    assert!(
        prompts_to(&calls, XTEAM).is_empty(),
        "cross-team has not happened yet"
    );
    assert!(
        dms_to(&calls, DOC).is_empty(),
        "the document is async: prompted when received"
    );
    // The DM's place is remembered, for updating it later.
    let recorded = app
        .scalar("SELECT COUNT(*) FROM prompts WHERE dm_ts IS NOT NULL")
        .await;
    assert_eq!(recorded, 4);
}

#[tokio::test]
async fn each_stage_gets_its_own_modal() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    at(&clock, interview_day() + 6 * H);
    app.slack
        .wait_for(10, "bar raiser prompt", |c| !prompts_to(c, BAR).is_empty())
        .await;
    let mut views = Vec::new();
    for (user, kind) in [
        (CODER, "coding"),
        (XTEAM, "cross_team"),
        (BAR, "bar_raiser"),
        (STAFF, "deep_dive"),
    ] {
        let stage = app.stage_id(kind).await.to_string();
        assert_eq!(
            press(&app, user, "open_scorecard", &stage, "D1", "1.1")
                .await
                .status(),
            200
        );
        let opens = app.slack.calls_to("views.open");
        let view = opens.last().unwrap().body["view"].clone();
        assert_eq!(view["callback_id"], "staffloop_scorecard");
        assert_eq!(view["private_metadata"], stage);
        views.push((kind, view));
    }
    let block_ids = |v: &Value| -> Vec<String> {
        v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|b| b["block_id"].as_str().map(String::from))
            .collect()
    };
    for (kind, view) in &views {
        let ids = block_ids(view);
        for c in criteria(kind) {
            assert!(
                ids.contains(&format!("score_{c}")) && ids.contains(&format!("evidence_{c}")),
                "{kind}: {c}"
            );
        }
        assert!(ids.contains(&"recommendation".to_string()));
        let score = view["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["block_id"] == format!("score_{}", criteria(kind)[0]))
            .unwrap();
        let options = score["element"]["options"].as_array().unwrap();
        assert_eq!(options.len(), 4);
        assert_eq!(options[2]["text"]["text"], "3 · staff");
        assert!(
            !options[2]["description"]["text"]
                .as_str()
                .unwrap()
                .is_empty(),
            "anchors shown"
        );
    }
    let text = |kind: &str| {
        views
            .iter()
            .find(|(k, _)| *k == kind)
            .unwrap()
            .1
            .to_string()
    };
    assert!(
        text("cross_team").contains("people, documents, meetings and outcomes"),
        "stage-fitted hint"
    );
    assert!(text("coding").contains("count double"));
    assert!(text("coding").contains("Smallest safe refactor"));
    assert!(text("bar_raiser").contains("Would I want to work with this person"));
    assert!(block_ids(&views[2].1).contains(&"work_with_reason".to_string()));
    assert!(
        text("deep_dive").contains("Spots the key trade-off"),
        "the rubric's anchor text"
    );
}

#[tokio::test]
async fn every_card_field_error_is_reported_and_nothing_stored() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    at(&clock, interview_day() + 6 * H);
    app.slack
        .wait_for(10, "prompts", |c| !prompts_to(c, BAR).is_empty())
        .await;
    let stage = app.stage_id("bar_raiser").await.to_string();
    let mut values = card_values("bar_raiser", 3, "staff", "EV");
    values["score_architectural_decisions"]["value"]["selected_option"] = Value::Null;
    values["evidence_cross_team_influence"]["value"]["value"] = json!("we aligned");
    // Sixty zero-width characters and a word: not forty characters of evidence.
    values["evidence_scope_of_judgement"]["value"]["value"] =
        json!(format!("ok{}", "\u{200B}\u{200D}\u{FEFF}".repeat(20)));
    values["work_with"]["value"]["selected_option"] = Value::Null;
    values["recommendation"]["value"]["selected_option"] = Value::Null;
    let r = submit_view(&app, BAR, "V1", "staffloop_scorecard", &stage, &values).await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["response_action"], "errors");
    let e = &v["errors"];
    assert!(e["score_architectural_decisions"].is_string());
    assert!(e["evidence_cross_team_influence"]
        .as_str()
        .unwrap()
        .contains("at least 40 characters"));
    assert!(e["evidence_scope_of_judgement"]
        .as_str()
        .unwrap()
        .contains("at least 40 characters"));
    assert!(e["work_with"].is_string());
    assert!(e["recommendation"].is_string());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM scorecards").await, 0);
}

#[tokio::test]
async fn a_submitted_card_is_locked_told_without_content_and_stored_once() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    at(&clock, interview_day() + 4 * H + 60);
    app.slack
        .wait_for(10, "prompt", |c| !prompts_to(c, CODER).is_empty())
        .await;
    settle(&app).await;
    let r = app
        .submit_card(CODER, "coding", 3, "staff", "SECRET-CODING")
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "");
    let calls = app
        .slack
        .wait_for(10, "lock and channel note", |c| {
            c.iter().any(|c| c.method == "chat.update")
                && c.iter().any(|c| {
                    c.body["text"]
                        .as_str()
                        .unwrap_or("")
                        .contains("submitted the Coding round")
                })
        })
        .await;
    let update = calls.iter().find(|c| c.method == "chat.update").unwrap();
    assert_eq!(
        update.body["channel"], CODER,
        "the prompt DM itself is updated"
    );
    assert!(update.body["ts"]
        .as_str()
        .unwrap()
        .starts_with("1700000000."));
    assert!(update.body["text"].as_str().unwrap().contains("Locked at"));
    assert_eq!(
        update.body["blocks"][2]["elements"][0]["action_id"],
        "open_addendum"
    );
    let note = calls
        .iter()
        .find(|c| {
            c.body["text"]
                .as_str()
                .unwrap_or("")
                .contains("submitted the Coding round")
        })
        .unwrap();
    assert_eq!(note.body["channel"], app.loop_channel().await);
    assert_eq!(
        note.body["text"],
        format!("<@{CODER}> submitted the Coding round scorecard (1 of 7 in).")
    );
    assert!(!app.slack.everything().contains("SECRET-CODING"));

    // Double click, replay, a second modal: nothing new, and it says why.
    for _ in 0..2 {
        let r = app
            .submit_card(CODER, "coding", 1, "no_hire", "SECOND-TRY")
            .await;
        let v: Value = r.json().await.unwrap();
        assert!(v["errors"].to_string().contains("locked"), "{v}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM scorecards").await, 1);
    let content: String = sqlx::query_scalar("SELECT content FROM scorecards")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(
        content.contains("SECRET-CODING") && !content.contains("SECOND-TRY"),
        "the first card stands"
    );
    // The button on the locked DM now opens the addendum, not the card.
    let stage = app.stage_id("coding").await.to_string();
    press(&app, CODER, "open_scorecard", &stage, "D1", "1.1").await;
    assert_eq!(
        app.slack.calls_to("views.open").last().unwrap().body["view"]["callback_id"],
        "staffloop_addendum"
    );
}

#[tokio::test]
async fn a_forged_submission_is_refused_and_nothing_stored() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    at(&clock, interview_day() + 4 * H + 60);
    app.slack
        .wait_for(10, "prompt", |c| !prompts_to(c, CODER).is_empty())
        .await;
    // Another interviewer of the loop, the HM, and a stranger try the coding card.
    for user in [XTEAM, HM, "USTRANGER"] {
        let r = app
            .submit_card(user, "coding", 4, "senior_staff", "FORGED")
            .await;
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["response_action"], "errors", "{user}");
        assert!(v["errors"]
            .to_string()
            .contains("belongs to another interviewer"));
    }
    // Garbage metadata too.
    let values = card_values("coding", 4, "staff", "FORGED");
    let r = submit_view(
        &app,
        CODER,
        "V9",
        "staffloop_scorecard",
        "'; DROP TABLE scorecards; --",
        &values,
    )
    .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["response_action"],
        "errors"
    );
    // Opening someone else's card is refused as well.
    press(
        &app,
        XTEAM,
        "open_scorecard",
        &app.stage_id("coding").await.to_string(),
        "D1",
        "1.1",
    )
    .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM scorecards").await, 0);
    settle(&app).await;
    assert!(app.slack.calls_to("views.open").is_empty());
    assert!(!app.slack.everything().contains("FORGED"));
}

#[tokio::test]
async fn an_addendum_is_kept_with_its_time() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    at(&clock, interview_day() + 4 * H + 60);
    app.slack
        .wait_for(10, "prompt", |c| !prompts_to(c, CODER).is_empty())
        .await;
    app.submit_card(CODER, "coding", 3, "staff", "EV").await;
    let stage = app.stage_id("coding").await.to_string();
    let values = json!({"addendum": {"value": {"type": "plain_text_input", "value": "On reflection the refactor was safer than I credited."}}});
    assert_eq!(
        submit_view(&app, XTEAM, "VA1", "staffloop_addendum", &stage, &values)
            .await
            .json::<Value>()
            .await
            .unwrap()["response_action"],
        "errors"
    );
    let empty = json!({"addendum": {"value": {"type": "plain_text_input", "value": "  "}}});
    assert_eq!(
        submit_view(&app, CODER, "VA2", "staffloop_addendum", &stage, &empty)
            .await
            .json::<Value>()
            .await
            .unwrap()["response_action"],
        "errors"
    );
    let r = submit_view(&app, CODER, "VA3", "staffloop_addendum", &stage, &values).await;
    assert_eq!(r.text().await.unwrap(), "");
    let (body, at_): (String, i64) =
        sqlx::query_as("SELECT body, created_at FROM scorecard_addenda")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert!(body.starts_with("On reflection"));
    assert_eq!(at_, clock_now(&clock));
    let (rec,): (String,) = sqlx::query_as("SELECT recommendation FROM scorecards")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(rec, "staff", "the card itself is unchanged");
}

fn clock_now(clock: &staffloop::clock::ManualClock) -> i64 {
    use staffloop::clock::Clock;
    clock.unix()
}

#[tokio::test]
async fn reminders_come_every_n_hours_until_the_card_is_in() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    // A next-day debrief, so the reminders run their course before it.
    let mut form = loop_form("Ana Lima");
    form["debrief_at"]["value"]["selected_date_time"] = json!(interview_day() + 30 * H);
    app.open_past_warnings(RECRUITER, "V0REMIND1", &form).await;
    app.slack
        .wait_for(10, "opened", |c| {
            c.iter().filter(|c| c.method == "chat.postMessage").count() >= 2
        })
        .await;
    let coding_end = interview_day() + 4 * H;
    at(&clock, coding_end + 60);
    app.slack
        .wait_for(10, "prompt", |c| !prompts_to(c, CODER).is_empty())
        .await;
    let reminders = |app: &TestApp| {
        dms_to(&app.slack.calls(), CODER)
            .iter()
            .filter(|m| m.to_string().contains("Reminder"))
            .count()
    };
    at(&clock, coding_end + 3 * H);
    settle(&app).await;
    assert_eq!(reminders(&app), 0, "not before N hours");
    at(&clock, coding_end + 4 * H + 120);
    app.slack
        .wait_for(10, "first reminder", |c| {
            dms_to(c, CODER)
                .iter()
                .any(|m| m.to_string().contains("Reminder"))
        })
        .await;
    at(&clock, coding_end + 6 * H);
    settle(&app).await;
    assert_eq!(reminders(&app), 1, "never more than one per N hours");
    at(&clock, coding_end + 8 * H + 240);
    app.slack
        .wait_for(10, "second reminder", |c| {
            dms_to(c, CODER)
                .iter()
                .filter(|m| m.to_string().contains("Reminder"))
                .count()
                == 2
        })
        .await;
    app.submit_card(CODER, "coding", 3, "staff", "EV").await;
    at(&clock, coding_end + 20 * H);
    settle(&app).await;
    assert_eq!(reminders(&app), 2, "none once the card is in");
}

#[tokio::test]
async fn the_hm_gets_the_missing_list_an_hour_before_the_debrief() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let debrief = interview_day() + 6 * H + 1800;
    at(&clock, debrief - H - 600);
    app.slack
        .wait_for(10, "prompts", |c| !prompts_to(c, XTEAM).is_empty())
        .await;
    app.submit_card(CODER, "coding", 3, "staff", "EV").await;
    at(&clock, debrief - H + 1);
    let calls = app
        .slack
        .wait_for(10, "missing list", |c| {
            dms_to(c, HM)
                .iter()
                .any(|m| m.to_string().contains("not in yet"))
        })
        .await;
    let list = dms_to(&calls, HM)
        .into_iter()
        .find(|m| m.to_string().contains("not in yet"))
        .unwrap()
        .to_string();
    for missing in [BAR, XTEAM, STAFF, DOC, HM] {
        assert!(
            list.contains(&format!("<@{missing}>")),
            "{missing} missing from {list}"
        );
    }
    assert!(
        !list.contains(&format!("<@{CODER}>")),
        "the coder's card is in"
    );
    assert!(!list.contains("EV"), "names only");
}

#[tokio::test]
async fn done_ends_a_stage_early_only_for_its_people() {
    let (app, _clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let channel = app.loop_channel().await;
    let v = app.command_json(XTEAM, &channel, "done coding").await;
    assert!(v["text"]
        .as_str()
        .unwrap()
        .contains("Only this stage's interviewers"));
    let v = app.command_json(DOC, &channel, "done doc").await;
    assert!(v["text"]
        .as_str()
        .unwrap()
        .contains("Only the hiring manager"));
    let v = app.command_json(CODER, &channel, "done nonsense").await;
    assert!(v["text"].as_str().unwrap().contains("Say which stage"));
    let v = app.command_json(CODER, "C0ELSEWHERE", "done coding").await;
    assert!(v["text"].as_str().unwrap().contains("isn't a loop channel"));
    assert!(app.slack.calls().iter().all(|c| c.body["channel"] != CODER));

    let v = app.command_json(CODER, &channel, "done 4").await;
    assert!(v["text"].as_str().unwrap().contains("marked over"));
    app.slack
        .wait_for(10, "coding prompt", |c| !prompts_to(c, CODER).is_empty())
        .await;
    let v = app.command_json(HM, &channel, "done coding").await;
    assert!(v["text"].as_str().unwrap().contains("already over"));
    // The document: by command, or by the plan's button.
    let plan = app
        .slack
        .calls()
        .into_iter()
        .find(|c| c.method == "chat.postMessage" && c.body["channel"] == channel)
        .unwrap();
    let button = plan.body["blocks"].as_array().unwrap().last().unwrap()["elements"][0].clone();
    assert_eq!(button["action_id"], "doc_received");
    press(
        &app,
        DOC,
        "doc_received",
        button["value"].as_str().unwrap(),
        &channel,
        "1.2",
    )
    .await;
    let calls = app
        .slack
        .wait_for(10, "refusal", |c| {
            c.iter().any(|c| c.method == "chat.postEphemeral")
        })
        .await;
    assert!(calls
        .iter()
        .find(|c| c.method == "chat.postEphemeral")
        .unwrap()
        .body["text"]
        .as_str()
        .unwrap()
        .contains("Only the hiring manager"));
    press(
        &app,
        HM,
        "doc_received",
        button["value"].as_str().unwrap(),
        &channel,
        "1.2",
    )
    .await;
    app.slack
        .wait_for(10, "doc prompt", |c| !prompts_to(c, DOC).is_empty())
        .await;
    settle(&app).await;
    assert_eq!(
        prompts_to(&app.slack.calls(), CODER).len(),
        1,
        "prompted once"
    );
    assert_eq!(prompts_to(&app.slack.calls(), DOC).len(), 1);
}

async fn weak_document(app: &TestApp) -> Value {
    let channel = app.loop_channel().await;
    app.command_json(HM, &channel, "done doc").await;
    app.slack
        .wait_for(10, "doc prompt", |c| !prompts_to(c, DOC).is_empty())
        .await;
    assert_eq!(
        app.submit_card(DOC, "design_doc", 2, "senior", "WEAKDOC")
            .await
            .status(),
        200
    );
    let calls = app
        .slack
        .wait_for(10, "gate", |c| {
            dms_to(c, HM)
                .iter()
                .any(|m| m.to_string().contains("gate_stop"))
        })
        .await;
    let gate = dms_to(&calls, HM)
        .into_iter()
        .find(|m| m.to_string().contains("gate_stop"))
        .unwrap();
    let text = gate.to_string();
    assert!(
        text.contains("did not reach the staff bar") && text.contains("rescue"),
        "{text}"
    );
    assert!(!text.contains("WEAKDOC"), "no content in the gate message");
    gate
}

#[tokio::test]
async fn the_document_gate_can_stop_the_loop() {
    let (app, _clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let gate = weak_document(&app).await;
    let loop_id = gate["blocks"][1]["elements"][1]["value"]
        .as_str()
        .unwrap()
        .to_string();
    press(&app, STAFF, "gate_stop", &loop_id, "DHM", "9.9").await;
    settle(&app).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stages WHERE state = 'cancelled'")
            .await,
        0,
        "only the HM decides"
    );
    press(&app, HM, "gate_stop", &loop_id, "DHM", "9.9").await;
    let calls = app
        .slack
        .wait_for(10, "cancellations", |c| {
            // Each person's DMs are their own queue: wait for all four.
            [CODER, XTEAM, BAR, STAFF].iter().all(|u| {
                dms_to(c, u)
                    .iter()
                    .any(|m| m.to_string().contains("cancelled"))
            }) && c
                .iter()
                .any(|c| c.method == "chat.update" && c.body["channel"] == "DHM")
        })
        .await;
    for user in [CODER, XTEAM, BAR, STAFF] {
        assert!(
            dms_to(&calls, user)
                .iter()
                .any(|m| m.to_string().contains("cancelled")),
            "{user} told"
        );
    }
    let update = calls
        .iter()
        .find(|c| c.method == "chat.update" && c.body["channel"] == "DHM")
        .unwrap();
    assert!(update.body["text"]
        .as_str()
        .unwrap()
        .contains("stopped the loop"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stages WHERE state = 'cancelled'")
            .await,
        5
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM loops WHERE state = 'stopped' AND doc_gate = 'stopped' AND doc_gate_by = 'UHM000001'").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'design-document gate: stopped' AND actor = 'UHM000001'").await, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM jobs WHERE status = 'pending' AND loop_id IS NOT NULL")
            .await,
        0,
        "no prompts for cancelled stages"
    );
    // A second press does nothing more.
    app.drained().await;
    let before = app.slack.calls().len();
    press(&app, HM, "gate_continue", &loop_id, "DHM", "9.9").await;
    settle(&app).await;
    assert_eq!(app.slack.calls().len(), before);
}

#[tokio::test]
async fn the_document_gate_can_continue() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let gate = weak_document(&app).await;
    let loop_id = gate["blocks"][1]["elements"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    press(&app, HM, "gate_continue", &loop_id, "DHM", "9.9").await;
    app.slack
        .wait_for(10, "update", |c| {
            c.iter()
                .any(|c| c.method == "chat.update" && c.body["channel"] == "DHM")
        })
        .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM loops WHERE state = 'open' AND doc_gate = 'continued'")
            .await,
        1
    );
    at(&clock, interview_day() + 4 * H + 60);
    app.slack
        .wait_for(10, "the loop goes on", |c| !prompts_to(c, CODER).is_empty())
        .await;
}

#[tokio::test]
async fn a_strong_document_raises_no_gate() {
    let (app, _clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    app.command_json(HM, &app.loop_channel().await, "done doc")
        .await;
    app.slack
        .wait_for(10, "doc prompt", |c| !prompts_to(c, DOC).is_empty())
        .await;
    app.submit_card(DOC, "design_doc", 3, "staff", "GOODDOC")
        .await;
    settle(&app).await;
    assert!(!app.slack.everything().contains("gate_stop"));
}

#[tokio::test]
async fn the_hm_is_told_when_the_document_card_is_late() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    at(&clock, interview_day() + H - 24 * H + 5);
    app.slack
        .wait_for(10, "doc warning", |c| {
            dms_to(c, HM)
                .iter()
                .any(|m| m.to_string().contains("less than 24 h"))
        })
        .await;
}

#[tokio::test]
async fn a_restart_between_due_time_and_prompt_prompts_once_and_two_replicas_too() {
    let clock = manual_clock();
    let slack = crate::common::fake_slack::FakeSlack::start().await;
    let database_url = fresh_database_url().await;
    let first = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        slack: Some(slack.clone()),
        database_url: Some(database_url.clone()),
        ..Default::default()
    })
    .await;
    first.open_loop("Ana Lima").await;
    // Down while the stages end.
    first.kill().await;
    at(&clock, interview_day() + 6 * H + 60);
    // Two replicas come back on the same database.
    let opts = || Options {
        clock: Some(clock.clone()),
        slack: Some(slack.clone()),
        database_url: Some(database_url.clone()),
        ..Default::default()
    };
    let a = TestApp::spawn_with(opts()).await;
    let b = TestApp::spawn_with(opts()).await;
    slack
        .wait_for(15, "all live-stage prompts", |c| {
            [HM, STAFF, CODER, XTEAM, BAR]
                .iter()
                .all(|u| !prompts_to(c, u).is_empty())
        })
        .await;
    a.settle().await;
    let calls = slack.calls();
    assert_eq!(prompts_to(&calls, CODER).len(), 1);
    assert_eq!(prompts_to(&calls, XTEAM).len(), 1);
    assert_eq!(prompts_to(&calls, BAR).len(), 1);
    assert_eq!(prompts_to(&calls, STAFF).len(), 1);
    assert_eq!(prompts_to(&calls, HM).len(), 2, "screen and deep-dive");
    let missing_lists = dms_to(&calls, HM)
        .iter()
        .filter(|m| m.to_string().contains("not in yet"))
        .count();
    assert_eq!(
        missing_lists, 1,
        "the HM's list, once, from one of the two replicas"
    );
    assert_eq!(a.scalar("SELECT COUNT(*) FROM prompts").await, 6);
    drop(b);
}

#[tokio::test]
async fn the_app_home_shows_pending_and_submitted_cards_without_content() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    // The coder has looked at the App Home once: it is kept up to date.
    app.open_home(CODER).await;
    app.slack
        .wait_for(10, "the coder's first home", |c| {
            c.iter()
                .any(|c| c.method == "views.publish" && c.body["user_id"] == CODER)
        })
        .await;
    at(&clock, interview_day() + 4 * H + 60);
    app.slack
        .wait_for(10, "home refresh", |c| {
            c.iter().any(|c| {
                c.method == "views.publish"
                    && c.body["user_id"] == CODER
                    && c.body.to_string().contains("Scorecards waiting for you")
            })
        })
        .await;
    let home = app
        .slack
        .calls()
        .into_iter()
        .rev()
        .find(|c| c.method == "views.publish" && c.body["user_id"] == CODER)
        .unwrap();
    let text = home.body.to_string();
    assert!(
        text.contains("Scorecards waiting for you") && text.contains("open_scorecard"),
        "{text}"
    );
    app.submit_card(CODER, "coding", 3, "staff", "HOMESECRET")
        .await;
    app.slack
        .wait_for(10, "home after submit", |c| {
            c.iter().any(|c| {
                c.method == "views.publish"
                    && c.body.to_string().contains("Scorecards you submitted")
            })
        })
        .await;
    let home = app
        .slack
        .calls()
        .into_iter()
        .rev()
        .find(|c| c.method == "views.publish" && c.body["user_id"] == CODER)
        .unwrap();
    let text = home.body.to_string();
    assert!(text.contains("Coding round") && text.contains("locked"));
    assert!(!text.contains("Scorecards waiting for you"));
    assert!(
        !text.contains("HOMESECRET") && !text.contains("staff\""),
        "{text}"
    );
    // The HM's Home shows the loop's progress only.
    app.open_home(HM).await;
    app.slack
        .wait_for(10, "hm home", |c| {
            c.iter().any(|c| {
                c.method == "views.publish"
                    && c.body["user_id"] == HM
                    && c.body.to_string().contains("1 of 7 scorecards in")
            })
        })
        .await;
    // The others were prompted too, but never opened the Home: no Slack call
    // is spent on theirs.
    app.settle().await;
    let calls = app.slack.calls();
    assert!(!prompts_to(&calls, STAFF).is_empty());
    let published: std::collections::BTreeSet<String> = calls
        .iter()
        .filter(|c| c.method == "views.publish")
        .map(|c| c.body["user_id"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        published,
        [CODER, HM].iter().map(|u| u.to_string()).collect(),
        "only the Homes that were opened"
    );
}

#[tokio::test]
async fn a_card_written_after_the_reveal_is_accepted_and_marked() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    at(&clock, interview_day() + 5 * H + 50 * 60);
    app.slack
        .wait_for(10, "prompts", |c| !prompts_to(c, BAR).is_empty())
        .await;
    app.submit_card(CODER, "coding", 3, "staff", "EV").await;
    // The debrief starts at its scheduled time.
    at(&clock, interview_day() + 6 * H + 1800);
    app.slack
        .wait_for(10, "reveal", |c| {
            c.iter().any(|c| {
                c.body["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("all scorecards are revealed")
            })
        })
        .await;
    let r = app.submit_card(BAR, "bar_raiser", 3, "staff", "EV").await;
    assert_eq!(r.text().await.unwrap(), "");
    assert_eq!(
        app.scalar("SELECT after_reveal FROM scorecards WHERE interviewer = 'UCODE0001'")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT after_reveal FROM scorecards WHERE interviewer = 'UBAR00001'")
            .await,
        1
    );
}

/// A button whose handling fails inside the service still gets an answer:
/// a short apology where it was pressed, never silence.
#[tokio::test]
async fn a_button_that_fails_inside_says_sorry() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    at(&clock, interview_day() + 4 * H + 60);
    app.slack
        .wait_for(10, "prompt", |c| !prompts_to(c, CODER).is_empty())
        .await;
    // The cards' table is gone from under the service: an internal error.
    sqlx::query("ALTER TABLE scorecards RENAME TO scorecards_elsewhere")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let stage = app.stage_id("coding").await.to_string();
    let r = press(&app, CODER, "open_scorecard", &stage, "D1", "1.1").await;
    assert_eq!(r.status(), 200);
    let calls = app
        .slack
        .wait_for(10, "an apology", |c| {
            c.iter()
                .any(|c| c.method == "chat.postEphemeral" && c.body["user"] == CODER)
        })
        .await;
    let sorry = calls
        .iter()
        .find(|c| c.method == "chat.postEphemeral")
        .unwrap();
    assert_eq!(sorry.body["channel"], "D1");
    assert!(
        sorry.body["text"]
            .as_str()
            .unwrap()
            .starts_with("Sorry, something went wrong"),
        "{}",
        sorry.body
    );
    assert!(app.slack.calls_to("views.open").is_empty());
}

#[tokio::test]
async fn cards_submitted_at_once_are_each_stored_once_and_counted_in_turn() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Bo Chen").await;
    // Every stage is over, so every interviewer has been asked.
    at(&clock, interview_day() + 6 * H);
    settle(&app).await;
    let panel = [
        (HM, "hm_screen"),
        (DOC, "design_doc"),
        (HM, "deep_dive"),
        (STAFF, "deep_dive"),
        (CODER, "coding"),
        (XTEAM, "cross_team"),
        (BAR, "bar_raiser"),
    ];
    // Seven cards and two replays of the coding card, all in flight together.
    let sends = panel
        .iter()
        .chain([(CODER, "coding"), (CODER, "coding")].iter())
        .enumerate()
        .map(|(i, (user, kind))| {
            let marker = format!("AT-ONCE-{i}");
            let app = &app;
            async move { app.submit_card(user, kind, 3, "staff", &marker).await }
        });
    let mut acked = 0;
    let mut locked = 0;
    for r in futures::future::join_all(sends).await {
        assert_eq!(r.status(), 200);
        let body = r.text().await.unwrap();
        if body.is_empty() {
            acked += 1;
        } else {
            assert!(body.contains("locked"), "{body}");
            locked += 1;
        }
    }
    assert_eq!(
        (acked, locked),
        (7, 2),
        "one coding card stands, two replays are refused"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM scorecards").await, 7);
    assert_eq!(
        app.scalar("SELECT COUNT(DISTINCT scorecard_id) FROM card_scores")
            .await,
        7
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'submitted the %'")
            .await,
        7
    );
    settle(&app).await;
    let calls = app.slack.calls();
    // The channel hears of each card once, counting up without a gap.
    let mut counts: Vec<String> = calls
        .iter()
        .filter_map(|c| c.body["text"].as_str())
        .filter(|t| t.contains("scorecard (") && t.contains(" of 7 in)"))
        .map(|t| t.rsplit_once('(').unwrap().1.to_string())
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        (1..=7)
            .map(|n| format!("{n} of 7 in)."))
            .collect::<Vec<_>>()
    );
    // Every prompt DM is marked locked, once (the document stage has none yet).
    let prompts = app.scalar("SELECT COUNT(*) FROM prompts").await;
    assert!(prompts >= 6, "every held stage asked its panel ({prompts})");
    assert_eq!(app.slack.calls_to("chat.update").len() as i64, prompts);
    assert!(!app.slack.everything().contains("AT-ONCE"));
}

fn preps_to(calls: &[crate::common::fake_slack::Call], user: &str) -> Vec<String> {
    dms_to(calls, user)
        .iter()
        .map(|m| m.to_string())
        .filter(|t| t.contains("How to run it"))
        .collect()
}

/// Each interviewer of a live stage is briefed 24 h before it, once: when,
/// what it probes with the anchors, how to run it, the document for the
/// deep-dive panel, and that cards stay locked and hidden. A stopped loop
/// briefs nobody more.
#[tokio::test]
async fn interviewers_are_briefed_before_their_stage_once() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let channel = app.loop_channel().await;
    app.command_json(HM, &channel, "done doc").await;
    settle(&app).await;
    assert!(
        [HM, STAFF, CODER, XTEAM, BAR]
            .iter()
            .all(|u| preps_to(&app.slack.calls(), u).is_empty()),
        "two days ahead, nobody yet"
    );
    let d = interview_day();
    // 24 h before the coding round: the screen, the deep-dive and coding.
    at(&clock, d + 3 * H - 24 * H + 60);
    let calls = app
        .slack
        .wait_for(10, "the coding prep", |c| !preps_to(c, CODER).is_empty())
        .await;
    let coding = &preps_to(&calls, CODER)[0];
    assert!(
        coding.contains("Your *Coding round* with *Ana Lima*")
            && coding.contains("60 minutes")
            && coding.contains("not puzzles")
            && coding.contains("Smallest safe refactor")
            && coding.contains("locked and nobody sees it"),
        "{coding}"
    );
    settle(&app).await;
    let calls = app.slack.calls();
    assert_eq!(preps_to(&calls, HM).len(), 2, "screen and deep-dive");
    let staff = preps_to(&calls, STAFF);
    assert_eq!(staff.len(), 1);
    assert!(
        staff[0].contains("three specific conditions")
            && staff[0].contains("The design document is in")
            && staff[0].contains("https://docs.example.com/workflow-engine"),
        "{}",
        staff[0]
    );
    assert!(preps_to(&calls, XTEAM).is_empty(), "a day and some ahead");
    // The loop is stopped at the document: nobody else is briefed.
    let gate = weak_document(&app).await;
    let loop_id = gate["blocks"][1]["elements"][1]["value"]
        .as_str()
        .unwrap()
        .to_string();
    press(&app, HM, "gate_stop", &loop_id, "DHM", "9.9").await;
    settle(&app).await;
    at(&clock, d + 6 * H);
    settle(&app).await;
    let calls = app.slack.calls();
    assert!(preps_to(&calls, XTEAM).is_empty() && preps_to(&calls, BAR).is_empty());
    assert_eq!(preps_to(&calls, CODER).len(), 1, "once each");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'prep' AND status = 'pending'")
            .await,
        0
    );
}
