//! Snapshots (`insta`) of the views the bot sends, built from fixed inputs:
//! a change to what people see shows up in review as a diff of the `.snap`
//! files beside this one. Every snapshot is also held to Slack's limits
//! (`limits::check`). Accept a deliberate change with
//! `INSTA_UPDATE=always cargo test --lib snapshots` and review the diff.

use super::limits::{check, Surface};
use super::*;
use crate::domain::practice::{self as pr, Scored};
use crate::domain::scorecard::{Card, Score};
use crate::domain::votes::{Move, OwnCard};
use crate::domain::{Criterion, Dimension, Level, Rubric, StageKind, StageSpec};
use serde_json::Value;

const WHEN: i64 = 1_795_000_000;

fn within_limits(surface: Surface, v: &Value) {
    let broken = check(surface, v);
    assert!(broken.is_empty(), "{broken:#?}");
}

fn message(name: &str, v: Value) {
    within_limits(Surface::Message, &v);
    insta::assert_json_snapshot!(name, v);
}

fn modal(name: &str, v: Value) {
    within_limits(Surface::Modal, &v);
    insta::assert_json_snapshot!(name, v);
}

/// A practice card: who, a score per dimension, a level call.
fn scored(who: &str, s: [u8; 4], l: Level) -> Scored {
    Scored {
        who: who.into(),
        scores: Dimension::ALL.iter().copied().zip(s).collect(),
        level: l,
    }
}

fn card(scores: &[(&str, u8)], recommendation: &str) -> Card {
    Card {
        scores: scores
            .iter()
            .map(|(c, s)| Score {
                criterion: c.to_string(),
                score: *s,
                evidence: format!("Named the {c} trade-off and costed it."),
            })
            .collect(),
        recommendation: recommendation.into(),
        work_with: None,
    }
}

#[test]
fn scorecard_views() {
    let rubric = Rubric::default_rubric();
    let spec = StageSpec::default_for(StageKind::DeepDive);
    message(
        "scorecard_prompt",
        scorecard::prompt(&spec, "Ana Lima", 7, None),
    );
    message(
        "scorecard_reminder",
        scorecard::prompt(&spec, "Ana Lima", 7, Some(4)),
    );
    message(
        "scorecard_locked",
        scorecard::locked(&spec, "Ana Lima", 7, WHEN),
    );
    modal(
        "scorecard_modal_deep_dive",
        scorecard::modal(&rubric, &spec, "Ana Lima", 7),
    );
    modal(
        "scorecard_modal_bar_raiser",
        scorecard::modal(
            &rubric,
            &StageSpec::default_for(StageKind::BarRaiser),
            "Ana Lima",
            8,
        ),
    );
    modal(
        "scorecard_addendum",
        scorecard::addendum_modal(&spec, "Ana Lima", 7),
    );
    modal(
        "practice_card",
        scorecard::practice_modal(&rubric, 'A', practice::CARD_CALLBACK_ID, "3:0"),
    );
    modal(
        "checkin_modal",
        scorecard::checkin_modal(&rubric, "Ines Duarte", audit::CHECKIN_CALLBACK_ID, "5"),
    );
}

#[test]
fn debrief_gate_decision_and_status() {
    message("gate_ask", gate::ask("Ana Lima", 3));
    message(
        "debrief_confirm_not_held",
        debrief::confirm("Ana Lima", 3, &[("Bar raiser".into(), Some(WHEN))]),
    );
    let mech = crate::domain::votes::Mechanical {
        cards: Some(Level::Staff),
        votes: Some((Level::Senior, 4)),
        vote_opened: true,
        vote_closed: true,
    };
    message(
        "decision_proposal",
        decision::proposal(Level::Staff, Level::Senior, 9, &mech),
    );
    message(
        "status",
        status::message(
            "Ana Lima",
            &[status::StageLine {
                title: "Technical deep-dive".into(),
                position: 3,
                starts_at: Some(WHEN),
                interviewers: vec![("UHM".into(), true), ("USTAFF".into(), false)],
            }],
        ),
    );
}

