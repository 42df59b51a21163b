//! The retrospective audit of past hires, outcome check-ins, and what the
//! loop predicted, through the real routes: `/staffloop audit` and its form,
//! private check-ins with a reminder, the report that names the round you
//! are missing and the miscalibrated round; the 6-month check-in job across
//! a restart; the validity figures against a hand-computed set; and a scan of
//! everything Slack received for on-the-job evidence.

use crate::common::*;
use serde_json::{json, Value};

const J1: &str = "UJUDGE001";
const J2: &str = "UJUDGE002";
const J3: &str = "UJUDGE003";
const IA: &str = "UINTVW00A";
const IB: &str = "UINTVW00B";
const IC: &str = "UINTVW00C";
/// Woven into every check-in's evidence: it must never reach Slack.
const MARK: &str = "CHECKMARK";

/// A card: interviewer, stage, scores in DIMS order (0 = not scored).
type Seat = (&'static str, &'static str, [i64; 4]);

/// Stores a decided loop with its cards; returns its id.
#[allow(clippy::too_many_arguments)]
async fn seed_loop(
    app: &TestApp,
    candidate: &str,
    hm: &str,
    decided: &str,
    outcome: Option<&str>,
    days_ago: i64,
    channel: &str,
    seats: &[Seat],
) -> i64 {
    let pool = app.state.db.pool();
    let at = app.state.clock.unix() - days_ago * 86_400;
    sqlx::query("INSERT INTO teams (team_id, first_seen_at) VALUES ($1, 0) ON CONFLICT (team_id) DO NOTHING")
        .bind(TEAM).execute(pool).await.unwrap();
    let name = format!("loop-{}", candidate.to_lowercase().replace(' ', "-"));
    let loop_id: i64 = sqlx::query_scalar(
        "INSERT INTO loops (team_id, candidate_name, applied_level, hiring_manager, opened_by, source_view_id, \
           channel_slug, channel_name, channel_id, debrief_at, created_at, debrief_started_at, decided_level, decided_at, \
           offer_outcome, state) \
         VALUES ($1, $2, 'staff', $3, $3, $4, $4, $4, $5, $6, $6, $7, $8, $9, $10, 'decided') RETURNING id",
    )
    .bind(TEAM).bind(candidate).bind(hm).bind(&name).bind(channel)
    .bind(at).bind(at + 3600).bind(decided).bind(at + 7200).bind(outcome)
    .fetch_one(pool).await.unwrap();
    let mut stages = std::collections::HashMap::new();
    for (who, stage, scores) in seats {
        let stage_id = match stages.get(stage) {
            Some(id) => *id,
            None => {
                let position = match *stage {
                    "deep_dive" => 3,
                    "cross_team" => 5,
                    _ => 6,
                };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO stages (loop_id, position, kind, state, ended_at) VALUES ($1, $2, $3, 'done', $4) RETURNING id",
                )
                .bind(loop_id).bind(position).bind(stage).bind(at - 3600)
                .fetch_one(pool).await.unwrap();
                stages.insert(*stage, id);
                id
            }
        };
        let scored: Vec<(&str, i64)> = DIMS
            .iter()
            .zip(scores)
            .filter(|(_, s)| **s > 0)
            .map(|(d, s)| (*d, *s))
            .collect();
        let content = json!({
            "scores": scored.iter().map(|(c, s)| json!({"criterion": c, "score": s, "evidence": "seeded evidence"})).collect::<Vec<_>>(),
            "recommendation": "staff",
        });
        let card: i64 = sqlx::query_scalar(
            "INSERT INTO scorecards (loop_id, stage_id, interviewer, recommendation, content, submitted_at) \
             VALUES ($1, $2, $3, 'staff', $4, $5) RETURNING id",
        )
        .bind(loop_id).bind(stage_id).bind(who).bind(content.to_string()).bind(at - 1800)
        .fetch_one(pool).await.unwrap();
        for (criterion, score) in scored {
            sqlx::query("INSERT INTO card_scores (scorecard_id, loop_id, stage_kind, criterion, score) VALUES ($1, $2, $3, $4, $5)")
                .bind(card).bind(loop_id).bind(stage).bind(criterion).bind(score)
                .execute(pool).await.unwrap();
        }
    }
    loop_id
}

