//! Final votes after the reveal, through the real routes: the hiring
//! manager collects them, two panelists move toward the hiring manager's
//! card and one holds, nothing of a vote shows before all are in, the votes
//! are revealed at once; a decision departing from both mechanical results
//! needs a reason and keeps it; the weekly post counts it; and the drift
//! figures match a hand count. Also: the vote opens by itself on its timer.

use crate::common::*;
use serde_json::{json, Value};

/// Woven into every vote's reasons: it must not reach Slack before the
/// vote closes.
const MARK: &str = "VOTEMARK";

/// A loop whose debrief has started with cards from HM (screen: senior,
/// deep-dive: senior), STAFF (deep-dive: staff), CODER (coding: staff) and
/// BAR (bar raiser: staff): the cards' middle call is Staff, the hiring
/// manager's card Senior, the bar raiser's Staff. Returns the loop's id
/// and channel.
async fn revealed_loop(app: &TestApp) -> (i64, String) {
    app.open_loop("Lena Okafor").await;
    let channel = app.loop_channel().await;
    for (user, kind, score, rec) in [
        (HM, "hm_screen", 2, "senior"),
        (HM, "deep_dive", 2, "senior"),
        (STAFF, "deep_dive", 3, "staff"),
        (CODER, "coding", 3, "staff"),
        (BAR, "bar_raiser", 3, "staff"),
    ] {
        let r = app.submit_card(user, kind, score, rec, "CARDMARK").await;
        assert_eq!(r.text().await.unwrap(), "", "{user} {kind}");
    }
    app.start_debrief(&channel).await;
    app.drained().await;
    let id = app.scalar("SELECT MAX(id) FROM loops").await;
    (id, channel)
}

fn vote_values(level: &str, reason: Option<&str>, revise: Option<(&str, u8, &str)>) -> Value {
    let mut v = serde_json::Map::new();
    v.insert(
        "final_level".into(),
        json!({"value": {"type": "static_select", "selected_option": {"value": level}}}),
    );
    v.insert(
        "final_reason".into(),
        json!({"value": {"type": "plain_text_input", "value": reason}}),
    );
    if let Some((criterion, score, why)) = revise {
        v.insert(format!("revise_{criterion}"), json!({"value": {"type": "static_select", "selected_option": {"value": score.to_string()}}}));
        v.insert(
            format!("revise_{criterion}_why"),
            json!({"value": {"type": "plain_text_input", "value": why}}),
        );
    }
    Value::Object(v)
}

