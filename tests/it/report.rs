//! The downlevel report: `/staffloop stats`, the weekly post at the right local
//! time across a DST change, once per slot with two replicas, one catch-up
//! after a missed slot, the chart upload, and the CLI's text and JSON.

use crate::common::*;
use chrono::TimeZone;
use serde_json::Value;
use staffloop::clock::ManualClock;
use staffloop::config::ReportConfig;
use std::time::Duration;

const REPORTS: &str = "C0REPORTS";

/// Stores `n` decided loops (with one scored card each) straight into the database.
async fn seed(app: &TestApp, n: usize, applied: &str, decided: &str, decided_at: i64, score: i64) {
    let pool = app.state.db.pool();
    sqlx::query("INSERT INTO teams (team_id, first_seen_at) VALUES ($1, 0) ON CONFLICT (team_id) DO NOTHING")
        .bind(TEAM).execute(pool).await.unwrap();
    for i in 0..n {
        let name = format!("seed-{applied}-{decided}-{decided_at}-{i}");
        let loop_id: i64 = sqlx::query_scalar(
            "INSERT INTO loops (team_id, candidate_name, applied_level, hiring_manager, opened_by, source_view_id, \
               channel_slug, channel_name, debrief_at, created_at, debrief_started_at, decided_level, decided_at, state) \
             VALUES ($1, $2, $3, 'UHM', 'UHM', $2, $2, $2, $4, $4, $4, $5, $4, 'decided') RETURNING id",
        )
        .bind(TEAM).bind(&name).bind(applied).bind(decided_at).bind(decided)
        .fetch_one(pool).await.unwrap();
        let stage_id: i64 = sqlx::query_scalar(
            "INSERT INTO stages (loop_id, position, kind, state) VALUES ($1, 5, 'cross_team', 'done') RETURNING id",
        )
        .bind(loop_id).fetch_one(pool).await.unwrap();
        let card_id: i64 = sqlx::query_scalar(
            "INSERT INTO scorecards (loop_id, stage_id, interviewer, recommendation, content, submitted_at) \
             VALUES ($1, $2, 'UX', 'senior', '{}', $3) RETURNING id",
        )
        .bind(loop_id).bind(stage_id).bind(decided_at).fetch_one(pool).await.unwrap();
        for criterion in ["cross_team_influence", "mentorship_at_distance"] {
            sqlx::query("INSERT INTO card_scores (scorecard_id, loop_id, stage_kind, criterion, score) VALUES ($1, $2, 'cross_team', $3, $4)")
                .bind(card_id).bind(loop_id).bind(criterion).bind(score).execute(pool).await.unwrap();
        }
    }
}

