//! The debrief: scheduled and early starts (once only), the reveal's summary,
//! threaded cards and heat map, Slack's limits with many long cards, the
//! decision with confirmation and one correction, archiving, and export.

use crate::common::fake_slack::Call;
use crate::common::*;
use chrono::TimeZone;
use serde_json::{json, Value};
use staffloop::clock::ManualClock;

const H: i64 = 3600;
const DAY: i64 = 24 * H;

fn at(clock: &ManualClock, unix: i64) {
    clock.set(chrono::Utc.timestamp_opt(unix, 0).unwrap());
}

fn debrief_time() -> i64 {
    interview_day() + 6 * H + 1800
}

/// A loop where everything but the cross-team and bar-raiser cards is in,
/// with the panel split on scope and on level.
async fn loop_before_debrief() -> (TestApp, ManualClock) {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let channel = app.loop_channel().await;
    app.command_json(HM, &channel, "done doc").await;
    app.slack
        .wait_for(10, "doc prompt", |c| !prompts_to(c, DOC).is_empty())
        .await;
    app.submit_card(DOC, "design_doc", 3, "staff", "EVID-DOC")
        .await;
    at(&clock, interview_day() + 5 * H + 50 * 60);
    app.slack
        .wait_for(15, "prompts", |c| !prompts_to(c, BAR).is_empty())
        .await;
    for (user, kind, score, rec, marker) in [
        (HM, "hm_screen", 2, "senior", "EVID-SCREEN"),
        (HM, "deep_dive", 4, "senior_staff", "EVID-DIVE-HM"),
        (STAFF, "deep_dive", 1, "no_hire", "EVID-DIVE-STAFF"),
        (CODER, "coding", 3, "staff", "EVID-CODE"),
    ] {
        assert_eq!(
            app.submit_card(user, kind, score, rec, marker)
                .await
                .text()
                .await
                .unwrap(),
            ""
        );
    }
    (app, clock)
}

fn summary_calls(calls: &[Call]) -> Vec<&Call> {
    calls
        .iter()
        .filter(|c| {
            c.method == "chat.postMessage"
                && c.body["text"] == "The debrief has started: all scorecards are revealed."
        })
        .collect()
}

async fn revealed(app: &TestApp) -> Vec<Call> {
    app.slack
        .wait_for(15, "the reveal and its score table", |c| {
            c.iter().any(|c| has_block(c, "table"))
        })
        .await
}

