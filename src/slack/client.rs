//! Outbound Slack Web API calls through slack-morphism's hyper client, with
//! its errors sorted into what the outbox worker needs to decide: wait,
//! retry, or give up.

use crate::config::Secret;
use hyper_rustls::HttpsConnectorBuilder;
use serde_json::Value;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::time::Duration;

pub type Connector = SlackClientHyperHttpsConnector;

pub struct SlackApi {
    client: SlackClient<Connector>,
    bot_token: SlackApiToken,
    timeout: Duration,
}

/// Why a call did not succeed, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// 429: try again after this long.
    RateLimited(Duration),
    /// 5xx, a network error, a timeout or a garbled answer: worth retrying.
    Transient(String),
    /// Slack answered `ok: false` with this error code.
    Api(String),
    /// Anything else (a 4xx other than 429): retrying will not help.
    Permanent(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::RateLimited(d) => write!(f, "rate limited for {}s", d.as_secs()),
            CallError::Transient(e) => write!(f, "transient: {e}"),
            CallError::Api(code) => write!(f, "slack error: {code}"),
            CallError::Permanent(e) => write!(f, "permanent: {e}"),
        }
    }
}

/// Slack error codes that mean "try again later", not "you asked wrongly".
const RETRYABLE_API_ERRORS: &[&str] = &[
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "ratelimited",
];

fn classify(e: SlackClientError) -> CallError {
    match e {
        SlackClientError::RateLimitError(r) => {
            CallError::RateLimited(r.retry_after.unwrap_or(Duration::from_secs(1)))
        }
        SlackClientError::ApiError(api) if RETRYABLE_API_ERRORS.contains(&api.code.as_str()) => {
            CallError::Transient(format!("slack error {}", api.code))
        }
        SlackClientError::ApiError(api) => CallError::Api(api.code),
        SlackClientError::HttpError(h) if h.status_code.is_server_error() => {
            CallError::Transient(format!("HTTP {}", h.status_code))
        }
        SlackClientError::HttpError(h) => CallError::Permanent(format!("HTTP {}", h.status_code)),
        // Bodies of protocol errors may echo what we sent: keep only the kind.
        SlackClientError::ProtocolError(_) => CallError::Transient("unreadable answer".into()),
        SlackClientError::HttpProtocolError(_) => CallError::Transient("connection failed".into()),
        SlackClientError::EndOfStream(_) => CallError::Transient("connection closed".into()),
        SlackClientError::SystemError(s) => {
            CallError::Transient(format!("system: {}", s.message.unwrap_or_default()))
        }
        SlackClientError::SocketModeProtocolError(_) => {
            CallError::Transient("socket mode protocol".into())
        }
    }
}

impl SlackApi {
    /// `api_url` without a trailing slash. Plain `http` is allowed so tests can
    /// point it at a fake Slack on loopback.
    pub fn new(api_url: &str, bot_token: &Secret, timeout: Duration) -> anyhow::Result<SlackApi> {
        let https = HttpsConnectorBuilder::new()
            .with_native_roots()?
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let connector =
            SlackClientHyperConnector::with_connector(https).with_slack_api_url(api_url);
        Ok(SlackApi {
            client: SlackClient::new(connector),
            bot_token: token(bot_token),
            timeout,
        })
    }

    /// Calls `method` with a JSON body using the bot token.
    pub async fn call(&self, method: &str, body: &Value) -> Result<Value, CallError> {
        self.call_with(&self.bot_token, method, body).await
    }