#[tokio::test]
async fn stats_reports_shares_diagnostics_and_where_the_loop_leaks() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    seed(&app, 3, "staff", "staff", now - 10 * 86_400, 3).await;
    seed(&app, 5, "staff", "senior", now - 20 * 86_400, 2).await;
    seed(&app, 2, "staff", "no_hire", now - 60 * 86_400, 1).await;
    seed(&app, 2, "senior_staff", "staff", now - 5 * 86_400, 2).await;
    seed(&app, 4, "staff", "senior", now - 200 * 86_400, 2).await; // outside 90 days
                                                                   // Decisions about people: not for every member.
    let v = app.command_json(CODER, "C0ANY", "stats").await;
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .contains("admins and hiring managers"),
        "{v}"
    );
    // A hiring manager of a loop may look.
    let v = app.command_json("UHM", "C0ANY", "stats").await;
    assert!(v.to_string().contains("Downlevel rate"), "{v}");
    let v = app.command_json(ADMIN, "C0ANY", "stats").await;
    assert_eq!(v["response_type"], "ephemeral");
    let text = v.to_string();
    assert!(text.contains("Downlevel rate, last 90 days"), "{text}");
    assert!(text.contains("Applied at Staff*: 10 decision(s)"), "{text}");
    assert!(
        text.contains("Offer one level down (downlevel): 5 (50%, 95% interval 24–76%)"),
        "{text}"
    );
    assert!(
        text.contains("Offer at the applied level: 3 (30%, 95% interval 11–60%)"),
        "{text}"
    );
    assert!(
        text.contains("hiring-manager screen is letting too many senior candidates through"),
        "{text}"
    );
    assert!(text.contains("Applied at Senior staff*: 2 decision(s)"));
    assert!(
        text.contains("Only 2 decision(s): too few to read anything into"),
        "small samples never fire"
    );
    assert!(
        text.contains("Cross-team influence: 7 of 7 card(s) at the senior anchor or below (100%)"),
        "{text}"
    );
    assert!(
        text.contains("Lowest-scoring stage for them: *Cross-team influence* (average 2.0 of 4)"),
        "{text}"
    );
    let v = app.command_json(ADMIN, "C0ANY", "stats 365d").await;
    assert!(v.to_string().contains("Applied at Staff*: 14 decision(s)"));
    let v = app.command_json(ADMIN, "C0ANY", "stats 7d").await;
    assert!(v["text"].as_str().unwrap().contains("30d"));
    // An empty window says so plainly.
    let empty = TestApp::spawn().await;
    let v = empty
        .command_json(ADMIN, "C0ANY", "stats 30d")
        .await
        .to_string();
    assert!(
        v.contains("0 decision(s)") && v.contains("No downlevelled candidates"),
        "{v}"
    );
    // One downlevel: where it fell short would be one candidate's scores.
    seed(&empty, 1, "staff", "senior", now - 3 * 86_400, 1).await;
    // A row marked decided whose debrief never started is never counted.
    seed(&empty, 1, "staff", "senior", now - 4 * 86_400, 1).await;
    sqlx::query(
        "UPDATE loops SET debrief_started_at = NULL WHERE id = (SELECT MAX(id) FROM loops)",
    )
    .execute(empty.state.db.pool())
    .await
    .unwrap();
    let v = empty
        .command_json(ADMIN, "C0ANY", "stats 30d")
        .await
        .to_string();
    assert!(v.contains("Applied at Staff*: 1 decision(s)"), "{v}");
    assert!(
        v.contains("Only 1 downlevel(s) in this window")
            && !v.contains("card(s) at the senior anchor"),
        "{v}"
    );
    assert!(
        app.slack.calls().is_empty(),
        "stats answers the invoker only"
    );
}

fn berlin_mondays() -> ReportConfig {
    ReportConfig {
        channel: Some(REPORTS.into()),
        tz: "Europe/Berlin".parse().unwrap(),
        ..Default::default()
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    chrono::Utc
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .timestamp()
}

fn at(clock: &ManualClock, t: i64) {
    clock.set(chrono::Utc.timestamp_opt(t, 0).unwrap());
}

/// Weekly posts in the report channel (the report, not its chart).
fn report_posts(app_calls: &[crate::common::fake_slack::Call]) -> usize {
    app_calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.body["channel"] == REPORTS)
        .filter(|c| !has_block(c, "data_visualization"))
        .count()
}

fn chart_posts(app_calls: &[crate::common::fake_slack::Call]) -> usize {
    app_calls
        .iter()
        .filter(|c| has_block(c, "data_visualization"))
        .count()
}

async fn weekly_due(app: &TestApp) -> i64 {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT due_at FROM jobs WHERE kind = 'weekly_report' AND status = 'pending'",
        )
        .fetch_optional(app.state.db.pool())
        .await
        .unwrap();
        if let Some(d) = due {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no weekly job scheduled");
}

