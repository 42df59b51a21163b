//! The demo's simulated workspace: a stand-in for Slack's Web API, served on
//! 127.0.0.1 inside the binary. It answers the methods the bot calls the way
//! Slack does (ids, message timestamps, upload URLs), holds everything the
//! bot draws to Slack's Block Kit limits, and records each call, in order,
//! beside what the demo's people did, so the transcript can be drawn from
//! exactly what was sent.

use crate::clock::Clock;
use crate::slack::views::limits::{check, Surface};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The simulated workspace's id and its bot user.
pub const TEAM: &str = "T0DEMO001";
pub const BOT_USER: &str = "U0STAFFLOOP";

/// One thing that happened, in the order it happened.
#[derive(Clone, Debug)]
pub enum Entry {
    /// The bot called Slack: the method, what it sent, what it was answered.
    Call {
        method: String,
        body: Value,
        answer: Value,
        at: i64,
    },
    /// Someone typed a slash command; `reply` is what only they saw.
    Typed {
        user: String,
        channel: String,
        text: String,
        reply: Value,
        at: i64,
    },
    /// Someone pressed a button.
    Pressed {
        user: String,
        label: String,
        at: i64,
    },
    /// Someone sent a modal; `answer` is the bot's reply (empty: closed).
    Submitted {
        user: String,
        title: String,
        answer: Value,
        at: i64,
    },
    /// Someone opened the bot's App Home.
    OpenedHome { user: String, at: i64 },
    /// A line of narration between steps of the story.
    Chapter { title: String, at: i64 },
}

impl Entry {
    pub fn at(&self) -> i64 {
        match self {
            Entry::Call { at, .. }
            | Entry::Typed { at, .. }
            | Entry::Pressed { at, .. }
            | Entry::Submitted { at, .. }
            | Entry::OpenedHome { at, .. }
            | Entry::Chapter { at, .. } => *at,
        }
    }
}

struct Inner {
    clock: Arc<dyn Clock>,
    log: Mutex<Vec<Entry>>,
    seq: Mutex<u64>,
    base: Mutex<String>,
    people: HashMap<String, String>,
    uploads: Mutex<HashMap<String, Vec<u8>>>,
    violations: Mutex<Vec<String>>,
}

#[derive(Clone)]
pub struct Workspace {
    pub api_url: String,
    inner: Arc<Inner>,
}

