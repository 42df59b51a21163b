//! The privacy invariant, end to end: run a whole loop up to the moment before
//! the debrief, then scan everything Slack received and every log line for
//! any piece of any card (evidence, reasons, addenda, recommendations).

use crate::common::*;
use chrono::TimeZone;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn nothing_of_any_card_leaks_before_the_debrief() {
    let logs = Captured::default();
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .try_init()
        .expect("this test binary owns the global subscriber");

    let clock = manual_clock();
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        ..Default::default()
    })
    .await;
    app.open_loop("Ana Lima").await;
    let channel = app.loop_channel().await;
    let d = interview_day();

    // The document arrives and is scored (strong, so no gate).
    app.command_json(HM, &channel, "done doc").await;
    app.slack
        .wait_for(10, "doc prompt", |c| !dms_to(c, DOC).is_empty())
        .await;
    assert_eq!(
        app.submit_card(DOC, "design_doc", 3, "senior_staff", "LEAK-DOC")
            .await
            .status(),
        200
    );

    // Every live stage ends; every interviewer scores it.
    clock.set(
        chrono::Utc
            .timestamp_opt(d + 5 * 3600 + 46 * 60, 0)
            .unwrap(),
    );
    app.slack
        .wait_for(15, "all prompts", |c| {
            [HM, STAFF, CODER, XTEAM, BAR]
                .iter()
                .all(|u| !prompts_to(c, u).is_empty())
        })
        .await;
    let cards = [
        (HM, "hm_screen", 2, "no_hire", "LEAK-SCREEN"),
        (HM, "deep_dive", 4, "senior_staff", "LEAK-DIVE-HM"),
        (STAFF, "deep_dive", 1, "no_hire", "LEAK-DIVE-STAFF"),
        (CODER, "coding", 3, "senior_staff", "LEAK-CODE"),
        (XTEAM, "cross_team", 2, "no_hire", "LEAK-XTEAM"),
        (BAR, "bar_raiser", 4, "senior_staff", "LEAK-BAR"),
    ];
    for (user, kind, score, rec, marker) in cards {
        let r = app.submit_card(user, kind, score, rec, marker).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.text().await.unwrap(), "", "{user} {kind} accepted");
    }
    // A later thought, status checks, Home tabs, reminders and the HM's list.
    let stage = app.stage_id("coding").await.to_string();
    let addendum = json!({"addendum": {"value": {"type": "plain_text_input", "value": "LEAK-ADDENDUM the refactor was bolder than I said."}}});
    submit_view(&app, CODER, "VADD", "staffloop_addendum", &stage, &addendum).await;
    for user in [HM, CODER, RECRUITER] {
        app.command_json(user, &channel, "status").await;
        app.event(
            &json!({"type": "event_callback", "team_id": TEAM, "event_id": format!("EvP{user}"),
            "event": {"type": "app_home_opened", "user": user, "tab": "home"}}),
        )
        .await;
    }
    clock.set(chrono::Utc.timestamp_opt(d + 6 * 3600, 0).unwrap());
    app.slack
        .wait_for(10, "channel notes", |c| {
            c.iter()
                .filter(|c| c.method == "chat.postMessage" && c.body["channel"] == channel.as_str())
                .filter(|c| {
                    c.body["text"]
                        .as_str()
                        .unwrap_or("")
                        .contains("submitted the")
                })
                .count()
                == 7
        })
        .await;
    app.settle().await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM scorecards").await, 7);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status <> 'done'")
            .await,
        0,
        "everything delivered"
    );

    // What Slack received, besides the forms themselves.
    let sent: String = app
        .slack
        .calls()
        .iter()
        .filter(|c| c.method != "views.open")
        .map(|c| c.body.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let all_slack = app.slack.everything();
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("scorecard locked"), "the logs were captured");
    for marker in [
        "LEAK-DOC",
        "LEAK-SCREEN",
        "LEAK-DIVE-HM",
        "LEAK-DIVE-STAFF",
        "LEAK-CODE",
        "LEAK-XTEAM",
        "LEAK-BAR",
        "LEAK-ADDENDUM",
        "reframed the problem around",
    ] {
        assert!(!all_slack.contains(marker), "{marker} reached Slack");
        assert!(!logs.contains(marker), "{marker} reached a log line");
    }
    // Recommendation values, and the stored card's own keys.
    for token in [
        "no_hire",
        "senior_staff",
        "No hire",
        "Senior staff",
        "\"score\":",
        "\"recommendation\":",
        "\"evidence\":",
    ] {
        assert!(
            !sent.contains(token),
            "{token:?} reached Slack outside the scorecard form"
        );
        assert!(!logs.contains(token), "{token:?} reached a log line");
    }
    // Who submitted is visible; what they submitted is not.
    assert!(sent.contains(&format!("<@{CODER}> submitted the Coding round scorecard")));

    // Then the debrief starts, and every card arrives at once: nothing missing.
    clock.set(chrono::Utc.timestamp_opt(d + 6 * 3600 + 1800, 0).unwrap());
    app.slack
        .wait_for(15, "the reveal", |c| {
            c.iter().any(|c| c.method == "files.completeUploadExternal")
        })
        .await;
    let revealed = app.slack.everything();
    for marker in [
        "LEAK-DOC",
        "LEAK-SCREEN",
        "LEAK-DIVE-HM",
        "LEAK-DIVE-STAFF",
        "LEAK-CODE",
        "LEAK-XTEAM",
        "LEAK-BAR",
        "LEAK-ADDENDUM",
        "reframed the problem around",
    ] {
        assert!(
            revealed.contains(marker),
            "{marker} missing from the reveal"
        );
    }
}
