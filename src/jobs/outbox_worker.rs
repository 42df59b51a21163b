//! Delivers recorded Slack effects after the request that caused them has
//! been answered: retries 5xx and network errors with exponential backoff,
//! waits out `Retry-After` on 429, gives up after a bound, and keeps the
//! order of effects within a loop.

use crate::handlers::debrief::REVEAL_TS;
use crate::heatmap::HeatMap;
use crate::slack::client::CallError;
use crate::store::outbox::{self, Delivery, LOOP_CHANNEL, LOOP_CHANNEL_MENTION};
use crate::store::{cards, loops};
use crate::AppState;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

/// A compound effect: render a picture (the reveal's heat map, or the weekly
/// chart) and upload it with Slack's three-step flow.
pub const UPLOAD_PNG: &str = "staffloop.upload_png";

pub async fn run(state: Arc<AppState>, shutdown: CancellationToken) {
    let tuning = state.tuning.clone();
    let mut inflight: JoinSet<()> = JoinSet::new();
    loop {
        if shutdown.is_cancelled() {
            break;
        }
        let free = tuning.outbox_concurrency.saturating_sub(inflight.len());
        let mut claimed = 0;
        if free > 0 {
            let now_ms = crate::clock::wall_ms();
            match outbox::claim_due(
                &state.db,
                now_ms,
                tuning.outbox_lease.as_millis() as i64,
                free as i64,
            )
            .await
            {
                Ok(rows) => {
                    claimed = rows.len();
                    for row in rows {
                        let state = state.clone();
                        inflight.spawn(async move { deliver(&state, row).await });
                    }
                }
                Err(e) => tracing::error!(error = %e, "outbox: claiming deliveries failed"),
            }
        }
        if claimed > 0 && inflight.len() < tuning.outbox_concurrency {
            // More may be waiting behind the ones just claimed.
            tokio::task::yield_now().await;
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = state.outbox_wakeup.notified() => {}
            _ = tokio::time::sleep(tuning.outbox_poll) => {}
            Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
        }
    }
    // Graceful stop: finish deliveries already under way, start no new ones.
    while inflight.join_next().await.is_some() {}
}

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

/// Another worker took the delivery over (our lease ran out): it finishes
/// it; we must not record anything more.
#[derive(Debug, thiserror::Error)]
#[error("the lease was lost to another worker")]
struct LeaseLost;

/// A bookkeeping step that needs the lease: false means it is no longer ours.
fn held(ok: bool) -> anyhow::Result<()> {
    if ok {
        Ok(())
    } else {
        Err(LeaseLost.into())
    }
}

fn backoff(state: &AppState, attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    state
        .tuning
        .outbox_retry_base
        .saturating_mul(2u32.saturating_pow(exp))
        .min(state.tuning.outbox_retry_max)
}

async fn deliver(state: &AppState, d: Delivery) {
    let span = tracing::info_span!("deliver", outbox_id = d.id, method = %d.method, loop_id = ?d.loop_id, team = %d.team_id);
    match try_deliver(state, &d).instrument(span.clone()).await {
        Ok(()) => {}
        Err(e) if e.is::<LeaseLost>() => {
            tracing::warn!(parent: &span, "outbox: lease lost; the new holder finishes this delivery")
        }
        Err(e) => {
            tracing::error!(parent: &span, error = %e, "outbox: bookkeeping failed; the lease will expire and it is retried")
        }
    }
}

async fn try_deliver(state: &AppState, d: &Delivery) -> anyhow::Result<()> {
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
        match cards::prompt_message(db.pool(), prompt_id).await? {
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
        } else if d.method == outbox::REFRESH_HOME {
            let (team, user) = (
                payload["team_id"].as_str().unwrap_or_default(),
                payload["user_id"].as_str().unwrap_or_default(),
            );
            match crate::handlers::home::build(state, team, user).await {
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
                    cards::record_prompt_message(db.pool(), prompt_id, channel, ts).await?;
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

/// Runs a Slack call while renewing the delivery's lease every third of its
/// length, so a long delivery (an upload) is never claimed by a second
/// worker. If the lease is lost anyway, the call is dropped.
async fn renewing<T>(
    state: &AppState,
    d: &Delivery,
    call: impl std::future::Future<Output = T>,
) -> anyhow::Result<T> {
    let lease = state.tuning.outbox_lease;
    let mut tick = tokio::time::interval(lease / 3);
    tick.tick().await; // the first tick is immediate
    tokio::pin!(call);
    loop {
        tokio::select! {
            out = &mut call => return Ok(out),
            _ = tick.tick() => {
                let until = crate::clock::wall_ms() + lease.as_millis() as i64;
                held(outbox::renew(&state.db, d, until).await?)?;
            }
        }
    }
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