#[tokio::test]
async fn the_weekly_post_follows_local_time_across_dst_with_its_chart() {
    let clock = ManualClock::new(
        chrono::Utc
            .timestamp_opt(utc(2026, 3, 18, 12, 0), 0)
            .unwrap(),
    );
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        report: Some(berlin_mondays()),
        ..Default::default()
    })
    .await;
    seed(&app, 6, "staff", "senior", utc(2026, 3, 10, 12, 0), 2).await;
    // Monday 09:00 in Berlin, winter time: 08:00 UTC.
    assert_eq!(weekly_due(&app).await, utc(2026, 3, 23, 8, 0));
    at(&clock, utc(2026, 3, 23, 7, 59));
    app.settle().await;
    assert_eq!(report_posts(&app.slack.calls()), 0, "not before its time");
    at(&clock, utc(2026, 3, 23, 8, 0));
    let calls = app
        .slack
        .wait_for(10, "report and chart", |c| chart_posts(c) == 1)
        .await;
    assert_eq!(report_posts(&calls), 1);
    let post = calls.iter().find(|c| c.body["channel"] == REPORTS).unwrap();
    assert!(post.body.to_string().contains("6 decision(s)"));
    // Slack's own line charts, one per applied level, with honest counts:
    // the six staff applicants decided in the week of 03-09, none elsewhere.
    let chart = calls
        .iter()
        .find(|c| has_block(c, "data_visualization"))
        .unwrap();
    assert_eq!(chart.body["channel"], REPORTS);
    let blocks = chart.body["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 2, "two charts, Slack's most per message");
    assert_eq!(blocks[0]["title"], "Applied at Staff: decisions per week");
    assert_eq!(
        blocks[1]["title"],
        "Applied at Senior staff: decisions per week"
    );
    assert_eq!(blocks[0]["chart"]["type"], "line");
    let series = blocks[0]["chart"]["series"].as_array().unwrap();
    let categories = blocks[0]["chart"]["axis_config"]["categories"]
        .as_array()
        .unwrap();
    assert_eq!(categories.len(), 12);
    assert!(categories
        .iter()
        .all(|c| c.as_str().unwrap().chars().count() <= 20));
    let downlevelled = series.iter().find(|s| s["name"] == "Downlevelled").unwrap();
    let total: i64 = downlevelled["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 6);
    let senior_staff: i64 = blocks[1]["chart"]["series"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["value"].as_i64().unwrap())
        })
        .sum();
    assert_eq!(senior_staff, 0, "no senior-staff applicant decided");
    assert!(chart.body["text"]
        .as_str()
        .unwrap()
        .contains("Staff, decisions per week"));
    assert!(
        app.slack.uploads().is_empty(),
        "no PNG where the native chart is taken"
    );
    // The next Monday 09:00 is in summer time: 07:00 UTC.
    assert_eq!(weekly_due(&app).await, utc(2026, 3, 30, 7, 0));
    at(&clock, utc(2026, 3, 30, 7, 1));
    app.slack
        .wait_for(10, "second report", |c| report_posts(c) == 2)
        .await;
    assert_eq!(weekly_due(&app).await, utc(2026, 4, 6, 7, 0));
}

fn png_decodes(bytes: &[u8]) -> bool {
    png::Decoder::new(std::io::Cursor::new(bytes.to_vec()))
        .read_info()
        .is_ok()
}

#[tokio::test]
async fn two_replicas_post_once_and_a_missed_slot_catches_up_once() {
    let clock = ManualClock::new(
        chrono::Utc
            .timestamp_opt(utc(2026, 3, 18, 12, 0), 0)
            .unwrap(),
    );
    let slack = crate::common::fake_slack::FakeSlack::start().await;
    let database_url = fresh_database_url().await;
    let opts = || Options {
        clock: Some(clock.clone()),
        slack: Some(slack.clone()),
        database_url: Some(database_url.clone()),
        report: Some(berlin_mondays()),
        ..Default::default()
    };
    let a = TestApp::spawn_with(opts()).await;
    let b = TestApp::spawn_with(opts()).await;
    seed(&a, 5, "staff", "staff", utc(2026, 3, 10, 12, 0), 3).await;
    let slot = weekly_due(&a).await;
    at(&clock, slot + 60);
    slack
        .wait_for(10, "one report", |c| report_posts(c) >= 1)
        .await;
    a.settle().await;
    assert_eq!(report_posts(&slack.calls()), 1, "two replicas, one post");
    assert_eq!(chart_posts(&slack.calls()), 1);
    // Both replicas go down; two slots pass; one comes back.
    a.kill().await;
    b.kill().await;
    at(&clock, slot + 15 * 86_400);
    let c = TestApp::spawn_with(opts()).await;
    slack
        .wait_for(10, "catch-up", |c| report_posts(c) >= 2)
        .await;
    c.settle().await;
    assert_eq!(
        report_posts(&slack.calls()),
        2,
        "one catch-up post, not one per missed slot"
    );
    let next = weekly_due(&c).await;
    assert!(next > slot + 15 * 86_400, "the next slot is in the future");
    assert_eq!(
        c.scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'weekly_report' AND status = 'pending'")
            .await,
        1
    );
}

fn cli(database_url: &str, args: &[&str]) -> std::process::Output {
    report_cli(database_url, &[&["downlevel"], args].concat())
}

