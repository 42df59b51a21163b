//! HTTP routes. The public router serves Slack's three endpoints only (each
//! signature-checked before any parsing); `/metrics` and `/healthz` are on
//! the operators' router, bound to its own address (loopback by default).

use super::payload::{EventDelivery, Interaction, SlashCommand};
use super::verify::{verify, VerifyError};
use super::Reply;
use crate::{handlers, store, AppState};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;

/// Largest request body accepted, in bytes; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Slack's endpoints (none in Socket Mode, where Slack does not call us).
pub fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new();
    if state.signing_secret.is_some() {
        router = router
            .route("/slack/commands", post(commands))
            .route("/slack/interactions", post(interactions))
            .route("/slack/events", post(events));
    }
    router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            time_requests,
        ))
        .with_state(state)
}

/// `/metrics` and `/healthz`, for operators and their probes.
pub fn ops_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            time_requests,
        ))
        .with_state(state)
}

/// Counts and times every request by route and outcome.
async fn time_requests(
    State(state): State<Arc<AppState>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let route = req.uri().path().to_string();
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    state.metrics.observe(
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let now = state.clock.unix();
    let outbox = store::outbox::counts(&state.db).await.ok();
    let jobs = store::jobs::counts(&state.db, now).await.ok();
    let backlog = crate::metrics::Backlog {
        outbox_pending: outbox.as_ref().map(|c| c.pending),
        outbox_failed: outbox.as_ref().map(|c| c.failed),
        outbox_delivered: outbox.as_ref().map(|c| c.done),
        jobs_due: jobs.map(|j| j.0),
        jobs_failed: jobs.map(|j| j.1),
    };
    (
        [(
            axum::http::header::CONTENT_TYPE,
            crate::metrics::CONTENT_TYPE,
        )],
        state.metrics.render(&backlog),
    )
        .into_response()
}

fn reply_response(reply: Reply) -> Response {
    match reply {
        Reply::Ack => StatusCode::OK.into_response(),
        Reply::Json(v) => Json(v).into_response(),
        Reply::Retry => (StatusCode::INTERNAL_SERVER_ERROR, "not handled; retry").into_response(),
        Reply::Refused => (StatusCode::FORBIDDEN, "another workspace").into_response(),
    }
}

/// Slack's `ssl_check` probe is unsigned: answer it and act on nothing else.
/// Only a pair whose key may be `ssl_check` is decoded: every other request
/// (a 3 KB modal submission) is not percent-decoded a second time here.
fn is_ssl_check(body: &[u8]) -> bool {
    body.split(|&b| b == b'&').any(|pair| {
        let key = pair.split(|&b| b == b'=').next().unwrap_or_default();
        let maybe = key == b"ssl_check" || key.iter().any(|&b| b == b'%' || b == b'+');
        maybe && url::form_urlencoded::parse(pair).any(|(k, v)| k == "ssl_check" && v == "1")
    })
}

/// The gate every Slack route passes first: `ssl_check` gets its empty 200,
/// a bad signature its 401. `Some` is the response to send instead of handling.
fn gate(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
    if is_ssl_check(body) {
        return Some(StatusCode::OK.into_response());
    }
    authenticate(state, headers, body)
        .err()
        .map(IntoResponse::into_response)
}

/// Checks the signature; `Err` is the status to answer instead.
fn authenticate(state: &AppState, headers: &HeaderMap, body: &[u8]) -> Result<(), StatusCode> {
    let Some(secret) = &state.signing_secret else {
        return Err(StatusCode::NOT_FOUND);
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now().timestamp();
    match verify(
        secret.expose().as_bytes(),
        header("x-slack-request-timestamp"),
        header("x-slack-signature"),
        body,
        now,
    ) {
        Ok(()) => Ok(()),
        Err(e) => {
            let reason = match e {
                VerifyError::MissingHeaders => "missing signature headers",
                VerifyError::BadTimestamp => "malformed timestamp",
                VerifyError::OutOfRange => "timestamp out of range",
                VerifyError::Stale => "timestamp outside five minutes",
                VerifyError::BadSignature => "signature mismatch",
            };
            tracing::warn!(reason, "rejected an unsigned or badly signed request");
            Err(StatusCode::UNAUTHORIZED)
        }
    }
}

fn bad_request(what: &str) -> Response {
    tracing::warn!(field = what, "malformed Slack payload");
    (StatusCode::BAD_REQUEST, "malformed payload").into_response()
}

async fn commands(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(response) = gate(&state, &headers, &body) {
        return response;
    }
    match SlashCommand::from_form(&body) {
        Ok(cmd) => reply_response(handlers::command(&state, cmd).await),
        Err(e) => bad_request(e.0),
    }
}

async fn interactions(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(response) = gate(&state, &headers, &body) {
        return response;
    }
    match Interaction::from_form(&body) {
        Ok(i) => reply_response(handlers::interaction(&state, i).await),
        Err(e) => bad_request(e.0),
    }
}

async fn events(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(response) = gate(&state, &headers, &body) {
        return response;
    }
    let parsed = serde_json::from_slice(&body)
        .map_err(|_| super::payload::PayloadError("json"))
        .and_then(|v| EventDelivery::from_json(&v));
    match parsed {
        Ok(delivery) => reply_response(handlers::event(&state, delivery).await),
        Err(e) => bad_request(e.0),
    }
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    if !state.db.ping().await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "database unavailable"})),
        )
            .into_response();
    }
    match store::outbox::counts(&state.db).await {
        Ok(c) => Json(json!({"status": "ok", "outbox": c})).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "database unavailable"})),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::is_ssl_check;

    #[test]
    fn ssl_check_is_found_in_any_spelling_and_nowhere_else() {
        for probe in [
            "ssl_check=1&token=x",
            "token=x&ssl_check=1",
            "ssl%5Fcheck=1",
            "ssl_check=%31",
        ] {
            assert!(is_ssl_check(probe.as_bytes()), "{probe}");
        }
        for other in [
            "ssl_check=0",
            "payload=%7B%22ssl_check%22%3A1%7D",
            "payload=ssl_check%3D1",
            "token=x&command=%2Fstaffloop&text=ssl_check=1",
            "",
        ] {
            assert!(!is_ssl_check(other.as_bytes()), "{other}");
        }
    }
}