/// A workspace without Slack's tables answers `invalid_blocks`: the score
/// grid comes as the heat map PNG in the reveal thread instead, once.
#[tokio::test]
async fn a_workspace_without_tables_gets_the_heat_map() {
    let (app, clock) = loop_before_debrief().await;
    app.slack.refuse_native_blocks();
    at(&clock, debrief_time());
    let calls = app
        .slack
        .wait_for(15, "the heat map", |c| {
            c.iter().any(|c| c.method == "files.completeUploadExternal")
        })
        .await;
    let channel = app.loop_channel().await;
    assert_eq!(
        calls.iter().filter(|c| has_block(c, "table")).count(),
        1,
        "tried once"
    );
    let get = calls
        .iter()
        .find(|c| c.method == "files.getUploadURLExternal")
        .unwrap();
    assert_eq!(get.body["filename"], "scores.png");
    let uploads = app.slack.uploads();
    assert_eq!(uploads.len(), 1);
    let png = &uploads[0].1;
    assert_eq!(get.body["length"], png.len().to_string());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let complete = calls
        .iter()
        .find(|c| c.method == "files.completeUploadExternal")
        .unwrap();
    assert_eq!(complete.body["channel_id"], channel);
    assert!(
        complete.body["thread_ts"].is_string(),
        "in the reveal thread"
    );
    assert_eq!(complete.body["files"][0]["id"], uploads[0].0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM teams WHERE native_blocks_refused_at IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn the_debrief_starts_on_time_and_reveals_every_card_at_once() {
    let (app, clock) = loop_before_debrief().await;
    assert!(
        !app.slack.everything().contains("EVID-"),
        "hidden before the debrief"
    );
    at(&clock, debrief_time());
    let calls = revealed(&app).await;
    let channel = app.loop_channel().await;
    let summaries = summary_calls(&calls);
    assert_eq!(summaries.len(), 1);
    let summary = summaries[0];
    assert_eq!(summary.body["channel"], channel);
    let text = summary.body.to_string();
    assert!(
        text.contains("Debrief: Ana Lima") && text.contains("5 of 7 scorecards in"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "*#4* <@{STAFF}> · Design-document deep-dive → recommends *No hire*"
        )),
        "{text}"
    );
    assert!(
        text.contains("Scope of judgement 1 (no hire)"),
        "the grid with mapped levels"
    );
    assert!(
        text.contains("Scope of judgement: median 2.5 (senior), spread 3 · scores 1 2 3 4"),
        "{text}"
    );
    assert!(
        text.contains("Architectural decision quality: median 3 (staff), spread 3 · scores 1 3 4"),
        "{text}"
    );
    assert!(
        text.contains("No hire ×1 · Senior ×1 · Staff ×2 · Senior staff ×1"),
        "tally"
    );
    assert!(
        text.contains("*Scope of judgement*: scores from 1 to 4"),
        "disagreement flag"
    );
    assert!(text.contains("Recommendations run from *No hire* to *Senior staff*"));
    assert!(text.contains(&format!(
        "Missing: <@{XTEAM}>'s Cross-team influence scorecard"
    )));
    assert!(text.contains(&format!("Missing: <@{BAR}>'s Bar raiser scorecard")));
    assert!(text.contains("No card scored *Cross-team influence*"));
    assert!(text.contains("decide_senior_staff"), "decision buttons");

    // One threaded reply per card, each with its evidence; the score table last.
    let ts = "1700000000.".to_string();
    let replies: Vec<&Call> = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.body["thread_ts"].is_string())
        .filter(|c| !has_block(c, "table"))
        .collect();
    assert_eq!(replies.len(), 5);
    let thread = replies[0].body["thread_ts"].as_str().unwrap().to_string();
    assert!(thread.starts_with(&ts));
    assert!(replies
        .iter()
        .all(|r| r.body["thread_ts"] == thread.as_str() && r.body["channel"] == channel));
    for marker in [
        "EVID-DOC",
        "EVID-SCREEN",
        "EVID-DIVE-HM",
        "EVID-DIVE-STAFF",
        "EVID-CODE",
    ] {
        assert_eq!(
            replies
                .iter()
                .filter(|r| r.body.to_string().contains(marker))
                .count(),
            1,
            "{marker} revealed once"
        );
    }
    // The score grid as Slack's own table, in the thread after the cards:
    // a header, then a row per card (interviewer, stage, each criterion,
    // the mapped level, the recommendation).
    let table_at = calls.iter().position(|c| has_block(c, "table")).unwrap();
    let last_reply = calls
        .iter()
        .rposition(|c| c.body["thread_ts"].is_string() && !has_block(c, "table"))
        .unwrap();
    assert!(table_at > last_reply);
    let table_msg = &calls[table_at].body;
    assert_eq!(table_msg["thread_ts"], thread.as_str());
    assert_eq!(table_msg["channel"], channel);
    let table = table_msg["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "table")
        .unwrap();
    let rows = table["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6, "a header and five cards");
    assert!(rows
        .iter()
        .all(|r| r.as_array().unwrap().len() == rows[0].as_array().unwrap().len()));
    assert!(rows.iter().all(|r| r.as_array().unwrap().len() <= 20));
    let header = rows[0].to_string();
    for column in ["Interviewer", "Stage", "Scope", "Maps to", "Recommends"] {
        assert!(header.contains(column), "{header}");
    }
    assert!(rows[1..]
        .iter()
        .any(|r| r.to_string().contains(&format!("\"user_id\":\"{STAFF}\""))));
    assert!(
        table_msg["text"].as_str().unwrap().contains("recommends"),
        "a text fallback"
    );
    assert!(
        app.slack.uploads().is_empty(),
        "no PNG where the table is taken"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM loops WHERE debrief_started_at IS NOT NULL")
            .await,
        1
    );
}

/// A card and an addendum written after the start are not lost: each is
/// posted in the reveal thread, marked late with how long after, and the
/// summary is updated in place so the late card is no longer named missing.
#[tokio::test]
async fn late_cards_and_addenda_are_posted_in_the_reveal_thread() {
    let (app, clock) = loop_before_debrief().await;
    at(&clock, debrief_time());
    let calls = revealed(&app).await;
    let channel = app.loop_channel().await;
    // The summary's ts, under which every reply is threaded.
    let thread = calls
        .iter()
        .find(|c| c.method == "chat.postMessage" && c.body["thread_ts"].is_string())
        .unwrap()
        .body["thread_ts"]
        .as_str()
        .unwrap()
        .to_string();
    // Two hours and five minutes later, the cross-team card comes in.
    at(&clock, debrief_time() + 2 * H + 300);
    let r = app
        .submit_card(XTEAM, "cross_team", 3, "staff", "EVID-LATE-XTEAM")
        .await;
    assert_eq!(r.text().await.unwrap(), "");
    let calls = app
        .slack
        .wait_for(15, "the late card and the updated summary", |c| {
            c.iter()
                .any(|c| c.method == "chat.update" && c.body["ts"] == thread.as_str())
        })
        .await;
    let late: Vec<&Call> = calls
        .iter()
        .filter(|c| {
            c.method == "chat.postMessage" && c.body.to_string().contains("EVID-LATE-XTEAM")
        })
        .collect();
    assert_eq!(late.len(), 1, "posted once");
    assert_eq!(late[0].body["thread_ts"], thread.as_str());
    assert_eq!(late[0].body["channel"], channel.as_str());
    let text = late[0].body.to_string();
    assert!(
        text.contains("*#6*") && text.contains("Written after the reveal* (2 h 5 min after"),
        "{text}"
    );
    let update = calls
        .iter()
        .find(|c| c.method == "chat.update" && c.body["ts"] == thread.as_str())
        .unwrap();
    assert_eq!(update.body["channel"], channel.as_str());
    let text = update.body.to_string();
    assert!(
        !text.contains(&format!("Missing: <@{XTEAM}>")),
        "no longer named missing: {text}"
    );
    assert!(text.contains(&format!("Missing: <@{BAR}>")), "{text}");
    assert!(
        text.contains(&format!(
            "<@{XTEAM}>'s Cross-team influence scorecard came in after"
        )),
        "{text}"
    );
    assert!(
        text.contains("5 of 7 scorecards in") && !text.contains("EVID-"),
        "the figures stay those of the start: {text}"
    );
    // An addendum to a card that was in the reveal.
    at(&clock, debrief_time() + 3 * H);
    let stage = app.stage_id("coding").await.to_string();
    let values = json!({"addendum": {"value": {"type": "plain_text_input", "value": "LATE-ADDENDUM: one more thing."}}});
    let r = submit_view(&app, CODER, "VADD1", "staffloop_addendum", &stage, &values).await;
    assert_eq!(r.text().await.unwrap(), "");
    let calls = app
        .slack
        .wait_for(15, "the late addendum", |c| {
            c.iter()
                .any(|c| c.body.to_string().contains("LATE-ADDENDUM"))
        })
        .await;
    let posted: Vec<&Call> = calls
        .iter()
        .filter(|c| c.body.to_string().contains("LATE-ADDENDUM"))
        .collect();
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].method, "chat.postMessage");
    assert_eq!(posted[0].body["thread_ts"], thread.as_str());
    let text = posted[0].body.to_string();
    assert!(
        text.contains(&format!(
            "*Addendum* by <@{CODER}> to scorecard #5 (Coding round)"
        )) && text.contains("3 h after the debrief started"),
        "{text}"
    );
    app.settle().await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status <> 'done'")
            .await,
        0
    );
}

