//! The audit of past hires: its form, the check-in DM, the admin's note
//! with the close button, and the report.

use super::{
    action_id, actions, button, choice, context, header, input, message, modal, modal_view,
    option as choice_item, pack_sections, plain, section,
};
use crate::domain::audit::{DimensionFinding, Hire};
use crate::domain::Level;
use crate::messages as m;
use crate::slack::mrkdwn::{escape, truncate};
use crate::slack::payload::ViewState;
use crate::store::audits::HireRow;
use serde_json::Value;
use slack_morphism::blocks::{
    SlackBlock, SlackBlockButtonStyle, SlackBlockCheckboxesElement, SlackBlockChoiceItem,
    SlackBlockPlainTextOnly, SlackBlockStaticSelectElement, SlackBlockUsersSelectElement,
};

pub const CALLBACK_ID: &str = "staffloop_audit";
pub const CHECKIN_CALLBACK_ID: &str = "staffloop_checkin";
pub const CHECKIN_ACTION: &str = "open_checkin";
pub const CLOSE_ACTION: &str = "close_audit";
pub const HIRES: usize = 3;
pub const POST_BLOCK: &str = "post";
const POST_VALUE: &str = "post";
const ACTION: &str = "value";
const MAX_OPTIONS: usize = super::limits::OPTIONS;
const MAX_OPTION_CHARS: usize = super::limits::OPTION_TEXT;

pub fn hire_block(i: usize) -> String {
    format!("hire_{}", i + 1)
}

pub fn judge_block(i: usize) -> String {
    format!("judge_{}", i + 1)
}

fn day(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn option(h: &HireRow) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    let level = Level::parse(&h.decided_level)
        .map(Level::title)
        .unwrap_or("staff");
    let text = m::hire_option(&h.candidate_name, level, &day(h.decided_at));
    choice_item(&truncate(&text, MAX_OPTION_CHARS), h.id)
}

/// The form, prefilled with the latest three hires and their hiring
/// managers as judges.
pub fn form(hires: &[HireRow]) -> Value {
    let offered: Vec<&HireRow> = hires.iter().take(MAX_OPTIONS).collect();
    let options: Vec<_> = offered.iter().map(|h| option(h)).collect();
    let mut blocks: Vec<SlackBlock> = vec![section(m::AUDIT_INTRO)];
    for i in 0..HIRES {
        let mut select = SlackBlockStaticSelectElement::new()
            .with_action_id(action_id(ACTION))
            .with_options(options.clone());
        let mut judge = SlackBlockUsersSelectElement::new().with_action_id(action_id(ACTION));
        if let Some(h) = offered.get(i) {
            select = select.with_initial_option(option(h));
            judge = judge.with_initial_user(h.hiring_manager.clone());
        }
        blocks.push(
            input(hire_block(i), &m::audit_hire_label(i + 1), select)
                .with_optional(i >= 2)
                .into(),
        );
        blocks.push(
            input(judge_block(i), &m::audit_judge_label(i + 1), judge)
                .with_optional(i >= 2)
                .with_hint(plain(m::AUDIT_JUDGE_HINT))
                .into(),
        );
    }
    let post = SlackBlockCheckboxesElement::new(vec![choice(m::AUDIT_POST_OPTION, POST_VALUE)])
        .with_action_id(action_id(ACTION));
    blocks.push(
        input(POST_BLOCK, m::AUDIT_POST_LABEL, post)
            .with_optional(true)
            .into(),
    );
    modal(modal_view(
        CALLBACK_ID,
        m::AUDIT_TITLE,
        m::AUDIT_SUBMIT,
        m::OPEN_CANCEL,
        blocks,
    ))
}

pub struct FormDraft {
    /// (hire's loop, judge) per row, either missing.
    pub rows: Vec<(Option<i64>, Option<String>)>,
    pub post: bool,
}

pub fn read_form(values: &Value) -> FormDraft {
    let state = ViewState(values);
    let rows = (0..HIRES)
        .map(|i| {
            let hire = state
                .selected_option(&hire_block(i), ACTION)
                .and_then(|v| v.parse().ok());
            let judge = values[judge_block(i)][ACTION]["selected_user"]
                .as_str()
                .map(str::to_string);
            (hire, judge)
        })
        .collect();
    let post = values[POST_BLOCK][ACTION]["selected_options"]
        .as_array()
        .is_some_and(|o| o.iter().any(|x| x["value"] == POST_VALUE));
    FormDraft { rows, post }
}