impl Workspace {
    /// Serves the stand-in on a free loopback port; `people` are the
    /// workspace's members by id and name.
    pub async fn start(
        clock: Arc<dyn Clock>,
        people: &[(&str, &str)],
    ) -> anyhow::Result<Workspace> {
        let inner = Arc::new(Inner {
            clock,
            log: Mutex::default(),
            seq: Mutex::new(0),
            base: Mutex::default(),
            people: people
                .iter()
                .map(|(id, name)| (id.to_string(), name.to_string()))
                .collect(),
            uploads: Mutex::default(),
            violations: Mutex::default(),
        });
        let router = Router::new()
            .route("/api/{method}", post(api).get(api_get))
            .route("/upload/{file}", post(upload))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        *lock(&inner.base) = format!("http://{addr}");
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "demo workspace stopped");
            }
        });
        Ok(Workspace {
            api_url: format!("http://{addr}/api"),
            inner,
        })
    }

    /// Adds what a person did; returns its place, for `amend`.
    pub fn note(&self, entry: Entry) -> usize {
        let mut log = lock(&self.inner.log);
        log.push(entry);
        log.len() - 1
    }

    /// Completes an entry once its answer is known.
    pub fn amend(&self, at: usize, f: impl FnOnce(&mut Entry)) {
        if let Some(e) = lock(&self.inner.log).get_mut(at) {
            f(e);
        }
    }

    pub fn now(&self) -> i64 {
        self.inner.clock.unix()
    }

    /// Everything so far, in order.
    pub fn log(&self) -> Vec<Entry> {
        lock(&self.inner.log).clone()
    }

    pub fn len(&self) -> usize {
        lock(&self.inner.log).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes uploaded for each file id (the heat map, when used).
    pub fn uploads(&self) -> HashMap<String, Vec<u8>> {
        lock(&self.inner.uploads).clone()
    }

    /// Block Kit limits broken by anything the bot sent.
    pub fn violations(&self) -> Vec<String> {
        lock(&self.inner.violations).clone()
    }

    fn next(&self) -> u64 {
        next(&self.inner)
    }

    /// A fresh view id, as `views.open` would give.
    pub fn view_id(&self) -> String {
        format!("V{:08}", self.next())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn next(inner: &Inner) -> u64 {
    let mut s = lock(&inner.seq);
    *s += 1;
    *s
}

async fn api(
    State(inner): State<Arc<Inner>>,
    Path(method): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or_else(|_| {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        Value::Object(pairs.into_iter().map(|(k, v)| (k, v.into())).collect())
    });
    let answer = answer(&inner, &method, &body);
    if method != "auth.test" {
        let at = inner.clock.unix();
        lock(&inner.log).push(Entry::Call {
            method,
            body,
            answer: answer.clone(),
            at,
        });
    }
    Json(answer).into_response()
}

/// Read methods carry their arguments in the query.
async fn api_get(
    State(inner): State<Arc<Inner>>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    api(
        State(inner),
        Path(method),
        axum::body::Bytes::from(query.unwrap_or_default()),
    )
    .await
}

async fn upload(
    State(inner): State<Arc<Inner>>,
    Path(file): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    lock(&inner.uploads).insert(file, body.to_vec());
    (StatusCode::OK, "OK").into_response()
}

/// What Slack would answer.
fn answer(inner: &Inner, method: &str, body: &Value) -> Value {
    let broken = match method {
        "chat.postMessage" | "chat.update" | "chat.postEphemeral" => check(Surface::Message, body),
        "views.open" | "views.update" | "views.push" => check(Surface::Modal, &body["view"]),
        "views.publish" => check(Surface::Home, &body["view"]),
        _ => Vec::new(),
    };
    if !broken.is_empty() {
        lock(&inner.violations).extend(broken.into_iter().map(|b| format!("{method}: {b}")));
        return json!({"ok": false, "error": "invalid_blocks"});
    }
    let n = next(inner);
    match method {
        "auth.test" => {
            json!({"ok": true, "team_id": TEAM, "team": "Example Co (demo)", "user_id": BOT_USER, "bot_id": "B0STAFFLOOP"})
        }
        "conversations.create" => {
            json!({"ok": true, "channel": {"id": format!("C{n:08}"), "name": body["name"], "is_private": true}})
        }
        "conversations.list" => {
            json!({"ok": true, "channels": [], "response_metadata": {"next_cursor": ""}})
        }
        "chat.postMessage" => {
            json!({"ok": true, "channel": body["channel"], "ts": format!("{}.{n:06}", inner.clock.unix())})
        }
        "chat.update" => json!({"ok": true, "channel": body["channel"], "ts": body["ts"]}),
        "chat.postEphemeral" => {
            json!({"ok": true, "message_ts": format!("{}.{n:06}", inner.clock.unix())})
        }
        "views.open" | "views.publish" | "views.update" | "views.push" => {
            json!({"ok": true, "view": {"id": format!("V{n:08}")}})
        }
        "files.getUploadURLExternal" => {
            let base = lock(&inner.base).clone();
            json!({"ok": true, "upload_url": format!("{base}/upload/F{n:08}"), "file_id": format!("F{n:08}")})
        }
        "files.completeUploadExternal" => json!({"ok": true, "files": body["files"]}),
        "users.info" => {
            let id = body["user"].as_str().unwrap_or_default();
            match inner.people.get(id) {
                Some(name) => {
                    json!({"ok": true, "user": {"id": id, "name": name.to_lowercase().replace(' ', "."),
                    "real_name": name, "profile": {"real_name": name, "display_name": name}}})
                }
                None => json!({"ok": false, "error": "user_not_found"}),
            }
        }
        _ => json!({"ok": true}),
    }
}
