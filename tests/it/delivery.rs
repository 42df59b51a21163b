//! The outbox under Slack trouble and restarts: nothing lost, nothing twice.

use crate::common::fake_slack::Scripted;
use crate::common::*;
use serde_json::{json, Value};
use staffloop::clock::Clock;
use std::time::Duration;

const EFFECTS_PER_LOOP: usize = 5;

async fn all_posted(app: &TestApp) {
    app.slack
        .wait_for(20, "plan and DM", |c| {
            c.iter().filter(|c| c.method == "chat.postMessage").count() >= 2
        })
        .await;
}

#[tokio::test]
async fn rate_limited_channel_creation_waits_then_succeeds() {
    let app = TestApp::spawn().await;
    app.slack.script(
        "conversations.create",
        [Scripted::RateLimited { retry_after_s: 1 }],
    );
    assert_eq!(
        app.submit(RECRUITER, "V0RATE001", &loop_form("Ana Lima"))
            .await
            .status(),
        200
    );
    all_posted(&app).await;
    let creates = app.slack.calls_to("conversations.create");
    assert_eq!(creates.len(), 2, "one 429, one success");
    assert!(
        creates[1].at - creates[0].at >= Duration::from_millis(950),
        "Retry-After honoured"
    );
    let invites = app.slack.calls_to("conversations.invite");
    assert!(
        invites[0].at > creates[1].at,
        "nothing used the channel before it existed"
    );
    // The last delivery is marked done just after Slack answered it.
    app.settle().await;
    assert_eq!(app.slack.calls_to("chat.postMessage").len(), 2);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'done'")
            .await,
        EFFECTS_PER_LOOP as i64
    );
}

#[tokio::test]
async fn a_server_error_on_posting_is_retried_once_delivered() {
    let app = TestApp::spawn().await;
    app.slack.script(
        "chat.postMessage",
        [Scripted::Status(500), Scripted::Status(503)],
    );
    assert_eq!(
        app.submit(RECRUITER, "V0FIVE001", &loop_form("Ana Lima"))
            .await
            .status(),
        200
    );
    all_posted(&app).await;
    app.settle().await;
    let posts = app.slack.calls_to("chat.postMessage");
    assert_eq!(posts.len(), 4, "two failures, then plan and DM once each");
    let plans = posts
        .iter()
        .filter(|c| c.body["channel"] != RECRUITER)
        .count();
    assert_eq!(
        plans, 3,
        "the plan was tried until it went through, then not again"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'done'")
            .await,
        EFFECTS_PER_LOOP as i64
    );
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_is_given_up_and_counted() {
    let app = TestApp::spawn().await;
    app.slack.script(
        "conversations.setTopic",
        (0..10).map(|_| Scripted::Status(502)),
    );
    assert_eq!(
        app.submit(RECRUITER, "V0GIVEUP1", &loop_form("Ana Lima"))
            .await
            .status(),
        200
    );
    all_posted(&app).await;
    // The last DM is marked done just after Slack answered it.
    app.settle().await;
    let topics = app.slack.calls_to("conversations.setTopic");
    assert_eq!(topics.len(), 4, "bounded by outbox_max_attempts");
    let v: Value = app
        .http
        .get(format!("{}/healthz", app.ops))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["outbox"]["failed"], 1, "{v}");
    // The other four, and a note to the opener about the one given up on.
    assert_eq!(v["outbox"]["done"], 5);
    let told = dms_to(&app.slack.calls(), RECRUITER)
        .iter()
        .map(|d| d["text"].as_str().unwrap_or_default().to_string())
        .filter(|t| t.contains(":warning:"))
        .collect::<Vec<_>>();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("set the loop channel's topic")
            && told[0].contains("did not answer after several tries"),
        "{told:?}"
    );
    // A permanent Slack error is not retried at all.
    app.slack.script(
        "conversations.create",
        [Scripted::Error("restricted_action")],
    );
    assert_eq!(
        app.submit(RECRUITER, "V0GIVEUP2", &loop_form("Bo Chen"))
            .await
            .status(),
        200
    );
    app.settle().await;
    assert_eq!(app.slack.calls_to("conversations.create").len(), 2);
    // Effects that needed the missing channel fail too, rather than wait forever.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'failed'")
            .await,
        1 + EFFECTS_PER_LOOP as i64
    );
    // The opener hears of the channel once, not of every step after it.
    let told = dms_to(&app.slack.calls(), RECRUITER)
        .iter()
        .filter(|d| d.to_string().contains("create the loop's private channel"))
        .count();
    assert_eq!(told, 1);
}