/// A card submitted while the debrief is starting is in the reveal or posted
/// late, never neither, and never both.
#[tokio::test]
async fn a_card_racing_the_start_is_revealed_exactly_once() {
    let (app, _clock) = loop_before_debrief().await;
    let channel = app.loop_channel().await;
    let loop_id = app.scalar("SELECT id FROM loops").await.to_string();
    let (started, card) = tokio::join!(
        press(&app, HM, "debrief_start_confirm", &loop_id, &channel, "1.1"),
        app.submit_card(XTEAM, "cross_team", 3, "staff", "EVID-RACE")
    );
    assert!(started.status().is_success());
    assert_eq!(card.text().await.unwrap(), "");
    app.slack
        .wait_for(15, "the racing card, revealed", |c| {
            c.iter().any(|c| {
                c.method == "chat.postMessage"
                    && c.body["thread_ts"].is_string()
                    && c.body.to_string().contains("EVID-RACE")
            })
        })
        .await;
    app.settle().await;
    let n = app
        .slack
        .calls()
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.body.to_string().contains("EVID-RACE"))
        .count();
    assert_eq!(n, 1, "revealed exactly once");
}

fn ephemerals_to(calls: &[Call], user: &str) -> Vec<String> {
    calls
        .iter()
        .filter(|c| c.method == "chat.postEphemeral" && c.body["user"] == user)
        .map(|c| c.body.to_string())
        .collect()
}

