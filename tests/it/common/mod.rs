//! The test harness: the real service on port 0 with a fresh database (SQLite
//! by default, PostgreSQL when `STAFFLOOP_TEST_DATABASE_URL` names a server),
//! a fake Slack on loopback, and requests signed exactly as Slack signs them.
#![allow(dead_code)]

pub mod fake_slack;

use fake_slack::FakeSlack;
use serde_json::{json, Value};
use sqlx::Connection;
use staffloop::clock::{Clock, ManualClock, SystemClock};
use staffloop::config::{Config, Secret, Tuning};
use staffloop::slack::verify::sign;
use staffloop::{App, AppState};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub const SECRET: &str = "test-signing-secret-0123456789";
pub const TEAM: &str = "T0TEST001";
pub const HM: &str = "UHM000001";
pub const DOC: &str = "UDOC00001";
pub const STAFF: &str = "USTAFF001";
pub const CODER: &str = "UCODE0001";
pub const XTEAM: &str = "UXTEAM001";
pub const BAR: &str = "UBAR00001";
pub const RECRUITER: &str = "URECRUIT1";
pub const ADMIN: &str = "UADMIN001";

/// A fresh, empty database for one test.
pub async fn fresh_database_url() -> String {
    match std::env::var("STAFFLOOP_TEST_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            let name = format!(
                "staffloop_t_{}_{}",
                std::process::id(),
                chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
            );
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("reach PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            format!("{base}/{name}")
        }
        _ => {
            let dir = tempfile::tempdir().unwrap().keep();
            format!("sqlite://{}/staffloop.db", dir.display())
        }
    }
}

pub fn test_tuning() -> Tuning {
    Tuning {
        outbox_poll: Duration::from_millis(50),
        outbox_retry_base: Duration::from_millis(50),
        outbox_retry_max: Duration::from_millis(500),
        outbox_max_attempts: 4,
        outbox_lease: Duration::from_secs(5),
        outbox_concurrency: 8,
        slack_call_timeout: Duration::from_secs(5),
        db_max_connections: 5,
        run_outbox_worker: true,
        run_scheduler: true,
        jobs_poll: Duration::from_millis(50),
        reminder_after_hours: 4,
        archive_after_days: 14,
        // Short enough that a test of a stalled client ends quickly, long
        // enough that a busy machine never trips them on a real request.
        http_limits: staffloop::server::Limits {
            header_read: Duration::from_secs(1),
            body_idle: Duration::from_secs(1),
            request: Duration::from_secs(10),
            max_connections: 256,
        },
        socket_ping_every: Duration::from_millis(200),
        socket_dead_after: Duration::from_secs(2),
        // The final vote opens only by the hiring manager's button here;
        // tests/it/votes.rs turns the timer on where it is the subject.
        final_vote_minutes: 0,
        ..Tuning::default()
    }
}

pub struct Options {
    pub database_url: Option<String>,
    pub slack: Option<FakeSlack>,
    pub worker: bool,
    pub socket_mode: bool,
    /// Drive time by hand (jobs, reminders); the wall clock otherwise.
    pub clock: Option<ManualClock>,
    pub report: Option<staffloop::config::ReportConfig>,
    pub tuning: Option<Tuning>,
    /// Loop templates besides the default (as from STAFFLOOP_TEMPLATES).
    pub templates: Option<staffloop::domain::Templates>,
    pub hiring_team_group: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            database_url: None,
            slack: None,
            worker: true,
            socket_mode: false,
            clock: None,
            report: None,
            tuning: None,
            templates: None,
            hiring_team_group: None,
        }
    }
}