async fn vote(app: &TestApp, who: &str, loop_id: i64, values: &Value) -> String {
    let r = submit_view(
        app,
        who,
        &format!("VV{who}"),
        "staffloop_final_vote",
        &loop_id.to_string(),
        values,
    )
    .await;
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test]
async fn final_votes_drift_toward_the_hiring_manager_and_a_departure_needs_a_reason() {
    // Three days ago: the weekly post and the calibration report count
    // whole days up to today.
    let (app, clock) = TestApp::spawn_with_clock().await;
    clock.set(chrono::Utc::now() - chrono::Duration::days(3));
    let (loop_id, channel) = revealed_loop(&app).await;
    let summary = app
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .find(|c| c.body.to_string().contains("decide_staff"))
        .unwrap()
        .body
        .to_string();
    assert!(summary.contains("collect_final_votes"), "{summary}");
    assert!(
        summary.contains(
            "the cards' middle call is *Staff*; the final votes' middle call: not collected"
        ),
        "{summary}"
    );

    // Only the hiring manager collects them.
    press(
        &app,
        CODER,
        "collect_final_votes",
        &loop_id.to_string(),
        &channel,
        "1.1",
    )
    .await;
    app.drained().await;
    assert!(told(&app, CODER).contains("Only the loop's hiring manager"));
    press(
        &app,
        HM,
        "collect_final_votes",
        &loop_id.to_string(),
        &channel,
        "1.1",
    )
    .await;
    app.drained().await;
    for voter in [HM, STAFF, CODER, BAR] {
        assert!(
            told(&app, voter).contains("open_final_vote"),
            "{voter} is asked"
        );
    }
    assert!(
        !told(&app, DOC).contains("open_final_vote"),
        "no card, no vote"
    );
    let opened = app.slack.calls_to("chat.postMessage").iter().any(|c| {
        c.body["thread_ts"].is_string() && c.body.to_string().contains("Final votes are open")
    });
    assert!(opened);

    // The vote modal starts from the voter's card.
    press(
        &app,
        STAFF,
        "open_final_vote",
        &loop_id.to_string(),
        STAFF,
        "1.2",
    )
    .await;
    let modal = app.slack.calls_to("views.open").last().unwrap().body["view"].clone();
    assert_eq!(modal["callback_id"], "staffloop_final_vote");
    assert_eq!(
        modal["blocks"][1]["element"]["initial_option"]["value"],
        "staff"
    );

    // A move needs its reason; so does a revised score.
    let e: Value =
        serde_json::from_str(&vote(&app, STAFF, loop_id, &vote_values("senior", None, None)).await)
            .unwrap();
    assert!(
        e["errors"]["final_reason"]
            .as_str()
            .unwrap()
            .contains("say what in the discussion"),
        "{e}"
    );
    let e: Value = serde_json::from_str(
        &vote(
            &app,
            STAFF,
            loop_id,
            &vote_values("senior", Some("x"), Some(("scope_of_judgement", 2, ""))),
        )
        .await,
    )
    .unwrap();
    assert!(
        e["errors"]["revise_scope_of_judgement_why"].is_string(),
        "{e}"
    );
    let e = vote(&app, DOC, loop_id, &vote_values("staff", None, None)).await;
    assert!(e.contains("panelists who sent a card"), "{e}");

    assert_eq!(
        vote(
            &app,
            STAFF,
            loop_id,
            &vote_values(
                "senior",
                Some(&format!("{MARK} the HM's migration point convinced me")),
                Some((
                    "scope_of_judgement",
                    2,
                    &format!("{MARK} scope was narrower than I credited")
                ))
            )
        )
        .await,
        ""
    );
    assert_eq!(
        vote(
            &app,
            CODER,
            loop_id,
            &vote_values("senior", Some(&format!("{MARK} agree with the HM")), None)
        )
        .await,
        ""
    );
    assert_eq!(
        vote(&app, BAR, loop_id, &vote_values("staff", None, None)).await,
        ""
    );
    let again = vote(
        &app,
        BAR,
        loop_id,
        &vote_values("no_hire", Some("changed my mind"), None),
    )
    .await;
    assert!(again.contains("already voted"), "{again}");
    app.drained().await;
    // Three of four in: who voted is said, never how; nothing else shows.
    let everything = app.slack.everything();
    assert!(everything.contains("has voted (3 of 4 in)"), "{everything}");
    assert!(
        !everything.contains(MARK),
        "a vote leaked before all were in"
    );
    assert!(!everything.contains("Final votes\""), "no results yet");

    assert_eq!(
        vote(&app, HM, loop_id, &vote_values("senior", None, None)).await,
        ""
    );
    app.drained().await;
    let results = app
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .map(|c| c.body.to_string())
        .find(|t| t.contains("\"text\":\"Final votes\""))
        .unwrap();
    for line in [
        format!("<@{STAFF}>: moved *Staff → Senior*, toward the hiring manager's card"),
        format!("<@{CODER}>: moved *Staff → Senior*, toward the hiring manager's card"),
        format!("<@{BAR}>: kept *Staff*"),
        format!("<@{HM}>: kept *Senior*"),
        "Scope of judgement: 3 → 2. VOTEMARK scope was narrower".to_string(),
        "*2 of 4 moved* after the discussion: 2 toward the hiring manager's card, 0 toward the bar raiser's card, 0 toward the panel's median card.".to_string(),
    ] {
        assert!(results.contains(&line), "missing {line:?} in {results}");
    }
    // The cards never change.
    let card: String =
        sqlx::query_scalar("SELECT recommendation FROM scorecards WHERE interviewer = $1")
            .bind(STAFF)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(card, "staff");
    // The summary now shows both mechanical results.
    let updated = app
        .slack
        .calls_to("chat.update")
        .iter()
        .rev()
        .map(|c| c.body.to_string())
        .find(|t| t.contains("decide_staff"))
        .unwrap_or_default();
    assert!(
        updated.contains("the final votes' middle call: *Senior* (4 votes)"),
        "{updated}"
    );

    // Senior staff departs from both (Staff, Senior): a reason is required.
    press(
        &app,
        HM,
        "decide_senior_staff",
        &loop_id.to_string(),
        &channel,
        "1.3",
    )
    .await;
    app.drained().await;
    assert!(
        told(&app, HM).contains("departs from both"),
        "{}",
        told(&app, HM)
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM decisions").await, 0);
    let proposal = app
        .command_json(
            HM,
            &channel,
            "decide senior-staff the design depth outweighs the panel's doubts",
        )
        .await;
    let text = proposal.to_string();
    assert!(
        text.contains(
            "the cards' middle call is *Staff*; the final votes' middle call: *Senior* (4 votes)"
        ),
        "{text}"
    );
    let button = &proposal["blocks"][1]["elements"][0];
    press(
        &app,
        HM,
        button["action_id"].as_str().unwrap(),
        button["value"].as_str().unwrap(),
        &channel,
        "1.4",
    )
    .await;
    app.drained().await;
    let (departs, note): (i64, String) =
        sqlx::query_as("SELECT departs, note FROM decisions WHERE status = 'confirmed'")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(
        (departs, note.as_str()),
        (1, "the design depth outweighs the panel's doubts")
    );

    // The weekly post counts it.
    let post = weekly_post(&app).await;
    assert!(
        post.contains("1 of 1 decisions this window departed from both"),
        "{post}"
    );

    // Drift, counted by hand: 4 votes, 2 moved, both toward the HM's card,
    // none toward the bar raiser's or the median; the HM's panel (3 others)
    // moved toward their card twice.
    let out = report_cli(&app.database_url, &["calibration", "--format", "json"]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &r["drift"];
    assert_eq!(d["panel"]["votes"], 4, "{d}");
    assert_eq!(d["panel"]["moved"], 2);
    assert_eq!(d["panel"]["toward_hiring_manager"], 2);
    assert_eq!(d["panel"]["toward_bar_raiser"], 0);
    assert_eq!(d["panel"]["toward_median"], 0);
    assert_eq!(d["hiring_managers"][0]["hiring_manager"], HM);
    assert_eq!(
        (
            d["hiring_managers"][0]["votes"].as_i64(),
            d["hiring_managers"][0]["toward"].as_i64()
        ),
        (Some(3), Some(2))
    );
    let staff = d["interviewers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user"] == STAFF)
        .unwrap();
    assert_eq!(
        (staff["votes"].as_i64(), staff["moved"].as_i64()),
        (Some(1), Some(1))
    );
    clock.advance(chrono::Duration::days(1));
    let text = app
        .command_json(ADMIN, &channel, "calibration")
        .await
        .to_string();
    assert!(
        text.contains(
            "Panel: 4 final votes over 1 loops, 2 moved (2 toward the hiring manager's card"
        ),
        "{text}"
    );

    // The export keeps every vote with its reasons, and the decision's.
    let out = export_cli(&app.database_url, &["--loop", &loop_id.to_string()]);
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["final_votes"].as_array().unwrap().len(), 4);
    assert_eq!(e["decisions"][0]["departs"], true);
    assert!(e["audit"].to_string().contains("sent a final vote"));
}

