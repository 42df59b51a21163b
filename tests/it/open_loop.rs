//! `/staffloop open` end to end: the modal, every field error, the stored
//! loop, and what Slack receives (channel, invites, topic, plan, DM).

use crate::common::fake_slack::Call;
use crate::common::*;
use serde_json::{json, Value};

const ORIGIN: &str = "C0HIRING1";

fn methods(calls: &[Call]) -> Vec<&str> {
    calls.iter().map(|c| c.method.as_str()).collect()
}

/// Waits until the loop's five effects (create, invite, topic, plan, DM) are delivered.
async fn delivered(app: &TestApp, loops: usize) -> Vec<Call> {
    app.slack
        .wait_for(15, "loop effects", |c| {
            c.iter().filter(|c| c.method == "chat.postMessage").count() >= 2 * loops
        })
        .await
}

#[tokio::test]
async fn open_shows_the_form_prefilled() {
    let app = TestApp::spawn().await;
    let r = app.command(RECRUITER, ORIGIN, "open José Núñez").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text().await.unwrap(),
        "",
        "the modal is the answer; no message"
    );
    let opens = app.slack.calls_to("views.open");
    assert_eq!(opens.len(), 1);
    assert_eq!(opens[0].authorization, "Bearer xoxb-test-token");
    let body = &opens[0].body;
    assert_eq!(body["trigger_id"], "1111.2222.trigger");
    let view = &body["view"];
    assert_eq!(view["type"], "modal");
    assert_eq!(view["callback_id"], "staffloop_open_loop");
    let blocks = view["blocks"].as_array().unwrap();
    let block = |id: &str| {
        blocks
            .iter()
            .find(|b| b["block_id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        block("candidate_name")["element"]["initial_value"],
        "José Núñez"
    );
    assert_eq!(
        block("applied_level")["element"]["initial_option"]["value"],
        "staff"
    );
    assert_eq!(
        block("hiring_manager")["element"]["initial_user"],
        RECRUITER
    );
    for stage in [
        "1_hm_screen",
        "2_design_doc",
        "3_deep_dive",
        "4_coding",
        "5_cross_team",
        "6_bar_raiser",
    ] {
        assert_eq!(
            block(&format!("stage_{stage}_who"))["element"]["type"],
            "multi_users_select"
        );
    }
    assert_eq!(
        block("stage_3_deep_dive_at")["element"]["type"],
        "datetimepicker"
    );
    assert!(
        block("stage_2_design_doc_at").is_null(),
        "the document is async"
    );
    assert_eq!(block("debrief_at")["element"]["type"], "datetimepicker");
    assert_eq!(block("design_doc_url")["optional"], true);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM loops").await,
        0,
        "nothing stored yet"
    );
}

#[tokio::test]
async fn a_failed_views_open_gets_a_clear_answer() {
    let app = TestApp::spawn().await;
    app.slack.script(
        "views.open",
        [fake_slack::Scripted::Error("expired_trigger_id")],
    );
    let v = app.command_json(RECRUITER, ORIGIN, "open Ana").await;
    assert_eq!(v["response_type"], "ephemeral");
    assert!(v["text"].as_str().unwrap().contains("expired_trigger_id"));
}

