//! Faults: Slack down for two minutes, Slack's rate tiers under a burst of 50
//! loops, and the service killed with SIGKILL in the middle of a burst.
//! Nothing answered is lost; nothing is sent twice but what was in flight.

use crate::common::fake_slack::FakeSlack;
use crate::common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Retries that keep trying through a long outage, quickly.
fn patient() -> staffloop::config::Tuning {
    let mut t = test_tuning();
    t.outbox_retry_base = Duration::from_millis(100);
    t.outbox_retry_max = Duration::from_secs(1);
    t.outbox_max_attempts = 1000;
    t
}

async fn spawn_patient(slack: &FakeSlack) -> TestApp {
    TestApp::spawn_with(Options {
        slack: Some(slack.clone()),
        tuning: Some(patient()),
        ..Default::default()
    })
    .await
}

/// Per loop channel, the methods delivered to it, in order (channel ids
/// from the service's own records).
async fn per_loop(
    app: &TestApp,
    calls: &[crate::common::fake_slack::Call],
) -> HashMap<String, Vec<String>> {
    let channels: HashMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT channel_id, channel_name FROM loops WHERE channel_id IS NOT NULL",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap()
    .into_iter()
    .collect();
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for c in calls {
        let name = if c.method == "conversations.create" {
            c.body["name"].as_str().map(str::to_string)
        } else {
            c.body["channel"]
                .as_str()
                .and_then(|ch| channels.get(ch))
                .cloned()
        };
        if let Some(name) = name {
            out.entry(name).or_default().push(c.method.clone());
        }
    }
    out
}

#[tokio::test]
async fn a_two_minute_slack_outage_delays_but_loses_nothing() {
    let slack = FakeSlack::start().await;
    let app = spawn_patient(&slack).await;
    slack.set_down(true);
    for i in 0..3 {
        assert_eq!(
            app.submit(
                RECRUITER,
                &format!("VOUT{i}"),
                &loop_form(&format!("Outage {i}"))
            )
            .await
            .status(),
            200
        );
    }
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_secs(10)).await;
        let r = app
            .http
            .get(format!("{}/healthz", app.ops))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "healthz stays up while Slack is down");
        let metrics = app
            .http
            .get(format!("{}/metrics", app.ops))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains("staffloop_outbox_backlog 15"),
            "the backlog is visible"
        );
    }
    assert!(slack.calls().is_empty(), "nothing got through");
    assert!(slack.rate_limited() > 20, "it kept trying");
    slack.set_down(false);
    let back = Instant::now();
    let calls = slack
        .wait_for(30, "everything delivered", |c| {
            c.iter().filter(|c| c.method == "chat.postMessage").count() == 6
        })
        .await;
    assert!(
        back.elapsed() < Duration::from_secs(10),
        "caught up within seconds of Slack returning"
    );
    app.drained().await;
    for (name, methods) in per_loop(&app, &slack.calls()).await {
        assert_eq!(
            methods,
            [
                "conversations.create",
                "conversations.invite",
                "conversations.setTopic",
                "chat.postMessage"
            ],
            "{name}"
        );
    }
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.method == "conversations.create")
            .count(),
        3
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status <> 'done'")
            .await,
        0
    );
}