pub struct TestApp {
    pub base: String,
    /// Where `/metrics` and `/healthz` are served.
    pub ops: String,
    pub slack: FakeSlack,
    pub database_url: String,
    pub state: Arc<AppState>,
    pub http: reqwest::Client,
    shutdown: CancellationToken,
    handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(Options::default()).await
    }

    /// A service whose clock the test drives by hand (jobs, reminders).
    pub async fn spawn_with_clock() -> (TestApp, ManualClock) {
        let clock = manual_clock();
        let app = TestApp::spawn_with(Options {
            clock: Some(clock.clone()),
            ..Default::default()
        })
        .await;
        (app, clock)
    }

    pub async fn spawn_with(opts: Options) -> TestApp {
        let slack = match opts.slack {
            Some(s) => s,
            None => FakeSlack::start().await,
        };
        let database_url = match opts.database_url {
            Some(u) => u,
            None => fresh_database_url().await,
        };
        let mut tuning = opts.tuning.clone().unwrap_or_else(test_tuning);
        tuning.run_outbox_worker = opts.worker;
        tuning.run_scheduler = opts.worker;
        let config = Config {
            bot_token: Secret::new("xoxb-test-token"),
            signing_secret: (!opts.socket_mode).then(|| Secret::new(SECRET)),
            app_token: opts.socket_mode.then(|| Secret::new("xapp-test-token")),
            slack_api_url: slack.api_url.clone(),
            database_url: database_url.clone(),
            listen: "127.0.0.1:0".parse().unwrap(),
            metrics_listen: "127.0.0.1:0".parse().unwrap(),
            tuning,
            rubric: staffloop::domain::Rubric::default_rubric(),
            admins: vec![ADMIN.to_string()],
            report: opts.report.clone().unwrap_or_default(),
            templates: opts.templates.clone().unwrap_or_default(),
            hiring_team_group: opts.hiring_team_group.clone(),
        };
        let clock: Arc<dyn Clock> = match &opts.clock {
            Some(c) => Arc::new(c.clone()),
            None => Arc::new(SystemClock),
        };
        let app = App::build_with_clock(config, clock)
            .await
            .expect("service starts");
        let base = format!("http://{}", app.local_addr());
        let ops = format!("http://{}", app.ops_addr());
        let state = app.state();
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(app.run(shutdown.clone()));
        TestApp {
            base,
            ops,
            slack,
            database_url,
            state,
            http: reqwest::Client::new(),
            shutdown,
            handle,
        }
    }

    /// Graceful stop, as on SIGTERM.
    pub async fn stop(self) -> (FakeSlack, String) {
        self.shutdown.cancel();
        self.handle.await.unwrap().unwrap();
        (self.slack, self.database_url)
    }

    /// Abrupt end, as on a crash: the service's task is aborted mid-flight.
    pub async fn kill(self) -> (FakeSlack, String) {
        self.handle.abort();
        let _ = self.handle.await;
        (self.slack, self.database_url)
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
        timestamp: i64,
        signature: Option<String>,
    ) -> reqwest::Response {
        let body: Vec<u8> = body.into();
        let signature = signature.unwrap_or_else(|| sign(SECRET.as_bytes(), timestamp, &body));
        self.http
            .post(format!("{}{}", self.base, path))
            .header("content-type", content_type)
            .header("X-Slack-Request-Timestamp", timestamp.to_string())
            .header("X-Slack-Signature", signature)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_signed(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<Vec<u8>>,
    ) -> reqwest::Response {
        self.post_raw(
            path,
            content_type,
            body,
            chrono::Utc::now().timestamp(),
            None,
        )
        .await
    }

    pub async fn command(&self, user: &str, channel: &str, text: &str) -> reqwest::Response {
        let body = command_form(user, channel, text);
        self.post_signed("/slack/commands", "application/x-www-form-urlencoded", body)
            .await
    }

    pub async fn command_json(&self, user: &str, channel: &str, text: &str) -> Value {
        let r = self.command(user, channel, text).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    pub async fn submit(&self, user: &str, view_id: &str, values: &Value) -> reqwest::Response {
        let payload = submission_payload(user, view_id, values);
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        self.post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            body,
        )
        .await
    }

    pub async fn event(&self, event: &Value) -> reqwest::Response {
        self.post_signed("/slack/events", "application/json", event.to_string())
            .await
    }

    /// `user` opens the App Home (a fresh event id each time).
    pub async fn open_home(&self, user: &str) {
        static OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.event(
            &json!({"type": "event_callback", "team_id": TEAM, "event_id": format!("EvHOME{n}"),
            "event": {"type": "app_home_opened", "user": user, "tab": "home"}}),
        )
        .await;
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }
}

