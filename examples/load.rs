//! Load benchmark: starts the release `staffloop serve` against a fake Slack on
//! loopback and a fresh database, then sends correctly signed mixed traffic.
//!
//!   cargo run --release --example load                      # SQLite
//!   LOAD_DATABASE_URL=postgres://postgres:staffloop@127.0.0.1:5432/postgres \
//!     cargo run --release --example load                    # PostgreSQL
//!   options: --seconds N (per phase, default 10), --rate N (default 1000)
//!
//! Phases: idle memory; the mix at a fixed rate; the mix as fast as it goes;
//! scorecard submissions only. The mix: slash commands (status, help) 40%,
//! scorecard submissions for distinct interviewers 40%, button clicks 10%,
//! events 10%. Prints requests/s, ack latency p50/p99/max, errors, stored
//! scorecards per second, and the service's resident memory.

use axum::routing::post;
use serde_json::{json, Value};
use staffloop::slack::verify::sign;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "load-test-signing-secret";
const TEAM: &str = "T0LOAD001";
const LOOPS: usize = 2000;
const PER_STAGE: usize = 4;
const KINDS: [&str; 6] = [
    "hm_screen",
    "design_doc",
    "deep_dive",
    "coding",
    "cross_team",
    "bar_raiser",
];

fn criteria(kind: &str) -> Vec<&'static str> {
    let kind = staffloop::domain::StageKind::parse(kind).expect("a stage kind");
    staffloop::domain::Criterion::for_stage(kind)
        .into_iter()
        .map(|c| c.key())
        .collect()
}

