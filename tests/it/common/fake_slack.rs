//! A fake Slack Web API on 127.0.0.1: records every call, answers like Slack,
//! and can be told to answer 429 (with Retry-After), a 5xx, or a Slack error.
//! It also serves `apps.connections.open` and a Socket Mode WebSocket.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub body: Value,
    pub authorization: String,
    pub at: Instant,
}

/// The bot's own user id, as `auth.test` answers it.
pub const BOT_USER: &str = "U0BOT0001";

/// A scripted answer for the next call of a method.
#[derive(Clone, Debug)]
pub enum Scripted {
    RateLimited {
        retry_after_s: u64,
    },
    /// Answers normally, but only after this long.
    Slow(Duration),
    Status(u16),
    Error(&'static str),
    /// Answers exactly this.
    Answer(Value),
}

#[derive(Default)]
struct Inner {
    calls: Mutex<Vec<Call>>,
    scripted: Mutex<HashMap<String, VecDeque<Scripted>>>,
    channel_names: Mutex<HashSet<String>>,
    seq: AtomicU64,
    ws_url: Mutex<String>,
    socket_in: Mutex<Option<mpsc::UnboundedReceiver<String>>>,
    acks: Mutex<Vec<Value>>,
    connections: AtomicU64,
    auth_tests: AtomicU64,
    go_silent: tokio::sync::Notify,
    /// (id, name) of the private channels the bot created.
    bot_channels: Mutex<Vec<(String, String)>>,
    rejected: AtomicU64,
    uploads: Mutex<Vec<(String, Vec<u8>)>>,
    base: Mutex<String>,
    down: std::sync::atomic::AtomicBool,
    /// Per-method calls allowed per window, and the window (Slack's tiers, compressed).
    tiers: Mutex<Option<(Duration, TierWindows)>>,
    /// users.info: id → (real name, display name).
    people: Mutex<HashMap<String, (String, String)>>,
    /// Answer `invalid_blocks` to a message with a table or a chart, as a
    /// workspace without the new blocks yet does.
    no_native_blocks: std::sync::atomic::AtomicBool,
    /// Block Kit limits broken by what was sent (each refused as Slack
    /// refuses it, with `invalid_blocks`).
    violations: Mutex<Vec<String>>,
}

/// Per method (or method and channel): when its window began, calls in it.
type TierWindows = HashMap<String, (Instant, u32)>;

/// Slack's per-method limits per minute (Tier 2: 20, Tier 3: 50, Tier 4: 100;
/// chat.postMessage: about one per second per channel, 60 a minute).
fn tier_limit(method: &str) -> u32 {
    match method {
        "conversations.create" | "conversations.setTopic" => 20,
        "conversations.invite" | "conversations.open" | "chat.update" => 50,
        "chat.postMessage" => 60,
        _ => 100,
    }
}

#[derive(Clone)]
pub struct FakeSlack {
    pub api_url: String,
    inner: Arc<Inner>,
    socket_out: mpsc::UnboundedSender<String>,
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let (tx, rx) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner::default());
        *inner.socket_in.lock().unwrap() = Some(rx);
        let router = Router::new()
            .route("/api/{method}", post(api).get(api_get))
            .route("/upload/{file}", post(upload))
            .route("/socket", get(socket))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        *inner.ws_url.lock().unwrap() = format!("ws://{addr}/socket");
        *inner.base.lock().unwrap() = format!("http://{addr}");
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        FakeSlack {
            api_url: format!("http://{addr}/api"),
            inner,
            socket_out: tx,
        }
    }

    /// The next call(s) of `method` get these answers, in order.
    pub fn script(&self, method: &str, answers: impl IntoIterator<Item = Scripted>) {
        self.inner
            .scripted
            .lock()
            .unwrap()
            .entry(method.to_string())
            .or_default()
            .extend(answers);
    }

    /// Pretends the bot itself created this channel earlier (Slack made it,
    /// but the answer was lost); returns its id.
    pub fn bot_made_channel(&self, name: &str) -> String {
        let id = format!("C9{:07}", self.inner.seq.fetch_add(1, Ordering::SeqCst) + 1);
        self.take_channel_name(name);
        self.inner
            .bot_channels
            .lock()
            .unwrap()
            .push((id.clone(), name.to_string()));
        id
    }

    /// Pretends a channel of this name already exists in the workspace.
    pub fn take_channel_name(&self, name: &str) {
        self.inner
            .channel_names
            .lock()
            .unwrap()
            .insert(name.to_string());
    }

    /// Someone `users.info` knows, by real and display name; anyone else
    /// is `user_not_found`.
    pub fn add_person(&self, id: &str, real_name: &str, display_name: &str) {
        self.inner.people.lock().unwrap().insert(
            id.to_string(),
            (real_name.to_string(), display_name.to_string()),
        );
    }

    /// From now on, refuse tables and charts with `invalid_blocks`.
    pub fn refuse_native_blocks(&self) {
        self.inner.no_native_blocks.store(true, Ordering::SeqCst);
    }

    /// Every Block Kit limit broken by anything sent so far.
    pub fn limit_violations(&self) -> Vec<String> {
        self.inner.violations.lock().unwrap().clone()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.inner.calls.lock().unwrap().clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    /// Everything Slack received, as one string, for privacy scans.
    pub fn everything(&self) -> String {
        self.calls()
            .iter()
            .map(|c| c.body.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Waits until `pred` holds over the recorded calls, or panics after `secs`.
    pub async fn wait_for(
        &self,
        secs: u64,
        what: &str,
        pred: impl Fn(&[Call]) -> bool,
    ) -> Vec<Call> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let calls = self.calls();
            if pred(&calls) {
                return calls;
            }
            if Instant::now() > deadline {
                let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
                panic!("timed out waiting for {what}; Slack received {methods:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Sends a Socket Mode frame to the connected bot.
    pub fn socket_send(&self, frame: Value) {
        self.socket_out.send(frame.to_string()).unwrap();
    }

    /// While down, every Web API call answers 503.
    pub fn set_down(&self, down: bool) {
        self.inner.down.store(down, Ordering::SeqCst);
    }

    /// Enforce Slack's per-method tiers, with `minute` standing in for a minute.
    pub fn enforce_tiers(&self, minute: Duration) {
        *self.inner.tiers.lock().unwrap() = Some((minute, HashMap::new()));
    }

    /// Bytes received at upload URLs, by file id.
    pub fn uploads(&self) -> Vec<(String, Vec<u8>)> {
        self.inner.uploads.lock().unwrap().clone()
    }

    /// Calls refused with 429 by the enforced tiers.
    pub fn rate_limited(&self) -> u64 {
        self.inner.rejected.load(Ordering::SeqCst)
    }

    /// How many times a service checked its token (`auth.test`).
    pub fn auth_tests(&self) -> u64 {
        self.inner.auth_tests.load(Ordering::SeqCst)
    }

    /// The open socket goes quiet without closing (a half-open connection).
    pub fn socket_go_silent(&self) {
        self.inner.go_silent.notify_one();
    }

    pub fn socket_connections(&self) -> u64 {
        self.inner.connections.load(Ordering::SeqCst)
    }

    pub async fn wait_for_ack(&self, envelope_id: &str, secs: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(a) = self
                .inner
                .acks
                .lock()
                .unwrap()
                .iter()
                .find(|a| a["envelope_id"] == envelope_id)
            {
                return a.clone();
            }
            assert!(Instant::now() < deadline, "no ack for {envelope_id}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn api(
    State(inner): State<Arc<Inner>>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let parsed: Value = serde_json::from_slice(&body).unwrap_or_else(|_| {
        // Form-encoded calls are recorded as an object of strings.
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    });
    // The service's start-up check of its token: answered (or refused, when
    // scripted) but kept out of `calls`, which are what the service did.
    if method == "auth.test" {
        inner.auth_tests.fetch_add(1, Ordering::SeqCst);
        let scripted = inner
            .scripted
            .lock()
            .unwrap()
            .get_mut("auth.test")
            .and_then(VecDeque::pop_front);
        return Json(match scripted {
            Some(Scripted::Error(code)) => json!({"ok": false, "error": code}),
            _ => json!({"ok": true, "team_id": super::TEAM, "team": "Acme", "user_id": BOT_USER, "bot_id": "B0BOT0001"}),
        })
        .into_response();
    }
    inner.calls.lock().unwrap().push(Call {
        method: method.clone(),
        body: parsed.clone(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        at: Instant::now(),
    });
    if inner.down.load(Ordering::SeqCst) {
        inner.calls.lock().unwrap().pop(); // a refused call is not a delivery
        inner.rejected.fetch_add(1, Ordering::SeqCst);
        return (StatusCode::SERVICE_UNAVAILABLE, "down").into_response();
    }
    if let Some((minute, windows)) = inner.tiers.lock().unwrap().as_mut() {
        let key = match method.as_str() {
            "chat.postMessage" => format!("{method}:{}", parsed["channel"]),
            _ => method.clone(),
        };
        let now = Instant::now();
        let entry = windows.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= *minute {
            *entry = (now, 0);
        }
        if entry.1 >= tier_limit(&method) {
            let wait = (*minute - now.duration_since(entry.0)).as_secs().max(1);
            inner.calls.lock().unwrap().pop(); // a refused call is not a delivery
            inner.rejected.fetch_add(1, Ordering::SeqCst);
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", wait.to_string())],
                Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response();
        }
        entry.1 += 1;
    }
    let scripted = inner
        .scripted
        .lock()
        .unwrap()
        .get_mut(&method)
        .and_then(VecDeque::pop_front);
    match scripted {
        Some(Scripted::RateLimited { retry_after_s }) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", retry_after_s.to_string())],
                Json(json!({"ok": false, "error": "ratelimited"})),
            )
                .into_response()
        }
        Some(Scripted::Status(code)) => {
            return (StatusCode::from_u16(code).unwrap(), "upstream trouble").into_response()
        }
        Some(Scripted::Error(code)) => {
            return Json(json!({"ok": false, "error": code})).into_response()
        }
        Some(Scripted::Answer(v)) => return Json(v).into_response(),
        Some(Scripted::Slow(wait)) => tokio::time::sleep(wait).await,
        None => {}
    }
    // Slack's Block Kit limits, checked on everything the bot draws.
    {
        use staffloop::slack::views::limits::{check, Surface};
        let broken = match method.as_str() {
            "chat.postMessage" | "chat.update" | "chat.postEphemeral" => {
                check(Surface::Message, &parsed)
            }
            "views.open" | "views.update" | "views.push" => check(Surface::Modal, &parsed["view"]),
            "views.publish" => check(Surface::Home, &parsed["view"]),
            _ => Vec::new(),
        };
        if !broken.is_empty() {
            let mut v = inner.violations.lock().unwrap();
            v.extend(broken.into_iter().map(|b| format!("{method}: {b}")));
            return Json(json!({"ok": false, "error": "invalid_blocks"})).into_response();
        }
    }
    let native = parsed["blocks"].as_array().is_some_and(|b| {
        b.iter()
            .any(|b| b["type"] == "table" || b["type"] == "data_visualization")
    });
    if native && inner.no_native_blocks.load(Ordering::SeqCst) {
        return Json(json!({"ok": false, "error": "invalid_blocks"})).into_response();
    }
    let n = inner.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let answer = match method.as_str() {
        "conversations.create" => {
            let name = parsed["name"].as_str().unwrap_or_default().to_string();
            if !inner.channel_names.lock().unwrap().insert(name.clone()) {
                json!({"ok": false, "error": "name_taken"})
            } else {
                let id = format!("C{n:08}");
                inner
                    .bot_channels
                    .lock()
                    .unwrap()
                    .push((id.clone(), name.clone()));
                json!({"ok": true, "channel": {"id": id, "name": name, "is_private": true}})
            }
        }
        // The private channels the bot is in: those it created.
        "conversations.list" => {
            let channels: Vec<Value> = inner
                .bot_channels
                .lock()
                .unwrap()
                .iter()
                .map(|(id, name)| json!({"id": id, "name": name, "is_private": true, "is_archived": false, "creator": BOT_USER}))
                .collect();
            json!({"ok": true, "channels": channels, "response_metadata": {"next_cursor": ""}})
        }
        "chat.postMessage" => {
            json!({"ok": true, "channel": parsed["channel"], "ts": format!("1700000000.{n:06}")})
        }
        "views.open" | "views.publish" => json!({"ok": true, "view": {"id": format!("V{n:08}")}}),
        "files.completeUploadExternal" => {
            json!({"ok": true, "files": [{"id": parsed["files"][0]["id"], "title": parsed["files"][0]["title"]}]})
        }
        "apps.connections.open" => json!({"ok": true, "url": inner.ws_url.lock().unwrap().clone()}),
        "users.info" => {
            let id = parsed["user"].as_str().unwrap_or_default();
            match inner.people.lock().unwrap().get(id) {
                Some((real, display)) => {
                    json!({"ok": true, "user": {"id": id, "name": display.to_lowercase(),
                    "real_name": real, "profile": {"real_name": real, "display_name": display}}})
                }
                None => json!({"ok": false, "error": "user_not_found"}),
            }
        }
        _ => json!({"ok": true}),
    };
    Json(answer).into_response()
}

/// GET methods (files.getUploadURLExternal) carry their arguments in the query.
async fn api_get(
    State(inner): State<Arc<Inner>>,
    Path(method): Path<String>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    // Read methods take their arguments in the query; answered as a POST
    // with those arguments form-encoded would be.
    if method != "files.getUploadURLExternal" {
        let body = axum::body::Bytes::from(query.unwrap_or_default());
        return api(State(inner), Path(method), headers, body).await;
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&query.unwrap_or_default()).unwrap_or_default();
    let body = Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    );
    let n = inner.seq.fetch_add(1, Ordering::SeqCst) + 1;
    inner.calls.lock().unwrap().push(Call {
        method: method.clone(),
        body,
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string(),
        at: Instant::now(),
    });
    let scripted = inner
        .scripted
        .lock()
        .unwrap()
        .get_mut(&method)
        .and_then(VecDeque::pop_front);
    if let Some(Scripted::Status(code)) = scripted {
        return (StatusCode::from_u16(code).unwrap(), "upstream trouble").into_response();
    }
    let base = inner.base.lock().unwrap().clone();
    Json(json!({"ok": true, "upload_url": format!("{base}/upload/F{n:08}"), "file_id": format!("F{n:08}")})).into_response()
}

async fn upload(
    State(inner): State<Arc<Inner>>,
    Path(file): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    inner.uploads.lock().unwrap().push((file, body.to_vec()));
    (StatusCode::OK, "OK - 1234").into_response()
}

async fn socket(State(inner): State<Arc<Inner>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| serve_socket(inner, socket))
}

async fn serve_socket(inner: Arc<Inner>, mut socket: WebSocket) {
    inner.connections.fetch_add(1, Ordering::SeqCst);
    let Some(mut rx) = inner.socket_in.lock().unwrap().take() else {
        return;
    };
    let hello = json!({"type": "hello", "num_connections": 1});
    if socket.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            _ = inner.go_silent.notified() => {
                // Half-open: the connection stays up, but nothing is read
                // (so no pong) or written on it again.
                *inner.socket_in.lock().unwrap() = Some(rx);
                tokio::time::sleep(Duration::from_secs(120)).await;
                return;
            }
            out = rx.recv() => match out {
                Some(frame) => if socket.send(Message::text(frame)).await.is_err() { break },
                None => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(t))) => {
                    if let Ok(v) = serde_json::from_str::<Value>(t.as_str()) {
                        inner.acks.lock().unwrap().push(v);
                    }
                }
                Some(Ok(_)) => {}
                _ => break,
            }
        }
    }
    *inner.socket_in.lock().unwrap() = Some(rx);
}