/// The terminal form is written plain from the report's data: a diagnostic
/// that fires reads as a sentence with a plain alert sign, not a Slack emoji
/// code with its underscores stripped.
#[tokio::test]
async fn the_cli_text_is_plain_even_when_a_diagnostic_fires() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Default::default()
    })
    .await;
    let now = chrono::Utc::now().timestamp();
    seed(&app, 4, "staff", "senior", now - 86_400, 2).await;
    seed(&app, 1, "staff", "staff", now - 86_400, 3).await;
    let out = cli(&app.database_url, &[]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "(!) Only 20% get an offer at the level they applied for, while 80% are downlevelled"
        ),
        "{text}"
    );
    assert!(
        text.contains("Where downlevelled candidates fell short"),
        "{text}"
    );
    assert!(!text.contains("rotating"), "no emoji code: {text}");
    assert!(!text.contains('*') && !text.contains('_'), "{text}");
}

#[tokio::test]
async fn the_cli_prints_text_and_json_and_queues_a_post() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Default::default()
    })
    .await;
    let now = chrono::Utc::now().timestamp();
    seed(&app, 4, "staff", "senior", now - 86_400, 2).await;
    seed(&app, 4, "staff", "staff", now - 86_400, 3).await;
    let out = cli(&app.database_url, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Downlevel rate, last 90 days")
            && text.contains("Applied at Staff: 8 decision(s)"),
        "{text}"
    );
    assert!(!text.contains('*'), "plain text on the command line");
    let out = cli(&app.database_url, &["--format", "json", "--window", "30d"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["window_days"], 30);
    assert_eq!(v["rows"][0]["applied"], "staff");
    assert_eq!(v["rows"][0]["one_down"]["count"], 4);
    assert_eq!(v["rows"][0]["one_down"]["share"], 0.5);
    assert_eq!(v["rows"][0]["diagnoses"][0]["kind"], "nothing_alarming");
    assert_eq!(v["weeks"].as_array().unwrap().len(), 12);
    let out = cli(&app.database_url, &["--post"]);
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no report channel")
    );
    let out = cli(&app.database_url, &["--post", "--report-channel", REPORTS]);
    assert!(out.status.success());
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND ordering_key LIKE 'report:%'"
        )
        .await,
        2
    );
    let out = cli(&app.database_url, &["--window", "soon"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn only_an_admin_sets_the_report_channel() {
    let app = TestApp::spawn().await;
    let v = app.command_json(HM, "C0ANY", "report-channel here").await;
    assert!(v["text"]
        .as_str()
        .unwrap()
        .contains("Only a staffloop admin"));
    let v = app
        .command_json(ADMIN, "C0ANY", "report-channel <#C0LEADS01|eng-leads>")
        .await;
    assert!(v["text"].as_str().unwrap().contains("<#C0LEADS01>"));
    let v = app
        .command_json(ADMIN, "C0ANY", "report-channel general")
        .await;
    assert!(v["text"]
        .as_str()
        .unwrap()
        .contains("pick it from the list"));
    let (channel,): (Option<String>,) = sqlx::query_as("SELECT report_channel FROM teams")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(channel.as_deref(), Some("C0LEADS01"));
}

/// A workspace that does not have Slack's charts yet answers
/// `invalid_blocks`: that week's chart comes as the PNG instead, once, and
/// the workspace gets PNGs from then on without trying again.
#[tokio::test]
async fn a_workspace_without_charts_gets_the_png_and_is_remembered() {
    let clock = ManualClock::new(
        chrono::Utc
            .timestamp_opt(utc(2026, 3, 18, 12, 0), 0)
            .unwrap(),
    );
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        report: Some(berlin_mondays()),
        ..Default::default()
    })
    .await;
    app.slack.refuse_native_blocks();
    seed(&app, 3, "staff", "staff", utc(2026, 3, 10, 12, 0), 1).await;
    let slot = weekly_due(&app).await;
    at(&clock, slot + 60);
    app.slack
        .wait_for(10, "the PNG", |c| {
            c.iter().any(|c| c.method == "files.completeUploadExternal")
        })
        .await;
    app.settle().await;
    assert_eq!(chart_posts(&app.slack.calls()), 1, "tried once");
    let upload = &app.slack.uploads()[0].1;
    assert_eq!(&upload[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png_decodes(upload));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM teams WHERE native_blocks_refused_at IS NOT NULL")
            .await,
        1
    );
    // The next week goes straight to the PNG.
    at(&clock, weekly_due(&app).await + 60);
    app.slack
        .wait_for(10, "second PNG", |_| app.slack.uploads().len() == 2)
        .await;
    assert_eq!(chart_posts(&app.slack.calls()), 1, "not tried again");
}