#[tokio::test]
async fn submitting_opens_a_private_channel_with_the_plan() {
    let app = TestApp::spawn().await;
    let r = app
        .submit(RECRUITER, "V0OPEN001", &loop_form("José Núñez"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "", "an empty 200 closes the modal");
    let calls = delivered(&app, 1).await;
    assert_eq!(
        methods(&calls),
        [
            "conversations.create",
            "conversations.invite",
            "conversations.setTopic",
            "chat.postMessage",
            "chat.postMessage"
        ],
        "in order: the channel exists before anything uses it"
    );
    let create = &calls[0].body;
    assert_eq!(create["name"], "loop-jose-nunez");
    assert_eq!(create["is_private"], true);
    let channel = "C00000001";

    let invite = &calls[1].body;
    assert_eq!(invite["channel"], channel);
    let mut invited: Vec<&str> = invite["users"].as_str().unwrap().split(',').collect();
    invited.sort();
    let mut expected = vec![HM, DOC, STAFF, CODER, XTEAM, BAR];
    expected.sort();
    assert_eq!(invited, expected, "the HM and every interviewer, once each");

    assert_eq!(calls[2].body["channel"], channel);
    assert!(calls[2].body["topic"]
        .as_str()
        .unwrap()
        .contains("José Núñez"));

    let plan = &calls[3].body;
    assert_eq!(plan["channel"], channel);
    let text = message_text(plan);
    let order = [
        "1. Hiring-manager screen",
        "2. Written design document",
        "3. Design-document deep-dive",
        "4. Coding round",
        "5. Cross-team influence",
        "6. Bar raiser",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|s| text.find(s).unwrap_or_else(|| panic!("{s} missing")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "stages in order");
    for who in [HM, DOC, STAFF, CODER, XTEAM, BAR] {
        assert!(
            text.contains(&format!("<@{who}>")),
            "{who} named in the plan"
        );
    }
    assert!(text.contains("75 min"), "lengths");
    assert!(
        text.contains(&format!("<!date^{}^", interview_day())),
        "times, in each reader's zone"
    );
    assert!(
        text.contains("1 Scope of judgement, 2 Architectural decision quality"),
        "what stages probe"
    );
    assert!(text.contains("3 Cross-team influence, 4 Technical mentorship at distance"));
    assert!(text.contains("coding card"));
    assert!(text.contains("5 h of live interviews"), "candidate hours");
    assert!(text.contains("4–8 h on the written document"));
    assert!(
        text.contains("9 h 15 min of interviewer time"),
        "interviewer hours"
    );
    assert!(text.contains("locked and hidden"), "the privacy rule");
    assert!(text.contains("https://docs.example.com/workflow-engine"));
    assert!(
        !text.contains("not on the day of the last interview"),
        "same-day debrief: no warning"
    );
    assert!(plan["blocks"].as_array().unwrap().len() <= 50);

    let dm = &calls[4].body;
    assert_eq!(
        dm["channel"], RECRUITER,
        "the opener is told where the channel is"
    );
    assert!(dm.to_string().contains(&format!("<#{channel}>")));

    // Slack has the DM; its row is marked done just after.
    app.settle().await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM loops").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM stages").await, 6);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM stage_interviewers").await,
        7
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'done'")
            .await,
        5
    );
}

async fn errors_for(app: &TestApp, form: &Value) -> Value {
    let r = app.submit(RECRUITER, "V0BAD0001", form).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["response_action"], "errors", "{v}");
    v["errors"].clone()
}

#[tokio::test]
async fn every_field_error_lands_on_its_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let d = interview_day();

    let mut f = loop_form("Ana");
    f["candidate_name"]["value"]["value"] = json!("   ");
    let e = errors_for(&app, &f).await;
    assert!(e["candidate_name"].as_str().unwrap().contains("name"));

    let mut f = loop_form("Ana");
    f["stage_4_coding_who"]["value"]["selected_users"] = json!([]);
    let e = errors_for(&app, &f).await;
    assert!(e["stage_4_coding_who"]
        .as_str()
        .unwrap()
        .contains("at least one interviewer"));

    let mut f = loop_form("Ana");
    f["stage_3_deep_dive_who"]["value"]["selected_users"] = json!([HM]);
    let e = errors_for(&app, &f).await;
    assert!(e["stage_3_deep_dive_who"]
        .as_str()
        .unwrap()
        .contains("panel of 2"));

    let mut f = loop_form("Ana");
    f["debrief_at"]["value"]["selected_date_time"] = json!(d + 3600);
    let e = errors_for(&app, &f).await;
    assert!(e["debrief_at"]
        .as_str()
        .unwrap()
        .contains("after the last interview"));

    // The coder also sits the bar-raiser slot, moved onto the coding hour.
    let mut f = loop_form("Ana");
    f["stage_6_bar_raiser_who"]["value"]["selected_users"] = json!([CODER]);
    f["stage_6_bar_raiser_at"]["value"]["selected_date_time"] = json!(d + 3 * 3600 + 900);
    let e = errors_for(&app, &f).await;
    let msg = e["stage_6_bar_raiser_who"].as_str().unwrap();
    assert!(
        msg.contains(&format!("<@{CODER}>")) && msg.contains("coding round"),
        "{msg}"
    );

    // Several problems at once are all reported.
    let mut f = loop_form("Ana");
    f["candidate_name"]["value"]["value"] = Value::Null;
    f["stage_1_hm_screen_at"]["value"] = Value::Null;
    f["design_doc_url"]["value"]["value"] = json!("javascript:alert(1)");
    let e = errors_for(&app, &f).await;
    assert_eq!(e.as_object().unwrap().len(), 3, "{e}");
    assert!(e["stage_1_hm_screen_at"].is_string());
    assert!(e["design_doc_url"].is_string());

    assert_eq!(app.scalar("SELECT COUNT(*) FROM loops").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox").await, 0);
    assert!(app.slack.calls().is_empty());
}