    /// Calls a read method (`conversations.list`, `usergroups.users.list`):
    /// Slack takes their arguments form-encoded or in the query, never as
    /// JSON, so they go as a GET with a query string.
    pub async fn get(&self, method: &str, params: &[(&str, String)]) -> Result<Value, CallError> {
        let session = self.client.open_session(&self.bot_token);
        let params: Vec<(&str, Option<&String>)> =
            params.iter().map(|(k, v)| (*k, Some(v))).collect();
        let call = session
            .http_session_api
            .http_get::<Value, _, _>(method, &params, None);
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(classify(e)),
            Err(_) => Err(CallError::Transient(format!(
                "no answer within {}s",
                self.timeout.as_secs()
            ))),
        }
    }

    /// Calls `method` with another token (the app-level token for Socket Mode).
    pub async fn call_with(
        &self,
        token: &SlackApiToken,
        method: &str,
        body: &Value,
    ) -> Result<Value, CallError> {
        let session = self.client.open_session(token);
        let call = session
            .http_session_api
            .http_post::<Value, Value>(method, body, None);
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(classify(e)),
            Err(_) => Err(CallError::Transient(format!(
                "no answer within {}s",
                self.timeout.as_secs()
            ))),
        }
    }
}

/// Who the bot token is, from `auth.test`.
#[derive(Clone, Debug)]
pub struct Identity {
    pub team_id: String,
    pub bot_user_id: String,
}

/// `auth.test` refused the bot token (invalid, revoked, or its workspace
/// gone): the service cannot act for anyone.
#[derive(Debug, thiserror::Error)]
#[error("SLACK_BOT_TOKEN was refused by Slack's auth.test: {0}")]
pub struct TokenRefused(pub String);

impl SlackApi {
    /// Checks the bot token with `auth.test` and returns the one workspace it
    /// belongs to and the bot's own user id there.
    pub async fn identity(&self) -> anyhow::Result<Identity> {
        match self.call("auth.test", &serde_json::json!({})).await {
            Ok(v) => match (v["team_id"].as_str(), v["user_id"].as_str()) {
                (Some(team), Some(user)) if !team.is_empty() => Ok(Identity {
                    team_id: team.to_string(),
                    bot_user_id: user.to_string(),
                }),
                _ => Err(TokenRefused("the answer named no workspace".into()).into()),
            },
            Err(CallError::Api(code)) => Err(TokenRefused(code).into()),
            Err(CallError::Permanent(e)) => Err(TokenRefused(e).into()),
            Err(e) => Err(anyhow::anyhow!(
                "could not reach Slack to check SLACK_BOT_TOKEN with auth.test: {e}"
            )),
        }
    }

    /// Slack's current upload flow: ask for an upload URL, send the bytes
    /// there, then complete the upload into a channel (and thread).
    pub async fn upload_png(
        &self,
        filename: &str,
        title: &str,
        comment: &str,
        bytes: Vec<u8>,
        channel: &str,
        thread_ts: Option<&str>,
    ) -> Result<(), CallError> {
        let session = self.client.open_session(&self.bot_token);
        let url = tokio::time::timeout(
            self.timeout,
            session.get_upload_url_external(&SlackApiFilesGetUploadUrlExternalRequest::new(
                filename.to_string(),
                bytes.len(),
            )),
        )
        .await
        .map_err(|_| CallError::Transient("files.getUploadURLExternal timed out".into()))?
        .map_err(classify)?;
        let sent = tokio::time::timeout(
            self.timeout,
            session.files_upload_via_url(&SlackApiFilesUploadViaUrlRequest::new(
                url.upload_url.clone(),
                bytes,
                "image/png".to_string(),
            )),
        )
        .await
        .map_err(|_| CallError::Transient("upload timed out".into()))?;
        sent.map_err(classify)?;
        let mut complete =
            SlackApiFilesCompleteUploadExternalRequest::new(vec![SlackApiFilesComplete::new(
                url.file_id.clone(),
            )
            .with_title(title.to_string())])
            .with_channel_id(SlackChannelId::new(channel.to_string()))
            .with_initial_comment(comment.to_string());
        if let Some(ts) = thread_ts {
            complete = complete.with_thread_ts(SlackTs::new(ts.to_string()));
        }
        let done = tokio::time::timeout(
            self.timeout,
            session.files_complete_upload_external(&complete),
        )
        .await
        .map_err(|_| CallError::Transient("files.completeUploadExternal timed out".into()))?;
        done.map(|_| ()).map_err(classify)
    }
}

pub fn token(secret: &Secret) -> SlackApiToken {
    SlackApiToken::new(SlackApiTokenValue::new(secret.expose().to_string()))
}