fn checkin_values(scores: [u8; 4], working_at: Option<&str>) -> Value {
    let mut v = serde_json::Map::new();
    for (d, s) in DIMS.iter().zip(scores) {
        v.insert(format!("score_{d}"), json!({"value": {"type": "radio_buttons", "selected_option": {"value": s.to_string()}}}));
        v.insert(format!("evidence_{d}"), json!({"value": {"type": "plain_text_input",
            "value": format!("{MARK} {d}: led the quarter's migration review and wrote the decision record.")}}));
    }
    if let Some(level) = working_at {
        v.insert(
            "recommendation".into(),
            json!({"value": {"type": "static_select", "selected_option": {"value": level}}}),
        );
    }
    Value::Object(v)
}

async fn send_checkin(app: &TestApp, judge: &str, checkin: i64, values: &Value) -> String {
    let r = submit_view(
        app,
        judge,
        &format!("VCK{judge}{checkin}"),
        "staffloop_checkin",
        &checkin.to_string(),
        values,
    )
    .await;
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test]
async fn an_audit_names_the_round_you_are_missing_and_the_miscalibrated_one() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    #[rustfmt::skip]
    let h1 = seed_loop(&app, "Ines Duarte", J1, "staff", Some("accepted"), 10, "CLOOPH001", &[
        (IA, "deep_dive", [3, 4, 0, 0]), (IB, "bar_raiser", [3, 3, 0, 3]),
    ]).await;
    #[rustfmt::skip]
    let h2 = seed_loop(&app, "Marco Bellini", J2, "staff", Some("accepted"), 20, "CLOOPH002", &[
        (IA, "deep_dive", [3, 3, 0, 0]), (IB, "bar_raiser", [3, 3, 0, 3]),
    ]).await;
    #[rustfmt::skip]
    let h3 = seed_loop(&app, "Sade Okoro", J3, "senior_staff", Some("accepted"), 30, "CLOOPH003", &[
        (IA, "deep_dive", [4, 4, 0, 0]), (IC, "cross_team", [0, 0, 3, 0]), (IB, "bar_raiser", [4, 3, 3, 4]),
    ]).await;
    seed_loop(
        &app,
        "Old Hire",
        J1,
        "staff",
        Some("accepted"),
        400,
        "CLOOPH004",
        &[],
    )
    .await;
    seed_loop(
        &app,
        "Went Elsewhere",
        J1,
        "staff",
        Some("declined"),
        5,
        "CLOOPH005",
        &[],
    )
    .await;
    let loop_channels = [
        "CLOOPH001",
        "CLOOPH002",
        "CLOOPH003",
        "CLOOPH004",
        "CLOOPH005",
    ];
    let r = app
        .command_json(ADMIN, "C0GENERAL", "report-channel <#C0REPORTS|reports>")
        .await;
    assert!(r.to_string().contains("C0REPORTS"), "{r}");

    // Admins only; the form is prefilled with the last three hires and
    // their hiring managers.
    let v = app.command_json(HM, "C0GENERAL", "audit").await;
    assert!(v.to_string().contains("for staffloop admins"), "{v}");
    assert_eq!(
        app.command(ADMIN, "C0GENERAL", "audit")
            .await
            .text()
            .await
            .unwrap(),
        ""
    );
    let view = app.slack.calls_to("views.open").last().unwrap().body["view"].clone();
    assert_eq!(view["callback_id"], "staffloop_audit");
    let blocks = view["blocks"].as_array().unwrap().clone();
    let block = |id: &str| blocks.iter().find(|b| b["block_id"] == id).unwrap().clone();
    for (i, (hire, judge)) in [(h1, J1), (h2, J2), (h3, J3)].iter().enumerate() {
        assert_eq!(
            block(&format!("hire_{}", i + 1))["element"]["initial_option"]["value"],
            hire.to_string()
        );
        assert_eq!(
            block(&format!("judge_{}", i + 1))["element"]["initial_user"],
            *judge
        );
    }
    let offered = block("hire_1")["element"]["options"].to_string();
    assert!(
        offered.contains("Old Hire") && !offered.contains("Went Elsewhere"),
        "{offered}"
    );

    // A hire twice is refused beside the field.
    let pick = |hire: i64, judge: &str, i: usize| {
        [
            (
                format!("hire_{i}"),
                json!({"value": {"type": "static_select", "selected_option": {"value": hire.to_string()}}}),
            ),
            (
                format!("judge_{i}"),
                json!({"value": {"type": "users_select", "selected_user": judge}}),
            ),
        ]
    };
    let mut form = serde_json::Map::new();
    for (k, v) in pick(h1, J1, 1)
        .into_iter()
        .chain(pick(h1, J2, 2))
        .chain(pick(h3, J3, 3))
    {
        form.insert(k, v);
    }
    let bad: Value = submit_view(
        &app,
        ADMIN,
        "VAUD1",
        "staffloop_audit",
        "",
        &Value::Object(form.clone()),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        bad["errors"]["hire_2"], "This hire is already picked above.",
        "{bad}"
    );
    for (k, v) in pick(h2, J2, 2) {
        form.insert(k, v);
    }
    form.insert(
        "post".into(),
        json!({"value": {"type": "checkboxes", "selected_options": [{"value": "post"}]}}),
    );
    let ok = submit_view(
        &app,
        ADMIN,
        "VAUD2",
        "staffloop_audit",
        "",
        &Value::Object(form),
    )
    .await;
    assert_eq!(ok.text().await.unwrap(), "");
    app.drained().await;
    assert!(
        told(&app, ADMIN).contains("close_audit"),
        "the admin can close it"
    );
    let checkin_of = |judge: &'static str| {
        let app = &app;
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM checkins WHERE judge = $1")
                .bind(judge)
                .fetch_one(app.state.db.pool())
                .await
                .unwrap()
        }
    };
    let (c1, c2, c3) = (
        checkin_of(J1).await,
        checkin_of(J2).await,
        checkin_of(J3).await,
    );
    for judge in [J1, J2, J3] {
        assert!(
            told(&app, judge).contains("open_checkin"),
            "{judge} is asked"
        );
    }

    // The check-in is its judge's alone; its modal asks the level they work at.
    press(&app, J2, "open_checkin", &c1.to_string(), J2, "1.1").await;
    app.drained().await;
    assert!(
        told(&app, J2).contains("asked of someone else"),
        "{}",
        app.slack.everything()
    );
    press(&app, J1, "open_checkin", &c1.to_string(), J1, "1.1").await;
    let modal = app.slack.calls_to("views.open").last().unwrap().body["view"].clone();
    assert_eq!(modal["callback_id"], "staffloop_checkin");
    let text = modal.to_string();
    assert!(
        text.contains("Working at") && !text.contains("no_hire"),
        "{text}"
    );
    assert!(text.contains("Ines Duarte"), "{text}");

    let e: Value = serde_json::from_str(
        &send_checkin(&app, J1, c1, &checkin_values([3, 2, 1, 3], None)).await,
    )
    .unwrap();
    assert_eq!(
        e["errors"]["recommendation"], "Pick the level they work at today.",
        "{e}"
    );
    let e = send_checkin(&app, J2, c1, &checkin_values([3, 2, 1, 3], Some("senior"))).await;
    assert!(e.contains("asked of someone else"), "{e}");
    assert_eq!(
        send_checkin(&app, J1, c1, &checkin_values([3, 2, 1, 3], Some("senior"))).await,
        ""
    );
    let again = send_checkin(&app, J1, c1, &checkin_values([4, 4, 4, 4], Some("staff"))).await;
    assert!(again.contains("already sent this check-in"), "{again}");
    assert_eq!(
        send_checkin(&app, J2, c2, &checkin_values([3, 2, 2, 3], Some("senior"))).await,
        ""
    );

    // Three days on, the check-in still out is reminded; the others are not.
    clock.advance(chrono::Duration::seconds(3 * 86_400 + 60));
    app.settle().await;
    assert!(
        told(&app, J3).contains("Reminder: the on-the-job check-in for *Sade Okoro*"),
        "{}",
        told(&app, J3)
    );
    assert!(!told(&app, J1).contains("Reminder"));
    // Nothing of a check-in is anywhere yet, and no result went out.
    let everything = app.slack.everything();
    assert!(!everything.contains(MARK) && !everything.contains("Working at today"));

    assert_eq!(
        send_checkin(&app, J3, c3, &checkin_values([4, 3, 3, 3], Some("staff"))).await,
        ""
    );
    app.drained().await;
    let report = told(&app, ADMIN);
    for line in [
        "On-the-job check-ins in: *3 of 3*",
        "*Scope of judgement*: none of 3 at the senior anchor or below on the job.",
        "*Architectural decision quality*: 2 of 3 at the senior anchor or below on the job (Ines Duarte, Marco Bellini).",
        "Ines Duarte's loop: Design-document deep-dive scored it 4 (1 card); Bar raiser scored it 3 (1 card)",
        "The loop tested it and *scored it high*: that round is miscalibrated.",
        "*Cross-team influence*: 2 of 3 at the senior anchor or below on the job (Ines Duarte, Marco Bellini).",
        "Marco Bellini's loop: no stage scored it",
        "The loop *did not test* this: that is the round you are missing.",
        "The loop was right here.",
        "Working at today: Ines Duarte: Senior, Marco Bellini: Senior, Sade Okoro: Staff.",
    ] {
        assert!(report.contains(line), "missing {line:?} in {report}");
    }
    // The three days the clock moved may also pass a Monday 09:00, when the
    // weekly report goes to the same channel: only the audit's post counts.
    let audit_posts: Vec<String> = app
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.body["channel"] == "C0REPORTS")
        .map(|c| c.body.to_string())
        .filter(|b| b.contains("Audit of 3 staff hires"))
        .collect();
    assert_eq!(
        audit_posts.len(),
        1,
        "the admin chose the report channel too"
    );
    let channel_post = &audit_posts[0];
    assert!(channel_post.contains("Hire 1, Hire 2"), "{channel_post}");
    for name in ["Ines", "Marco", "Sade", "Working at today"] {
        assert!(
            !channel_post.contains(name),
            "{name} in the channel: {channel_post}"
        );
    }

    // On-the-job evidence never reaches Slack, and nothing about the audit
    // reaches a loop channel.
    let everything = app.slack.everything();
    assert!(
        !everything.contains(MARK),
        "on-the-job evidence was sent to Slack"
    );
    for c in app.slack.calls() {
        let channel = c.body["channel"].as_str().unwrap_or_default();
        assert!(
            !loop_channels.contains(&channel),
            "something went to a loop channel: {}",
            c.body
        );
    }
    press(
        &app,
        ADMIN,
        "close_audit",
        &app.scalar("SELECT id FROM audits").await.to_string(),
        ADMIN,
        "2.2",
    )
    .await;
    app.drained().await;
    assert!(told(&app, ADMIN).contains("already closed"));

    // Export carries check-ins only when an operator forces it, audited.
    app.settle().await;
    let plain = export_cli(&app.database_url, &["--loop", &h1.to_string()]);
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    assert!(!String::from_utf8_lossy(&plain.stdout).contains(MARK));
    let forced = export_cli(&app.database_url, &["--loop", &h1.to_string(), "--force"]);
    let out = String::from_utf8_lossy(&forced.stdout);
    assert!(
        out.contains(MARK) && out.contains("\"working_at\": \"senior\""),
        "{out}"
    );
    assert!(
        !String::from_utf8_lossy(&forced.stderr).contains(MARK),
        "never in a log line"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'exported with on-the-job check-ins (forced)'").await,
        1
    );
}