fn reveal_cards() -> Vec<reveal::CardView> {
    vec![
        reveal::CardView {
            index: 1,
            interviewer: "UHM".into(),
            stage: StageKind::DeepDive,
            stage_title: "Technical deep-dive".into(),
            card: card(
                &[("scope_of_judgement", 3), ("architectural_decisions", 4)],
                "staff",
            ),
            submitted_at: WHEN,
            late_by: None,
            addenda: Vec::new(),
        },
        reveal::CardView {
            index: 2,
            interviewer: "UCODER".into(),
            stage: StageKind::Coding,
            stage_title: "Coding round".into(),
            card: card(&[("diagnostic_thinking", 2), ("throughput", 3)], "senior"),
            submitted_at: WHEN,
            late_by: None,
            addenda: Vec::new(),
        },
    ]
}

#[test]
fn reveal_table() {
    let views = reveal_cards();
    message(
        "reveal_score_table",
        reveal::score_table(&views, "Ana Lima"),
    );
    let rubric = Rubric::default_rubric();
    for (i, m) in reveal::card_replies(&rubric, &views[0])
        .into_iter()
        .enumerate()
    {
        message(&format!("reveal_card_reply_{i}"), m);
    }
}

#[test]
fn app_home() {
    let v = home::view(
        &[home::Pending {
            stage_id: 7,
            stage: "Technical deep-dive".into(),
            candidate: "Ana Lima".into(),
        }],
        &[home::Submitted {
            stage: "Coding round".into(),
            candidate: "Ana Lima".into(),
            submitted_at: WHEN,
        }],
        &[home::HomeLoop {
            candidate_escaped: "Ana Lima".into(),
            channel_id: Some("C0LOOP1".into()),
            channel_name: "loop-ana-lima".into(),
            role: "hiring manager",
            submitted: 3,
            expected: 7,
        }],
    );
    within_limits(Surface::Home, &v);
    insta::assert_json_snapshot!("app_home", v);
}

#[test]
fn practice_debrief_views() {
    let past = vec![crate::store::calibrations::PastLoop {
        id: 4,
        candidate_name: "Ana Lima".into(),
        applied_level: "staff".into(),
        decided_level: "staff".into(),
        decided_at: WHEN,
        offer_outcome: Some("accepted".into()),
    }];
    modal(
        "practice_form",
        practice::form(&past, [Some(4), None], &["UP1".into(), "UP2".into()], WHEN),
    );
    message(
        "practice_intro",
        practice::intro(3, "UADMIN", &["UP1".into(), "UP2".into()], WHEN),
    );
    let cards = [practice::PacketCard {
        stage: "Technical deep-dive".into(),
        evidence: vec![(
            "Scope of judgement".into(),
            "Candidate A split the ledger; [interviewer] asked about rollback.".into(),
        )],
    }];
    for (i, m) in practice::packet(3, 0, WHEN, practice::Link::Withheld, &cards)
        .into_iter()
        .enumerate()
    {
        message(&format!("practice_packet_{i}"), m);
    }
    let panel = [
        scored("UP1", [3, 3, 2, 3], Level::Staff),
        scored("UP2", [4, 3, 2, 2], Level::Senior),
    ];
    let r = pr::packet(
        &panel,
        &[scored("UO1", [4, 3, 0, 0], Level::Staff)],
        Some(Level::Staff),
    );
    for (i, m) in practice::reveal(0, &r, 2, Some("accepted"), &[])
        .into_iter()
        .enumerate()
    {
        message(&format!("practice_reveal_{i}"), m);
    }
    message(
        "practice_summary",
        practice::summary(
            pr::overall_alpha(&[panel.to_vec()]),
            &pr::mean_offsets(std::slice::from_ref(&r)),
            &["UP1".into(), "UP2".into()],
            &["UP3".into()],
        ),
    );
}

