//! A practice debrief through the real routes: `/staffloop calibrate` and
//! its form, the calibration channel, packets with nothing identifying or
//! scored in them, blind practice cards, one reveal with the panel's spread,
//! alpha, offsets and the original panel's scores and decision; then the
//! open form's warning for panelists who have not calibrated, and the weekly
//! post's "gone stale" line.

use crate::common::*;
use serde_json::{json, Value};

const P1: &str = "UPRAC0001";
const P2: &str = "UPRAC0002";
const P3: &str = "UPRAC0003";
const P4: &str = "UPRAC0004";
/// The original panels.
const ORIG1: &str = "UORIG0001";
const ORIG2: &str = "UORIG0002";
const ORIG_HM: &str = "UHMORIG01";
/// Woven into every practice card's evidence: it must not reach Slack
/// before the reveal.
const MARK: &str = "PRACMARK";

/// One original card: who, stage, scores by dimension (in DIMS order, 0 =
/// not scored), level call, evidence.
type Original = (
    &'static str,
    &'static str,
    [i64; 4],
    &'static str,
    &'static str,
);

/// Stores a past loop, decided after its debrief, with its original cards.
#[allow(clippy::too_many_arguments)]
async fn seed_past(
    app: &TestApp,
    candidate: &str,
    doc: &str,
    decided: &str,
    outcome: Option<&str>,
    days_ago: i64,
    started: bool,
    cards: &[Original],
) -> i64 {
    let pool = app.state.db.pool();
    let at = app.state.clock.unix() - days_ago * 86_400;
    sqlx::query("INSERT INTO teams (team_id, first_seen_at) VALUES ($1, 0) ON CONFLICT (team_id) DO NOTHING")
        .bind(TEAM).execute(pool).await.unwrap();
    let slug = format!("loop-{}", candidate.to_lowercase().replace(' ', "-"));
    let loop_id: i64 = sqlx::query_scalar(
        "INSERT INTO loops (team_id, candidate_name, applied_level, hiring_manager, opened_by, source_view_id, \
           channel_slug, channel_name, design_doc_url, debrief_at, created_at, debrief_started_at, decided_level, decided_at, \
           offer_outcome, state) \
         VALUES ($1, $2, 'staff', $3, $3, $4, $4, $4, $5, $6, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(TEAM).bind(candidate).bind(ORIG_HM).bind(&slug)
    .bind(doc)
    .bind(at).bind(started.then_some(at + 3600))
    .bind(started.then_some(decided)).bind(started.then_some(at + 7200)).bind(outcome)
    .bind(if started { "decided" } else { "open" })
    .fetch_one(pool).await.unwrap();
    let mut stages = std::collections::HashMap::new();
    for (who, stage, scores, call, evidence) in cards {
        let stage_id = match stages.get(stage) {
            Some(id) => *id,
            None => {
                let position = if *stage == "deep_dive" { 3 } else { 6 };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO stages (loop_id, position, kind, state, ended_at) VALUES ($1, $2, $3, 'done', $4) RETURNING id",
                )
                .bind(loop_id).bind(position).bind(stage).bind(at - 3600)
                .fetch_one(pool).await.unwrap();
                stages.insert(*stage, id);
                id
            }
        };
        sqlx::query("INSERT INTO stage_interviewers (stage_id, user_id) VALUES ($1, $2)")
            .bind(stage_id)
            .bind(who)
            .execute(pool)
            .await
            .unwrap();
        let content = json!({
            "scores": DIMS.iter().zip(scores).filter(|(_, s)| **s > 0)
                .map(|(c, s)| json!({"criterion": c, "score": s, "evidence": evidence})).collect::<Vec<_>>(),
            "recommendation": call,
        });
        sqlx::query(
            "INSERT INTO scorecards (loop_id, stage_id, interviewer, recommendation, content, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(loop_id).bind(stage_id).bind(who).bind(call).bind(content.to_string()).bind(at - 1800)
        .execute(pool).await.unwrap();
    }
    loop_id
}

fn select(v: &str) -> Value {
    json!({"value": {"type": "static_select", "selected_option": {"value": v}}})
}

fn form(a: i64, b: i64, people: &[&str], at: i64) -> Value {
    json!({
        "packet_a": select(&a.to_string()),
        "packet_b": select(&b.to_string()),
        "participants": {"value": {"type": "multi_users_select", "selected_users": people}},
        "debrief_at": {"value": {"type": "datetimepicker", "selected_date_time": at}},
    })
}

/// A practice card's values: one score per dimension, a level call.
fn practice_card(scores: [u8; 4], call: &str, who: &str) -> Value {
    let mut v = serde_json::Map::new();
    for (d, s) in DIMS.iter().zip(scores) {
        v.insert(format!("score_{d}"), json!({"value": {"type": "radio_buttons", "selected_option": {"value": s.to_string()}}}));
        v.insert(format!("evidence_{d}"), json!({"value": {"type": "plain_text_input",
            "value": format!("{MARK} {who} {d}: the packet shows the trade-off named and costed.")}}));
    }
    v.insert("recommendation".into(), select(call));
    Value::Object(v)
}

async fn send_card(app: &TestApp, who: &str, reference: &str, values: &Value) -> String {
    let r = submit_view(
        app,
        who,
        &format!("VP{who}{reference}"),
        "staffloop_practice_card",
        reference,
        values,
    )
    .await;
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

#[tokio::test]
async fn a_practice_debrief_from_form_to_reveal() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.slack.add_person(ORIG1, "Priya Raman", "priya");
    app.slack.add_person(ORIG2, "Tomás Ortega", "tomas.o");
    app.slack.add_person(ORIG_HM, "Grace Hopper", "grace");
    #[rustfmt::skip]
    let accepted = seed_past(&app, "Ana Núñez", "https://docs.example.com/ledger-split", "staff", Some("accepted"), 20, true, &[
        (ORIG1, "deep_dive", [4, 4, 0, 0], "staff", "Ana Núñez split the ledger cleanly; Priya asked about rollback and Ana had one ready."),
        (ORIG_HM, "deep_dive", [4, 3, 0, 0], "staff", "Grace pressed on cost and Núñez answered with numbers; ana kept it calm."),
        (ORIG2, "bar_raiser", [3, 3, 3, 3], "senior_staff", "Tomás Ortega (<@UORIG0002>) saw Ana mentor two teams through the change."),
    ]).await;
    #[rustfmt::skip]
    let declined = seed_past(&app, "Kwame Mensah", "https://docs.example.com/kwame-mensah-design", "staff", Some("declined"), 15, true, &[
        (ORIG1, "deep_dive", [3, 2, 0, 0], "senior", "Kwame lost the thread on consistency; Mensah recovered once Raman hinted."),
        (ORIG2, "bar_raiser", [3, 3, 3, 2], "staff", "tomas.o wrote: Kwame reframed the brief around the real constraint."),
    ]).await;
    // Newer, but not practicable: its debrief never started.
    seed_past(
        &app,
        "Zed Unstarted",
        "https://docs.example.com/z",
        "staff",
        None,
        2,
        false,
        &[],
    )
    .await;
    let channel_of_command = "C0GENERAL";

    // Only admins and hiring managers set one up.
    let v = app.command_json(P1, channel_of_command, "calibrate").await;
    assert!(v.to_string().contains("admins and hiring managers"), "{v}");
    let v = app
        .command_json(ADMIN, channel_of_command, "calibrate now")
        .await;
    assert!(v.to_string().contains("takes nothing after it"), "{v}");
    let r = app.command(ORIG_HM, channel_of_command, "calibrate").await;
    assert_eq!(
        r.text().await.unwrap(),
        "",
        "a hiring manager gets the form"
    );
    let forms = app.slack.calls_to("views.open");
    assert_eq!(forms.len(), 1);
    let view = &forms[0].body["view"];
    assert_eq!(view["callback_id"], "staffloop_calibrate");
    let blocks = view["blocks"].as_array().unwrap();
    let block = |id: &str| blocks.iter().find(|b| b["block_id"] == id).unwrap().clone();
    assert_eq!(
        block("packet_a")["element"]["initial_option"]["value"],
        accepted.to_string()
    );
    assert_eq!(
        block("packet_b")["element"]["initial_option"]["value"],
        declined.to_string()
    );
    let offered = block("packet_a")["element"]["options"].to_string();
    assert!(
        offered.contains("Ana Núñez · Staff · offer accepted"),
        "{offered}"
    );
    assert!(!offered.contains("Zed Unstarted"), "{offered}");
    let prefilled = block("participants")["element"]["initial_users"].to_string();
    for who in [ORIG1, ORIG2, ORIG_HM] {
        assert!(
            prefilled.contains(who),
            "{who} sat on a loop lately: {prefilled}"
        );
    }

    // Mistakes come back beside their fields.
    let now = app.state.clock.unix();
    let bad: Value = submit_view(
        &app,
        ADMIN,
        "VCAL1",
        "staffloop_calibrate",
        "",
        &form(accepted, accepted, &[P1], now - 60),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(bad["response_action"], "errors", "{bad}");
    assert_eq!(
        bad["errors"]["packet_b"],
        "Pick a different loop from Candidate A's."
    );
    assert!(bad["errors"]["participants"]
        .as_str()
        .unwrap()
        .contains("at least two"));
    assert_eq!(bad["errors"]["debrief_at"], "Pick a time in the future.");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calibrations").await, 0);

    // Set up: four participants, the debrief two days ahead.
    let debrief_at = now + 2 * 86_400;
    let people = [P1, P2, P3, P4];
    let ok = submit_view(
        &app,
        ADMIN,
        "VCAL2",
        "staffloop_calibrate",
        "",
        &form(accepted, declined, &people, debrief_at),
    )
    .await;
    assert_eq!(ok.text().await.unwrap(), "");
    // Slack retries the same submission: nothing more is stored.
    submit_view(
        &app,
        ADMIN,
        "VCAL2",
        "staffloop_calibrate",
        "",
        &form(accepted, declined, &people, debrief_at),
    )
    .await;
    app.drained().await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM calibrations").await, 1);
    let calibration = app.scalar("SELECT id FROM calibrations").await;
    let created = app.slack.calls_to("conversations.create");
    let name = created.last().unwrap().body["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        name.starts_with("calibration-") && name.ends_with(&format!("-{calibration}")),
        "{name}"
    );
    let invite = app
        .slack
        .calls_to("conversations.invite")
        .last()
        .unwrap()
        .body
        .clone();
    for who in [P1, P2, P3, P4, ADMIN] {
        assert!(invite["users"].as_str().unwrap().contains(who), "{invite}");
    }
    let channel = invite["channel"].as_str().unwrap().to_string();
    let intro = dms_in(&app, &channel).join("\n");
    assert!(
        intro.contains("Practice debrief") && intro.contains("practice_reveal"),
        "{intro}"
    );

    // Each participant has both packets, with nothing identifying or scored.
    let a_ref = format!("{calibration}:0");
    let b_ref = format!("{calibration}:1");
    for who in people {
        let packets = dms_to(&app.slack.calls(), who);
        assert_eq!(packets.len(), 2, "{who}: {packets:?}");
        let text: String = packets.iter().map(Value::to_string).collect();
        // Quoted: the button's value (a bare "1:1" is also in "11:15").
        let (a, b) = (format!("\"{a_ref}\""), format!("\"{b_ref}\""));
        assert!(text.contains(&a) && text.contains(&b), "{text}");
        for gone in [
            "Ana",
            "Núñez",
            "Kwame",
            "Mensah",
            "Priya",
            "Raman",
            "Tomás",
            "Ortega",
            "tomas.o",
            "Grace",
            ORIG1,
            ORIG2,
            ORIG_HM,
            "senior_staff",
            "Senior staff",
            "No hire",
            "accepted",
            "declined",
            "Decision",
        ] {
            assert!(!text.contains(gone), "{gone} is in {who}'s packets: {text}");
        }
        let lower = text.to_lowercase();
        for gone in ["ana", "kwame", "mensah", "grace", "priya"] {
            assert!(
                !lower.contains(gone),
                "{gone} is in {who}'s packets: {text}"
            );
        }
    }
    let packet_a = dms_to(&app.slack.calls(), P1)
        .into_iter()
        .find(|m| m.to_string().contains(&format!("\"{a_ref}\"")))
        .unwrap()
        .to_string();
    assert!(
        packet_a.contains("Practice packet: Candidate A"),
        "{packet_a}"
    );
    assert!(packet_a.contains("Candidate A split the ledger cleanly; [interviewer] asked about rollback and Candidate A had one ready."), "{packet_a}");
    assert!(
        packet_a.contains("[interviewer] (&lt;@[interviewer]&gt;) saw Candidate A mentor"),
        "{packet_a}"
    );
    assert!(
        packet_a.contains("https://docs.example.com/ledger-split"),
        "{packet_a}"
    );
    let packet_b = dms_to(&app.slack.calls(), P1)
        .into_iter()
        .find(|m| m.to_string().contains(&format!("\"{b_ref}\"")))
        .unwrap()
        .to_string();
    assert!(
        packet_b.contains("its link names someone, so it is left out"),
        "{packet_b}"
    );
    assert!(
        packet_a.contains("Technical deep-dive") || packet_a.contains("deep-dive"),
        "{packet_a}"
    );

    // The packet's button opens the practice card for participants only.
    press(&app, "UOUTSIDER", "practice_score", &a_ref, P1, "1.1").await;
    app.drained().await;
    assert!(told(&app, "UOUTSIDER").contains("participants only"));
    press(&app, P1, "practice_score", &a_ref, P1, "1.1").await;
    let modal = app.slack.calls_to("views.open").last().unwrap().body["view"].clone();
    assert_eq!(modal["callback_id"], "staffloop_practice_card");
    assert_eq!(modal["private_metadata"], a_ref);
    for d in DIMS {
        assert!(modal.to_string().contains(&format!("score_{d}")), "{modal}");
    }

    // Cards: checked like live ones, locked once, refused to outsiders.
    let mut missing = practice_card([3, 3, 2, 3], "staff", P1);
    missing
        .as_object_mut()
        .unwrap()
        .remove("score_cross_team_influence");
    let e: Value = serde_json::from_str(&send_card(&app, P1, &a_ref, &missing).await).unwrap();
    assert_eq!(
        e["errors"]["score_cross_team_influence"], "Pick a score from 1 to 4.",
        "{e}"
    );
    let e = send_card(
        &app,
        "UOUTSIDER",
        &a_ref,
        &practice_card([1, 1, 1, 1], "no_hire", "UOUTSIDER"),
    )
    .await;
    assert!(e.contains("participants only"), "{e}");
    assert_eq!(
        send_card(&app, P1, &a_ref, &practice_card([3, 3, 2, 3], "staff", P1)).await,
        ""
    );
    let again = send_card(
        &app,
        P1,
        &a_ref,
        &practice_card([1, 1, 1, 1], "no_hire", P1),
    )
    .await;
    assert!(again.contains("is in and locked"), "{again}");
    assert_eq!(
        send_card(&app, P2, &a_ref, &practice_card([4, 3, 2, 2], "staff", P2)).await,
        ""
    );
    assert_eq!(
        send_card(&app, P3, &a_ref, &practice_card([2, 3, 1, 2], "senior", P3)).await,
        ""
    );
    assert_eq!(
        send_card(&app, P1, &b_ref, &practice_card([2, 2, 2, 2], "senior", P1)).await,
        ""
    );
    assert_eq!(
        send_card(&app, P2, &b_ref, &practice_card([3, 2, 3, 2], "senior", P2)).await,
        ""
    );
    app.drained().await;
    let notes = dms_in(&app, &channel).join("\n");
    assert!(
        notes.contains("sent a practice card for Candidate B (5 of 8 in)"),
        "{notes}"
    );
    assert!(dms_to(&app.slack.calls(), P1).iter().any(|m| m
        .to_string()
        .contains("Your practice card for Candidate A is locked")));

    // Before the reveal nothing of any card is anywhere in Slack, and only
    // whoever set it up (or an admin) may reveal early.
    let everything = app.slack.everything();
    assert!(
        !everything.contains(MARK),
        "a practice card leaked before the reveal"
    );
    press(
        &app,
        P1,
        "practice_reveal",
        &calibration.to_string(),
        &channel,
        "2.2",
    )
    .await;
    app.drained().await;
    assert!(told(&app, P1).contains("Only whoever set up"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM calibrations WHERE state = 'revealed'")
            .await,
        0
    );

    // The debrief's time: everything at once.
    clock.advance(chrono::Duration::seconds(2 * 86_400 + 60));
    app.settle().await;
    let posted = app.slack.calls_to("chat.postMessage");
    let in_channel: Vec<&Value> = posted
        .iter()
        .filter(|c| c.body["channel"] == channel)
        .map(|c| &c.body)
        .collect();
    let reveal_a = in_channel
        .iter()
        .find(|b| b.to_string().contains("Candidate A: the practice reveal"))
        .unwrap()
        .to_string();
    for line in [
        "*3 of 4* practice cards on Candidate A",
        "*Scope of judgement* · median 3 · from 2 to 4 :warning: spread 2 · original panel: median 4 (3, 4, 4)",
        "<@UPRAC0001> 3 (0) · <@UPRAC0002> 4 (+1) · <@UPRAC0003> 2 (−1)",
        "*Architectural decision quality* · median 3 · all scored 3 · original panel: median 3 (3, 3, 4)",
        "(ordinal α over the four dimensions): *0.38*",
        "Level calls: Senior 1 · Staff 2 · middle call *Staff*",
        "Original panel's level calls: Staff, Staff, Senior staff. *Decision: Staff*, offer accepted.",
        "This panel's middle call matches the decision: Staff.",
    ] {
        assert!(reveal_a.contains(line), "missing {line:?} in {reveal_a}");
    }
    let reveal_b = in_channel
        .iter()
        .find(|b| b.to_string().contains("Candidate B: the practice reveal"))
        .unwrap()
        .to_string();
    assert!(
        reveal_b.contains(
            "This panel would have decided differently: *Senior*, where the decision was Staff."
        ),
        "{reveal_b}"
    );
    assert!(reveal_b.contains("*2 of 4*"), "{reveal_b}");
    assert!(
        reveal_b.contains("(ordinal α over the four dimensions): *-0.17*"),
        "{reveal_b}"
    );
    // Every card is in its packet's thread, evidence and all.
    let threaded: Vec<String> = posted
        .iter()
        .filter(|c| c.body["thread_ts"].is_string())
        .map(|c| c.body.to_string())
        .collect();
    assert_eq!(threaded.len(), 5, "{threaded:?}");
    assert!(threaded.iter().any(
        |t| t.contains(&format!("{MARK} {P2} scope_of_judgement")) && t.contains("Candidate A")
    ));
    let summary = in_channel
        .iter()
        .find(|b| b.to_string().contains("over both candidates"))
        .unwrap()
        .to_string();
    for line in [
        "(ordinal α, 3 people): *0.26*",
        "<@UPRAC0002>: +0.25 on average over 8 scores, in line with the panel",
        "Recorded as calibrated today: <@UPRAC0001>, <@UPRAC0002>, <@UPRAC0003>.",
        "Sent no card, so not recorded as calibrated: <@UPRAC0004>.",
    ] {
        assert!(summary.contains(line), "missing {line:?} in {summary}");
    }

    // After the reveal no card is taken, and the button says it is done.
    let late = send_card(
        &app,
        P4,
        &a_ref,
        &practice_card([4, 4, 4, 4], "senior_staff", P4),
    )
    .await;
    assert!(late.contains("takes no more cards"), "{late}");
    press(
        &app,
        ADMIN,
        "practice_reveal",
        &calibration.to_string(),
        &channel,
        "2.2",
    )
    .await;
    app.drained().await;
    assert!(told(&app, ADMIN).contains("already revealed"));
    assert_eq!(
        app.slack.calls_to("chat.postMessage").len(),
        posted.len(),
        "revealed once"
    );

    // A loop opened now names the panelists who have not calibrated; P1,
    // who has, is not named.
    let mut loop_form = loop_form("Lena Okafor");
    // The clock has moved two days on: the interviews move a week later, so
    // that none is already past whatever the hour the test runs at.
    for field in loop_form.as_object_mut().unwrap().values_mut() {
        if let Some(at) = field["value"]["selected_date_time"].as_i64() {
            field["value"]["selected_date_time"] = json!(at + 7 * 86_400);
        }
    }
    loop_form["stage_5_cross_team_who"] =
        json!({"value": {"type": "multi_users_select", "selected_users": [P1]}});
    let first: Value = app
        .submit(RECRUITER, "VOPEN1", &loop_form)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["response_action"], "errors", "{first}");
    let coder = first["errors"]["stage_4_coding_who"]
        .as_str()
        .unwrap_or_default();
    assert!(
        coder.contains("has never been through a practice debrief"),
        "{first}"
    );
    assert!(
        first["errors"]["stage_5_cross_team_who"].is_null(),
        "{first}"
    );
    app.open_past_warnings(RECRUITER, "VOPEN2", &loop_form)
        .await;
    app.drained().await;
    let plan = app
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .map(|c| c.body.to_string())
        .find(|t| t.contains("Lena Okafor") && t.contains("practice debrief"))
        .unwrap_or_default();
    assert!(
        plan.contains(&format!(
            "<@{CODER}> has never been through a practice debrief"
        )),
        "{plan}"
    );
    assert!(!plan.contains(&format!("<@{P1}> has never")), "{plan}");

    // The weekly post says calibration has gone stale.
    let post = weekly_post(&app).await;
    assert!(
        post.contains(
            "Calibration has gone stale: 8 of the 9 people who interviewed in the last 90 days"
        ),
        "{post}"
    );
}

/// Messages posted in one channel.
fn dms_in(app: &TestApp, channel: &str) -> Vec<String> {
    app.slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.body["channel"] == channel)
        .map(|c| c.body.to_string())
        .collect()
}

#[tokio::test]
async fn too_few_past_loops_says_so() {
    let app = TestApp::spawn().await;
    let v = app.command_json(ADMIN, "C0GENERAL", "calibrate").await;
    assert!(v.to_string().contains("there are not two yet"), "{v}");
    assert!(app.slack.calls_to("views.open").is_empty());
}
