//! Loop templates through the real routes: the picker and the form it
//! redraws, the linter's warnings in the form and in the plan, a loop whose
//! stages are the template's (titles, lengths, a second coding round, a
//! system-design round), their prompts, cards and prep DMs, and the hiring
//! team's user group.

use crate::common::fake_slack::{Call, Scripted};
use crate::common::*;
use chrono::TimeZone;
use serde_json::{json, Value};
use staffloop::clock::ManualClock;
use staffloop::domain::{Template, Templates};

const H: i64 = 3600;
const CODER2: &str = "UCODE0002";
const ARCHITECT: &str = "UARCH0001";
const LEADER: &str = "ULEAD0001";
const AUDIENCE: &str = "UAUDIENCE";

/// A loop a team might write: a second coding round, a system-design round,
/// a leadership-principles round beside the cross-team one, and a
/// presentation the role does not need.
const PLATFORM: &str = "name: Platform staff loop
role_presents: no

[stage]
title: Hiring-manager screen
kind: hm_screen
length: 45
panel: 1
probes: scope_of_judgement

[stage]
title: Written design document
kind: design_doc
length: async 4-6
panel: 1
probes: scope_of_judgement, architectural_decisions

[stage]
title: Design-document deep-dive
kind: deep_dive
length: 75
panel: 2
probes: scope_of_judgement, architectural_decisions

[stage]
title: Coding round
kind: coding
length: 60
panel: 1

[stage]
title: Pairing session
kind: coding
length: 60
panel: 1
guide: Pair on a real bug from the platform backlog.

[stage]
title: Architecture
kind: system_design
length: 60
panel: 1
probes: architectural_decisions
guide: Bring a problem from the payments domain, with its real constraints.

[stage]
title: Cross-team influence
kind: cross_team
length: 60
panel: 1
probes: cross_team_influence, mentorship_at_distance

[stage]
title: Leadership principles
kind: behavioural
length: 45
panel: 1
probes: cross_team_influence

[stage]
title: Bar raiser
kind: bar_raiser
length: 45
panel: 1
probes: all

[stage]
title: Past work
kind: presentation
length: 30
panel: 1
probes: cross_team_influence
";

fn templates() -> Templates {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("platform.template"), PLATFORM).unwrap();
    Templates::load_dir(dir.path()).unwrap()
}

async fn spawn(group: Option<&str>) -> (TestApp, ManualClock) {
    let clock = manual_clock();
    let app = TestApp::spawn_with(Options {
        clock: Some(clock.clone()),
        templates: Some(templates()),
        hiring_team_group: group.map(str::to_string),
        ..Default::default()
    })
    .await;
    (app, clock)
}

fn users(ids: &[&str]) -> Value {
    json!({"value": {"type": "multi_users_select", "selected_users": ids}})
}

fn at(ts: i64) -> Value {
    json!({"value": {"type": "datetimepicker", "selected_date_time": ts}})
}

/// The platform loop's form: stages back to back from 10:00, debrief 18:30.
fn platform_form(design_prompt: &str) -> Value {
    let d = interview_day();
    let m = 60;
    json!({
        "candidate_name": {"value": {"type": "plain_text_input", "value": "Ana Lima"}},
        "applied_level": {"value": {"type": "static_select", "selected_option": {"value": "staff"}}},
        "hiring_manager": {"value": {"type": "users_select", "selected_user": HM}},
        "stage_1_hm_screen_who": users(&[HM]), "stage_1_hm_screen_at": at(d),
        "stage_2_design_doc_who": users(&[DOC]),
        "stage_3_deep_dive_who": users(&[HM, STAFF]), "stage_3_deep_dive_at": at(d + 60 * m),
        "stage_4_coding_who": users(&[CODER]), "stage_4_coding_at": at(d + 150 * m),
        "stage_5_coding_who": users(&[CODER2]), "stage_5_coding_at": at(d + 210 * m),
        "stage_6_system_design_who": users(&[ARCHITECT]), "stage_6_system_design_at": at(d + 270 * m),
        "stage_7_cross_team_who": users(&[XTEAM]), "stage_7_cross_team_at": at(d + 330 * m),
        "stage_8_behavioural_who": users(&[LEADER]), "stage_8_behavioural_at": at(d + 390 * m),
        "stage_9_bar_raiser_who": users(&[BAR]), "stage_9_bar_raiser_at": at(d + 435 * m),
        "stage_10_presentation_who": users(&[AUDIENCE]), "stage_10_presentation_at": at(d + 480 * m),
        "debrief_at": at(d + 520 * m),
        "design_prompt": {"value": {"type": "plain_text_input", "value": design_prompt}},
    })
}

