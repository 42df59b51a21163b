//! Changing the panel: `/staffloop swap`, with who may, which seats can
//! change, and what the old and new interviewers, the channel and the plan
//! see.

use crate::common::fake_slack::Call;
use crate::common::*;
use chrono::TimeZone;

const H: i64 = 3600;
const NEWBIE: &str = "UNEWBIE01";
const SUB: &str = "USUBSTIT1";

fn text_of(v: &serde_json::Value) -> String {
    v["text"].as_str().unwrap_or_default().to_string()
}

fn kicked(calls: &[Call], user: &str) -> bool {
    calls
        .iter()
        .any(|c| c.method == "conversations.kick" && c.body["user"] == user)
}

#[tokio::test]
async fn a_seat_whose_card_is_not_in_can_be_swapped() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let channel = app.loop_channel().await;
    let d = interview_day();
    clock.set(chrono::Utc.timestamp_opt(d + 4 * H + 60, 0).unwrap());
    app.slack
        .wait_for(10, "the coding prompt", |c| {
            !prompts_to(c, CODER).is_empty()
        })
        .await;
    app.settle().await;

    // Who may, and what it needs.
    let swap = format!("swap coding <@{CODER}|coder> <@{NEWBIE}|newbie>");
    let v = app.command_json(CODER, &channel, &swap).await;
    assert!(
        text_of(&v).contains("Only the hiring manager or a staffloop admin"),
        "{v}"
    );
    for bad in [
        "swap",
        "swap coding",
        "swap nonsense <@U1> <@U2>",
        "swap coding <@UCODE0001> <@UCODE0001>",
    ] {
        let v = app.command_json(HM, &channel, bad).await;
        assert!(
            text_of(&v).contains("Usage: `/staffloop swap"),
            "{bad}: {v}"
        );
    }
    let v = app
        .command_json(HM, &channel, &format!("swap coding <@{XTEAM}> <@{NEWBIE}>"))
        .await;
    assert!(
        text_of(&v).contains("is not on the Coding round panel"),
        "{v}"
    );
    // A seat whose card is in stays.
    app.submit_card(HM, "hm_screen", 3, "staff", "EV").await;
    let v = app
        .command_json(HM, &channel, &format!("swap screen <@{HM}> <@{NEWBIE}>"))
        .await;
    assert!(text_of(&v).contains("already submitted"), "{v}");

    // The coding seat moves: the stage is over, so the new interviewer is
    // asked for the card at once; the old one is told and leaves.
    let v = app.command_json(HM, &channel, &swap).await;
    assert!(
        text_of(&v).contains(&format!("<@{NEWBIE}> takes <@{CODER}>'s seat")),
        "{v}"
    );
    app.slack
        .wait_for(10, "the new prompt and the kick", |c| {
            !prompts_to(c, NEWBIE).is_empty() && kicked(c, CODER)
        })
        .await;
    // Each person's DMs are their own queue: wait for everything.
    app.settle().await;
    let calls = app.slack.calls();
    let invite = calls
        .iter()
        .rev()
        .find(|c| c.method == "conversations.invite")
        .unwrap();
    assert_eq!(invite.body["users"], NEWBIE);
    assert!(dms_to(&calls, CODER)
        .iter()
        .any(|m| m.to_string().contains("no longer on the *Coding round*")));
    let update = calls
        .iter()
        .find(|c| c.method == "chat.update" && c.body["channel"] == channel.as_str())
        .expect("the plan is updated");
    assert!(update.body["ts"].is_string());
    let plan = update.body.to_string();
    assert!(
        plan.contains(NEWBIE) && plan.contains("Loop plan"),
        "{plan}"
    );
    assert!(calls.iter().any(|c| c.body["channel"] == channel.as_str()
        && text_of(&c.body).contains(&format!("<@{NEWBIE}> replaces <@{CODER}>"))));
    // The old interviewer can no longer submit; the new one can.
    let r = app.submit_card(CODER, "coding", 3, "staff", "OLD").await;
    assert!(r.text().await.unwrap().contains("errors"));
    let r = app.submit_card(NEWBIE, "coding", 3, "staff", "NEW").await;
    assert_eq!(r.text().await.unwrap(), "");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM scorecards WHERE interviewer = 'UNEWBIE01'")
            .await,
        1
    );

    // A stage still to come: the new interviewer is briefed instead.
    let v = app
        .command_json(ADMIN, &channel, &format!("swap bar <@{BAR}> <@{SUB}>"))
        .await;
    assert!(text_of(&v).contains("takes"), "{v}");
    app.slack
        .wait_for(10, "the substitute's prep", |c| {
            dms_to(c, SUB)
                .iter()
                .any(|m| m.to_string().contains("How to run it"))
        })
        .await;
    app.settle().await;
    let calls = app.slack.calls();
    assert!(
        prompts_to(&calls, SUB).is_empty(),
        "not asked for a card yet"
    );
    assert!(kicked(&calls, BAR));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'swapped %'")
            .await,
        2
    );
    // After the debrief starts, the panel no longer changes.
    app.start_debrief(&channel).await;
    let v = app
        .command_json(
            HM,
            &channel,
            &format!("swap cross-team <@{XTEAM}> <@{NEWBIE}>"),
        )
        .await;
    assert!(text_of(&v).contains("can no longer change"), "{v}");
}

