//! Rows queued by a release before effects were typed: Slack arguments with
//! private `_`-keys and whole-string placeholders. The worker still delivers
//! them after an upgrade, so nothing queued is lost; new rows never take
//! this path, and it can go once no such row can be left.

use crate::heatmap::HeatMap;
use crate::jobs::outbox_worker::{backoff, held, renewing};
use crate::slack::client::CallError;
use crate::store::outbox::{self, Delivery};
use crate::store::{cards, loops};
use crate::AppState;
use serde_json::Value;

const LOOP_CHANNEL: &str = "$loop_channel";
const LOOP_CHANNEL_MENTION: &str = "<#$loop_channel>";
const REVEAL_TS: &str = "$reveal_ts";
const UPLOAD_PNG: &str = "staffloop.upload_png";
const REFRESH_HOME: &str = "staffloop.refresh_home";

/// Replaces whole-string placeholders (`$loop_channel`, `<#$loop_channel>`,
/// `$reveal_ts`) with their values; returns the placeholders that had none.
fn substitute(v: &mut Value, channel: Option<&str>, reveal_ts: Option<&str>) -> Vec<&'static str> {
    let mut missing = Vec::new();
    fill(v, channel, reveal_ts, &mut missing);
    missing
}

fn fill(
    v: &mut Value,
    channel: Option<&str>,
    reveal_ts: Option<&str>,
    missing: &mut Vec<&'static str>,
) {
    match v {
        Value::String(s) if s == LOOP_CHANNEL || s == LOOP_CHANNEL_MENTION => match channel {
            Some(c) => {
                *s = if s == LOOP_CHANNEL {
                    c.to_string()
                } else {
                    format!("<#{c}>")
                }
            }
            None => missing.push(LOOP_CHANNEL),
        },
        Value::String(s) if s == REVEAL_TS => match reveal_ts {
            Some(ts) => *s = ts.to_string(),
            None => missing.push(REVEAL_TS),
        },
        // Every placeholder must be replaced, so visit every element.
        Value::Array(items) => items
            .iter_mut()
            .for_each(|i| fill(i, channel, reveal_ts, missing)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|i| fill(i, channel, reveal_ts, missing)),
        _ => {}
    }
}