fn block<'a>(view: &'a Value, id: &str) -> Option<&'a Value> {
    view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == id)
}

#[tokio::test]
async fn the_picker_offers_every_template_and_redraws_the_form() {
    let (app, _clock) = spawn(None).await;
    let r = app.command(RECRUITER, "C0HIRING1", "open Ana Lima").await;
    assert_eq!(r.status(), 200);
    let opened = app.slack.calls_to("views.open");
    let view = &opened[0].body["view"];
    let picker = block(view, "template").expect("a template picker");
    assert_eq!(picker["dispatch_action"], true);
    let options: Vec<&str> = picker["element"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_str().unwrap())
        .collect();
    assert_eq!(options, ["default", "platform"], "the default first");
    assert_eq!(picker["element"]["initial_option"]["value"], "default");
    assert_eq!(view["private_metadata"], "default");
    assert!(block(view, "stage_6_bar_raiser_who").is_some());
    assert!(!view.to_string().contains("\"stage_7_"), "six stages");
    assert!(block(view, "design_prompt").is_none());

    // Picking the platform loop redraws the form for its ten stages.
    let mut typed = platform_form("");
    typed["candidate_name"]["value"]["value"] = json!("Ana Lima-Souza");
    let payload = json!({
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": RECRUITER, "team_id": TEAM},
        "api_app_id": "A0STAFFLOOP",
        "trigger_id": "7777.8888.trigger",
        "container": {"type": "view", "view_id": "V0OPEN001"},
        "view": {"id": "V0OPEN001", "hash": "1712.abcd", "type": "modal",
                 "callback_id": "staffloop_open_loop", "private_metadata": "default",
                 "state": {"values": typed}},
        "actions": [{"type": "static_select", "action_id": "open_template", "block_id": "template",
                     "selected_option": {"value": "platform", "text": {"type": "plain_text", "text": "Platform staff loop"}},
                     "action_ts": "1"}]
    });
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
    let r = app
        .post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            body,
        )
        .await;
    assert_eq!(r.status(), 200);
    let update = app
        .slack
        .wait_for(10, "the redrawn form", |c| {
            c.iter().any(|c| c.method == "views.update")
        })
        .await
        .into_iter()
        .find(|c| c.method == "views.update")
        .unwrap();
    assert_eq!(update.body["view_id"], "V0OPEN001");
    assert_eq!(
        update.body["hash"], "1712.abcd",
        "never overwrites a newer form"
    );
    let view = &update.body["view"];
    assert_eq!(view["private_metadata"], "platform");
    assert_eq!(
        block(view, "template").unwrap()["element"]["initial_option"]["value"],
        "platform"
    );
    assert_eq!(
        block(view, "candidate_name").unwrap()["element"]["initial_value"],
        "Ana Lima-Souza",
        "what was typed stays"
    );
    for (position, kind) in [
        (1, "hm_screen"),
        (2, "design_doc"),
        (3, "deep_dive"),
        (4, "coding"),
        (5, "coding"),
        (6, "system_design"),
        (7, "cross_team"),
        (8, "behavioural"),
        (9, "bar_raiser"),
        (10, "presentation"),
    ] {
        assert!(
            block(view, &format!("stage_{position}_{kind}_who")).is_some(),
            "stage {position}"
        );
    }
    assert!(
        block(view, "stage_2_design_doc_at").is_none(),
        "the document has no time"
    );
    assert_eq!(
        block(view, "stage_5_coding_who").unwrap()["label"]["text"],
        "5. Pairing session · 60 min"
    );
    assert!(block(view, "design_prompt").is_some());
    // The template's own warnings are in the form before anything is typed.
    let text = view.to_string();
    assert!(text.contains("Stage 5 (Pairing session): a second coding round"));
    assert!(text.contains(
        "Stage 8 (Leadership principles): a behavioural round next to the cross-team round"
    ));
    assert!(
        text.contains("Stage 10 (Past work): a presentation round"),
        "{text}"
    );
    assert!(text.contains("8 h of live interviews"), "{text}");
    assert!(block(view, "acknowledge").is_some());
}

