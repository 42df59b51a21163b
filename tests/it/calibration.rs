//! The interviewer calibration report: `/staffloop calibration` (admins),
//! `staffloop report calibration` (text and JSON), and the downlevel report's
//! line when the panel agrees too little, over a hand-computed set.

use crate::common::*;
use serde_json::{json, Value};

/// Interviewers of the seeded panel.
const A: &str = "UCALIB00A";
const B: &str = "UCALIB00B";
const C: &str = "UCALIB00C";

/// One card: who, (scope, architecture) or all four dimensions, their level
/// call, hours after being asked, characters of evidence per score.
struct Seat {
    who: &'static str,
    stage: &'static str,
    scores: &'static [(&'static str, i64)],
    call: &'static str,
    after_hours: i64,
    evidence: usize,
}

const SCOPE: &str = "scope_of_judgement";
const ARCH: &str = "architectural_decisions";
const CROSS: &str = "cross_team_influence";
const MENTOR: &str = "mentorship_at_distance";

fn seat(
    who: &'static str,
    scores: &'static [(&'static str, i64)],
    call: &'static str,
    after_hours: i64,
) -> Seat {
    let (stage, evidence) = match who {
        A => ("deep_dive", 120),
        B => ("deep_dive", 40),
        _ => ("bar_raiser", 50),
    };
    Seat {
        who,
        stage,
        scores,
        call,
        after_hours,
        evidence,
    }
}

/// Stores a decided loop with its stages and cards straight into the database;
/// `started` false leaves its debrief unstarted (its cards must never count).
async fn seed_loop(app: &TestApp, decided: &str, decided_at: i64, started: bool, seats: &[Seat]) {
    let pool = app.state.db.pool();
    sqlx::query("INSERT INTO teams (team_id, first_seen_at) VALUES ($1, 0) ON CONFLICT (team_id) DO NOTHING")
        .bind(TEAM).execute(pool).await.unwrap();
    let name = format!("calib-{decided}-{decided_at}-{}", seats.len());
    let loop_id: i64 = sqlx::query_scalar(
        "INSERT INTO loops (team_id, candidate_name, applied_level, hiring_manager, opened_by, source_view_id, \
           channel_slug, channel_name, debrief_at, created_at, debrief_started_at, decided_level, decided_at, state) \
         VALUES ($1, $2, 'staff', 'UHM', 'UHM', $2, $2, $2, $3, $3, $4, $5, $3, 'decided') RETURNING id",
    )
    .bind(TEAM).bind(&name).bind(decided_at).bind(started.then_some(decided_at)).bind(decided)
    .fetch_one(pool).await.unwrap();
    let ended = decided_at - 2 * 86_400;
    let mut stages = std::collections::HashMap::new();
    for s in seats {
        if stages.contains_key(s.stage) {
            continue;
        }
        let position = if s.stage == "deep_dive" { 3 } else { 6 };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO stages (loop_id, position, kind, state, ended_at) VALUES ($1, $2, $3, 'done', $4) RETURNING id",
        )
        .bind(loop_id).bind(position).bind(s.stage).bind(ended)
        .fetch_one(pool).await.unwrap();
        stages.insert(s.stage, id);
    }
    for s in seats {
        let evidence = "e".repeat(s.evidence);
        let content = json!({
            "scores": s.scores.iter().map(|(c, v)| json!({"criterion": c, "score": v, "evidence": evidence})).collect::<Vec<_>>(),
            "recommendation": s.call,
        });
        let card: i64 = sqlx::query_scalar(
            "INSERT INTO scorecards (loop_id, stage_id, interviewer, recommendation, content, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(loop_id).bind(stages[s.stage]).bind(s.who).bind(s.call).bind(content.to_string())
        .bind(ended + s.after_hours * 3600)
        .fetch_one(pool).await.unwrap();
        for (criterion, score) in s.scores {
            sqlx::query("INSERT INTO card_scores (scorecard_id, loop_id, stage_kind, criterion, score) VALUES ($1, $2, $3, $4, $5)")
                .bind(card).bind(loop_id).bind(s.stage).bind(criterion).bind(score)
                .execute(pool).await.unwrap();
        }
    }
}

