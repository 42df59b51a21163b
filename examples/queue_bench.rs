//! The outbox as a queue, measured: what a claim costs with 10 and with
//! 100,000 pending effects, how many effects a second the real worker
//! delivers to a Slack that answers at once, and what the Home's loop list
//! costs with 10 and with 10,000 open loops in the workspace.
//!
//!   cargo run --release --example queue_bench                 # SQLite (temp file)
//!   BENCH_DATABASE_URL=postgres://postgres:staffloop@127.0.0.1:5432/postgres \
//!     cargo run --release --example queue_bench                # PostgreSQL
//!
//! Figures only: nothing here is a pass/fail test.

use staffloop::clock::wall_ms;
use staffloop::config::{Config, Secret, Tuning};
use staffloop::store::{outbox, Backend, Db};
use std::time::{Duration, Instant};

/// Pending effects for the large claim measurement.
const BACKLOG: i64 = 100_000;
/// Distinct ordering keys they are spread over (five effects each).
const KEYS: i64 = 20_000;
/// Claims timed per backlog size.
const CLAIMS: usize = 300;
/// Effects delivered in the throughput run.
const DELIVER: i64 = 20_000;

async fn fresh_url(name: &str) -> anyhow::Result<String> {
    match std::env::var("BENCH_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&admin).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await?;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            Ok(format!("{base}/{name}"))
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("staffloop-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            Ok(format!("sqlite://{}/bench.db", dir.display()))
        }
    }
}

async fn open(name: &str) -> anyhow::Result<(Db, String)> {
    let url = fresh_url(name).await?;
    let db = Db::connect(&url, 8).await?;
    db.migrate().await?;
    Ok((db, url))
}

/// `n` pending DMs (typed `direct_message` effects) over `keys` users,
/// written set-based as the worker would find them: the oldest of each key
/// ready, the rest behind it.
async fn seed_backlog(db: &Db, n: i64, keys: i64) -> anyhow::Result<()> {
    let now = wall_ms();
    sqlx::query(&format!(
        "WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {last}) \
         INSERT INTO outbox (team_id, loop_id, ordering_key, method, payload, next_attempt_ms, created_ms, seq, ready) \
         SELECT 'TBENCH', NULL, 'user:U' || (n % {keys}), 'effect.direct_message', \
           '{{\"kind\":\"direct_message\",\"user\":\"U' || (n % {keys}) || '\",\"text\":\"hello\"}}', \
           $1, $1, n / {keys} + 1, \
           CASE WHEN n < {keys} THEN 1 ELSE 0 END FROM seq",
        last = n - 1
    ))
    .bind(now)
    .execute(db.pool())
    .await?;
    if db.backend() == Backend::Postgres {
        // PostgreSQL counts each key's places in `outbox_keys`; SQLite reads
        // them from the pending rows themselves.
        sqlx::query(
            "INSERT INTO outbox_keys (ordering_key, last_seq, pending) \
             SELECT ordering_key, MAX(seq), COUNT(*) FROM outbox WHERE status = 'pending' GROUP BY ordering_key \
             ON CONFLICT (ordering_key) DO UPDATE SET last_seq = excluded.last_seq, pending = excluded.pending",
        )
        .execute(db.pool())
        .await?;
    }
    Ok(())
}