#[tokio::test]
async fn a_next_day_debrief_is_allowed_with_a_note() {
    let app = TestApp::spawn().await;
    let mut f = loop_form("Ana Lima");
    f["debrief_at"]["value"]["selected_date_time"] = json!(interview_day() + 24 * 3600);
    // The form says so first, beside the debrief, and asks for a tick; a
    // box ticked before the warning was ever shown does not skip it.
    let mut ticked = f.clone();
    acknowledge(&mut ticked);
    let first: Value = app
        .submit(RECRUITER, "V0NEXTDAY", &ticked)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["response_action"], "errors", "{first}");
    let errors = first["errors"].as_object().unwrap();
    assert!(errors["debrief_at"]
        .as_str()
        .unwrap()
        .contains("not on the day of the last interview"));
    assert!(errors["acknowledge"]
        .as_str()
        .unwrap()
        .contains("tick this box"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM loops").await, 0);
    acknowledge(&mut f);
    assert_eq!(app.submit(RECRUITER, "V0NEXTDAY", &f).await.status(), 200);
    let calls = delivered(&app, 1).await;
    let plan = calls
        .iter()
        .find(|c| c.method == "chat.postMessage")
        .unwrap();
    assert!(message_text(&plan.body).contains("not on the day of the last interview"));
}

#[tokio::test]
async fn a_replayed_submission_opens_one_loop() {
    let app = TestApp::spawn().await;
    let form = loop_form("Ana Lima");
    let (a, b) = tokio::join!(
        app.submit(RECRUITER, "V0SAME001", &form),
        app.submit(RECRUITER, "V0SAME001", &form)
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    assert_eq!(
        app.submit(RECRUITER, "V0SAME001", &form).await.status(),
        200
    );
    delivered(&app, 1).await;
    app.settle().await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM loops").await, 1);
    assert_eq!(app.slack.calls_to("conversations.create").len(), 1);
    assert_eq!(app.slack.calls_to("chat.postMessage").len(), 2);
}

#[tokio::test]
async fn a_taken_name_gets_a_numeric_suffix() {
    let app = TestApp::spawn().await;
    app.slack.take_channel_name("loop-jose-nunez");
    assert_eq!(
        app.submit(RECRUITER, "V0TAKEN01", &loop_form("José Núñez"))
            .await
            .status(),
        200
    );
    let calls = delivered(&app, 1).await;
    let creates: Vec<&str> = calls
        .iter()
        .filter(|c| c.method == "conversations.create")
        .map(|c| c.body["name"].as_str().unwrap())
        .collect();
    assert_eq!(creates, ["loop-jose-nunez", "loop-jose-nunez-2"]);
    let name: String = sqlx::query_scalar("SELECT channel_name FROM loops")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(name, "loop-jose-nunez-2");
}

/// A crash after Slack made the channel but before the bot noted it: the
/// retry is told the name is taken, finds the channel the bot itself made
/// with that name, and adopts it instead of orphaning it for a "-2".
#[tokio::test]
async fn a_channel_made_before_a_crash_is_adopted_not_orphaned() {
    let app = TestApp::spawn().await;
    let made = app.slack.bot_made_channel("loop-jose-nunez");
    assert_eq!(
        app.submit(RECRUITER, "V0ADOPT01", &loop_form("José Núñez"))
            .await
            .status(),
        200
    );
    let calls = delivered(&app, 1).await;
    let creates: Vec<&str> = calls
        .iter()
        .filter(|c| c.method == "conversations.create")
        .map(|c| c.body["name"].as_str().unwrap())
        .collect();
    assert_eq!(creates, ["loop-jose-nunez"], "no second channel");
    assert!(calls.iter().any(|c| c.method == "conversations.list"));
    let (name, id): (String, String) = sqlx::query_as("SELECT channel_name, channel_id FROM loops")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(
        (name.as_str(), id.as_str()),
        ("loop-jose-nunez", made.as_str())
    );
    let plan = calls
        .iter()
        .find(|c| c.method == "conversations.setTopic")
        .unwrap();
    assert_eq!(plan.body["channel"], made.as_str());
}

/// Invites go out with `force`, so one deactivated person does not keep
/// the panel out; the opener hears who was skipped and why. A step Slack
/// refuses for good is reported to the opener in plain words too.
#[tokio::test]
async fn the_opener_hears_what_could_not_be_done_and_why() {
    use crate::common::fake_slack::Scripted;
    let app = TestApp::spawn().await;
    app.slack.script(
        "conversations.invite",
        [Scripted::Answer(
            json!({"ok": true, "channel": {"id": "C1"}, "errors": [
                {"user": XTEAM, "ok": false, "error": "user_is_inactive"}
            ]}),
        )],
    );
    app.slack.script(
        "conversations.setTopic",
        [Scripted::Error("restricted_action")],
    );
    assert_eq!(
        app.submit(RECRUITER, "V0FORCE01", &loop_form("Ana Lima"))
            .await
            .status(),
        200
    );
    let calls = app
        .slack
        .wait_for(15, "two notes to the opener", |c| {
            dms_to(c, RECRUITER)
                .iter()
                .filter(|d| d.to_string().contains(":warning:"))
                .count()
                >= 2
        })
        .await;
    let invite = calls
        .iter()
        .find(|c| c.method == "conversations.invite")
        .unwrap();
    assert_eq!(invite.body["force"], true);
    let notes: Vec<String> = dms_to(&calls, RECRUITER)
        .iter()
        .map(|d| d["text"].as_str().unwrap_or_default().to_string())
        .filter(|t| t.contains(":warning:"))
        .collect();
    assert!(
        notes
            .iter()
            .any(|t| t.contains(&format!("could not invite <@{XTEAM}>"))
                && t.contains("deactivated")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|t| t.contains("could not set the loop channel's topic")
                && t.contains("settings do not allow")),
        "{notes:?}"
    );
    // The rest of the loop went ahead: the plan is posted.
    app.settle().await;
    assert!(app
        .slack
        .calls()
        .iter()
        .any(|c| c.method == "chat.postMessage" && c.body.to_string().contains("start_debrief")));
}

#[tokio::test]
async fn concurrent_opens_of_one_name_get_distinct_channels() {
    let app = TestApp::spawn().await;
    let form = loop_form("Ana Lima");
    let (a, b, c) = tokio::join!(
        app.submit(RECRUITER, "V0CONC001", &form),
        app.submit(RECRUITER, "V0CONC002", &form),
        app.submit(RECRUITER, "V0CONC003", &form)
    );
    assert_eq!(
        (
            a.status().as_u16(),
            b.status().as_u16(),
            c.status().as_u16()
        ),
        (200, 200, 200)
    );
    let calls = delivered(&app, 3).await;
    let mut names: Vec<&str> = calls
        .iter()
        .filter(|c| c.method == "conversations.create")
        .map(|c| c.body["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["loop-ana-lima", "loop-ana-lima-2", "loop-ana-lima-3"]
    );
}

#[tokio::test]
async fn a_hostile_name_pings_nobody_and_stays_a_safe_channel_name() {
    let app = TestApp::spawn().await;
    let hostile = format!(
        "<!channel> <!here> <@{HM}> &amp; 🙂 \u{202E}evil\u{202C} נועה {}",
        "x".repeat(230)
    );
    assert!(hostile.chars().count() <= 300);
    assert_eq!(
        app.submit(RECRUITER, "V0HOSTILE", &loop_form(&hostile))
            .await
            .status(),
        200
    );
    let calls = delivered(&app, 1).await;
    let everything = app.slack.everything();
    for forbidden in ["<!channel>", "<!here>", "\u{202E}"] {
        assert!(
            !everything.contains(forbidden),
            "{forbidden:?} reached Slack"
        );
    }
    assert!(
        everything.contains("&lt;!channel&gt;"),
        "shown as text instead"
    );
    let name = calls[0].body["name"].as_str().unwrap();
    assert!(name.len() <= 80);
    assert!(
        name.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
        "{name}"
    );
    assert!(name.starts_with("loop-channel-here-"), "{name}");
    // The HM's mention appears only where we put it (summary, stages), never from the name.
    let plan = message_text(&calls[3].body);
    assert!(plan.contains("&lt;@UHM000001&gt;"));
    // Over 300 characters is refused.
    let e = errors_for(&app, &loop_form(&"y".repeat(301))).await;
    assert!(e["candidate_name"].is_string());
}

#[tokio::test]
async fn status_lists_who_submitted_never_what() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.submit(RECRUITER, "V0STATUS1", &loop_form("Ana Lima"))
            .await
            .status(),
        200
    );
    delivered(&app, 1).await;
    let channel: String = sqlx::query_scalar("SELECT channel_id FROM loops")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    // One card is in: status shows that it is, with nothing of its content.
    sqlx::query(
        "INSERT INTO scorecards (loop_id, stage_id, interviewer, recommendation, content, submitted_at) \
         SELECT s.loop_id, s.id, $1, 'senior_staff', 'SECRET-EVIDENCE-TEXT', 1 FROM stages s WHERE s.kind = 'coding'",
    )
    .bind(CODER)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    let v = app.command_json(HM, &channel, "status").await;
    assert_eq!(v["response_type"], "ephemeral");
    let shown = v.to_string();
    assert!(shown.contains("1 of 7 scorecards in"), "{shown}");
    assert!(shown.contains(&format!(":white_check_mark: <@{CODER}>")));
    assert!(shown.contains(&format!(":hourglass_flowing_sand: <@{BAR}>")));
    assert!(!shown.contains("SECRET-EVIDENCE-TEXT") && !shown.contains("senior_staff"));

    let v = app.command_json(HM, ORIGIN, "status").await;
    assert!(v["text"].as_str().unwrap().contains("isn't a loop channel"));
}
