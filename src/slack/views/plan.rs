//! The loop plan posted in the candidate's channel, the channel topic, and the
//! note to whoever opened the loop.

use super::{actions, button, context, divider, duration, section, Envelope};
use crate::domain::stage::DESIGN_DOC_CANDIDATE_HOURS;
use crate::domain::{LoopPlan, StageKind, StageSpec};
use crate::messages as m;
use crate::slack::mrkdwn::{date, escape, truncate, user};
use serde_json::Value;

/// Slack's channel topic limit, in characters.
const MAX_TOPIC_CHARS: usize = 250;
/// Keep notification text short; the blocks carry the detail.
const MAX_FALLBACK_CHARS: usize = 300;
/// Slack's limit for one section's text.
const MAX_SECTION_CHARS: usize = super::limits::SECTION_TEXT;
/// Longest candidate name shown in the plan's title line, in characters.
const MAX_TITLE_CHARS: usize = 150;

pub fn probes_text(spec: &StageSpec) -> String {
    if spec.kind == StageKind::Coding {
        return m::CODING_CARD.to_string();
    }
    spec.probes
        .iter()
        .map(|d| format!("{} {}", d.number(), d.title()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn topic(plan: &LoopPlan) -> String {
    truncate(
        &escape(&m::channel_topic(
            plan.candidate.as_str(),
            plan.applied_level.title(),
        )),
        MAX_TOPIC_CHARS,
    )
}

pub const DOC_RECEIVED_ACTION: &str = "doc_received";
pub const START_DEBRIEF_ACTION: &str = "start_debrief";

/// `chat.postMessage` arguments (without `channel`) for the plan.
pub fn message(plan: &LoopPlan, loop_id: i64) -> Value {
    let candidate = escape(plan.candidate.as_str());
    let mut blocks = vec![
        // A bold section rather than a header block, so the name goes out
        // escaped like every other piece of user text.
        section(&format!(
            "*{}*",
            m::plan_header(&truncate(&candidate, MAX_TITLE_CHARS))
        )),
        section(&m::plan_summary(
            plan.applied_level.title(),
            &user(&plan.hiring_manager),
        )),
        divider(),
    ];
    blocks.push(context(&m::plan_template(&escape(&plan.template_name))));
    for (i, stage) in plan.stages.iter().enumerate() {
        let length = match stage.spec.length_minutes {
            Some(min) => format!("{min} min"),
            None => {
                let (low, high) = stage.spec.hours();
                format!("{low}–{high} h of candidate time")
            }
        };
        let when = stage
            .starts_at
            .map(date)
            .unwrap_or_else(|| m::ASYNC_STAGE_WHEN.to_string());
        let people = stage
            .interviewers
            .iter()
            .map(user)
            .collect::<Vec<_>>()
            .join(", ");
        blocks.push(section(&format!(
            "{}\n{}\n{}",
            m::stage_line(i + 1, &escape(&stage.spec.title), &length, &when),
            m::stage_people(&people),
            m::stage_probes(&probes_text(&stage.spec)),
        )));
    }
    blocks.push(divider());
    blocks.push(section(&m::plan_totals(
        &duration(plan.candidate_live_minutes()),
        plan.document_hours().unwrap_or(DESIGN_DOC_CANDIDATE_HOURS),
        &duration(plan.interviewer_minutes()),
    )));
    blocks.push(section(&m::plan_debrief(&date(plan.debrief_at))));
    if !plan.debrief_same_day() {
        blocks.push(section(m::PLAN_DEBRIEF_NOT_SAME_DAY));
    }
    if let Some(url) = &plan.design_doc_url {
        blocks.push(section(&m::plan_doc_prompt(&escape(url))));
    }
    if let Some(prompt) = &plan.design_prompt {
        blocks.push(section(&m::plan_design_prompt(&escape(prompt))));
    }
    if !plan.warnings.is_empty() {
        // Each finding is one line of our own words (names in them are
        // mentions, escaped where they came from the template).
        let lines = plan.warnings.join("\n");
        blocks.push(section(&truncate(
            &format!("{}\n{lines}", m::PLAN_WARNINGS_HEADER),
            MAX_SECTION_CHARS,
        )));
    }
    blocks.push(section(m::PLAN_RULE));
    blocks.push(context(m::PLAN_DOC_RULE));
    blocks.push(actions(vec![
        button(m::DOC_RECEIVED_BUTTON, DOC_RECEIVED_ACTION, loop_id).into(),
        button(m::START_DEBRIEF_BUTTON, START_DEBRIEF_ACTION, loop_id).into(),
    ]));
    super::message(
        truncate(&m::plan_fallback(&candidate), MAX_FALLBACK_CHARS),
        blocks,
    )
    .with("unfurl_links", false)
    .with("unfurl_media", false)
}

/// The DM to whoever opened the loop, pointing at the new channel
/// (`chat.postMessage` arguments without `channel`).
pub fn opened_dm(plan: &LoopPlan, channel_id: &str) -> Value {
    let candidate = escape(plan.candidate.as_str());
    super::message(
        truncate(&m::opened_dm_fallback(&candidate), MAX_FALLBACK_CHARS),
        vec![
            section(&m::opened_dm(&candidate)),
            section(&format!("<#{channel_id}>")),
        ],
    )
}
