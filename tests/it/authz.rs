//! The authorization matrix: every action × every role, allowed or refused as
//! the product says. Each role acts on a loop of its own, so an allowed
//! action cannot change what the next row sees.

use crate::common::*;
use chrono::TimeZone;
use serde_json::{json, Value};

const STRANGER: &str = "USTRANGER";
/// (role name, user): the coding stage's interviewer, another interviewer of
/// the loop, the hiring manager, a staffloop admin, someone unrelated.
const ROLES: [(&str, &str); 5] = [
    ("assigned", CODER),
    ("other", XTEAM),
    ("hm", HM),
    ("admin", ADMIN),
    ("stranger", STRANGER),
];

#[derive(Clone, Copy, Debug)]
enum Action {
    Open,
    Done,
    Submit,
    Addendum,
    Debrief,
    Decide,
    Export,
    ReportChannel,
    Stats,
}

/// What the product allows, per role in ROLES order.
fn allowed(a: Action) -> [bool; 5] {
    match a {
        Action::Open => [true; 5],
        Action::Stats => [false, false, true, true, false],
        Action::Done => [true, false, true, false, false],
        Action::Submit | Action::Addendum => [true, false, false, false, false],
        Action::Debrief => [false, false, true, false, false],
        Action::Decide => [false, false, true, true, false],
        // Export is an operator's command line tool; no Slack user reaches it.
        Action::Export => [false; 5],
        Action::ReportChannel => [false, false, false, true, false],
    }
}

async fn text_of(r: reqwest::Response) -> String {
    let body = r.text().await.unwrap();
    if body.is_empty() {
        "<empty 200>".into()
    } else {
        body
    }
}

/// Runs `action` as `user` against loop number `i`; true when it was allowed.
async fn attempt(app: &TestApp, action: Action, user: &str, i: usize) -> bool {
    let channel: String =
        sqlx::query_scalar("SELECT channel_id FROM loops WHERE candidate_name = $1")
            .bind(format!("Role Loop {i}"))
            .fetch_one(app.state.db.pool())
            .await
            .unwrap_or_default();
    let stage: i64 = sqlx::query_scalar("SELECT s.id FROM stages s JOIN loops l ON l.id = s.loop_id WHERE l.candidate_name = $1 AND s.kind = 'coding'")
        .bind(format!("Role Loop {i}")).fetch_one(app.state.db.pool()).await.unwrap_or_default();
    match action {
        Action::Open => {
            // A week later than the role loops, whose stages are already under way.
            let mut form = loop_form(&format!("Opened by {user}"));
            for (_, v) in form.as_object_mut().unwrap() {
                if let Some(t) = v["value"]["selected_date_time"].as_i64() {
                    v["value"]["selected_date_time"] = json!(t + 7 * 86_400);
                }
            }
            let r = app.submit(user, &format!("VOPEN{user}"), &form).await;
            text_of(r).await == "<empty 200>"
        }
        Action::Done => !app.command_json(user, &channel, "done coding").await["text"]
            .as_str()
            .unwrap()
            .contains("Only this stage's interviewers"),
        Action::Submit => {
            let values = card_values("coding", 3, "staff", "AUTHZ");
            text_of(
                submit_view(
                    app,
                    user,
                    &format!("VS{user}{i}"),
                    "staffloop_scorecard",
                    &stage.to_string(),
                    &values,
                )
                .await,
            )
            .await
                == "<empty 200>"
        }
        Action::Addendum => {
            let values = json!({"addendum": {"value": {"type": "plain_text_input", "value": "A later thought."}}});
            text_of(
                submit_view(
                    app,
                    user,
                    &format!("VA{user}{i}"),
                    "staffloop_addendum",
                    &stage.to_string(),
                    &values,
                )
                .await,
            )
            .await
                == "<empty 200>"
        }
        Action::Debrief => !app.command_json(user, &channel, "debrief").await["text"]
            .as_str()
            .unwrap()
            .contains("Only the hiring manager"),
        Action::Decide => !app.command_json(user, &channel, "decide staff").await["text"]
            .as_str()
            .unwrap()
            .contains("Only the hiring manager"),
        Action::Export => !app.command_json(user, &channel, "export").await["text"]
            .as_str()
            .unwrap()
            .contains("I don't know"),
        Action::ReportChannel => !app
            .command_json(user, &channel, "report-channel here")
            .await["text"]
            .as_str()
            .unwrap()
            .contains("Only a staffloop admin"),
        Action::Stats => app.command_json(user, &channel, "stats").await["text"]
            .as_str()
            .unwrap()
            .contains("Downlevel rate"),
    }
}