fn utc_text(t: i64) -> String {
    chrono::Utc
        .timestamp_opt(t, 0)
        .unwrap()
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `/staffloop reschedule` moves a live stage not yet held, with its prompt
/// and prep, tells its panel and updates the plan.
#[tokio::test]
async fn a_stage_not_yet_held_can_be_moved_with_its_jobs() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let channel = app.loop_channel().await;
    app.settle().await;
    let d = interview_day();
    let stage = app.stage_id("coding").await;
    // Coding was 13:00–14:00; it moves to 12:30–13:30.
    let start = d + 2 * H + 1800;
    for (bad, expect) in [
        (
            "reschedule coding tomorrow".to_string(),
            "Usage: `/staffloop reschedule",
        ),
        (
            format!("reschedule doc {}", utc_text(start)),
            "Usage: `/staffloop reschedule",
        ),
        (
            "reschedule coding 2020-01-01 10:00".to_string(),
            "has passed",
        ),
        (
            format!("reschedule coding {}", utc_text(d + 6 * H)),
            "after the debrief",
        ),
    ] {
        let v = app.command_json(HM, &channel, &bad).await;
        assert!(text_of(&v).contains(expect), "{bad}: {v}");
    }
    let v = app
        .command_json(
            STAFF,
            &channel,
            &format!("reschedule coding {}", utc_text(start)),
        )
        .await;
    assert!(text_of(&v).contains("Only the hiring manager"), "{v}");
    let v = app
        .command_json(
            HM,
            &channel,
            &format!("reschedule coding {}", utc_text(start)),
        )
        .await;
    assert!(text_of(&v).contains("now starts"), "{v}");
    assert_eq!(
        app.scalar(&format!("SELECT starts_at FROM stages WHERE id = {stage}"))
            .await,
        start
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT due_at FROM jobs WHERE dedupe_key = 'stage_end:{stage}'"
        ))
        .await,
        start + H
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT due_at FROM jobs WHERE dedupe_key = 'prep:{stage}:{CODER}'"
        ))
        .await,
        start - 24 * H
    );
    let calls = app
        .slack
        .wait_for(10, "the panel told and the plan updated", |c| {
            dms_to(c, CODER)
                .iter()
                .any(|m| m.to_string().contains("moved: it now starts"))
                && c.iter()
                    .any(|c| c.method == "chat.update" && c.body["channel"] == channel.as_str())
        })
        .await;
    let update = calls
        .iter()
        .find(|c| c.method == "chat.update" && c.body["channel"] == channel.as_str())
        .expect("the plan is updated");
    assert!(update
        .body
        .to_string()
        .contains(&format!("<!date^{start}^")));
    // The prompt comes at the new end, not the old one.
    clock.set(chrono::Utc.timestamp_opt(start + H + 60, 0).unwrap());
    app.slack
        .wait_for(10, "the coding prompt", |c| {
            !prompts_to(c, CODER).is_empty()
        })
        .await;
    // Held now: it no longer moves.
    let v = app
        .command_json(
            HM,
            &channel,
            &format!("reschedule coding {}", utc_text(d + 5 * H)),
        )
        .await;
    assert!(text_of(&v).contains("already been held"), "{v}");
}

/// A loop opened before the plan's place was recorded gets its plan posted
/// afresh after a change, and updated in place from then on; a person
/// swapped off and back on is briefed again.
#[tokio::test]
async fn a_plan_whose_place_is_unknown_is_posted_afresh() {
    let app = TestApp::spawn().await;
    app.open_loop("Ana Lima").await;
    let channel = app.loop_channel().await;
    app.settle().await;
    sqlx::query("UPDATE loops SET plan_ts = NULL")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let v = app
        .command_json(HM, &channel, &format!("swap bar <@{BAR}> <@{SUB}>"))
        .await;
    assert!(text_of(&v).contains("takes"), "{v}");
    app.settle().await;
    let plans = |calls: &[Call]| {
        calls
            .iter()
            .filter(|c| {
                c.body["channel"] == channel.as_str()
                    && c.body.to_string().contains("start_debrief")
            })
            .map(|c| c.method.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        plans(&app.slack.calls()),
        ["chat.postMessage", "chat.postMessage"]
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM loops WHERE plan_ts IS NOT NULL")
            .await,
        1
    );
    app.command_json(HM, &channel, &format!("swap bar <@{SUB}> <@{BAR}>"))
        .await;
    app.settle().await;
    assert_eq!(
        plans(&app.slack.calls()),
        ["chat.postMessage", "chat.postMessage", "chat.update"]
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'failed'")
            .await,
        0
    );
    // Swapped back on, the bar raiser's prep is scheduled again.
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM jobs WHERE dedupe_key LIKE 'prep:%:{BAR}' AND status = 'pending'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM jobs WHERE dedupe_key LIKE 'prep:%:{SUB}' AND status = 'cancelled'"
        ))
        .await,
        1
    );
}