/// Five decided loops: A and B on the deep-dive (scope, architecture), C the
/// bar raiser (all four). The figures asserted below were computed by hand
/// (and checked with an independent script):
/// - offsets: A +1.10 (95% interval +0.55 to +1.65), B −0.85 (−1.38 to
///   −0.32), C −0.25 (−0.64 to +0.14), each over 10 scores;
/// - ordinal alpha: scope 0.05, architecture −0.20, the deep-dive −0.60,
///   each over 5 loops;
/// - level calls matching the decision: A 2 of 5, B 4 of 5, C 5 of 5.
async fn seed_panel(app: &TestApp, now: i64) {
    let day = 86_400;
    #[rustfmt::skip]
    let loops: [(&str, [Seat; 3]); 5] = [
        ("staff", [seat(A, &[(SCOPE, 4), (ARCH, 3)], "staff", 1), seat(B, &[(SCOPE, 2), (ARCH, 3)], "senior", 1),
                   seat(C, &[(SCOPE, 3), (ARCH, 2), (CROSS, 3), (MENTOR, 3)], "staff", 24)]),
        ("senior", [seat(A, &[(SCOPE, 3), (ARCH, 4)], "staff", 2), seat(B, &[(SCOPE, 2), (ARCH, 2)], "senior", 1),
                    seat(C, &[(SCOPE, 2), (ARCH, 3), (CROSS, 2), (MENTOR, 2)], "senior", 24)]),
        ("staff", [seat(A, &[(SCOPE, 4), (ARCH, 4)], "senior_staff", 3), seat(B, &[(SCOPE, 3), (ARCH, 3)], "staff", 1),
                   seat(C, &[(SCOPE, 4), (ARCH, 3), (CROSS, 3), (MENTOR, 4)], "staff", 24)]),
        ("staff", [seat(A, &[(SCOPE, 3), (ARCH, 3)], "staff", 4), seat(B, &[(SCOPE, 3), (ARCH, 2)], "staff", 1),
                   seat(C, &[(SCOPE, 3), (ARCH, 3), (CROSS, 3), (MENTOR, 3)], "staff", 24)]),
        ("senior", [seat(A, &[(SCOPE, 4), (ARCH, 4)], "staff", 5), seat(B, &[(SCOPE, 1), (ARCH, 2)], "senior", 1),
                    seat(C, &[(SCOPE, 2), (ARCH, 2), (CROSS, 2), (MENTOR, 2)], "senior", 24)]),
    ];
    for (i, (decided, seats)) in loops.iter().enumerate() {
        seed_loop(app, decided, now - (10 + i as i64) * day, true, seats).await;
    }
    // Never counted: a loop whose debrief has not started...
    seed_loop(
        app,
        "staff",
        now - 5 * day,
        false,
        &[
            seat(A, &[(SCOPE, 1), (ARCH, 1)], "no_hire", 1),
            seat(B, &[(SCOPE, 4), (ARCH, 4)], "senior_staff", 1),
        ],
    )
    .await;
    // ...and a card written after the reveal (it heard the discussion).
    let late = app
        .scalar("SELECT MAX(id) FROM loops WHERE debrief_started_at IS NOT NULL")
        .await;
    sqlx::query("INSERT INTO scorecards (loop_id, stage_id, interviewer, recommendation, content, submitted_at, after_reveal) \
                 SELECT loop_id, stage_id, 'UCALIBLATE', 'no_hire', '{}', submitted_at, 1 FROM scorecards WHERE loop_id = $1 AND interviewer = $2")
        .bind(late).bind(A).execute(app.state.db.pool()).await.unwrap();
    // A year-old loop: only the 365-day window sees it.
    seed_loop(
        app,
        "staff",
        now - 200 * day,
        true,
        &[
            seat(A, &[(SCOPE, 3), (ARCH, 3)], "staff", 1),
            seat(B, &[(SCOPE, 3), (ARCH, 3)], "staff", 1),
        ],
    )
    .await;
}

