//! Socket Mode: the same handlers over a WebSocket from a fake
//! `apps.connections.open`, with replies carried in the acknowledgements.

use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn socket_mode_runs_the_same_handlers() {
    let app = TestApp::spawn_with(Options {
        socket_mode: true,
        ..Default::default()
    })
    .await;
    let opened = app
        .slack
        .wait_for(10, "apps.connections.open", |c| {
            c.iter().any(|c| c.method == "apps.connections.open")
        })
        .await;
    let open_call = opened
        .iter()
        .find(|c| c.method == "apps.connections.open")
        .unwrap();
    assert_eq!(
        open_call.authorization, "Bearer xapp-test-token",
        "the app-level token opens the socket"
    );
    // In Socket Mode without a signing secret the HTTP Slack routes are off.
    let r = app
        .post_signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            command_form(HM, "C1", "help"),
        )
        .await;
    assert_eq!(r.status(), 404);

    // A slash command: the usage comes back in the ack's payload.
    app.slack.socket_send(command_envelope("env-1", HM, "help"));
    let ack = app.slack.wait_for_ack("env-1", 10).await;
    assert!(
        ack["payload"]
            .to_string()
            .contains("/staffloop open [candidate name]"),
        "{ack}"
    );

    // A view submission with a problem: field errors in the ack.
    let mut form = loop_form("Ana Lima");
    form["stage_4_coding_who"]["value"]["selected_users"] = json!([]);
    app.slack.socket_send(
        json!({"envelope_id": "env-2", "type": "interactive", "accepts_response_payload": true,
        "payload": submission_payload(RECRUITER, "V0SOCK001", &form)}),
    );
    let ack = app.slack.wait_for_ack("env-2", 10).await;
    assert_eq!(ack["payload"]["response_action"], "errors");
    assert!(ack["payload"]["errors"]["stage_4_coding_who"].is_string());

    // A valid one: the loop opens exactly as over HTTP.
    app.slack.socket_send(
        json!({"envelope_id": "env-3", "type": "interactive", "accepts_response_payload": true,
        "payload": submission_payload(RECRUITER, "V0SOCK002", &loop_form("Ana Lima"))}),
    );
    let ack = app.slack.wait_for_ack("env-3", 10).await;
    assert!(
        ack.get("payload").is_none(),
        "an empty ack closes the modal: {ack}"
    );
    let calls = app
        .slack
        .wait_for(10, "plan", |c| {
            c.iter().filter(|c| c.method == "chat.postMessage").count() >= 2
        })
        .await;
    let create = calls
        .iter()
        .find(|c| c.method == "conversations.create")
        .unwrap();
    assert_eq!(create.body["name"], "loop-ana-lima");

    // An event retried over the socket is handled once.
    for n in 0..2 {
        app.slack.socket_send(
            json!({"envelope_id": format!("env-ev-{n}"), "type": "events_api", "retry_attempt": n,
            "payload": {"type": "event_callback", "team_id": TEAM, "event_id": "Ev0SOCK01",
                        "event": {"type": "app_home_opened", "user": HM, "tab": "home"}}}),
        );
        app.slack.wait_for_ack(&format!("env-ev-{n}"), 10).await;
    }
    app.slack
        .wait_for(10, "home", |c| {
            c.iter().any(|c| c.method == "views.publish")
        })
        .await;
    app.settle().await;
    assert_eq!(app.slack.calls_to("views.publish").len(), 1);
    let home = app.slack.calls_to("views.publish")[0].body.to_string();
    assert!(
        home.contains("Ana Lima") && home.contains("hiring manager"),
        "{home}"
    );
    assert_eq!(app.slack.socket_connections(), 1);
    app.stop().await;
}

async fn socket_app() -> TestApp {
    let app = TestApp::spawn_with(Options {
        socket_mode: true,
        ..Default::default()
    })
    .await;
    wait_connections(&app, 1).await;
    app
}

async fn wait_connections(app: &TestApp, n: u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.slack.socket_connections() < n {
        assert!(
            std::time::Instant::now() < deadline,
            "{} socket connection(s), wanted {n}",
            app.slack.socket_connections()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// A slash command as Socket Mode carries it.
fn command_envelope(id: &str, user: &str, text: &str) -> serde_json::Value {
    let fields: serde_json::Map<String, serde_json::Value> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(&command_form(user, "C1", text))
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, json!(v)))
            .collect();
    json!({"envelope_id": id, "type": "slash_commands", "accepts_response_payload": true, "payload": fields})
}

/// A socket that goes quiet without closing (half-open) is noticed by the
/// bot's pings and replaced by a new connection, where envelopes flow again.
#[tokio::test]
async fn a_half_open_socket_is_noticed_and_replaced() {
    let app = socket_app().await;
    app.slack.socket_go_silent();
    wait_connections(&app, 2).await;
    app.slack
        .socket_send(command_envelope("env-after", HM, "help"));
    let ack = app.slack.wait_for_ack("env-after", 10).await;
    assert!(ack["payload"].to_string().contains("/staffloop open"));
    app.stop().await;
}

/// Slack's "disconnect" (a planned refresh) does not drop an envelope being
/// handled: it is finished and acknowledged before the bot reconnects.
#[tokio::test]
async fn an_envelope_in_flight_is_acknowledged_before_a_reconnect() {
    use crate::common::fake_slack::Scripted;
    let app = socket_app().await;
    // Opening a loop calls views.open inline; make it slow.
    app.slack.script(
        "views.open",
        [Scripted::Slow(std::time::Duration::from_millis(800))],
    );
    app.slack
        .socket_send(command_envelope("env-slow", RECRUITER, "open Ana Lima"));
    app.slack
        .wait_for(10, "the handler under way", |c| {
            c.iter().any(|c| c.method == "views.open")
        })
        .await;
    app.slack
        .socket_send(json!({"type": "disconnect", "reason": "refresh_requested"}));
    app.slack.wait_for_ack("env-slow", 10).await;
    wait_connections(&app, 2).await;
    app.stop().await;
}
