//! Times the downlevel report, the weekly post's agreement check and the
//! interviewer calibration report over 100,000 decided loops with their cards.
//!
//!   cargo run --release --example report_bench                 # SQLite (temp file)
//!   BENCH_DATABASE_URL=postgres://postgres:staffloop@127.0.0.1:5432/postgres \
//!     cargo run --release --example report_bench                # PostgreSQL (fresh database)
//!
//! Loads 100,000 loops × 6 stages × 7 cards × ~17 scores with set-based SQL,
//! then runs the report (90- and 365-day windows) and prints timings.

use staffloop::domain::metrics::Thresholds;
use staffloop::store::Db;
use std::time::Instant;

const LOOPS: i64 = 100_000;
const RUNS: usize = 20;

async fn fresh_url() -> anyhow::Result<String> {
    match std::env::var("BENCH_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&admin).await?;
            sqlx::query("DROP DATABASE IF EXISTS staffloop_bench")
                .execute(&mut conn)
                .await?;
            sqlx::query("CREATE DATABASE staffloop_bench")
                .execute(&mut conn)
                .await?;
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin)
                .to_string();
            Ok(format!("{base}/staffloop_bench"))
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("staffloop-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            Ok(format!("sqlite://{}/bench.db", dir.display()))
        }
    }
}

const SEQ: &str =
    "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 100000)";

async fn load(db: &Db, now: i64) -> anyhow::Result<()> {
    let pool = db.pool();
    sqlx::query("INSERT INTO teams (team_id, first_seen_at) VALUES ('TBENCH', 0)")
        .execute(pool)
        .await?;
    // Decisions spread over the last 365 days: 30% at level, 40% one down, 20% no hire, 10% one up.
    sqlx::query(&format!(
        "{SEQ} INSERT INTO loops (id, team_id, candidate_name, applied_level, hiring_manager, opened_by, source_view_id, \
           channel_slug, channel_name, debrief_at, created_at, debrief_started_at, decided_level, decided_at, state) \
         SELECT n, 'TBENCH', 'Candidate ' || n, CASE WHEN n % 5 = 0 THEN 'senior_staff' ELSE 'staff' END, 'UHM', 'UHM', \
           'V' || n, 'c' || n, 'loop-c' || n, $1, $1, $1, \
           CASE WHEN n % 10 < 3 THEN (CASE WHEN n % 5 = 0 THEN 'senior_staff' ELSE 'staff' END) \
                WHEN n % 10 < 7 THEN (CASE WHEN n % 5 = 0 THEN 'staff' ELSE 'senior' END) \
                WHEN n % 10 < 9 THEN 'no_hire' ELSE 'senior_staff' END, \
           $1 - (n % 365) * 86400 - (n % 86400), 'decided' FROM seq"
    ))
    .bind(now)
    .execute(pool)
    .await?;
    sqlx::query(&format!(
        "{SEQ}, kinds(k, kind) AS (VALUES (1, 'hm_screen'), (2, 'design_doc'), (3, 'deep_dive'), (4, 'coding'), (5, 'cross_team'), (6, 'bar_raiser')) \
         INSERT INTO stages (id, loop_id, position, kind, state) SELECT (n - 1) * 6 + k, n, k, kind, 'done' FROM seq, kinds"
    ))
    .execute(pool)
    .await?;
    // Seven cards: one per stage, and a second deep-dive panelist.
    sqlx::query(&format!(
        "{SEQ}, slots(j, k) AS (VALUES (1, 1), (2, 2), (3, 3), (4, 3), (5, 4), (6, 5), (7, 6)) \
         INSERT INTO scorecards (id, loop_id, stage_id, interviewer, recommendation, content, submitted_at) \
         SELECT (n - 1) * 7 + j, n, (n - 1) * 6 + k, 'U' || j, 'staff', '{{}}', $1 FROM seq, slots"
    ))
    .bind(now)
    .execute(pool)
    .await?;
    sqlx::query(
        "WITH crit(kind, criterion) AS (VALUES \
           ('hm_screen', 'scope_of_judgement'), ('design_doc', 'scope_of_judgement'), ('design_doc', 'architectural_decisions'), \
           ('deep_dive', 'scope_of_judgement'), ('deep_dive', 'architectural_decisions'), \
           ('coding', 'diagnostic_thinking'), ('coding', 'code_review_quality'), ('coding', 'smallest_safe_refactor'), ('coding', 'throughput'), \
           ('cross_team', 'cross_team_influence'), ('cross_team', 'mentorship_at_distance'), \
           ('bar_raiser', 'scope_of_judgement'), ('bar_raiser', 'architectural_decisions'), \
           ('bar_raiser', 'cross_team_influence'), ('bar_raiser', 'mentorship_at_distance')) \
         INSERT INTO card_scores (scorecard_id, loop_id, stage_kind, criterion, score) \
         SELECT c.id, c.loop_id, s.kind, crit.criterion, 1 + (c.id + LENGTH(crit.criterion)) % 4 \
         FROM scorecards c JOIN stages s ON s.id = c.stage_id JOIN crit ON crit.kind = s.kind",
    )
    .execute(pool)
    .await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = fresh_url().await?;
    let db = Db::connect(&url, 4).await?;
    db.migrate().await?;
    let now = chrono::Utc::now().timestamp();
    let started = Instant::now();
    load(&db, now).await?;
    let pool = db.pool().clone();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await }
    };
    println!(
        "backend {:?}: loaded {} loops, {} cards, {} scores in {:.1} s",
        db.backend(),
        count("SELECT COUNT(*) FROM loops").await?,
        count("SELECT COUNT(*) FROM scorecards").await?,
        count("SELECT COUNT(*) FROM card_scores").await?,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(count("SELECT COUNT(*) FROM loops").await?, LOOPS);
    for window in [90, 365] {
        let mut times = Vec::with_capacity(RUNS);
        let mut decisions = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            let r =
                staffloop::report::downlevel(&db, "TBENCH", window, now, &Thresholds::default())
                    .await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            decisions = r.rows.iter().map(|row| row.decisions).sum::<u64>();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "report, {window}-day window ({decisions} decisions): min {:.1} ms, median {:.1} ms, p95 {:.1} ms, max {:.1} ms over {RUNS} runs",
            times[0],
            pct(&times, 0.5),
            pct(&times, 0.95),
            times[times.len() - 1]
        );
    }
    for window in [90, 365] {
        let mut agreement = Vec::with_capacity(RUNS);
        let mut calibration = Vec::with_capacity(RUNS);
        let mut cards = 0;
        for _ in 0..RUNS / 4 {
            let r =
                staffloop::report::downlevel(&db, "TBENCH", window, now, &Thresholds::default())
                    .await?;
            let t = Instant::now();
            staffloop::report::low_agreement(&db, &r).await?;
            agreement.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let c = staffloop::report::calibration(&db, "TBENCH", window, now, Default::default())
                .await?;
            calibration.push(t.elapsed().as_secs_f64() * 1000.0);
            cards = c.calibration.cards;
        }
        for (what, times) in [
            ("weekly agreement check", &mut agreement),
            ("calibration report", &mut calibration),
        ] {
            times.sort_by(f64::total_cmp);
            println!(
                "{what}, {window}-day window ({cards} cards): min {:.1} ms, median {:.1} ms, max {:.1} ms over {} runs",
                times[0],
                pct(times, 0.5),
                times[times.len() - 1],
                times.len()
            );
        }
    }
    db.close().await;
    Ok(())
}