#[tokio::test]
async fn a_crash_after_storing_delivers_once_on_restart() {
    let database_url = fresh_database_url().await;
    let slack = crate::common::fake_slack::FakeSlack::start().await;
    // First life: the loop is stored and answered, but nothing is delivered.
    let first = TestApp::spawn_with(Options {
        database_url: Some(database_url.clone()),
        slack: Some(slack.clone()),
        worker: false,
        ..Default::default()
    })
    .await;
    assert_eq!(
        first
            .submit(RECRUITER, "V0CRASH01", &loop_form("José Núñez"))
            .await
            .status(),
        200
    );
    assert_eq!(
        first
            .scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
            .await,
        EFFECTS_PER_LOOP as i64
    );
    assert!(slack.calls().is_empty());
    // Abrupt end: no graceful shutdown.
    first.kill().await;

    // Second life on the same database: everything goes out, once.
    let second = TestApp::spawn_with(Options {
        database_url: Some(database_url),
        slack: Some(slack.clone()),
        ..Default::default()
    })
    .await;
    all_posted(&second).await;
    second.settle().await;
    let methods: Vec<String> = slack.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(
        methods,
        [
            "conversations.create",
            "conversations.invite",
            "conversations.setTopic",
            "chat.postMessage",
            "chat.postMessage"
        ]
    );
    second.stop().await;
}

#[tokio::test]
async fn graceful_stop_finishes_and_a_restart_sends_nothing_again() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.submit(RECRUITER, "V0STOP001", &loop_form("Ana Lima"))
            .await
            .status(),
        200
    );
    all_posted(&app).await;
    let (slack, database_url) = app.stop().await;
    let before = slack.calls().len();
    let again = TestApp::spawn_with(Options {
        database_url: Some(database_url),
        slack: Some(slack.clone()),
        ..Default::default()
    })
    .await;
    again.settle().await;
    assert_eq!(
        slack.calls().len(),
        before,
        "nothing re-sent after a restart"
    );
    assert_eq!(again.scalar("SELECT COUNT(*) FROM loops").await, 1);
}

/// Delivered effects and seen event ids are purged once past the retention
/// period (30 days by default); failed deliveries stay for an operator.
#[tokio::test]
async fn housekeeping_purges_what_is_past_retention() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.slack.script(
        "conversations.setTopic",
        [Scripted::Error("restricted_action")],
    );
    assert_eq!(
        app.submit(RECRUITER, "V0PURGE01", &loop_form("Ana Lima"))
            .await
            .status(),
        200
    );
    app.event(
        &json!({"type": "event_callback", "team_id": TEAM, "event_id": "EvPURGE01",
                      "event": {"type": "app_home_opened", "user": HM, "tab": "home"}}),
    )
    .await;
    app.settle().await;
    let count = |status: &'static str| {
        let app = &app;
        async move {
            app.scalar(&format!(
                "SELECT COUNT(*) FROM outbox WHERE status = '{status}'"
            ))
            .await
        }
    };
    let delivered = count("done").await;
    assert!(delivered > 3, "{delivered}");
    assert_eq!(count("failed").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM processed_events").await, 1);
    // A day on: still within retention, nothing purged.
    clock.set(clock.now() + chrono::Duration::days(1) + chrono::Duration::minutes(1));
    app.settle().await;
    assert!(count("done").await >= delivered);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM processed_events").await, 1);
    // Past thirty days: the next daily run purges.
    let last_before = app.scalar("SELECT MAX(id) FROM outbox").await;
    clock.set(clock.now() + chrono::Duration::days(31));
    app.settle().await;
    let purged_once = app
        .scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'housekeeping' AND status = 'done'")
        .await;
    assert!(purged_once >= 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM processed_events").await, 0);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM outbox WHERE status = 'done' AND id <= {last_before}"
        ))
        .await,
        0
    );
    assert_eq!(count("failed").await, 1, "failed deliveries stay");
}