fn quantiles(mut v: Vec<Duration>) -> String {
    v.sort();
    let at = |q: f64| v[((v.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
    format!(
        "median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    )
}

/// Times claims of 32 rows; each claimed batch is completed (untimed), so
/// every claim finds fresh heads, as the worker does.
async fn time_claims(db: &Db) -> anyhow::Result<String> {
    let mut times = Vec::with_capacity(CLAIMS);
    for _ in 0..CLAIMS {
        let now = wall_ms();
        let t = Instant::now();
        let rows = outbox::claim_due(db, now, 30_000, 32).await?;
        times.push(t.elapsed());
        for d in &rows {
            outbox::complete(db, d, now).await?;
        }
    }
    Ok(quantiles(times))
}

async fn claims() -> anyhow::Result<()> {
    for (n, keys) in [(10, 10), (BACKLOG, KEYS)] {
        let (db, _) = open(&format!("staffloop_qbench_claim_{n}")).await?;
        seed_backlog(&db, n, keys).await?;
        settle_after_seeding(&db).await?;
        // With 10 pending the queue runs dry after the first claim: that is
        // the floor a claim costs.
        println!(
            "claim 32 with {n:>6} pending ({keys} keys): {}",
            time_claims(&db).await?
        );
        db.close().await;
    }
    Ok(())
}

/// A Slack Web API on loopback that answers every call at once.
async fn instant_slack() -> anyhow::Result<String> {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/api/{method}",
        post(|| async {
            // `team_id` and `user_id` answer the start-up `auth.test`.
            axum::Json(
                serde_json::json!({"ok": true, "channel": "D1", "ts": "1700000000.000001",
                                          "team_id": "TBENCH", "user_id": "U0BOT"}),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/api", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

async fn throughput() -> anyhow::Result<()> {
    let slack = instant_slack().await?;
    let (db, url) = open("staffloop_qbench_worker").await?;
    seed_backlog(&db, DELIVER, DELIVER / 10).await?;
    let config = Config {
        bot_token: Secret::new("xoxb-bench"),
        signing_secret: Some(Secret::new("bench-secret")),
        app_token: None,
        slack_api_url: slack,
        database_url: url,
        listen: "127.0.0.1:0".parse()?,
        metrics_listen: "127.0.0.1:0".parse()?,
        tuning: Tuning {
            run_scheduler: false,
            ..Tuning::default()
        },
        rubric: staffloop::domain::Rubric::default_rubric(),
        templates: Default::default(),
        hiring_team_group: None,
        admins: vec![],
        report: Default::default(),
    };
    let app = staffloop::App::build(config).await?;
    let state = app.state();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let started = Instant::now();
    let run = tokio::spawn(app.run(shutdown.clone()));
    // Whether any row is pending, through the pending rows' index: counting
    // them all every 20 ms took a good part of a core from the worker.
    loop {
        let pending: Option<i64> =
            sqlx::query_scalar("SELECT id FROM outbox WHERE status = 'pending' LIMIT 1")
                .fetch_optional(db.pool())
                .await?;
        if pending.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    shutdown.cancel();
    run.await??;
    drop(state);
    println!(
        "worker: {DELIVER} effects over {} keys delivered in {:.2} s: {:.0} effects/s",
        DELIVER / 10,
        took.as_secs_f64(),
        DELIVER as f64 / took.as_secs_f64()
    );
    Ok(())
}

/// `open` loops in the workspace, each with six stages and an interviewer
/// apiece, none of them the measured user's; then three loops of theirs.
async fn seed_loops(db: &Db, open: i64) -> anyhow::Result<()> {
    let now = wall_ms() / 1000;
    sqlx::query("INSERT INTO teams (team_id, first_seen_at) VALUES ('TBENCH', 0)")
        .execute(db.pool())
        .await?;
    sqlx::query(&format!(
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {total}) \
         INSERT INTO loops (id, team_id, candidate_name, applied_level, hiring_manager, opened_by, source_view_id, \
           channel_slug, channel_name, channel_id, debrief_at, created_at) \
         SELECT n, 'TBENCH', 'Candidate ' || n, 'staff', \
           CASE WHEN n > {open} THEN 'UME' ELSE 'UHM' || (n % 50) END, 'UR', 'V' || n, 'c' || n, 'loop-c' || n, \
           'C' || n, $1 + n, $1 FROM seq",
        total = open + 3
    ))
    .bind(now)
    .execute(db.pool())
    .await?;
    sqlx::query(&format!(
        "WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {last}) \
         INSERT INTO stages (id, loop_id, position, kind, starts_at, length_minutes) \
         SELECT n + 1, n / 6 + 1, n % 6 + 1, 'coding', $1, 60 FROM seq",
        last = (open + 3) * 6 - 1
    ))
    .bind(now)
    .execute(db.pool())
    .await?;
    sqlx::query(
        "INSERT INTO stage_interviewers (stage_id, user_id) \
         SELECT id, CASE WHEN loop_id > $1 THEN 'UME' ELSE 'UI' || (id % 200) END FROM stages",
    )
    .bind(open)
    .execute(db.pool())
    .await?;
    Ok(())
}

async fn home() -> anyhow::Result<()> {
    for open in [10, 10_000] {
        let (db, _) = open_db_for_home(open).await?;
        let mut times = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            let rows = staffloop::store::loops::home_rows(&db, "TBENCH", "UME", 20).await?;
            times.push(t.elapsed());
            assert_eq!(rows.len(), 3);
        }
        println!(
            "Home loop list, {open:>5} open loops in the workspace: {}",
            quantiles(times)
        );
        db.close().await;
    }
    Ok(())
}

async fn open_db_for_home(open_loops: i64) -> anyhow::Result<(Db, String)> {
    let (db, url) = open(&format!("staffloop_qbench_home_{open_loops}")).await?;
    seed_loops(&db, open_loops).await?;
    settle_after_seeding(&db).await?;
    Ok((db, url))
}

/// A bulk load leaves SQLite a long write-ahead log (and PostgreSQL no
/// statistics); a service that has run a while has neither.
async fn settle_after_seeding(db: &Db) -> anyhow::Result<()> {
    match db.backend() {
        // What the service does at start (and hourly), after the log is folded in.
        staffloop::store::Backend::Sqlite => {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(db.pool())
                .await?;
            db.optimize().await?;
        }
        staffloop::store::Backend::Postgres => {
            sqlx::query("ANALYZE").execute(db.pool()).await?;
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    staffloop::install_crypto_provider();
    sqlx::any::install_default_drivers();
    claims().await?;
    throughput().await?;
    home().await?;
    Ok(())
}