async fn fake_slack() -> String {
    let app = axum::Router::new().route(
        "/api/{method}",
        post(
            |axum::extract::Path(m): axum::extract::Path<String>| async move {
                axum::Json(match m.as_str() {
                    "conversations.create" => json!({"ok": true, "channel": {"id": "C0NEW"}}),
                    "chat.postMessage" => json!({"ok": true, "channel": "C0", "ts": "1.1"}),
                    "auth.test" => json!({"ok": true, "team_id": TEAM, "user_id": "U0BOT"}),
                    _ => json!({"ok": true}),
                })
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/api")
}

async fn database() -> anyhow::Result<String> {
    match std::env::var("LOAD_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&admin).await?;
            sqlx::query("DROP DATABASE IF EXISTS staffloop_load")
                .execute(&mut c)
                .await?;
            sqlx::query("CREATE DATABASE staffloop_load")
                .execute(&mut c)
                .await?;
            Ok(format!(
                "{}/staffloop_load",
                admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin)
            ))
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("staffloop-load-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            Ok(format!("sqlite://{}/load.db", dir.display()))
        }
    }
}

/// Open loops whose stages each have PER_STAGE interviewers: (stage id, kind, user) to score.
async fn seed(url: &str) -> anyhow::Result<Vec<(i64, &'static str, String)>> {
    let db = staffloop::store::Db::connect(url, 2).await?;
    db.migrate().await?;
    let pool = db.pool();
    sqlx::query("INSERT INTO teams (team_id, first_seen_at) VALUES ($1, 0)")
        .bind(TEAM)
        .execute(pool)
        .await?;
    let mut slots = Vec::new();
    let far = chrono::Utc::now().timestamp() + 30 * 86_400;
    let mut tx = db.begin().await?;
    for l in 0..LOOPS {
        let loop_id: i64 = sqlx::query_scalar(
            "INSERT INTO loops (team_id, candidate_name, applied_level, hiring_manager, opened_by, source_view_id, \
               channel_slug, channel_name, channel_id, debrief_at, created_at) \
             VALUES ($1, $2, 'staff', 'UHM', 'UHM', $2, $2, $2, $3, $4, 0) RETURNING id",
        )
        .bind(TEAM).bind(format!("load-{l}")).bind(format!("CLOAD{l:05}")).bind(far)
        .fetch_one(&mut tx).await?;
        for (p, kind) in KINDS.iter().enumerate() {
            let stage: i64 = sqlx::query_scalar(
                "INSERT INTO stages (loop_id, position, kind, state) VALUES ($1, $2, $3, 'done') RETURNING id",
            )
            .bind(loop_id).bind(p as i64 + 1).bind(*kind).fetch_one(&mut tx).await?;
            for i in 0..PER_STAGE {
                let user = format!("U{l:04}{p}{i}");
                sqlx::query("INSERT INTO stage_interviewers (stage_id, user_id) VALUES ($1, $2)")
                    .bind(stage)
                    .bind(&user)
                    .execute(&mut tx)
                    .await?;
                slots.push((stage, *kind, user));
            }
        }
    }
    tx.commit().await?;
    // A bulk load leaves PostgreSQL without statistics until autovacuum gets
    // to it; a database that has served a while has them.
    if db.backend() == staffloop::store::Backend::Postgres {
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    db.close().await;
    Ok(slots)
}

struct Target {
    http: reqwest::Client,
    base: String,
    slots: Vec<(i64, &'static str, String)>,
    next_slot: AtomicU64,
    next_event: AtomicU64,
    errors: AtomicU64,
    latencies_us: Mutex<Vec<u32>>,
}

enum Kind {
    Command,
    Card,
    Button,
    Event,
}

fn pick(n: u64) -> Kind {
    match n % 10 {
        0..=3 => Kind::Command,
        4..=7 => Kind::Card,
        8 => Kind::Button,
        _ => Kind::Event,
    }
}

impl Target {
    fn card_body(&self) -> String {
        let i = self.next_slot.fetch_add(1, Ordering::Relaxed) as usize % self.slots.len();
        let (stage, kind, user) = &self.slots[i];
        let mut values = serde_json::Map::new();
        for c in criteria(kind) {
            values.insert(
                format!("score_{c}"),
                json!({"value": {"type": "radio_buttons", "selected_option": {"value": "3"}}}),
            );
            values.insert(format!("evidence_{c}"), json!({"value": {"type": "plain_text_input",
                "value": "Named the on-call cost and the migration risk before proposing anything."}}));
        }
        if *kind == "bar_raiser" {
            values.insert(
                "work_with".into(),
                json!({"value": {"selected_option": {"value": "yes"}}}),
            );
            values.insert(
                "work_with_reason".into(),
                json!({"value": {"value": "Reframed the problem around the real constraint."}}),
            );
        }
        values.insert(
            "recommendation".into(),
            json!({"value": {"selected_option": {"value": "staff"}}}),
        );
        let payload = json!({"type": "view_submission", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
            "view": {"id": format!("V{i}"), "callback_id": "staffloop_scorecard", "private_metadata": stage.to_string(),
                     "state": {"values": Value::Object(values)}}});
        serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
    }

    async fn one(&self, kind: Kind, n: u64) {
        let (path, ctype, body) = match kind {
            Kind::Command => {
                let text = if n.is_multiple_of(2) {
                    "status"
                } else {
                    "help"
                };
                let channel = format!("CLOAD{:05}", n as usize % LOOPS);
                let form = serde_urlencoded::to_string([
                    ("team_id", TEAM),
                    ("user_id", "UHM"),
                    ("channel_id", &channel),
                    ("command", "/staffloop"),
                    ("text", text),
                    ("trigger_id", "1.2.3"),
                ])
                .unwrap();
                ("/slack/commands", "application/x-www-form-urlencoded", form)
            }
            Kind::Card => (
                "/slack/interactions",
                "application/x-www-form-urlencoded",
                self.card_body(),
            ),
            Kind::Button => {
                let (stage, _, user) = &self.slots[n as usize % self.slots.len()];
                let payload = json!({"type": "block_actions", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
                    "trigger_id": "1.2.3", "actions": [{"action_id": "open_scorecard", "value": stage.to_string()}]});
                (
                    "/slack/interactions",
                    "application/x-www-form-urlencoded",
                    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap(),
                )
            }
            Kind::Event => {
                let id = self.next_event.fetch_add(1, Ordering::Relaxed);
                let user = &self.slots[id as usize % self.slots.len()].2;
                let event = json!({"type": "event_callback", "team_id": TEAM, "event_id": format!("EvLOAD{id}"),
                    "event": {"type": "app_home_opened", "user": user, "tab": "home"}});
                ("/slack/events", "application/json", event.to_string())
            }
        };
        let ts = chrono::Utc::now().timestamp();
        let sig = sign(SECRET.as_bytes(), ts, body.as_bytes());
        let started = Instant::now();
        let ok = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("content-type", ctype)
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sig)
            .body(body)
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false);
        let us = started.elapsed().as_micros().min(u32::MAX as u128) as u32;
        if !ok {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        self.latencies_us.lock().unwrap().push(us);
    }
}

fn rss_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

async fn cards_stored(url: &str) -> i64 {
    let db = staffloop::store::Db::connect(url, 1).await.unwrap();
    let n = staffloop::store::cards::count_cards(db.pool())
        .await
        .unwrap();
    db.close().await;
    n
}

fn report(name: &str, t: &Target, elapsed: f64) {
    let mut l = std::mem::take(&mut *t.latencies_us.lock().unwrap());
    l.sort_unstable();
    let p = |q: f64| {
        l.get(((l.len().max(1) - 1) as f64 * q) as usize)
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    println!(
        "{name:<28} {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  errors {}  ({} requests)",
        l.len() as f64 / elapsed,
        p(0.5),
        p(0.99),
        l.last().copied().unwrap_or(0) as f64 / 1000.0,
        t.errors.swap(0, Ordering::Relaxed),
        l.len()
    );
}

async fn fixed_rate(t: &Arc<Target>, rate: u64, secs: u64) -> f64 {
    let started = Instant::now();
    let total = rate * secs;
    let mut handles = Vec::with_capacity(total as usize);
    for n in 0..total {
        let due = started + Duration::from_secs_f64(n as f64 / rate as f64);
        tokio::time::sleep_until(due.into()).await;
        let t = t.clone();
        handles.push(tokio::spawn(async move { t.one(pick(n), n).await }));
    }
    for h in handles {
        let _ = h.await;
    }
    started.elapsed().as_secs_f64()
}

async fn flat_out(t: &Arc<Target>, workers: u64, secs: u64, cards_only: bool) -> f64 {
    let started = Instant::now();
    let stop = started + Duration::from_secs(secs);
    let counter = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::new();
    for _ in 0..workers {
        let (t, counter) = (t.clone(), counter.clone());
        handles.push(tokio::spawn(async move {
            while Instant::now() < stop {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                t.one(if cards_only { Kind::Card } else { pick(n) }, n)
                    .await;
            }
        }));
    }
    for h in handles {
        let _ = h.await;
    }
    started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (secs, rate) = (flag("--seconds", 10), flag("--rate", 1000));
    let built = std::process::Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "staffloop"])
        .status()?;
    anyhow::ensure!(built.success(), "building the service failed");
    let exe = std::env::current_exe()?
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("staffloop"))
        .unwrap();
    let slack = fake_slack().await;
    let url = database().await?;
    let slots = seed(&url).await?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let ops_port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = std::process::Command::new(&exe)
        .arg("serve")
        .env("SLACK_BOT_TOKEN", "xoxb-load")
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("SLACK_API_URL", &slack)
        .env("DATABASE_URL", &url)
        .env("STAFFLOOP_LISTEN", format!("127.0.0.1:{port}"))
        .env("STAFFLOOP_METRICS_LISTEN", format!("127.0.0.1:{ops_port}"))
        .env("RUST_LOG", "warn")
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    for _ in 0..200 {
        if http
            .get(format!("http://127.0.0.1:{ops_port}/healthz"))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = child.id();
    println!(
        "backend: {}  ({} assignable cards seeded)",
        if url.starts_with("sqlite") {
            "SQLite"
        } else {
            "PostgreSQL"
        },
        slots.len()
    );
    println!(
        "idle memory: {:.1} MB resident",
        rss_kb(pid, "VmRSS:") as f64 / 1024.0
    );
    let t = Arc::new(Target {
        http,
        base,
        slots,
        next_slot: AtomicU64::new(0),
        next_event: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        latencies_us: Mutex::new(Vec::new()),
    });

    let elapsed = fixed_rate(&t, rate, secs).await;
    report(&format!("mix at {rate}/s"), &t, elapsed);
    let elapsed = flat_out(&t, 64, secs, false).await;
    report("mix, as fast as it goes", &t, elapsed);
    let before = cards_stored(&url).await;
    let elapsed = flat_out(&t, 64, secs, true).await;
    let after = cards_stored(&url).await;
    report("scorecards only", &t, elapsed);
    println!(
        "locked scorecards stored: {:.0} per second ({} new cards)",
        (after - before) as f64 / elapsed,
        after - before
    );
    println!(
        "peak memory: {:.1} MB resident (VmHWM)",
        rss_kb(pid, "VmHWM:") as f64 / 1024.0
    );
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
    let _ = child.wait();
    Ok(())
}