pub fn command_form(user: &str, channel: &str, text: &str) -> String {
    serde_urlencoded::to_string([
        ("token", "legacy-verification-token"),
        ("team_id", TEAM),
        ("team_domain", "acme"),
        ("channel_id", channel),
        ("channel_name", "hiring"),
        ("user_id", user),
        ("user_name", "someone"),
        ("command", "/staffloop"),
        ("text", text),
        ("api_app_id", "A0STAFFLOOP"),
        ("is_enterprise_install", "false"),
        (
            "response_url",
            "https://hooks.slack.com/commands/T0TEST001/1/abc",
        ),
        ("trigger_id", "1111.2222.trigger"),
    ])
    .unwrap()
}

pub fn submission_payload(user: &str, view_id: &str, values: &Value) -> Value {
    json!({
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "username": "someone", "team_id": TEAM},
        "api_app_id": "A0STAFFLOOP",
        "trigger_id": "3333.4444.trigger",
        "view": {
            "id": view_id,
            "team_id": TEAM,
            "type": "modal",
            "callback_id": "staffloop_open_loop",
            "private_metadata": "",
            "state": {"values": values},
            "hash": "1.abc"
        }
    })
}

/// Unix seconds of 10:00 UTC two days from now: a day of interviews ahead.
pub fn interview_day() -> i64 {
    let today = chrono::Utc::now().date_naive();
    let day = today + chrono::Days::new(2);
    day.and_hms_opt(10, 0, 0).unwrap().and_utc().timestamp()
}

fn users(ids: &[&str]) -> Value {
    json!({"value": {"type": "multi_users_select", "selected_users": ids}})
}

fn at(ts: i64) -> Value {
    json!({"value": {"type": "datetimepicker", "selected_date_time": ts}})
}

/// A complete, valid open-loop form: stages back to back from 10:00, the
/// debrief at 16:30 the same day.
pub fn loop_form(name: &str) -> Value {
    let d = interview_day();
    let h = 3600;
    json!({
        "candidate_name": {"value": {"type": "plain_text_input", "value": name}},
        "applied_level": {"value": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "Staff"}, "value": "staff"}}},
        "hiring_manager": {"value": {"type": "users_select", "selected_user": HM}},
        "stage_1_hm_screen_who": users(&[HM]),
        "stage_1_hm_screen_at": at(d),
        "stage_2_design_doc_who": users(&[DOC]),
        "stage_3_deep_dive_who": users(&[HM, STAFF]),
        "stage_3_deep_dive_at": at(d + h),
        "stage_4_coding_who": users(&[CODER]),
        "stage_4_coding_at": at(d + 3 * h),
        "stage_5_cross_team_who": users(&[XTEAM]),
        "stage_5_cross_team_at": at(d + 4 * h),
        "stage_6_bar_raiser_who": users(&[BAR]),
        "stage_6_bar_raiser_at": at(d + 5 * h),
        "debrief_at": at(d + 6 * h + 1800),
        "design_doc_url": {"value": {"type": "url_text_input", "value": "https://docs.example.com/workflow-engine"}}
    })
}

/// Ticks "open the loop anyway" in an open-loop form: its warnings are
/// read and accepted.
pub fn acknowledge(form: &mut Value) {
    form["acknowledge"] = json!({"value": {"type": "checkboxes",
        "selected_options": [{"text": {"type": "plain_text", "text": "anyway"}, "value": "open_anyway"}]}});
}

impl TestApp {
    /// Opens a loop whose form has warnings the way a person does: the
    /// first submission shows them, the second has "open it anyway" ticked.
    pub async fn open_past_warnings(&self, user: &str, view_id: &str, form: &Value) {
        let first: Value = self.submit(user, view_id, form).await.json().await.unwrap();
        assert_eq!(first["response_action"], "errors", "{first}");
        assert!(first["errors"]["acknowledge"].is_string(), "{first}");
        let mut form = form.clone();
        acknowledge(&mut form);
        let second = self.submit(user, view_id, &form).await;
        assert_eq!(second.status(), 200);
        assert_eq!(second.text().await.unwrap(), "", "the loop opens");
    }
}

/// The plan message's text (all blocks joined).
pub fn message_text(call_body: &Value) -> String {
    let mut out = call_body["text"].as_str().unwrap_or_default().to_string();
    for b in call_body["blocks"].as_array().into_iter().flatten() {
        out.push('\n');
        out.push_str(&b.to_string());
    }
    out
}