#[tokio::test]
async fn the_vote_opens_by_itself_a_while_into_the_debrief() {
    let clock = manual_clock();
    let mut tuning = test_tuning();
    tuning.final_vote_minutes = 30;
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        tuning: Some(tuning),
        ..Default::default()
    })
    .await;
    let (loop_id, channel) = revealed_loop(&app).await;
    clock.advance(chrono::Duration::minutes(29));
    app.settle().await;
    assert!(
        !told(&app, CODER).contains("open_final_vote"),
        "not before its time"
    );
    clock.advance(chrono::Duration::minutes(2));
    app.settle().await;
    assert!(told(&app, CODER).contains("open_final_vote"));
    // The hiring manager may close it with votes still out: those in are shown.
    assert_eq!(
        vote(&app, CODER, loop_id, &vote_values("staff", None, None)).await,
        ""
    );
    press(
        &app,
        HM,
        "close_final_votes",
        &loop_id.to_string(),
        &channel,
        "2.1",
    )
    .await;
    app.drained().await;
    let results = app
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .map(|c| c.body.to_string())
        .find(|t| t.contains("\"text\":\"Final votes\""))
        .unwrap();
    assert!(
        results.contains(&format!("<@{CODER}>: kept *Staff*")),
        "{results}"
    );
    assert!(
        results.contains("Did not vote before the vote closed"),
        "{results}"
    );
    let late = vote(&app, STAFF, loop_id, &vote_values("staff", None, None)).await;
    assert!(late.contains("closed"), "{late}");
}