#[tokio::test]
async fn only_the_hm_starts_early_after_confirming_and_only_once() {
    let (app, clock) = loop_before_debrief().await;
    let channel = app.loop_channel().await;
    let v = app.command_json(STAFF, &channel, "debrief").await;
    assert!(v["text"]
        .as_str()
        .unwrap()
        .contains("Only the hiring manager"));
    // The HM is asked first; every interview has been held, so a plain
    // confirmation does.
    let v = app.command_json(HM, &channel, "debrief").await;
    let text = v.to_string();
    assert!(
        text.contains("Start the debrief for *Ana Lima* now?"),
        "{text}"
    );
    assert_eq!(v["response_type"], "ephemeral");
    assert_eq!(
        v["blocks"][1]["elements"][0]["action_id"],
        "debrief_start_confirm"
    );
    app.settle().await;
    assert!(summary_calls(&app.slack.calls()).is_empty(), "not yet");
    let loop_id = app.scalar("SELECT id FROM loops").await.to_string();
    // Someone else pressing the HM's button starts nothing.
    press(
        &app,
        STAFF,
        "debrief_start_confirm",
        &loop_id,
        &channel,
        "1.1",
    )
    .await;
    app.settle().await;
    assert!(summary_calls(&app.slack.calls()).is_empty());
    // The plan's button asks the same question, where it was pressed.
    press(&app, HM, "start_debrief", &loop_id, &channel, "1.1").await;
    let calls = app
        .slack
        .wait_for(10, "the question", |c| {
            ephemerals_to(c, HM)
                .iter()
                .any(|t| t.contains("debrief_start_confirm"))
        })
        .await;
    assert!(summary_calls(&calls).is_empty());
    // Two presses at once: one start.
    let (a, b) = tokio::join!(
        press(&app, HM, "debrief_start_confirm", &loop_id, &channel, "1.2"),
        press(&app, HM, "debrief_start_confirm", &loop_id, &channel, "1.3")
    );
    assert!(a.status().is_success() && b.status().is_success());
    revealed(&app).await;
    app.settle().await;
    let told = ephemerals_to(&app.slack.calls(), HM);
    assert_eq!(
        told.iter().filter(|t| t.contains("has started")).count(),
        1,
        "{told:?}"
    );
    assert_eq!(
        told.iter()
            .filter(|t| t.contains("already started"))
            .count(),
        1,
        "{told:?}"
    );
    let v = app.command_json(HM, &channel, "debrief").await;
    assert!(v["text"].as_str().unwrap().contains("already started"));
    at(&clock, debrief_time() + 60);
    app.settle().await;
    let calls = app.slack.calls();
    assert_eq!(summary_calls(&calls).len(), 1, "one reveal");
    assert_eq!(calls.iter().filter(|c| has_block(c, "table")).count(), 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'debrief' AND status = 'done'")
            .await,
        1
    );
}

