//! `manifest.yml` is valid against Slack's own manifest schema and asks for
//! what the bot uses: the command, its routes, its events and its scopes.

use serde_json::Value;

fn manifest() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/manifest.yml")).unwrap();
    serde_yaml::from_str(&text).expect("manifest.yml is YAML")
}

#[test]
fn manifest_validates_against_slacks_schema() {
    let schema_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/slack/manifest.schema.1.0.0.json"
    );
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let m = manifest();
    let errors: Vec<String> = validator
        .iter_errors(&m)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // And a broken one is caught, so this test can fail.
    let mut broken = m.clone();
    broken["settings"]["no_such_setting"] = Value::Bool(true);
    assert!(!validator.is_valid(&broken));
}

#[test]
fn manifest_matches_what_the_service_serves() {
    let m = manifest();
    let command = &m["features"]["slash_commands"][0];
    assert_eq!(command["command"], "/staffloop");
    assert!(command["url"]
        .as_str()
        .unwrap()
        .ends_with("/slack/commands"));
    assert!(m["settings"]["interactivity"]["request_url"]
        .as_str()
        .unwrap()
        .ends_with("/slack/interactions"));
    assert!(m["settings"]["event_subscriptions"]["request_url"]
        .as_str()
        .unwrap()
        .ends_with("/slack/events"));
    assert_eq!(
        m["settings"]["event_subscriptions"]["bot_events"][0],
        "app_home_opened"
    );
    assert_eq!(m["features"]["app_home"]["home_tab_enabled"], true);
    let mut scopes: Vec<&str> = m["oauth_config"]["scopes"]["bot"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    scopes.sort();
    assert_eq!(
        scopes,
        [
            "chat:write",
            "commands",
            "files:write",
            "groups:read",
            "groups:write",
            "im:write",
            "usergroups:read",
            "users:read"
        ]
    );
    assert!(m["display_information"]["name"].as_str().unwrap().len() <= 35);
    assert_eq!(m["settings"]["socket_mode_enabled"], false);
}

/// The fake Slack holds every view the bot sends to Block Kit's limits
/// (`views::limits`): what breaks one is refused with `invalid_blocks`, as
/// Slack refuses it, and every test that waits for the service to be idle
/// fails on it.
#[tokio::test]
async fn the_fake_slack_refuses_what_breaks_block_kit_limits() {
    let slack = crate::common::fake_slack::FakeSlack::start().await;
    let http = reqwest::Client::new();
    let blocks: Vec<Value> = (0..51)
        .map(|_| serde_json::json!({"type": "section", "text": {"type": "mrkdwn", "text": "x"}}))
        .collect();
    let call = |method: &str, body: Value| {
        http.post(format!("{}/{method}", slack.api_url))
            .json(&body)
            .send()
    };
    let answer: Value = call(
        "chat.postMessage",
        serde_json::json!({"channel": "C1", "text": "x", "blocks": blocks}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(answer["error"], "invalid_blocks");
    let broken = slack.limit_violations();
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(broken[0].contains("chat.postMessage: blocks: the count is 51"));
    let modal = serde_json::json!({"trigger_id": "t", "view": {"type": "modal",
        "title": {"type": "plain_text", "text": "A title far longer than Slack allows"}, "blocks": []}});
    let answer: Value = call("views.open", modal)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["error"], "invalid_blocks");
    assert_eq!(slack.limit_violations().len(), 2);
}