#[test]
fn audit_views() {
    let hires = vec![crate::store::audits::HireRow {
        id: 1,
        candidate_name: "Ines Duarte".into(),
        decided_level: "staff".into(),
        decided_at: WHEN,
        hiring_manager: "UJ1".into(),
    }];
    modal("audit_form", audit::form(&hires));
    message(
        "audit_checkin_prompt",
        audit::checkin_prompt(5, "Ines Duarte", Some(6), false),
    );
    message(
        "audit_started",
        audit::started(2, &[("Ines Duarte".into(), "UJ1".into())]),
    );
    let hire = |name: &str, on_job: [u8; 4]| crate::domain::audit::Hire {
        name: name.into(),
        on_job: Dimension::ALL.iter().copied().zip(on_job).collect(),
        working_at: Some(Level::Senior),
        loop_scores: vec![("deep_dive".into(), Dimension::ArchitecturalDecisions, 4)],
    };
    let hires = [
        hire("Ines Duarte", [3, 2, 1, 3]),
        hire("Marco Bellini", [3, 2, 2, 3]),
    ];
    let findings = crate::domain::audit::audit(&hires);
    message(
        "audit_report_named",
        audit::report(&hires, &findings, &[], 2, true),
    );
    message(
        "audit_report_channel",
        audit::report(&hires, &findings, &[], 2, false),
    );
}

#[test]
fn final_vote_views() {
    let rubric = Rubric::default_rubric();
    message("vote_ask", votes::ask(3, "Ana Lima"));
    message("vote_opened", votes::opened(3, &["UA".into(), "UB".into()]));
    let own = OwnCard {
        level: Level::Staff,
        scores: vec![(Criterion::Dimension(Dimension::ScopeOfJudgement), 3)],
    };
    modal("vote_modal", votes::modal(&rubric, 3, "Ana Lima", &own));
    let cast = vec![crate::store::votes::Vote {
        voter: "UA".into(),
        card_level: "staff".into(),
        level: "senior".into(),
        reason: Some("The migration plan had no rollback.".into()),
        revisions: r#"[{"criterion":"scope_of_judgement","from":3,"to":2,"reason":"Narrower than I credited."}]"#.into(),
        submitted_at: WHEN,
    }];
    let moves = vec![Move {
        voter: "UA".into(),
        from: Level::Staff,
        to: Level::Senior,
        toward_median: false,
        toward_hiring_manager: true,
        toward_bar_raiser: false,
    }];
    message(
        "vote_results",
        votes::results(&rubric, &cast, &moves, &["UB".into()]),
    );
}

/// A plan as the open form gives it: the default template's six stages
/// back to back from `WHEN`, the debrief the same afternoon.
fn plan() -> crate::domain::LoopPlan {
    use serde_json::json;
    let templates = crate::domain::Templates::default();
    let t = templates.default_template();
    let users =
        |ids: &[&str]| json!({"value": {"type": "multi_users_select", "selected_users": ids}});
    let at = |ts: i64| json!({"value": {"type": "datetimepicker", "selected_date_time": ts}});
    let h = 3600;
    let values = json!({
        "candidate_name": {"value": {"type": "plain_text_input", "value": "Ana Lima"}},
        "applied_level": {"value": {"type": "static_select", "selected_option": {"value": "staff"}}},
        "hiring_manager": {"value": {"type": "users_select", "selected_user": "UHM"}},
        "stage_1_hm_screen_who": users(&["UHM"]),
        "stage_1_hm_screen_at": at(WHEN),
        "stage_2_design_doc_who": users(&["UDOC"]),
        "stage_3_deep_dive_who": users(&["UHM", "USTAFF"]),
        "stage_3_deep_dive_at": at(WHEN + h),
        "stage_4_coding_who": users(&["UCODER"]),
        "stage_4_coding_at": at(WHEN + 3 * h),
        "stage_5_cross_team_who": users(&["UXTEAM"]),
        "stage_5_cross_team_at": at(WHEN + 4 * h),
        "stage_6_bar_raiser_who": users(&["UBAR"]),
        "stage_6_bar_raiser_at": at(WHEN + 5 * h),
        "debrief_at": at(WHEN + 6 * h + 1800),
        "design_doc_url": {"value": {"type": "url_text_input", "value": "https://docs.example.com/workflow-engine"}}
    });
    open_loop::read(&values, t)
        .validate(t, WHEN - 86_400)
        .unwrap_or_else(|e| panic!("a valid form: {e:?}"))
}

