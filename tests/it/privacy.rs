//! The privacy invariant, end to end: run a whole loop up to the moment before
//! the debrief, then scan everything Slack received and every log line for
//! any piece of any card (evidence, reasons, addenda, recommendations). And
//! the one designed exception: a document below the staff bar tells the
//! hiring manager that outcome, and nothing else.

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

/// Every log line of this test process, from here on (one subscriber per
/// process; tests sharing a process share it, and use distinct markers).
fn captured_logs() -> Captured {
    static LOGS: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Captured::default();
        let sink = logs.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .try_init()
            .expect("this test binary owns the global subscriber");
        logs
    })
    .clone()
}

#[tokio::test]
async fn nothing_of_any_card_leaks_before_the_debrief() {
    let logs = captured_logs();

    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let channel = app.loop_channel().await;
    let d = interview_day();

    // The document arrives and is scored (strong, so no gate).
    app.command_json(HM, &channel, "done doc").await;
    app.slack
        .wait_for(10, "doc prompt", |c| !prompts_to(c, DOC).is_empty())
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
        app.open_home(user).await;
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
            c.iter().any(|c| has_block(c, "table"))
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

/// The design-document gate is the one designed exception to "hidden": the
/// reviewer's form says so, the hiring manager learns only that the
/// document fell below the staff bar, and when the loop is stopped the
/// channel learns only that it was stopped after the document.
#[tokio::test]
async fn a_weak_document_tells_the_hm_its_outcome_and_nothing_more() {
    let logs = captured_logs();
    let app = TestApp::spawn_with(Options {
        clock: Some(manual_clock()),
        ..Default::default()
    })
    .await;
    app.open_loop("Bo Chen").await;
    let channel = app.loop_channel().await;
    app.command_json(HM, &channel, "done doc").await;
    app.slack
        .wait_for(10, "doc prompt", |c| !prompts_to(c, DOC).is_empty())
        .await;
    // The reviewer's form says, before anything is written, what leaves it.
    let stage = app.stage_id("design_doc").await.to_string();
    press(&app, DOC, "open_scorecard", &stage, DOC, "1.1").await;
    let calls = app
        .slack
        .wait_for(10, "the document's form", |c| {
            c.iter().any(|c| c.method == "views.open")
        })
        .await;
    let form = calls
        .iter()
        .find(|c| c.method == "views.open")
        .unwrap()
        .body
        .to_string();
    assert!(
        form.contains("the hiring manager is told at once that it did, and only that"),
        "{form}"
    );
    let before = app.slack.calls().len();
    let r = app
        .submit_card(DOC, "design_doc", 1, "no_hire", "GATE-LEAK-DOC")
        .await;
    assert_eq!(r.text().await.unwrap(), "");
    let calls = app
        .slack
        .wait_for(10, "the gate question", |c| {
            dms_to(c, HM)
                .iter()
                .any(|m| m.to_string().contains("gate_stop"))
        })
        .await;
    let question = dms_to(&calls, HM)
        .into_iter()
        .find(|m| m.to_string().contains("gate_stop"))
        .unwrap();
    let loop_id = question["blocks"][1]["elements"][1]["value"]
        .as_str()
        .unwrap()
        .to_string();
    press(&app, HM, "gate_stop", &loop_id, HM, "2.2").await;
    app.slack
        .wait_for(10, "the stop, in the channel", |c| {
            c.iter().any(|c| {
                c.body["channel"] == channel.as_str()
                    && c.body["text"]
                        .as_str()
                        .unwrap_or("")
                        .contains("stopped the loop")
            })
        })
        .await;
    app.settle().await;

    // The HM's question carries the outcome only.
    let text = question.to_string();
    assert!(text.contains("did not reach the staff bar"), "{text}");
    for token in [
        "GATE-LEAK-DOC",
        "no_hire",
        "No hire",
        "Score",
        "1 (",
        "evidence",
    ] {
        assert!(!text.contains(token), "{token:?} in the HM's gate message");
    }
    // The channel learns that the loop stopped after the document; not why.
    let in_channel: Vec<String> = app
        .slack
        .calls()
        .iter()
        .skip(before)
        .filter(|c| c.body["channel"] == channel.as_str() && c.method == "chat.postMessage")
        .map(|c| c.body.to_string())
        .collect();
    let stop = in_channel
        .iter()
        .find(|t| t.contains("stopped the loop"))
        .unwrap();
    assert!(stop.contains("after the design document"), "{stop}");
    for t in &in_channel {
        assert!(
            !t.contains("staff bar") && !t.contains("below") && !t.contains("rescue"),
            "the channel learned why: {t}"
        );
    }
    // No card content anywhere, in Slack (outside the form) or the logs.
    let sent: String = app
        .slack
        .calls()
        .iter()
        .filter(|c| c.method != "views.open")
        .map(|c| c.body.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    for token in [
        "GATE-LEAK-DOC",
        "no_hire",
        "No hire",
        "\"score\":",
        "\"evidence\":",
    ] {
        assert!(!sent.contains(token), "{token:?} reached Slack");
        assert!(!logs.contains(token), "{token:?} reached a log line");
    }
}