#[tokio::test]
async fn every_action_by_every_role() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    for i in 0..ROLES.len() {
        assert_eq!(
            app.submit(
                RECRUITER,
                &format!("VROLE{i}"),
                &loop_form(&format!("Role Loop {i}"))
            )
            .await
            .status(),
            200
        );
    }
    app.slack
        .wait_for(20, "loops opened", |c| {
            c.iter()
                .filter(|c| c.method == "conversations.create")
                .count()
                == ROLES.len()
        })
        .await;
    app.drained().await;
    // The coding stage is over everywhere; the assigned interviewer's card is in
    // (for the addendum row); the debrief has started (for the decide row).
    clock.set(
        chrono::Utc
            .timestamp_opt(interview_day() + 4 * 3600 + 60, 0)
            .unwrap(),
    );
    app.slack
        .wait_for(10, "prompts", |c| prompts_to(c, CODER).len() == ROLES.len())
        .await;
    let mut table = Vec::new();
    for action in [
        Action::Open,
        Action::Done,
        Action::Submit,
        Action::Addendum,
        Action::Debrief,
        Action::Decide,
        Action::Export,
        Action::ReportChannel,
        Action::Stats,
    ] {
        let expected = allowed(action);
        for (i, (role, user)) in ROLES.iter().enumerate() {
            if matches!(action, Action::Addendum) {
                // Give every loop the assigned interviewer's locked card first.
                let stage: i64 = sqlx::query_scalar("SELECT s.id FROM stages s JOIN loops l ON l.id = s.loop_id WHERE l.candidate_name = $1 AND s.kind = 'coding'")
                    .bind(format!("Role Loop {i}")).fetch_one(app.state.db.pool()).await.unwrap();
                let _ = submit_view(
                    &app,
                    CODER,
                    &format!("VPRE{i}"),
                    "staffloop_scorecard",
                    &stage.to_string(),
                    &card_values("coding", 3, "staff", "PRE"),
                )
                .await;
            }
            if matches!(action, Action::Decide) {
                let channel: String =
                    sqlx::query_scalar("SELECT channel_id FROM loops WHERE candidate_name = $1")
                        .bind(format!("Role Loop {i}"))
                        .fetch_one(app.state.db.pool())
                        .await
                        .unwrap();
                app.start_debrief(&channel).await;
            }
            let got = attempt(&app, action, user, i).await;
            table.push(format!(
                "{action:?} × {role}: {}",
                if got { "allowed" } else { "refused" }
            ));
            assert_eq!(got, expected[i], "{action:?} by {role}");
        }
    }
    let v: Value = json!(table);
    assert_eq!(v.as_array().unwrap().len(), 45);
}

async fn stored_counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "scorecards",
        "outbox",
        "processed_events",
        "audit_log",
        "loops",
    ] {
        out.push(app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await);
    }
    out
}

/// The service acts for the bot token's workspace only: a command, a card,
/// a button or an event carrying another workspace's id is refused at the
/// edge, and nothing of it is stored.
#[tokio::test]
async fn requests_from_another_workspace_are_refused_and_store_nothing() {
    const OTHER: &str = "T0OTHER01";
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let channel = app.loop_channel().await;
    clock.set(
        chrono::Utc
            .timestamp_opt(interview_day() + 4 * 3600 + 60, 0)
            .unwrap(),
    );
    app.slack
        .wait_for(10, "coding prompt", |c| !prompts_to(c, CODER).is_empty())
        .await;
    app.settle().await;
    let before = app.slack.calls().len();
    let stored = stored_counts(&app).await;

    // A command.
    let form = command_form(HM, &channel, "open Someone Else").replace(TEAM, OTHER);
    let now = chrono::Utc::now().timestamp();
    let sig = staffloop::slack::verify::sign(SECRET.as_bytes(), now, form.as_bytes());
    let r = app
        .post_raw(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            form,
            now,
            Some(sig),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .contains("another Slack workspace"),
        "{v}"
    );
    // A card for a stage of this workspace, but from another one.
    let stage = app.stage_id("coding").await.to_string();
    let mut payload = submission_payload(
        CODER,
        "VOTHER1",
        &card_values("coding", 4, "staff", "OTHER-CARD"),
    );
    payload["team"]["id"] = json!(OTHER);
    payload["user"]["team_id"] = json!(OTHER);
    payload["view"]["team_id"] = json!(OTHER);
    payload["view"]["callback_id"] = json!("staffloop_scorecard");
    payload["view"]["private_metadata"] = json!(stage);
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
    let r = app
        .post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            body,
        )
        .await;
    assert_eq!(r.status(), 403);
    // A button.
    let press_payload = json!({
        "type": "block_actions",
        "team": {"id": OTHER, "domain": "elsewhere"},
        "user": {"id": CODER, "team_id": OTHER},
        "trigger_id": "1.2.3",
        "container": {"type": "message", "channel_id": CODER, "message_ts": "1.1"},
        "channel": {"id": CODER},
        "actions": [{"type": "button", "action_id": "open_scorecard", "block_id": "b", "value": stage, "action_ts": "1"}]
    });
    let body = serde_urlencoded::to_string([("payload", press_payload.to_string())]).unwrap();
    let r = app
        .post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            body,
        )
        .await;
    assert_eq!(r.status(), 403);
    // An event.
    let r = app
        .event(
            &json!({"type": "event_callback", "team_id": OTHER, "event_id": "EvOTHER01",
                       "event": {"type": "app_home_opened", "user": CODER, "tab": "home"}}),
        )
        .await;
    assert_eq!(r.status(), 403);

    app.settle().await;
    assert_eq!(stored_counts(&app).await, stored, "nothing stored");
    assert_eq!(app.slack.calls().len(), before, "Slack not called");
    assert!(!app.slack.everything().contains("OTHER-CARD"));
    // The same card from this workspace is taken.
    let r = app
        .submit_card(CODER, "coding", 4, "staff", "OUR-CARD")
        .await;
    assert_eq!(r.text().await.unwrap(), "");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM scorecards").await, 1);
}