/// The DM that asks a judge for a check-in (or reminds them).
pub fn checkin_prompt(checkin_id: i64, hire: &str, months: Option<i64>, reminder: bool) -> Value {
    let hire = escape(hire);
    let lead = if reminder {
        format!(
            "{}\n{}",
            m::checkin_reminder(&hire),
            m::checkin_prompt(&hire, None)
        )
    } else {
        m::checkin_prompt(&hire, months)
    };
    let open = button(plain(m::CHECKIN_BUTTON), CHECKIN_ACTION, checkin_id)
        .with_style(SlackBlockButtonStyle::Primary);
    message(
        m::checkin_fallback(&hire),
        vec![
            section(&lead),
            actions(vec![open.into()]),
            context(m::CHECKIN_PRIVACY),
        ],
    )
}

/// To the admin who started the audit: who is asked, and the close button.
pub fn started(audit_id: i64, hires: &[(String, String)]) -> Value {
    let list = hires
        .iter()
        .map(|(hire, judge)| format!("{} (<@{judge}>)", escape(hire)))
        .collect::<Vec<_>>()
        .join(", ");
    let text = m::audit_started(&list);
    let close = button(plain(m::AUDIT_CLOSE_BUTTON), CLOSE_ACTION, audit_id);
    message(
        truncate(&text, super::MAX_SECTION_CHARS),
        vec![
            section(&text),
            actions(vec![close.into()]),
            context(m::AUDIT_CLOSE_NOTE),
        ],
    )
}

/// The audit's result: per dimension, who is weak on the job, what their
/// loops scored, and which of the verdicts it is.
/// `named`: for the admin's DM. The report channel gets it with the hires
/// as "Hire 1, 2, 3" and without the level each works at.
pub fn report(
    hires: &[Hire],
    findings: &[DimensionFinding],
    missing: &[String],
    asked: usize,
    named: bool,
) -> Value {
    let names: Vec<String> = hires
        .iter()
        .enumerate()
        .map(|(i, h)| match named {
            true => escape(&h.name),
            false => m::audit_hire_label(i + 1),
        })
        .collect();
    let mut lines = vec![
        m::audit_report_scope(hires.len(), asked, &names.join(", ")),
        String::new(),
    ];
    for f in findings {
        let who: Vec<String> = f.weak.iter().map(|i| names[*i].clone()).collect();
        lines.push(m::audit_dimension(
            f.dimension.title(),
            f.weak.len(),
            f.judged,
            &who.join(", "),
        ));
        if f.weak.len() >= crate::domain::audit::WEAK_HIRES_FOR_A_FINDING {
            for i in &f.weak {
                let probed = hires[*i].probed(f.dimension);
                let stages = if probed.is_empty() {
                    m::AUDIT_NOT_PROBED.to_string()
                } else {
                    probed
                        .iter()
                        .map(|(s, med, n)| {
                            m::audit_probe_stage(
                                &escape(&crate::domain::stage::display_title(s)),
                                *med,
                                *n,
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                lines.push(m::audit_probe(&names[*i], &stages));
            }
        }
        lines.push(format!("    {}", m::audit_verdict(f.verdict)));
    }
    lines.push(String::new());
    let working: Vec<String> = hires
        .iter()
        .zip(&names)
        .filter_map(|(h, n)| Some(format!("{n}: {}", h.working_at?.title())))
        .collect();
    if named && !working.is_empty() {
        lines.push(m::audit_working_at(&working.join(", ")));
    }
    if named && !missing.is_empty() {
        let missing: Vec<String> = missing.iter().map(|n| escape(n)).collect();
        lines.push(m::audit_missing_checkins(&missing.join(", ")));
    }
    let heading = m::audit_report_heading(asked);
    let mut blocks = vec![header(&heading)];
    blocks.extend(pack_sections(lines).iter().map(|s| section(s)));
    message(heading, blocks)
}