/// Signs and sends a button press (`block_actions`).
pub async fn press(
    app: &TestApp,
    user: &str,
    action_id: &str,
    value: &str,
    channel: &str,
    ts: &str,
) -> reqwest::Response {
    let payload = json!({
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0STAFFLOOP",
        "trigger_id": "5555.6666.trigger",
        "container": {"type": "message", "channel_id": channel, "message_ts": ts},
        "channel": {"id": channel},
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1"}]
    });
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
    app.post_signed(
        "/slack/interactions",
        "application/x-www-form-urlencoded",
        body,
    )
    .await
}

/// Submits any modal by callback id.
pub async fn submit_view(
    app: &TestApp,
    user: &str,
    view_id: &str,
    callback_id: &str,
    metadata: &str,
    values: &Value,
) -> reqwest::Response {
    let mut payload = submission_payload(user, view_id, values);
    payload["view"]["callback_id"] = json!(callback_id);
    payload["view"]["private_metadata"] = json!(metadata);
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
    app.post_signed(
        "/slack/interactions",
        "application/x-www-form-urlencoded",
        body,
    )
    .await
}

/// Criteria each stage's card scores (block id suffixes), from the rubric itself.
pub fn criteria(kind: &str) -> Vec<&'static str> {
    let kind = staffloop::domain::StageKind::parse(kind).expect("a stage kind");
    staffloop::domain::Criterion::for_stage(kind)
        .into_iter()
        .map(|c| c.key())
        .collect()
}

/// A complete card's `state.values`; `marker` is woven into every text so
/// privacy scans can look for it.
pub fn card_values(kind: &str, score: u8, recommendation: &str, marker: &str) -> Value {
    let mut v = serde_json::Map::new();
    for c in criteria(kind) {
        v.insert(format!("score_{c}"), json!({"value": {"type": "radio_buttons", "selected_option": {"value": score.to_string()}}}));
        v.insert(
            format!("evidence_{c}"),
            json!({"value": {"type": "plain_text_input", "value": format!("{marker} {c}: named the migration risk and the on-call cost unprompted.")}}),
        );
    }
    if kind == "bar_raiser" {
        v.insert(
            "work_with".into(),
            json!({"value": {"type": "radio_buttons", "selected_option": {"value": "yes"}}}),
        );
        v.insert("work_with_reason".into(), json!({"value": {"type": "plain_text_input", "value": format!("{marker} reason: reframed the problem around the real constraint.")}}));
    }
    v.insert(
        "recommendation".into(),
        json!({"value": {"type": "static_select", "selected_option": {"value": recommendation}}}),
    );
    Value::Object(v)
}

impl TestApp {
    /// Waits until every recorded Slack effect has been delivered (or given up).
    pub async fn drained(&self) {
        self.wait_idle(false).await
    }

    /// Brings the service to rest at the clock's current time: runs every job
    /// that is due now (here, through the scheduler's own entry point, while
    /// the background scheduler may take some too), waits until none is left
    /// due or in flight, then until every effect they caused is delivered.
    /// A condition, not a pause: it returns as soon as the service is idle
    /// and fails with what it saw after a deadline.
    pub async fn settle(&self) {
        self.wait_idle(true).await
    }

    async fn wait_idle(&self, with_jobs: bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let mut due = 0;
            if with_jobs {
                while staffloop::jobs::scheduler::run_due(&self.state).await > 0 {}
                due = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM jobs WHERE status = 'pending' AND due_at <= $1",
                )
                .bind(self.state.clock.unix())
                .fetch_one(self.state.db.pool())
                .await
                .unwrap();
            }
            let pending = self
                .scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
                .await;
            if due == 0 && pending == 0 {
                let broken = self.slack.limit_violations();
                assert!(
                    broken.is_empty(),
                    "Slack's Block Kit limits broken: {broken:#?}"
                );
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "never at rest: {due} jobs due, {pending} deliveries pending"
            );
            self.state.outbox_wakeup.notify_one();
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn stage_id(&self, kind: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM stages WHERE kind = $1 ORDER BY id DESC LIMIT 1")
            .bind(kind)
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }

    pub async fn loop_channel(&self) -> String {
        sqlx::query_scalar("SELECT channel_id FROM loops ORDER BY id DESC LIMIT 1")
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }

    /// Opens a loop from `loop_form` and waits until its channel and plan are out.
    pub async fn open_loop(&self, name: &str) {
        let r = self
            .submit(
                RECRUITER,
                &format!("V0{}", name.len() * 7919),
                &loop_form(name),
            )
            .await;
        assert_eq!(r.status(), 200);
        self.slack
            .wait_for(15, "loop opened", |c| {
                c.iter().filter(|c| c.method == "chat.postMessage").count() >= 2
            })
            .await;
    }

    /// The hiring manager starts the debrief now: `/staffloop debrief`, then
    /// the button of the question it answers with ("Start anyway" when
    /// stages are still to come). Returns the question.
    pub async fn start_debrief(&self, channel: &str) -> Value {
        let v = self.command_json(HM, channel, "debrief").await;
        let button = &v["blocks"][1]["elements"][0];
        let action = button["action_id"]
            .as_str()
            .unwrap_or_else(|| panic!("a confirmation question: {v}"));
        let value = button["value"].as_str().unwrap();
        let r = press(self, HM, action, value, channel, "9.9").await;
        assert!(r.status().is_success());
        v
    }

    /// Submits `user`'s card for a stage.
    pub async fn submit_card(
        &self,
        user: &str,
        kind: &str,
        score: u8,
        recommendation: &str,
        marker: &str,
    ) -> reqwest::Response {
        let stage = self.stage_id(kind).await;
        let values = card_values(kind, score, recommendation, marker);
        submit_view(
            self,
            user,
            &format!("V{user}{kind}"),
            "staffloop_scorecard",
            &stage.to_string(),
            &values,
        )
        .await
    }
}

/// DMs (chat.postMessage to a user id) a user has received.
pub fn dms_to(calls: &[fake_slack::Call], user: &str) -> Vec<Value> {
    calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.body["channel"] == user)
        .map(|c| c.body.clone())
        .collect()
}

/// Scorecard prompts (not reminders or other notes) a user has received.
pub fn prompts_to(calls: &[fake_slack::Call], user: &str) -> Vec<Value> {
    dms_to(calls, user)
        .into_iter()
        .filter(|m| {
            let t = m.to_string();
            t.contains("open_scorecard") && !t.contains("Reminder")
        })
        .collect()
}

/// A manual clock starting at the wall clock's now.
pub fn manual_clock() -> ManualClock {
    ManualClock::new(chrono::Utc::now())
}

/// Runs `staffloop report <args>` on the test's database, with no report
/// settings inherited from the environment.
pub fn report_cli(database_url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_staffloop"))
        .arg("report")
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("STAFFLOOP_REPORT_CHANNEL")
        .env_remove("STAFFLOOP_DIAGNOSTICS")
        .output()
        .unwrap()
}

/// The four rubric dimensions' keys, in rubric order.
pub const DIMS: [&str; 4] = [
    "scope_of_judgement",
    "architectural_decisions",
    "cross_team_influence",
    "mentorship_at_distance",
];

/// Everything one person was told, ephemerally or in a DM, joined.
pub fn told(app: &TestApp, user: &str) -> String {
    app.slack
        .calls()
        .iter()
        .filter(|c| {
            (c.method == "chat.postEphemeral" && c.body["user"] == user)
                || (c.method == "chat.postMessage" && c.body["channel"] == user)
        })
        .map(|c| c.body.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Queues the weekly downlevel post for `C0REPORTS` the way an operator does
/// (`staffloop report downlevel --post`) and returns it as the running
/// service delivered it.
pub async fn weekly_post(app: &TestApp) -> String {
    let out = report_cli(
        &app.database_url,
        &["downlevel", "--post", "--report-channel", "C0REPORTS"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    app.state.outbox_wakeup.notify_one();
    let calls = app
        .slack
        .wait_for(10, "the weekly post", |c| {
            c.iter()
                .any(|c| c.method == "chat.postMessage" && c.body["channel"] == "C0REPORTS")
        })
        .await;
    calls
        .iter()
        .find(|c| c.body["channel"] == "C0REPORTS")
        .unwrap()
        .body
        .to_string()
}

/// Runs `staffloop export <args>` on the test's database.
pub fn export_cli(database_url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_staffloop"))
        .arg("export")
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

/// Whether a recorded call posted a message with a block of this type
/// (`table`, `data_visualization`).
pub fn has_block(c: &fake_slack::Call, kind: &str) -> bool {
    c.method == "chat.postMessage"
        && c.body["blocks"]
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b["type"] == kind))
}