#[tokio::test]
async fn the_six_month_check_in_comes_once_on_time_across_a_restart() {
    let clock = manual_clock();
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        ..Default::default()
    })
    .await;
    let hire = seed_loop(
        &app,
        "Noor Haddad",
        HM,
        "staff",
        None,
        3,
        "CLOOPN001",
        &[(IA, "deep_dive", [3, 3, 0, 0])],
    )
    .await;
    let v = app
        .command_json(HM, "CLOOPN001", "outcome accepted 2027-01-04")
        .await;
    assert!(
        v.to_string().contains("6 and 12 months after 2027-01-04"),
        "{v}"
    );
    let v = app
        .command_json(HM, "CLOOPN001", "outcome accepted next-week")
        .await;
    assert!(v.to_string().contains("YYYY-MM-DD"), "{v}");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'outcome_check_in' AND status = 'pending'"
        )
        .await,
        2
    );

    // The service restarts; the jobs are rows and outlive it.
    let (slack, url) = app.stop().await;
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        slack: Some(slack),
        database_url: Some(url),
        ..Default::default()
    })
    .await;
    let due = chrono::NaiveDate::from_ymd_opt(2027, 7, 4)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc();
    clock.set(due - chrono::Duration::minutes(1));
    app.settle().await;
    let asked = |app: &TestApp| {
        app.slack
            .calls_to("chat.postMessage")
            .iter()
            .filter(|c| c.body["channel"] == HM && c.body.to_string().contains("open_checkin"))
            .count()
    };
    assert_eq!(asked(&app), 0, "not before six months");
    clock.set(due + chrono::Duration::minutes(1));
    app.settle().await;
    assert_eq!(asked(&app), 1);
    let dm = told(&app, HM);
    assert!(
        dm.contains("Noor Haddad started about 6 months ago"),
        "{dm}"
    );
    clock.advance(chrono::Duration::minutes(5));
    app.settle().await;
    assert_eq!(asked(&app), 1, "once");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM checkins WHERE months = 6")
            .await,
        1
    );
    // Corrected to declined: the 12-month check-in is not asked for.
    let v = app.command_json(HM, "CLOOPN001", "outcome declined").await;
    assert!(v.to_string().contains("declined"), "{v}");
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'outcome_check_in' AND status = 'pending'"
        )
        .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT loop_id FROM checkins WHERE months = 6")
            .await,
        hire,
        "asked about this hire"
    );
}