#[test]
fn opening_a_loop() {
    let templates = crate::domain::Templates::default();
    let invoker = crate::domain::UserId::parse("URECRUIT1").expect("a user id");
    modal(
        "open_loop_form",
        open_loop::modal(
            &templates,
            templates.default_template(),
            "Ana Lima",
            &invoker,
        ),
    );
    let plan = plan();
    message("plan_message", plan::message(&plan, 3));
    message("plan_opened_dm", plan::opened_dm(&plan, "C0LOOP1"));
    insta::assert_snapshot!("plan_topic", plan::topic(&plan));
    let rubric = Rubric::default_rubric();
    message(
        "prep_deep_dive",
        prep::message(
            &rubric,
            &StageSpec::default_for(StageKind::DeepDive),
            "Ana Lima",
            WHEN,
            prep::Document::In {
                prompt_url: Some("https://docs.example.com/workflow-engine"),
            },
        ),
    );
}

/// A downlevel report over fixed counts: six staff applicants (two at
/// staff, three downlevelled, one no hire), none at senior staff, all
/// decided in the last of the twelve weeks.
fn report() -> crate::report::Report {
    use crate::domain::metrics::{self, Thresholds, Week};
    let t = Thresholds::default();
    let weeks: Vec<Week> = (0..12)
        .map(|i| Week {
            starts: WHEN - (12 - i) * 604_800,
            decisions: if i == 11 { 6 } else { 0 },
            at_level: if i == 11 { 2 } else { 0 },
            downlevel: if i == 11 { 3 } else { 0 },
            no_hire: if i == 11 { 1 } else { 0 },
            other: 0,
        })
        .collect();
    let none: Vec<Week> = weeks
        .iter()
        .map(|w| Week {
            decisions: 0,
            at_level: 0,
            downlevel: 0,
            no_hire: 0,
            ..w.clone()
        })
        .collect();
    crate::report::Report {
        team_id: "T1".into(),
        window_days: 90,
        from: WHEN - 90 * 86_400,
        to: WHEN,
        thresholds: t,
        rows: vec![
            metrics::row(
                Level::Staff,
                &[(Level::Staff, 2), (Level::Senior, 3), (Level::NoHire, 1)],
                &t,
            ),
            metrics::row(Level::SeniorStaff, &[], &t),
        ],
        shortfall: metrics::shortfall(
            &[(Dimension::CrossTeamInfluence, 3, 3)],
            &[(StageKind::CrossTeam, 6, 3)],
            3,
        ),
        weeks: weeks.clone(),
        weeks_by_level: vec![(Level::Staff, weeks), (Level::SeniorStaff, none)],
    }
}

#[test]
fn the_downlevel_report() {
    let r = report();
    message("report_ephemeral", report::ephemeral(&r));
    message(
        "report_weekly_post",
        report::post(&r, &[], None, (1, 6), "C0REPORTS"),
    );
    message(
        "report_weekly_charts",
        report::weekly_charts(&r, "C0REPORTS"),
    );
}

/// The reveal's summary over two cards: one staff, one senior; the
/// bar-raiser stage missing and the deep-dive's addendum flagged.
fn reveal_summary(mechanical: &crate::domain::votes::Mechanical) -> Vec<Value> {
    use crate::domain::reveal::{summarize, RevealCard};
    let rubric = Rubric::default_rubric();
    let views = reveal_cards();
    let cards: Vec<RevealCard> = views.iter().map(reveal::CardView::summary_card).collect();
    let r = summarize(&cards, &[("UBAR".into(), "Bar raiser".into())], None);
    reveal::summary(
        &rubric,
        "Ana Lima",
        Level::Staff,
        &r,
        &views,
        3,
        reveal::DecideRow {
            loop_id: 9,
            mechanical,
        },
    )
}