#[tokio::test]
async fn a_loop_from_a_template_warns_then_opens_with_its_own_stages() {
    let (app, clock) = spawn(Some("S0HIRING1")).await;
    app.slack.script(
        "usergroups.users.list",
        [
            Scripted::Answer(json!({"ok": true, "users": [HM, BAR]})),
            Scripted::Answer(json!({"ok": true, "users": [HM, BAR]})),
        ],
    );
    let form = platform_form("Design Twitter for our engineers");
    let r = submit_view(
        &app,
        RECRUITER,
        "V0PLATFORM",
        "staffloop_open_loop",
        "platform",
        &form,
    )
    .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["response_action"], "errors", "{v}");
    let errors = v["errors"].as_object().unwrap();
    let says = |block: &str, what: &str| {
        assert!(
            errors
                .get(block)
                .and_then(Value::as_str)
                .is_some_and(|t| t.contains(what)),
            "{block} should say {what:?}: {v}"
        )
    };
    says("stage_5_coding_who", "a second coding round");
    says(
        "stage_8_behavioural_who",
        "behavioural round next to the cross-team round",
    );
    says("design_prompt", "stock one (\"twitter\")");
    says(
        "stage_9_bar_raiser_who",
        "the person chosen is in the hiring team",
    );
    says(
        "stage_10_presentation_who",
        "a presentation round, and the template does not say the role presents",
    );
    says("acknowledge", "8 h of live interviews");
    says("acknowledge", "of interviewer time");
    says("acknowledge", "tick this box");
    // The group was read with a GET, as Slack's read methods want.
    let lookups = app.slack.calls_to("usergroups.users.list");
    assert_eq!(lookups.len(), 1);
    assert_eq!(lookups[0].body["usergroup"], "S0HIRING1");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM loops").await, 0);

    // Ticked: the loop opens, and the plan shows what the form did.
    let mut form = form;
    acknowledge(&mut form);
    let r = submit_view(
        &app,
        RECRUITER,
        "V0PLATFORM",
        "staffloop_open_loop",
        "platform",
        &form,
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "");
    let calls = app
        .slack
        .wait_for(15, "the plan", |c| {
            c.iter().filter(|c| c.method == "chat.postMessage").count() >= 2
        })
        .await;
    let plan = calls
        .iter()
        .find(|c| c.method == "chat.postMessage" && message_text(&c.body).contains("Template:"))
        .expect("the plan names its template");
    let text = message_text(&plan.body);
    for expected in [
        "Platform staff loop",
        "*5. Pairing session* · 60 min",
        "*6. Architecture* · 60 min",
        "*8. Leadership principles* · 45 min",
        "4–6 h of candidate time",
        "System-design prompt:* Design Twitter for our engineers",
        "Where this loop departs from a staff loop",
        "a second coding round",
        "stock one",
        "is in the hiring team",
        "a presentation round",
        "behavioural round next to the cross-team round",
        "8 h of live interviews",
        "of interviewer time, above the ten hours",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    let titles: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT position, kind, title FROM stages ORDER BY position")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(titles.len(), 10);
    assert_eq!(titles[4], (5, "coding".into(), "Pairing session".into()));
    assert_eq!(
        titles[5],
        (6, "system_design".into(), "Architecture".into())
    );

    // The evening before, every prep is out: the architecture panel's
    // carries its stage's guide.
    let d = interview_day();
    clock.set(chrono::Utc.timestamp_opt(d - 12 * H, 0).unwrap());
    app.settle().await;
    let calls = app.slack.calls();
    let prep = dms_to(&calls, ARCHITECT);
    let prep = prep.iter().map(Value::to_string).collect::<String>();
    assert!(prep.contains("Architecture"), "{prep}");
    assert!(
        prep.contains("Bring a problem from the payments domain"),
        "{prep}"
    );
    assert!(prep.contains("Architectural decision quality"), "{prep}");
    assert!(
        !prep.contains("Cross-team influence"),
        "only what it probes: {prep}"
    );

    // Status lists the template's stages by their titles.
    let channel = app.loop_channel().await;
    let status = app.command_json(HM, &channel, "status").await.to_string();
    assert!(
        status.contains("5. Pairing session") && status.contains("10. Past work"),
        "{status}"
    );

    // The pairing session (the second coding round) ends by its number,
    // while the first coding round is still on (it ends at 13:30).
    clock.set(chrono::Utc.timestamp_opt(d + 3 * H, 0).unwrap());
    let v = app.command_json(HM, &channel, "done 5").await;
    assert!(v.to_string().contains("Pairing session"), "{v}");
    let calls = app
        .slack
        .wait_for(10, "the pairing prompt", |c: &[Call]| {
            !prompts_to(c, CODER2).is_empty()
        })
        .await;
    let prompt = prompts_to(&calls, CODER2)[0].to_string();
    assert!(prompt.contains("Pairing session"), "{prompt}");
    assert!(
        prompts_to(&calls, CODER).is_empty(),
        "the first round is not over"
    );
    // Its card is the coding card, stored against this stage.
    let stage: i64 = sqlx::query_scalar("SELECT id FROM stages WHERE position = 5")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let r = submit_view(
        &app,
        CODER2,
        "V0PAIRCARD",
        "staffloop_scorecard",
        &stage.to_string(),
        &card_values("coding", 3, "staff", "PAIRING-EVIDENCE"),
    )
    .await;
    assert_eq!(r.text().await.unwrap(), "");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM scorecards WHERE stage_id = {stage}"
        ))
        .await,
        1
    );
    app.settle().await;
    let calls = app.slack.calls();
    let note = calls
        .iter()
        .filter(|c| c.method == "chat.postMessage" && c.body["channel"] == channel.as_str())
        .map(|c| c.body.to_string())
        .find(|t| t.contains(CODER2))
        .expect("the channel hears the card is in");
    assert!(note.contains("Pairing session"), "{note}");
    assert!(!calls
        .iter()
        .any(|c| c.body.to_string().contains("PAIRING-EVIDENCE")));

    // "coding" names two stages: a swap takes the one the person sits on
    // (here the pairing session, whose card is in, so it stays).
    let v = app
        .command_json(
            HM,
            &channel,
            &format!("swap coding <@{CODER2}> <@UNEWBIE01>"),
        )
        .await;
    assert!(
        v.to_string()
            .contains("already submitted the Pairing session scorecard"),
        "{v}"
    );
    // A stage by its title: the architecture round moves, with its end.
    let architecture: i64 = sqlx::query_scalar("SELECT id FROM stages WHERE position = 6")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let to = chrono::Utc.timestamp_opt(d + 7 * H + 30 * 60, 0).unwrap();
    let v = app
        .command_json(
            HM,
            &channel,
            &format!("reschedule architecture {}", to.format("%Y-%m-%d %H:%M")),
        )
        .await;
    assert!(
        v.to_string().contains("The *Architecture* now starts"),
        "{v}"
    );
    let end: i64 = sqlx::query_scalar(&format!(
        "SELECT due_at FROM jobs WHERE dedupe_key = 'stage_end:{architecture}'"
    ))
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(end, to.timestamp() + 60 * 60, "its own length, 60 min");
}

#[tokio::test]
async fn without_a_group_or_a_generic_prompt_the_default_loop_opens_at_once() {
    let (app, _clock) = spawn(None).await;
    // A form submitted without a template (opened before templates) is
    // read as the default loop.
    let r = app
        .submit(RECRUITER, "V0DEFAULT", &loop_form("Bo Chen"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "");
    assert!(app.slack.calls_to("usergroups.users.list").is_empty());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM stages").await, 6);
    let default = Template::default_template();
    let stored: String = sqlx::query_scalar("SELECT template_name FROM loops")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, default.name);

    // The old word for the cross-team round still finds it.
    app.slack
        .wait_for(15, "the channel", |c: &[Call]| {
            c.iter().any(|c| c.method == "conversations.create")
        })
        .await;
    app.settle().await;
    let channel = app.loop_channel().await;
    let v = app.command_json(HM, &channel, "done behavioural").await;
    assert!(v.to_string().contains("Cross-team influence"), "{v}");
}