#[tokio::test]
async fn calibration_reports_offsets_calls_and_agreement_to_admins_only() {
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp();
    seed_panel(&app, now).await;
    // How named people score: not for hiring managers, not for interviewers.
    for who in ["UHM", A] {
        let v = app.command_json(who, "C0ANY", "calibration").await;
        assert!(
            v["text"].as_str().unwrap().contains("for staffloop admins"),
            "{v}"
        );
    }
    let v = app.command_json(ADMIN, "C0ANY", "calibration 7d").await;
    assert!(v["text"].as_str().unwrap().contains("`365d`"), "{v}");

    let v = app.command_json(ADMIN, "C0ANY", "calibration").await;
    assert_eq!(v["response_type"], "ephemeral");
    let text = v.to_string();
    let has = |s: &str| assert!(text.contains(s), "{s:?} missing from {text}");
    has("Interviewer calibration, last 90 days");
    has("5 decided loop(s), 15 card(s)");
    has("• Scope of judgement: α 0.05 over 5 loop(s) :rotating_light: low");
    has("• Architectural decision quality: α -0.20 over 5 loop(s) :rotating_light: low");
    has("• Cross-team influence: not measurable yet");
    has("• Design-document deep-dive: α -0.60 over 5 loop(s) :rotating_light: low");
    has("• Bar raiser");
    has(&format!(
        "<@{A}>: 5 card(s); offset +1.10 (95% interval +0.55 to +1.65, over 10 score(s)); scores more leniently than the panel; \
         level call matched the decision 2 of 5 (40%); sent a median 3 h after being asked; evidence a median 240 characters"
    ));
    has(&format!(
        "<@{B}>: 5 card(s); offset -0.85 (95% interval -1.38 to -0.32, over 10 score(s)); scores harsher than the panel; \
         level call matched the decision 4 of 5 (80%); sent a median 1 h after being asked"
    ));
    has(&format!(
        "<@{C}>: 5 card(s); offset -0.25 (95% interval -0.64 to +0.14, over 10 score(s)); in line with the panel; \
         level call matched the decision 5 of 5 (100%); sent a median 24 h after being asked; evidence a median 200 characters"
    ));
    assert!(
        !text.contains("UCALIBLATE"),
        "a card after the reveal never counts"
    );
    assert!(
        app.slack.calls().is_empty(),
        "the report goes to the admin only"
    );

    // The weekly downlevel post says when the panel agrees too little.
    let post = weekly_post(&app).await;
    assert!(
        post.contains("The panel agrees too little on Scope of judgement (α 0.05 over 5 loops), Architectural decision quality (α -0.20 over 5 loops): below 0.67"),
        "{post}"
    );
    assert!(
        !post.contains(A) && !post.contains("offset"),
        "no one is named in the channel: {post}"
    );

    // An empty workspace says so plainly.
    let empty = TestApp::spawn().await;
    let v = empty
        .command_json(ADMIN, "C0ANY", "calibration")
        .await
        .to_string();
    assert!(
        v.contains("0 decided loop(s), 0 card(s)")
            && v.contains("No cards from decided loops in this window."),
        "{v}"
    );

    // A year: the old loop joins; with six loops A has six cards.
    let v = app
        .command_json(ADMIN, "C0ANY", "calibration 365d")
        .await
        .to_string();
    assert!(
        v.contains("6 decided loop(s), 17 card(s)") && v.contains(&format!("<@{A}>: 6 card(s)")),
        "{v}"
    );
}

fn cli(database_url: &str, args: &[&str]) -> std::process::Output {
    report_cli(database_url, &[&["calibration"], args].concat())
}

#[tokio::test]
async fn the_cli_prints_the_calibration_report_as_text_and_json() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        ..Default::default()
    })
    .await;
    let now = chrono::Utc::now().timestamp();
    seed_panel(&app, now).await;
    let out = cli(&app.database_url, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("• {B}: 5 card(s); offset -0.85")),
        "{text}"
    );
    assert!(text.contains("(!) low"), "{text}");
    assert!(
        !text.contains('*') && !text.contains("<@"),
        "plain on a terminal: {text}"
    );

    let out = cli(&app.database_url, &["--format", "json", "--window", "365d"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["window_days"], 365);
    assert_eq!(v["loops"], 6);
    let scope = &v["dimensions"][0];
    assert_eq!(scope["key"], "scope_of_judgement");
    assert_eq!(scope["loops"], 6);
    let b = v["interviewers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user"] == B)
        .unwrap();
    assert_eq!(b["cards"], 6);
    assert_eq!(b["leaning"], "harsher");
    assert_eq!(b["level_match"]["count"], 5);
    let out = cli(&app.database_url, &["--window", "soon"]);
    assert_eq!(out.status.code(), Some(2));
}