#[test]
fn the_reveal_summary_and_late_pieces() {
    let before_votes = crate::domain::votes::Mechanical {
        cards: Some(Level::Staff),
        votes: None,
        vote_opened: false,
        vote_closed: false,
    };
    let parts = reveal_summary(&before_votes);
    assert_eq!(parts.len(), 1, "a two-card summary is one message");
    message("reveal_summary", parts[0].clone());
    let after_votes = crate::domain::votes::Mechanical {
        cards: Some(Level::Staff),
        votes: Some((Level::Senior, 5)),
        vote_opened: true,
        vote_closed: true,
    };
    message(
        "reveal_summary_votes_closed",
        reveal_summary(&after_votes)[0].clone(),
    );
    let rubric = Rubric::default_rubric();
    let mut late = reveal_cards().remove(0);
    late.late_by = Some(5_400);
    late.addenda = vec![(
        "I forgot the rollback question; they answered it well.".into(),
        WHEN + 600,
    )];
    for (i, m) in reveal::card_replies(&rubric, &late).into_iter().enumerate() {
        message(&format!("reveal_late_card_reply_{i}"), m);
    }
    for (i, m) in reveal::late_addendum(
        &late,
        "On reflection the migration plan was sound.",
        WHEN + 7_200,
        7_200,
    )
    .into_iter()
    .enumerate()
    {
        message(&format!("reveal_late_addendum_{i}"), m);
    }
}

#[test]
fn more_debrief_decision_and_status() {
    message(
        "debrief_confirm_all_held",
        debrief::confirm("Ana Lima", 3, &[]),
    );
    let none = crate::domain::votes::Mechanical {
        cards: None,
        votes: None,
        vote_opened: false,
        vote_closed: false,
    };
    message(
        "decision_proposal_no_votes",
        decision::proposal(Level::SeniorStaff, Level::SeniorStaff, 10, &none),
    );
    // Once confirmed, the decision goes to the loop's channel as a note.
    let posted = crate::messages::decision_posted("Senior", "Staff", true, "<@UHM>");
    message("decision_confirmed_note", note(&posted));
    let corrected = format!(
        "{}\n{}",
        crate::messages::decision_corrected("Staff", "Senior", "<@UHM>"),
        crate::messages::decision_note("The references settled it.")
    );
    message("decision_corrected_note", note(&corrected));
    message("status_empty", status::message("Ana Lima", &[]));
}

#[test]
fn scorecard_modals_for_coding_and_the_design_doc() {
    let rubric = Rubric::default_rubric();
    for (name, kind) in [
        ("scorecard_modal_coding", StageKind::Coding),
        ("scorecard_modal_design_doc", StageKind::DesignDoc),
    ] {
        modal(
            name,
            scorecard::modal(&rubric, &StageSpec::default_for(kind), "Ana Lima", 7),
        );
    }
}

#[test]
fn app_home_with_nothing_yet() {
    let v = home::view(&[], &[], &[]);
    within_limits(Surface::Home, &v);
    insta::assert_json_snapshot!("app_home_empty", v);
}

