//! Socket Mode: Slack pushes the same payloads over a WebSocket instead of
//! HTTP. Each envelope goes to the very same handlers, and the handler's
//! reply rides back in the acknowledgement.
//!
//! Written on tokio-tungstenite rather than slack-morphism's listener so that
//! both transports share one raw-JSON adapter (`payload.rs`) and no field of
//! a payload is lost to a typed model.

use super::payload::{EventDelivery, Interaction, SlashCommand};
use super::{client, Reply};
use crate::config::Secret;
use crate::{handlers, AppState};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

const RECONNECT_MAX: Duration = Duration::from_secs(30);

pub async fn run(state: Arc<AppState>, app_token: Secret, shutdown: CancellationToken) {
    let token = client::token(&app_token);
    let mut backoff = Duration::from_millis(500);
    while !shutdown.is_cancelled() {
        match connect_once(&state, &token, &shutdown).await {
            Ok(()) => backoff = Duration::from_millis(500),
            Err(e) => {
                tracing::warn!(error = %e, "socket mode connection failed; reconnecting");
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(RECONNECT_MAX);
            }
        }
    }
}

async fn connect_once(
    state: &Arc<AppState>,
    token: &slack_morphism::prelude::SlackApiToken,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let opened = state
        .slack
        .call_with(token, "apps.connections.open", &json!({}))
        .await
        .map_err(|e| anyhow::anyhow!("apps.connections.open: {e}"))?;
    let url = opened["url"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("apps.connections.open gave no url"))?;
    let (ws, _) = tokio_tungstenite::connect_async(url).await?;
    tracing::info!("socket mode connected");
    let (mut write, mut read) = ws.split();
    let (ack_tx, mut ack_rx) = mpsc::channel::<String>(256);
    let mut inflight = JoinSet::new();
    let result = receive(
        state,
        shutdown,
        &mut write,
        &mut read,
        &ack_tx,
        &mut ack_rx,
        &mut inflight,
    )
    .await;
    drop(ack_tx);
    if let Err(e) = result {
        // The socket is broken: no acknowledgement can go out on it, so
        // Slack sends those envelopes again. The handlers still finish what
        // they started (each in its own transaction) rather than be cut off.
        inflight.detach_all();
        return Err(e);
    }
    // A planned goodbye: finish what is in flight and acknowledge it on this
    // socket before leaving, sending acks as they come (so no handler waits
    // on a full queue).
    loop {
        tokio::select! {
            Some(ack) = ack_rx.recv() => {
                let _ = write.send(Message::text(ack)).await;
            }
            joined = inflight.join_next() => {
                if joined.is_none() {
                    break;
                }
            }
        }
    }
    while let Some(ack) = ack_rx.recv().await {
        let _ = write.send(Message::text(ack)).await;
    }
    let _ = write.close().await;
    Ok(())
}

type Writer = futures::stream::SplitSink<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Message,
>;
type Reader = futures::stream::SplitStream<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
>;

/// Reads envelopes until the socket ends, Slack says goodbye, or shutdown;
/// pings on a timer, and gives up on a socket that has gone quiet.
async fn receive(
    state: &Arc<AppState>,
    shutdown: &CancellationToken,
    write: &mut Writer,
    read: &mut Reader,
    ack_tx: &mpsc::Sender<String>,
    ack_rx: &mut mpsc::Receiver<String>,
    inflight: &mut JoinSet<()>,
) -> anyhow::Result<()> {
    let mut ping = tokio::time::interval(state.tuning.socket_ping_every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            Some(ack) = ack_rx.recv() => write.send(Message::text(ack)).await?,
            Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
            _ = ping.tick() => {
                if last_heard.elapsed() > state.tuning.socket_dead_after {
                    anyhow::bail!(
                        "nothing heard on the socket for {} s; reconnecting",
                        state.tuning.socket_dead_after.as_secs_f64()
                    );
                }
                write.send(Message::Ping(Vec::new().into())).await?;
            }
            frame = read.next() => {
                last_heard = tokio::time::Instant::now();
                match frame {
                None => break,
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(Message::Text(text))) => {
                    let Ok(envelope) = serde_json::from_str::<Value>(text.as_str()) else {
                        tracing::warn!("socket mode: unreadable frame");
                        continue;
                    };
                    match envelope["type"].as_str().unwrap_or_default() {
                        "hello" => tracing::debug!("socket mode hello"),
                        "disconnect" => break,
                        _ => {
                            let state = state.clone();
                            let ack_tx = ack_tx.clone();
                            inflight.spawn(async move {
                                if let Some(ack) = handle_envelope(&state, envelope).await {
                                    let _ = ack_tx.send(ack).await;
                                }
                            });
                        }
                    }
                }
                Some(Ok(Message::Ping(p))) => write.send(Message::Pong(p)).await?,
                Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => {}
                }
            }
        }
    }
    Ok(())
}

/// Runs one envelope through the shared handlers; returns the ack to send.
async fn handle_envelope(state: &AppState, envelope: Value) -> Option<String> {
    let envelope_id = envelope["envelope_id"].as_str()?.to_string();
    let payload = &envelope["payload"];
    let reply = match envelope["type"].as_str().unwrap_or_default() {
        "slash_commands" => match SlashCommand::from_json(payload) {
            Ok(cmd) => handlers::command(state, cmd).await,
            Err(e) => {
                tracing::warn!(field = e.0, "socket mode: malformed slash command");
                Reply::Ack
            }
        },
        "interactive" => match Interaction::from_json(payload) {
            Ok(i) => handlers::interaction(state, i).await,
            Err(e) => {
                tracing::warn!(field = e.0, "socket mode: malformed interaction");
                Reply::Ack
            }
        },
        "events_api" => match EventDelivery::from_json(payload) {
            Ok(d) => handlers::event(state, d).await,
            Err(e) => {
                tracing::warn!(field = e.0, "socket mode: malformed event");
                Reply::Ack
            }
        },
        _ => Reply::Ack,
    };
    let ack = match &reply {
        // Unacknowledged, Slack sends the envelope again.
        Reply::Retry => return None,
        Reply::Json(body) => json!({"envelope_id": envelope_id, "payload": body}),
        Reply::Ack | Reply::Refused => json!({"envelope_id": envelope_id}),
    };
    Some(ack.to_string())
}