#[tokio::test]
async fn fifty_loops_in_a_minute_under_slacks_rate_tiers_all_arrive_in_order() {
    let slack = FakeSlack::start().await;
    // Slack's per-minute tiers, with six seconds standing in for a minute.
    slack.enforce_tiers(Duration::from_secs(6));
    let app = spawn_patient(&slack).await;
    let opened = Instant::now();
    for i in 0..50 {
        let r = app
            .submit(
                RECRUITER,
                &format!("VRATE{i:02}"),
                &loop_form(&format!("Tier Candidate {i:02}")),
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    assert!(
        opened.elapsed() < Duration::from_secs(6),
        "all opened within one (compressed) minute"
    );
    slack
        .wait_for(90, "every plan", |c| {
            c.iter()
                .filter(|c| c.method == "chat.postMessage" && c.body["channel"] == RECRUITER)
                .count()
                == 50
        })
        .await;
    app.drained().await;
    assert!(slack.rate_limited() > 0, "the tiers were hit");
    let loops = per_loop(&app, &slack.calls()).await;
    assert_eq!(loops.len(), 50, "no loop lost");
    for (name, methods) in &loops {
        assert_eq!(
            methods,
            &[
                "conversations.create",
                "conversations.invite",
                "conversations.setTopic",
                "chat.postMessage"
            ],
            "{name} in order"
        );
    }
    assert_eq!(
        slack.calls_to("conversations.create").len(),
        50,
        "each channel once"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status <> 'done'")
            .await,
        0
    );
}

fn serve(database_url: &str, api: &str, port: u16, ops_port: u16) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_staffloop"))
        .arg("serve")
        .env("SLACK_BOT_TOKEN", "xoxb-test-token")
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("SLACK_API_URL", api)
        .env("DATABASE_URL", database_url)
        .env("STAFFLOOP_LISTEN", format!("127.0.0.1:{port}"))
        .env("STAFFLOOP_METRICS_LISTEN", format!("127.0.0.1:{ops_port}"))
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_healthy(http: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .map(|r| r.status() == 200)
            .unwrap_or(false)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("service did not come up");
}

#[tokio::test]
async fn sigkill_mid_burst_loses_no_answered_card_and_delivers_everything() {
    let slack = FakeSlack::start().await;
    let database_url = fresh_database_url().await;
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port, ops_port) = (free(), free());
    let base = format!("http://127.0.0.1:{port}");
    let ops = format!("http://127.0.0.1:{ops_port}");
    let mut child = serve(&database_url, &slack.api_url, port, ops_port);
    let http = reqwest::Client::new();
    wait_healthy(&http, &ops).await;
    // A second handle on the same database, for reading what was stored (its
    // own workers are off).
    let shim = TestApp::spawn_with(Options {
        slack: Some(slack.clone()),
        database_url: Some(database_url.clone()),
        worker: false,
        ..Default::default()
    })
    .await;
    // Ten loops, every stage ended: seventy cards to score.
    for i in 0..10 {
        let r = signed_status(
            &http,
            &base,
            "/slack/interactions",
            submission_form(
                RECRUITER,
                &format!("VKILL{i}"),
                &loop_form(&format!("Kill Test {i}")),
            ),
        )
        .await;
        assert_eq!(r, 200);
    }
    slack
        .wait_for(20, "channels", |c| {
            c.iter()
                .filter(|c| c.method == "conversations.create")
                .count()
                == 10
        })
        .await;
    // Slack has answered; the worker records each channel id just after.
    let deadline = Instant::now() + Duration::from_secs(20);
    let channels: Vec<String> = loop {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT channel_id FROM loops WHERE channel_id IS NOT NULL")
                .fetch_all(shim.state.db.pool())
                .await
                .unwrap();
        if ids.len() == 10 {
            break ids;
        }
        assert!(Instant::now() < deadline, "channel ids recorded: {ids:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    for ch in &channels {
        for stage in ["doc", "1", "3", "4", "5", "6"] {
            assert_eq!(
                signed_status(
                    &http,
                    &base,
                    "/slack/commands",
                    command_form(HM, ch, &format!("done {stage}"))
                )
                .await,
                200
            );
        }
    }
    // The burst: every card at once, and the kill part-way through.
    let slots: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT s.id, s.kind, i.user_id FROM stages s JOIN stage_interviewers i ON i.stage_id = s.id ORDER BY s.id, i.user_id",
    )
    .fetch_all(shim.state.db.pool())
    .await
    .unwrap();
    assert_eq!(slots.len(), 70);
    let mut tasks = Vec::new();
    for (stage, kind, user) in slots.clone() {
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let values = card_values(&kind, 3, "staff", "KILL");
            let body = card_form(&user, &stage, &values);
            let status = signed_post(&http, &base, "/slack/interactions", body).await;
            (stage, user, status)
        }));
        if tasks.len() == 35 {
            tokio::time::sleep(Duration::from_millis(30)).await;
            child.kill().unwrap(); // SIGKILL
        }
    }
    let mut answered = Vec::new();
    for t in tasks {
        let (stage, user, status) = t.await.unwrap();
        if status == Some(200) {
            answered.push((stage, user));
        }
    }
    let _ = child.wait();
    // Restart on the same database; everything recorded goes out.
    let mut child = serve(&database_url, &slack.api_url, port, ops_port);
    wait_healthy(&http, &ops).await;
    for (stage, user) in &answered {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM scorecards WHERE stage_id = $1 AND interviewer = $2",
        )
        .bind(stage)
        .bind(user)
        .fetch_one(shim.state.db.pool())
        .await
        .unwrap();
        assert_eq!(n, 1, "an answered card is stored, once");
    }
    // Deliveries the killed process had claimed wait out their lease first.
    let deadline = Instant::now() + Duration::from_secs(60);
    while shim
        .scalar("SELECT COUNT(*) FROM outbox WHERE status <> 'done'")
        .await
        > 0
    {
        assert!(
            Instant::now() < deadline,
            "the outbox never drained after the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Every recorded message was delivered; duplicates only from calls in flight at the kill.
    let delivered = shim
        .scalar("SELECT COUNT(*) FROM outbox WHERE status = 'done'")
        .await as usize;
    let calls = slack
        .calls()
        .iter()
        .filter(|c| c.method != "views.open")
        .count();
    let duplicates = calls.saturating_sub(delivered);
    assert!(
        calls >= delivered,
        "{calls} calls for {delivered} deliveries"
    );
    assert!(
        duplicates <= 16,
        "{duplicates} duplicates: at most the deliveries in flight at the kill"
    );
    eprintln!("answered {} of 70 during the burst; {delivered} deliveries; {duplicates} duplicate call(s) from the kill", answered.len());
    child.kill().unwrap();
    let _ = child.wait();
}

fn submission_form(user: &str, view_id: &str, values: &Value) -> String {
    serde_urlencoded::to_string([(
        "payload",
        submission_payload(user, view_id, values).to_string(),
    )])
    .unwrap()
}

fn card_form(user: &str, stage: &i64, values: &Value) -> String {
    let mut payload = submission_payload(user, &format!("VK{user}{stage}"), values);
    payload["view"]["callback_id"] = serde_json::json!("staffloop_scorecard");
    payload["view"]["private_metadata"] = serde_json::json!(stage.to_string());
    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
}

async fn signed_post(http: &reqwest::Client, base: &str, path: &str, body: String) -> Option<u16> {
    let ts = chrono::Utc::now().timestamp();
    let sig = staffloop::slack::verify::sign(SECRET.as_bytes(), ts, body.as_bytes());
    http.post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", sig)
        .body(body)
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

async fn signed_status(http: &reqwest::Client, base: &str, path: &str, body: String) -> u16 {
    signed_post(http, base, path, body).await.unwrap_or(0)
}