pub async fn try_deliver(state: &AppState, d: &Delivery) -> anyhow::Result<()> {
    let db = &state.db;
    let now_ms = crate::clock::wall_ms;
    let mut payload: Value = match serde_json::from_str(&d.payload) {
        Ok(v) => v,
        Err(_) => {
            held(outbox::fail(db, d, now_ms(), "stored payload is not JSON").await?)?;
            return Ok(());
        }
    };
    // Private instructions to the worker ride in `_`-keys; Slack never sees them.
    let take = |payload: &mut Value, key: &str| {
        payload
            .as_object_mut()
            .and_then(|o| o.remove(key))
            .and_then(|v| v.as_i64())
    };
    let record_prompt = take(&mut payload, "_record_prompt");
    if let Some(prompt_id) = take(&mut payload, "_prompt") {
        match cards::prompt_message(db, prompt_id).await? {
            Some((Some(channel), Some(ts))) => {
                payload["channel"] = Value::String(channel);
                payload["ts"] = Value::String(ts);
            }
            _ => {
                held(
                    outbox::fail(db, d, now_ms(), "the message to update was never posted").await?,
                )?;
                return Ok(());
            }
        }
    }
    let record_reveal = take(&mut payload, "_record_reveal");
    let (channel, reveal_ts) = match d.loop_id {
        Some(loop_id) => (
            loops::channel_id(db, loop_id).await?,
            loops::reveal_ts(db, loop_id).await?,
        ),
        None => (None, None),
    };
    let missing = substitute(&mut payload, channel.as_deref(), reveal_ts.as_deref());
    if !missing.is_empty() {
        tracing::error!(outbox_id = d.id, method = %d.method, ?missing, "outbox: what this delivery builds on was never delivered; giving up");
        held(outbox::fail(db, d, now_ms(), "an earlier delivery it depends on failed").await?)?;
        return Ok(());
    }
    let call = async {
        if d.method == UPLOAD_PNG {
            upload(state, &payload).await.map(|()| Value::Null)
        } else if d.method == REFRESH_HOME {
            let (team, user) = (
                payload["team_id"].as_str().unwrap_or_default(),
                payload["user_id"].as_str().unwrap_or_default(),
            );
            match super::deliver::home_view(state, team, user).await {
                Ok(view) => {
                    state
                        .slack
                        .call(
                            "views.publish",
                            &serde_json::json!({"user_id": user, "view": view}),
                        )
                        .await
                }
                Err(_) => Err(CallError::Transient("building the Home view failed".into())),
            }
        } else {
            state.slack.call(&d.method, &payload).await
        }
    };
    let result = renewing(state, d, call).await?;
    match result {
        Ok(answer) => {
            if d.method == "conversations.create" {
                let Some(id) = answer["channel"]["id"].as_str() else {
                    held(
                        outbox::fail(db, d, now_ms(), "conversations.create gave no channel id")
                            .await?,
                    )?;
                    return Ok(());
                };
                if let Some(loop_id) = d.loop_id {
                    loops::set_channel_id(db, loop_id, id).await?;
                }
            }
            if let (Some(loop_id), Some(ts)) = (record_reveal, answer["ts"].as_str()) {
                loops::set_reveal_ts(db, loop_id, ts).await?;
            }
            if let Some(prompt_id) = record_prompt {
                if let (Some(channel), Some(ts)) =
                    (answer["channel"].as_str(), answer["ts"].as_str())
                {
                    let _gate = db.gate().await;
                    cards::record_prompt_message(db, prompt_id, channel, ts).await?;
                }
            }
            held(outbox::complete(db, d, now_ms()).await?)?;
            tracing::debug!(outbox_id = d.id, method = %d.method, "delivered");
        }
        Err(CallError::RateLimited(wait)) => {
            tracing::info!(outbox_id = d.id, method = %d.method, wait_s = wait.as_secs(), "outbox: rate limited; waiting");
            held(
                outbox::retry_at(
                    db,
                    d,
                    now_ms() + wait.as_millis() as i64,
                    "rate limited",
                    false,
                )
                .await?,
            )?;
        }
        Err(CallError::Api(code)) if d.method == "conversations.create" && code == "name_taken" => {
            let Some(loop_id) = d.loop_id else {
                held(outbox::fail(db, d, now_ms(), "name_taken").await?)?;
                return Ok(());
            };
            let name = loops::rename_channel(db, loop_id, state.clock.unix()).await?;
            tracing::info!(
                outbox_id = d.id,
                loop_id,
                "outbox: channel name taken; trying the next one"
            );
            payload["name"] = Value::String(name);
            held(outbox::set_payload(db, d, &payload).await?)?;
            let at = now_ms();
            if d.attempts >= state.tuning.outbox_max_attempts * 4 {
                held(outbox::fail(db, d, at, "name_taken too often").await?)?;
            } else {
                held(outbox::retry_at(db, d, at, "name_taken", true).await?)?;
            }
            state.outbox_wakeup.notify_one();
        }
        Err(CallError::Api(code))
            if d.method == "conversations.invite" && code == "already_in_channel" =>
        {
            held(outbox::complete(db, d, now_ms()).await?)?;
        }
        Err(CallError::Transient(e)) if d.attempts < state.tuning.outbox_max_attempts => {
            let wait = backoff(state, d.attempts);
            tracing::warn!(outbox_id = d.id, method = %d.method, attempt = d.attempts, error = %e, "outbox: delivery failed; will retry");
            held(outbox::retry_at(db, d, now_ms() + wait.as_millis() as i64, &e, true).await?)?;
        }
        Err(e) => {
            tracing::error!(outbox_id = d.id, method = %d.method, attempt = d.attempts, error = %e, "outbox: giving up on a delivery");
            held(outbox::fail(db, d, now_ms(), &e.to_string()).await?)?;
        }
    }
    Ok(())
}

async fn upload(state: &AppState, payload: &Value) -> Result<(), CallError> {
    let unreadable = |_| CallError::Permanent("stored picture data is unreadable".into());
    let png = if payload.get("heatmap").is_some() {
        serde_json::from_value::<HeatMap>(payload["heatmap"].clone())
            .map_err(unreadable)?
            .to_png()
    } else {
        let weeks: Vec<crate::domain::metrics::Week> =
            serde_json::from_value(payload["weekly"].clone()).map_err(unreadable)?;
        crate::chart::weekly_png(&weeks)
    };
    let text = |k: &str| payload[k].as_str().unwrap_or_default().to_string();
    state
        .slack
        .upload_png(
            &text("filename"),
            &text("title"),
            &text("comment"),
            png,
            &text("channel"),
            payload["thread_ts"].as_str(),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::substitute;
    use serde_json::json;

    #[test]
    fn only_whole_string_placeholders_are_replaced() {
        let mut v = json!({"channel": "$loop_channel", "thread_ts": "$reveal_ts", "blocks": [{"text": {"text": "<#$loop_channel>"}},
            {"text": {"text": "Candidate $loop_channel"}}]});
        assert_eq!(
            substitute(&mut v.clone(), Some("C9"), None),
            vec!["$reveal_ts"]
        );
        assert!(substitute(&mut v, Some("C9"), Some("1.2")).is_empty());
        assert_eq!(v["thread_ts"], "1.2");
        assert_eq!(v["channel"], "C9");
        assert_eq!(v["blocks"][0]["text"]["text"], "<#C9>");
        assert_eq!(v["blocks"][1]["text"]["text"], "Candidate $loop_channel");
        assert!(substitute(&mut json!({"channel": "U1"}), None, None).is_empty());
    }
}