#[test]
fn more_practice_debrief_views() {
    message(
        "practice_packet_empty",
        practice::packet(
            3,
            1,
            WHEN,
            practice::Link::Given("https://docs.example.com/b"),
            &[],
        )
        .remove(0),
    );
    modal(
        "practice_form_empty",
        practice::form(&[], [None, None], &[], WHEN),
    );
    let panel = [
        scored("UP1", [3, 3, 2, 3], Level::Staff),
        scored("UP2", [1, 3, 4, 2], Level::Senior),
    ];
    let r = pr::packet(
        &panel,
        &[scored("UO1", [4, 3, 0, 0], Level::Staff)],
        Some(Level::Senior),
    );
    let cards = [practice::PracticeCardView {
        participant: "UP1".into(),
        card: card(
            &[
                ("scope_of_judgement", 3),
                ("architectural_decisions", 3),
                ("cross_team_influence", 2),
                ("mentorship_at_distance", 3),
            ],
            "staff",
        ),
    }];
    for (i, m) in practice::reveal(1, &r, 2, None, &cards)
        .into_iter()
        .enumerate()
    {
        message(&format!("practice_reveal_b_{i}"), m);
    }
    message(
        "practice_summary_no_agreement",
        practice::summary(None, &[], &[], &["UP1".into(), "UP2".into()]),
    );
    // The DMs the practice debrief's effects send.
    message(
        "practice_card_note",
        note(&crate::messages::practice_card_note("<@UP1>", 'A', 1, 2)),
    );
    message(
        "practice_card_locked_dm",
        note(&crate::messages::practice_card_locked(
            'A',
            "Mon 9 Nov 2026",
        )),
    );
    message(
        "practice_failure_dm",
        note(&crate::messages::calibration_failure(
            "invite everyone to the calibration channel",
            &crate::messages::slack_error_words("user_is_restricted"),
        )),
    );
}

#[test]
fn more_audit_views() {
    message(
        "audit_checkin_reminder",
        audit::checkin_prompt(5, "Ines Duarte", Some(6), true),
    );
    modal("audit_form_empty", audit::form(&[]));
    message(
        "audit_checkin_locked_dm",
        note(&crate::messages::checkin_locked("Ines Duarte")),
    );
}

#[test]
fn more_prep_dms() {
    let rubric = Rubric::default_rubric();
    message(
        "prep_bar_raiser",
        prep::message(
            &rubric,
            &StageSpec::default_for(StageKind::BarRaiser),
            "Ana Lima",
            WHEN,
            prep::Document::NotNeeded,
        ),
    );
    message(
        "prep_deep_dive_doc_not_in",
        prep::message(
            &rubric,
            &StageSpec::default_for(StageKind::DeepDive),
            "Ana Lima",
            WHEN,
            prep::Document::NotYetIn,
        ),
    );
}

/// A second template beside the default, so the open form shows its picker.
const PLATFORM: &str = include_str!("snapshots/platform.template");

#[test]
fn the_open_form_with_a_template_picker() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("platform.template"), PLATFORM).expect("written");
    let templates = crate::domain::Templates::load_dir(dir.path()).expect("the template loads");
    let invoker = crate::domain::UserId::parse("URECRUIT1").expect("a user id");
    let platform = templates
        .all()
        .iter()
        .find(|t| t.id == "platform")
        .expect("the platform template");
    modal(
        "open_loop_form_platform",
        open_loop::modal(&templates, platform, "", &invoker),
    );
}

#[test]
fn the_weekly_report_fallbacks() {
    let r = report();
    let low = [crate::domain::calibration::Agreement {
        key: "cross_team_influence".into(),
        title: "Cross-team influence".into(),
        alpha: Some(0.41),
        loops: 8,
        units: 8,
    }];
    let stale = crate::report::Stale {
        stale: 4,
        active: 9,
        days: 180,
    };
    message(
        "report_weekly_post_low_agreement_stale",
        report::post(&r, &low, Some(stale), (0, 6), "C0REPORTS"),
    );
    // Nothing decided in the window: the report says so.
    let mut empty = report();
    for row in &mut empty.rows {
        *row = crate::domain::metrics::row(row.applied, &[], &empty.thresholds);
    }
    empty.shortfall = crate::domain::metrics::shortfall(&[], &[], 0);
    message(
        "report_weekly_post_nothing_decided",
        report::post(&empty, &[], None, (0, 0), "C0REPORTS"),
    );
    message(
        "report_ephemeral_nothing_decided",
        report::ephemeral(&empty),
    );
}

