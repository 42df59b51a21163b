//! The HTTP edge: signatures, ssl_check, body limits, url_verification,
//! event deduplication, help, and /healthz.

use crate::common::*;
use serde_json::{json, Value};

async fn nothing_stored(app: &TestApp) {
    for table in ["loops", "outbox", "processed_events", "teams"] {
        assert_eq!(
            app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert!(app.slack.calls().is_empty(), "Slack was called");
}

#[tokio::test]
async fn forged_or_stale_signatures_get_401_and_store_nothing() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    let form = serde_urlencoded::to_string([(
        "payload",
        submission_payload(RECRUITER, "V0FORGED1", &loop_form("Ana")).to_string(),
    )])
    .unwrap();
    let ct = "application/x-www-form-urlencoded";

    let forged = Some("v0=".to_string() + &"ab".repeat(32));
    assert_eq!(
        app.post_raw("/slack/interactions", ct, form.clone(), now, forged)
            .await
            .status(),
        401
    );
    let other_secret = staffloop::slack::verify::sign(b"not-the-secret", now, form.as_bytes());
    assert_eq!(
        app.post_raw(
            "/slack/interactions",
            ct,
            form.clone(),
            now,
            Some(other_secret)
        )
        .await
        .status(),
        401
    );
    // Correctly signed, but 10 minutes old, and 10 minutes in the future.
    assert_eq!(
        app.post_raw("/slack/interactions", ct, form.clone(), now - 600, None)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.post_raw("/slack/interactions", ct, form.clone(), now + 600, None)
            .await
            .status(),
        401
    );
    // Signed body, then tampered with.
    let sig = staffloop::slack::verify::sign(SECRET.as_bytes(), now, form.as_bytes());
    let tampered = form.replace("Ana", "Bob");
    assert_eq!(
        app.post_raw("/slack/interactions", ct, tampered, now, Some(sig))
            .await
            .status(),
        401
    );
    // No headers at all.
    let r = app
        .http
        .post(format!("{}/slack/commands", app.base))
        .body(command_form(HM, "C1", "open x"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let event = json!({"type": "event_callback", "team_id": TEAM, "event_id": "Ev1", "event": {"type": "app_home_opened", "user": HM, "tab": "home"}});
    assert_eq!(
        app.post_raw(
            "/slack/events",
            "application/json",
            event.to_string(),
            now - 301,
            None
        )
        .await
        .status(),
        401
    );
    nothing_stored(&app).await;
    // The same request, properly signed and fresh, is accepted.
    assert_eq!(
        app.post_raw("/slack/interactions", ct, form, now, None)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn ssl_check_is_answered_and_nothing_else_happens() {
    let app = TestApp::spawn().await;
    let body = format!("ssl_check=1&token=x&{}", command_form(HM, "C1", "open Ana"));
    let r = app
        .http
        .post(format!("{}/slack/commands", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "");
    nothing_stored(&app).await;
}

#[tokio::test]
async fn bodies_over_one_mebibyte_get_413() {
    let app = TestApp::spawn().await;
    let big = format!(
        "{}&pad={}",
        command_form(HM, "C1", "help"),
        "a".repeat(1024 * 1024)
    );
    let r = app
        .post_signed("/slack/commands", "application/x-www-form-urlencoded", big)
        .await;
    assert_eq!(r.status(), 413);
    nothing_stored(&app).await;
}

#[tokio::test]
async fn url_verification_echoes_the_challenge() {
    let app = TestApp::spawn().await;
    let r = app.event(&json!({"type": "url_verification", "token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
}

#[tokio::test]
async fn an_event_delivered_three_times_is_processed_once() {
    let app = TestApp::spawn().await;
    let event = json!({
        "type": "event_callback", "team_id": TEAM, "api_app_id": "A0STAFFLOOP",
        "event_id": "Ev0HOME0001", "event_time": 1_700_000_000,
        "event": {"type": "app_home_opened", "user": HM, "channel": "D0HOME", "tab": "home"}
    });
    for retry in 0..3 {
        let body = event.to_string();
        let now = chrono::Utc::now().timestamp();
        let sig = staffloop::slack::verify::sign(SECRET.as_bytes(), now, body.as_bytes());
        let mut req = app
            .http
            .post(format!("{}/slack/events", app.base))
            .header("content-type", "application/json")
            .header("x-slack-request-timestamp", now.to_string())
            .header("x-slack-signature", sig);
        if retry > 0 {
            req = req
                .header("x-slack-retry-num", retry.to_string())
                .header("x-slack-retry-reason", "http_timeout");
        }
        assert_eq!(req.body(body).send().await.unwrap().status(), 200);
    }
    app.slack
        .wait_for(10, "views.publish", |c| {
            c.iter().any(|c| c.method == "views.publish")
        })
        .await;
    app.settle().await;
    let publishes = app.slack.calls_to("views.publish");
    assert_eq!(publishes.len(), 1, "acted on once");
    assert_eq!(publishes[0].body["user_id"], HM);
    assert_eq!(publishes[0].body["view"]["type"], "home");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM processed_events").await, 1);
}

/// An event whose handling fails inside is answered with a 5xx, so Slack
/// delivers it again; nothing of it was kept, and the retry is acted on.
#[tokio::test]
async fn a_failed_event_gets_a_5xx_and_its_retry_is_handled() {
    let app = TestApp::spawn().await;
    let event = json!({
        "type": "event_callback", "team_id": TEAM, "api_app_id": "A0STAFFLOOP",
        "event_id": "Ev0FAIL0001", "event_time": 1_700_000_000,
        "event": {"type": "app_home_opened", "user": HM, "channel": "D0HOME", "tab": "home"}
    });
    sqlx::query("ALTER TABLE processed_events RENAME TO processed_events_elsewhere")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let r = app.event(&event).await;
    assert_eq!(r.status(), 500, "Slack must retry a failed event");
    sqlx::query("ALTER TABLE processed_events_elsewhere RENAME TO processed_events")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM processed_events").await, 0);
    assert_eq!(app.event(&event).await.status(), 200);
    app.slack
        .wait_for(10, "views.publish", |c| {
            c.iter().any(|c| c.method == "views.publish")
        })
        .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM processed_events").await, 1);
}

#[tokio::test]
async fn help_and_unknown_subcommands_answer_with_usage() {
    let app = TestApp::spawn().await;
    for text in ["help", "", "frobnicate <!channel>"] {
        let v = app.command_json(HM, "C1", text).await;
        assert_eq!(v["response_type"], "ephemeral");
        let shown = v.to_string();
        for usage in [
            "/staffloop open [candidate name]",
            "/staffloop status",
            "/staffloop help",
        ] {
            assert!(shown.contains(usage), "{text:?}: {shown}");
        }
        assert!(!shown.contains("<!channel>"));
    }
    let v = app.command_json(HM, "C1", "frobnicate").await;
    assert!(v["text"]
        .as_str()
        .unwrap()
        .contains("I don't know `frobnicate`"));
    assert!(app.slack.calls().is_empty());
}

#[tokio::test]
async fn malformed_payloads_get_400() {
    let app = TestApp::spawn().await;
    let form = "application/x-www-form-urlencoded";
    let cases = [
        ("/slack/interactions", form, "payload=%7Bnot-json"),
        ("/slack/interactions", form, "nothing=here"),
        ("/slack/commands", form, "team_id=T1&user_id=%3C%21here%3E"),
        ("/slack/events", "application/json", "[1,2"),
    ];
    for (path, content_type, body) in cases {
        let status = app.post_signed(path, content_type, body).await.status();
        assert_eq!(status, 400, "{path} {body}");
    }
    nothing_stored(&app).await;
}

#[tokio::test]
async fn healthz_follows_the_database() {
    let app = TestApp::spawn().await;
    let r = app
        .http
        .get(format!("{}/healthz", app.ops))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["outbox"]["failed"], 0);
    app.state.db.close().await;
    let r = app
        .http
        .get(format!("{}/healthz", app.ops))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode() {
    let app = TestApp::spawn().await;
    if app.state.db.backend() != staffloop::store::Backend::Sqlite {
        return; // PostgreSQL has no journal mode to check.
    }
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(mode.to_lowercase(), "wal");
}

#[tokio::test]
async fn metrics_count_requests_and_backlog_without_personal_data() {
    let app = TestApp::spawn().await;
    app.command_json(HM, "C1", "help").await;
    let now = chrono::Utc::now().timestamp();
    let form = command_form(HM, "C1", "help");
    assert_eq!(
        app.post_raw(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            form,
            now - 900,
            None
        )
        .await
        .status(),
        401
    );
    assert_eq!(
        app.submit(RECRUITER, "V0METRICS", &loop_form("Zelda Metric"))
            .await
            .status(),
        200
    );
    app.slack
        .wait_for(10, "delivered", |c| {
            c.iter().filter(|c| c.method == "chat.postMessage").count() >= 2
        })
        .await;
    // Every recorded effect delivered before the counts are read.
    app.settle().await;
    let r = app
        .http
        .get(format!("{}/metrics", app.ops))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let text = r.text().await.unwrap();
    assert!(
        text.contains("staffloop_requests_total{route=\"/slack/commands\",outcome=\"2xx\"} 1"),
        "{text}"
    );
    assert!(text.contains("staffloop_requests_total{route=\"/slack/commands\",outcome=\"401\"} 1"));
    assert!(
        text.contains("staffloop_requests_total{route=\"/slack/interactions\",outcome=\"2xx\"} 1")
    );
    assert!(text.contains("staffloop_ack_seconds_count{route=\"/slack/commands\"} 2"));
    assert!(text.contains("staffloop_outbox_delivered 5"), "{text}");
    assert!(text.contains("staffloop_outbox_backlog 0"));
    assert!(text.contains("staffloop_jobs_due"));
    assert!(text.contains("staffloop_db_up 1"), "{text}");
    assert!(
        !text.contains("Zelda") && !text.contains(HM),
        "no names or ids in metrics"
    );
}

/// The public port serves Slack only: `/metrics` and `/healthz` are on the
/// operators' address (loopback by default), apart from it.
#[tokio::test]
async fn the_public_port_serves_slack_only() {
    let app = TestApp::spawn().await;
    for path in ["/metrics", "/healthz"] {
        let r = app
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path} on the public port");
        let r = app
            .http
            .get(format!("{}{path}", app.ops))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path} on the operators' port");
    }
    assert_ne!(app.base, app.ops);
}

fn addr(base: &str) -> String {
    base.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection (or the deadline passes);
/// returns what it sent.
async fn until_closed(stream: &mut tokio::net::TcpStream, secs: u64) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let read = async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(secs), read)
        .await
        .expect("the server never closed the connection");
    got
}

/// A client that sends half a request is disconnected (hyper's header
/// timeout, tower-http's body timeout), and the service keeps answering.
#[tokio::test]
async fn a_client_that_sends_half_a_request_is_disconnected() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn().await;
    // Half a head, then nothing.
    let mut half_head = tokio::net::TcpStream::connect(addr(&app.base))
        .await
        .unwrap();
    half_head
        .write_all(b"POST /slack/commands HTTP/1.1\r\nHost: staffloop\r\nContent-Ty")
        .await
        .unwrap();
    until_closed(&mut half_head, 20).await;
    // A whole head, then half the body it announced.
    let mut half_body = tokio::net::TcpStream::connect(addr(&app.base))
        .await
        .unwrap();
    half_body
        .write_all(
            b"POST /slack/commands HTTP/1.1\r\nHost: staffloop\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 400\r\n\r\ntoken=x&team",
        )
        .await
        .unwrap();
    let answer = until_closed(&mut half_body, 20).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );
    nothing_stored(&app).await;
    // Everyone else is still served.
    let v = app.command_json(HM, "C1", "help").await;
    assert_eq!(v["response_type"], "ephemeral");
}

/// Connections beyond the cap wait for a free one: with a cap of one, a
/// second client is answered only after the first (idle) one is dropped.
#[tokio::test]
async fn connections_beyond_the_cap_wait_their_turn() {
    let mut tuning = test_tuning();
    tuning.http_limits.max_connections = 1;
    let app = TestApp::spawn_with(Options {
        tuning: Some(tuning),
        ..Default::default()
    })
    .await;
    let mut idle = tokio::net::TcpStream::connect(addr(&app.base))
        .await
        .unwrap();
    let second = {
        let http = reqwest::Client::new();
        let url = format!("{}/slack/commands", app.base);
        tokio::spawn(async move {
            let r = http.post(url).body("x").send().await;
            (std::time::Instant::now(), r.map(|r| r.status().as_u16()))
        })
    };
    until_closed(&mut idle, 20).await;
    let idle_closed = std::time::Instant::now();
    let (answered, status) = second.await.unwrap();
    assert_eq!(status.unwrap(), 401, "served, once its turn came");
    assert!(answered >= idle_closed, "the second waited for the first");
}