/// Stores a sent check-in straight into the database.
async fn seed_checkin(app: &TestApp, loop_id: i64, scores: [i64; 4]) {
    let pool = app.state.db.pool();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO checkins (team_id, loop_id, judge, dedupe_key, asked_at, working_at, content, submitted_at) \
         VALUES ($1, $2, $3, $4, 0, 'staff', '[]', 1) RETURNING id",
    )
    .bind(TEAM).bind(loop_id).bind(J1).bind(format!("seed:{loop_id}"))
    .fetch_one(pool).await.unwrap();
    for (d, s) in DIMS.iter().zip(scores) {
        sqlx::query("INSERT INTO checkin_scores (checkin_id, loop_id, criterion, score) VALUES ($1, $2, $3, $4)")
            .bind(id).bind(loop_id).bind(d).bind(s).execute(pool).await.unwrap();
    }
}

/// Five hires. IA's deep-dive scope scores 1, 2, 3, 3, 4 against on-the-job
/// scope 1, 3, 2, 4, 4: ranks (1, 2, 3.5, 3.5, 5) and (1, 3, 2, 4.5, 4.5),
/// whose co-deviation is 7.25 and each variance sum 9.5, give Spearman's
/// ρ = 7.25 / 9.5 = 0.7632, with a 95% interval (Fisher's z, standard error
/// 1/√2) of −0.3646 to 0.9833. Architecture is scored on three hires only:
/// too few to show.
#[tokio::test]
async fn validity_against_a_hand_computed_set() {
    let app = TestApp::spawn().await;
    let loop_scope = [1, 2, 3, 3, 4];
    let job_scope = [1, 3, 2, 4, 4];
    for i in 0..5 {
        let arch = if i < 3 { 3 } else { 0 };
        let id = seed_loop(
            &app,
            &format!("Hire {i}"),
            HM,
            "staff",
            Some("accepted"),
            10 + i as i64,
            &format!("CLOOPV00{i}"),
            &[(IA, "deep_dive", [loop_scope[i], arch, 0, 0])],
        )
        .await;
        seed_checkin(&app, id, [job_scope[i], 2 + (i as i64 % 2), 3, 3]).await;
    }
    let out = report_validity(&app.database_url, &["--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let deep = &v["stages"][0];
    assert_eq!(deep["key"], "deep_dive");
    let scope = &deep["dimensions"][0];
    assert_eq!(scope["n"], 5);
    assert!(
        (scope["rho"].as_f64().unwrap() - 0.7632).abs() < 1e-4,
        "{scope}"
    );
    assert!(
        (scope["low"].as_f64().unwrap() - -0.3646).abs() < 1e-3,
        "{scope}"
    );
    assert!(
        (scope["high"].as_f64().unwrap() - 0.9833).abs() < 1e-3,
        "{scope}"
    );
    let arch = &deep["dimensions"][1];
    assert_eq!(
        (arch["n"].as_i64(), arch["rho"].is_null()),
        (Some(3), true),
        "{arch}"
    );
    assert_eq!(v["interviewers"][0]["key"], IA);
    assert_eq!(v["hires"], 5);
    let text = report_validity(&app.database_url, &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("deep-dive: Scope of judgement ρ 0.76 (n 5, -0.36 to 0.98)"),
        "{text}"
    );
    assert!(
        text.contains("Architectural decision quality n 3, too few"),
        "{text}"
    );
    // Admins see the same in `/staffloop calibration`.
    let c = app
        .command_json(ADMIN, "C0GENERAL", "calibration")
        .await
        .to_string();
    assert!(
        c.contains("What the loop predicted") && c.contains("ρ 0.76 (n 5"),
        "{c}"
    );
    assert!(c.contains(&format!("<@{IA}>")), "{c}");
}

fn report_validity(database_url: &str, args: &[&str]) -> std::process::Output {
    report_cli(database_url, &[&["validity"], args].concat())
}