/// Starting before some interviews were held names them and needs an
/// explicit "start anyway"; then those stages are cancelled, their
/// interviewers told, and nobody is ever asked for those cards.
#[tokio::test]
async fn an_early_start_names_the_interviews_not_held_and_cancels_them() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    app.open_loop("Ana Lima").await;
    let channel = app.loop_channel().await;
    // The coding round is over; the cross-team interview has just begun.
    at(&clock, interview_day() + 4 * H + 60);
    app.slack
        .wait_for(10, "the coding prompt", |c| {
            !prompts_to(c, CODER).is_empty()
        })
        .await;
    app.submit_card(CODER, "coding", 3, "staff", "EVID-CODE")
        .await;
    let v = app.command_json(HM, &channel, "debrief").await;
    let text = v.to_string();
    assert!(
        text.contains("Not every interview for Ana Lima has been held yet")
            && text.contains("*Cross-team influence*")
            && text.contains("*Bar raiser*")
            && !text.contains("*Coding round*"),
        "{text}"
    );
    assert_eq!(
        v["blocks"][1]["elements"][0]["action_id"],
        "debrief_start_anyway"
    );
    let loop_id = app.scalar("SELECT id FROM loops").await.to_string();
    // A plain confirmation is not enough while stages are to come.
    press(&app, HM, "debrief_start_confirm", &loop_id, &channel, "1.1").await;
    app.slack
        .wait_for(10, "asked again", |c| {
            ephemerals_to(c, HM)
                .iter()
                .any(|t| t.contains("debrief_start_anyway"))
        })
        .await;
    app.settle().await;
    assert!(summary_calls(&app.slack.calls()).is_empty());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM loops WHERE debrief_started_at IS NULL")
            .await,
        1
    );
    press(&app, HM, "debrief_start_anyway", &loop_id, &channel, "1.2").await;
    revealed(&app).await;
    // Each person's DMs are their own queue: wait for everything.
    app.settle().await;
    let calls = app.slack.calls();
    let text = summary_calls(&calls)[0].body.to_string();
    assert!(text.contains("1 of 5 scorecards in"), "{text}");
    for user in [XTEAM, BAR] {
        let dms = dms_to(&calls, user);
        assert!(
            dms.iter()
                .any(|d| d.to_string().contains("no longer needed")),
            "{user} told: {dms:?}"
        );
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stages WHERE state = 'cancelled'")
            .await,
        2
    );
    // Their interview times pass: nobody is asked for those cards.
    at(&clock, interview_day() + 7 * H);
    app.settle().await;
    let calls = app.slack.calls();
    assert!(prompts_to(&calls, XTEAM).is_empty() && prompts_to(&calls, BAR).is_empty());
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM jobs WHERE status = 'pending' AND kind NOT IN ('weekly_report', 'housekeeping')"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn twelve_cards_with_long_evidence_reveal_completely_within_limits() {
    let (app, clock) = TestApp::spawn_with_clock().await;
    let mut form = loop_form("Ana Lima");
    let panels = [
        (1, [HM, "UPANEL001"]),
        (2, [DOC, "UPANEL002"]),
        (3, [HM, STAFF]),
        (4, [CODER, "UPANEL003"]),
        (5, [XTEAM, "UPANEL004"]),
        (6, [BAR, "UPANEL005"]),
    ];
    let kinds = [
        "hm_screen",
        "design_doc",
        "deep_dive",
        "coding",
        "cross_team",
        "bar_raiser",
    ];
    for ((position, users), kind) in panels.iter().zip(kinds) {
        form[format!("stage_{position}_{kind}_who")]["value"]["selected_users"] = json!(users);
    }
    // Twelve seats cost more interviewer time than a staff loop needs.
    app.open_past_warnings(RECRUITER, "V0TWELVE1", &form).await;
    app.slack
        .wait_for(10, "opened", |c| {
            c.iter().filter(|c| c.method == "chat.postMessage").count() >= 2
        })
        .await;
    app.command_json(HM, &app.loop_channel().await, "done doc")
        .await;
    at(&clock, interview_day() + 5 * H + 50 * 60);
    app.slack
        .wait_for(15, "prompts", |c| !prompts_to(c, "UPANEL005").is_empty())
        .await;
    let mut n = 0;
    for (kind, (_, users)) in kinds.iter().zip(&panels) {
        for user in users {
            n += 1;
            // 2,500 characters of evidence per criterion, with characters that escaping lengthens.
            let marker = format!("CARD{n:02}-{}", "<evidence & more> ".repeat(138));
            let r = app
                .submit_card(user, kind, 1 + (n % 4) as u8, "staff", &marker)
                .await;
            assert_eq!(r.text().await.unwrap(), "", "card {n}");
        }
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM scorecards").await, 12);
    at(&clock, debrief_time());
    let calls = revealed(&app).await;
    let posts: Vec<&Call> = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage")
        .collect();
    for p in &posts {
        let blocks = p.body["blocks"].as_array().map(Vec::len).unwrap_or(0);
        assert!(blocks <= 50, "{blocks} blocks");
        let texts: Vec<usize> = p.body["blocks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| b["text"]["text"].as_str().map(|t| t.chars().count()))
            .collect();
        assert!(texts.iter().all(|n| *n <= 3000), "{texts:?}");
        assert!(
            texts.iter().sum::<usize>() <= 12_000,
            "message of {} chars",
            texts.iter().sum::<usize>()
        );
    }
    let all = app.slack.everything();
    for k in 1..=12 {
        assert!(all.contains(&format!("CARD{k:02}-")), "card {k} revealed");
    }
    // Nothing lost at the seams: every card's full evidence arrives, escaped.
    let escaped_piece = "&lt;evidence &amp; more&gt; ";
    let pieces = all.matches(escaped_piece).count();
    assert!(pieces >= 12 * 138, "{pieces} pieces");
    assert!(!all.contains("<evidence"), "escaped, never raw");
}

#[tokio::test]
async fn the_hm_decides_confirms_and_may_correct_once() {
    let (app, clock) = loop_before_debrief().await;
    let channel = app.loop_channel().await;
    let v = app.command_json(HM, &channel, "decide senior").await;
    assert!(v["text"]
        .as_str()
        .unwrap()
        .contains("after the debrief has started"));
    at(&clock, debrief_time());
    revealed(&app).await;
    let v = app.command_json(STAFF, &channel, "decide staff").await;
    assert!(v["text"]
        .as_str()
        .unwrap()
        .contains("Only the hiring manager"));
    let v = app.command_json(HM, &channel, "decide principal").await;
    assert!(v["text"]
        .as_str()
        .unwrap()
        .contains("no-hire|senior|staff|senior-staff"));

    let v = app
        .command_json(HM, &channel, "decide senior strong coder, narrow scope")
        .await;
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .contains("Applied at *Staff*; you are recording *Senior*. This is a *downlevel*."),
        "{v}"
    );
    let id = v["blocks"][1]["elements"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM loops WHERE decided_level IS NULL")
            .await,
        1,
        "nothing until confirmed"
    );
    press(&app, STAFF, "decision_confirm", &id, &channel, "2.2").await;
    press(&app, HM, "decision_confirm", &id, &channel, "2.2").await;
    let calls = app
        .slack
        .wait_for(10, "decision posted", |c| {
            c.iter().any(|c| {
                c.body["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("Decision: *Senior*")
            })
        })
        .await;
    let post = calls
        .iter()
        .find(|c| {
            c.body["text"]
                .as_str()
                .unwrap_or("")
                .contains("Decision: *Senior*")
        })
        .unwrap();
    assert_eq!(post.body["channel"], channel);
    assert!(post.body["text"]
        .as_str()
        .unwrap()
        .contains("a downlevel from Staff"));
    assert!(post.body["text"]
        .as_str()
        .unwrap()
        .contains("strong coder, narrow scope"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM loops WHERE decided_level = 'senior'")
            .await,
        1
    );
    press(&app, HM, "decision_confirm", &id, &channel, "2.2").await; // a second click changes nothing

    let v = app.command_json(HM, &channel, "decide staff").await;
    assert!(v["text"].as_str().unwrap().contains("add the reason"));
    // A button under the reveal proposes too, confirmed ephemerally.
    let loop_id = app.scalar("SELECT id FROM loops").await.to_string();
    press(&app, HM, "decide_staff", &loop_id, &channel, "1.1").await;
    app.slack
        .wait_for(10, "ephemeral", |c| {
            c.iter().any(|c| {
                c.method == "chat.postEphemeral"
                    && c.body["text"]
                        .as_str()
                        .unwrap_or("")
                        .contains("add the reason")
            })
        })
        .await;
    let v = app
        .command_json(
            HM,
            &channel,
            "decide staff the panel under-read the design doc",
        )
        .await;
    let id = v["blocks"][1]["elements"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    // The correction comes three days later; the loop keeps its decision date.
    let decided_first = app.scalar("SELECT decided_at FROM loops").await;
    at(&clock, debrief_time() + 3 * DAY);
    press(&app, HM, "decision_confirm", &id, &channel, "2.3").await;
    app.slack
        .wait_for(10, "correction posted", |c| {
            c.iter().any(|c| {
                c.body["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("corrected to *Staff* (was Senior)")
            })
        })
        .await;
    let v = app
        .command_json(ADMIN, &channel, "decide senior another thought")
        .await;
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .contains("already corrected once"),
        "an admin may decide, but not a third time"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM decisions WHERE status = 'confirmed'")
            .await,
        2,
        "both entries kept"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM loops WHERE decided_level = 'staff'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT decided_at FROM loops").await,
        decided_first,
        "a correction keeps the original date for the report's window"
    );
    assert_eq!(
        app.scalar("SELECT corrected_at FROM loops").await,
        debrief_time() + 3 * DAY
    );

    let v = app.command_json(HM, &channel, "outcome maybe").await;
    assert!(v["text"].as_str().unwrap().contains("accepted"));
    let v = app.command_json(HM, &channel, "outcome accepted").await;
    assert!(v["text"].as_str().unwrap().contains("accepted"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM loops WHERE offer_outcome = 'accepted'")
            .await,
        1
    );

    // Archive: a note the day before, then the channel is archived; once.
    let decided = app.scalar("SELECT decided_at FROM loops").await;
    let first = app
        .scalar("SELECT MIN(confirmed_at) FROM decisions WHERE status = 'confirmed'")
        .await;
    assert!(decided >= first);
    at(&clock, first + 13 * DAY + 60);
    app.slack
        .wait_for(10, "archive note", |c| {
            c.iter().any(|c| {
                c.body["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("archived tomorrow")
            })
        })
        .await;
    at(&clock, first + 14 * DAY + 60);
    let calls = app
        .slack
        .wait_for(10, "archive", |c| {
            c.iter().any(|c| c.method == "conversations.archive")
        })
        .await;
    assert_eq!(
        calls
            .iter()
            .find(|c| c.method == "conversations.archive")
            .unwrap()
            .body["channel"],
        channel
    );
    at(&clock, first + 20 * DAY);
    app.settle().await;
    assert_eq!(app.slack.calls_to("conversations.archive").len(), 1);
}

/// Two proposals confirmed at the same moment: one decision, never two.
#[tokio::test]
async fn two_decisions_confirmed_at_once_record_one() {
    let (app, clock) = loop_before_debrief().await;
    let channel = app.loop_channel().await;
    at(&clock, debrief_time());
    revealed(&app).await;
    let mut ids = Vec::new();
    for (user, text) in [(HM, "decide staff"), (ADMIN, "decide senior narrow scope")] {
        let v = app.command_json(user, &channel, text).await;
        ids.push(
            v["blocks"][1]["elements"][0]["value"]
                .as_str()
                .unwrap_or_else(|| panic!("a proposal: {v}"))
                .to_string(),
        );
    }
    let (a, b) = tokio::join!(
        press(&app, HM, "decision_confirm", &ids[0], &channel, "3.1"),
        press(&app, ADMIN, "decision_confirm", &ids[1], &channel, "3.2")
    );
    assert!(a.status().is_success() && b.status().is_success());
    app.settle().await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM decisions WHERE status = 'confirmed'")
            .await,
        1
    );
    let posts = app
        .slack
        .calls()
        .iter()
        .filter(|c| {
            c.body["text"]
                .as_str()
                .unwrap_or("")
                .contains("Decision: *")
        })
        .count();
    assert_eq!(posts, 1, "one decision posted");
    let told = app.slack.everything();
    assert!(
        told.contains("no longer open"),
        "the other is told it is stale"
    );
}

#[tokio::test]
async fn export_writes_the_whole_loop_and_refuses_before_the_reveal() {
    let (app, clock) = loop_before_debrief().await;
    // At rest first: the export is another process writing the same SQLite
    // file, and a busy outbox would keep the write lock from it.
    app.settle().await;
    let channel = app.loop_channel().await;
    let out = export_cli(&app.database_url, &["--loop", &channel]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("has not started"));
    assert!(out.stdout.is_empty(), "nothing of the cards printed");
    let forced = export_cli(&app.database_url, &["--loop", "loop-ana-lima", "--force"]);
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'exported before the debrief (forced)'"
        )
        .await,
        1
    );

    at(&clock, debrief_time());
    revealed(&app).await;
    let out = export_cli(&app.database_url, &["--loop", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["loop"]["candidate"], "Ana Lima");
    assert_eq!(v["plan"].as_array().unwrap().len(), 6);
    assert_eq!(v["cards"].as_array().unwrap().len(), 5);
    assert!(v["cards"].to_string().contains("EVID-CODE"));
    let actions: Vec<&str> = v["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"loop opened")
            && actions.contains(&"debrief started; all cards revealed"),
        "{actions:?}"
    );
    let out = export_cli(&app.database_url, &["--loop", "999"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no loop"));
}