/// The calibration report over four cards from two loops, with a closed
/// final vote and one on-the-job check-in.
fn calibration_report() -> crate::report::CalibrationReport {
    use crate::domain::calibration::{calibration, Minimums, RatedCard};
    let rated = |loop_id: i64, who: &str, stage: &str, s: [i64; 2], rec: Level| RatedCard {
        loop_id,
        stage_id: loop_id * 10,
        stage: stage.into(),
        interviewer: who.into(),
        recommendation: Some(rec),
        decided: Some(Level::Staff),
        scores: vec![
            ("scope_of_judgement".into(), s[0]),
            ("architectural_decisions".into(), s[1]),
        ],
        lag_s: 5_400,
        evidence_chars: 640,
    };
    let cards = [
        rated(1, "UHM", "deep_dive", [3, 3], Level::Staff),
        rated(1, "USTAFF", "deep_dive", [2, 3], Level::Senior),
        rated(2, "UHM", "deep_dive", [3, 4], Level::Staff),
        rated(2, "USTAFF", "deep_dive", [3, 2], Level::Staff),
    ];
    let moves = vec![Move {
        voter: "USTAFF".into(),
        from: Level::Senior,
        to: Level::Staff,
        toward_median: true,
        toward_hiring_manager: true,
        toward_bar_raiser: false,
    }];
    crate::report::CalibrationReport {
        team_id: "T1".into(),
        window_days: 90,
        from: WHEN - 90 * 86_400,
        to: WHEN,
        calibration: calibration(&cards, Minimums::default()),
        drift: crate::domain::votes::drift(&[(moves, "UHM".into(), true)]),
    }
}

#[test]
fn the_calibration_report() {
    let r = calibration_report();
    message(
        "calibration_ephemeral",
        report::calibration_ephemeral(&r, None),
    );
    let corr = |d: Dimension, n: usize| crate::domain::audit::correlation(d, &[], n);
    let v = crate::report::ValidityReport {
        team_id: "T1".into(),
        hires: 1,
        checkins: 1,
        min_pairs: crate::domain::audit::MIN_VALIDITY_PAIRS,
        stages: vec![crate::report::ValidityRow {
            key: "deep_dive".into(),
            title: "Technical deep-dive".into(),
            dimensions: vec![corr(Dimension::ScopeOfJudgement, 1)],
        }],
        interviewers: vec![crate::report::ValidityRow {
            key: "UHM".into(),
            title: "UHM".into(),
            dimensions: vec![corr(Dimension::ArchitecturalDecisions, 1)],
        }],
    };
    message(
        "calibration_ephemeral_with_validity",
        report::calibration_ephemeral(&r, Some(&v)),
    );
}

#[test]
fn help_and_plain_replies() {
    message("help_usage", crate::handlers::help::view(None));
    message(
        "help_unknown_command",
        crate::handlers::help::view(Some("frobnicate `now`")),
    );
    let reply = crate::slack::Reply::ephemeral(crate::messages::outcome_recorded("accepted"));
    message("ephemeral_text", reply.body().cloned().expect("a body"));
    let errors = crate::slack::Reply::view_errors([(
        votes::REASON_BLOCK.to_string(),
        crate::messages::VOTE_REASON_MISSING.to_string(),
    )]);
    insta::assert_json_snapshot!("view_errors", errors.body().cloned().expect("a body"));
}

#[test]
fn notes_and_dms_the_effects_send() {
    use crate::messages as m;
    message(
        "note_submission",
        note(&m::channel_submitted(
            "<@USTAFF>",
            "Technical deep-dive",
            3,
            7,
        )),
    );
    message("note_vote_noted", note(&m::vote_noted("<@UA>", 2, 5)));
    message(
        "dm_failure_notice",
        note(&m::failure_notice(
            "Ana Lima",
            "invite everyone on the panel to its channel",
            &m::slack_error_words("user_is_restricted"),
        )),
    );
    message(
        "dm_swapped_off",
        note(&m::swap_told_old("Technical deep-dive", "Ana Lima")),
    );
    message(
        "dm_rescheduled",
        note(&m::reschedule_told(
            "Technical deep-dive",
            "Ana Lima",
            "Tue 10 Nov 2026, 14:00",
        )),
    );
    message("notice_text", text(m::DECISION_STALE));
}
