//! The "open a loop" modal: its blocks, and reading its submitted state back
//! into a `LoopDraft`.

use super::{plain, section};
use crate::domain::loop_plan::Field;
use crate::domain::name::MAX_CANDIDATE_NAME_CHARS;
use crate::domain::{Level, LoopDraft, StageDraft, StageKind, UserId};
use crate::messages as m;
use crate::slack::payload::ViewState;
use serde_json::{json, Value};

pub const CALLBACK_ID: &str = "staffloop_open_loop";
/// Every input in this modal uses one action id; blocks tell them apart.
const ACTION: &str = "value";

/// The block each form field lives in, so errors land next to it.
pub fn block_id(field: Field) -> String {
    match field {
        Field::CandidateName => "candidate_name".into(),
        Field::AppliedLevel => "applied_level".into(),
        Field::HiringManager => "hiring_manager".into(),
        Field::Interviewers(kind) => format!("stage_{}_who", kind.key()),
        Field::StartsAt(kind) => format!("stage_{}_at", kind.key()),
        Field::DebriefAt => "debrief_at".into(),
        Field::DesignDocUrl => "design_doc_url".into(),
    }
}

fn input(field: Field, label: &str, element: Value, hint: Option<&str>, optional: bool) -> Value {
    let mut block = json!({
        "type": "input",
        "block_id": block_id(field),
        "label": plain(label),
        "element": element,
        "optional": optional,
    });
    if let Some(hint) = hint {
        block["hint"] = plain(hint);
    }
    block
}

fn level_option(level: Level) -> Value {
    json!({"text": plain(level.title()), "value": level.as_str()})
}

/// The modal, with the candidate's name prefilled from the command text and
/// the invoker as hiring manager and on the deep-dive panel.
pub fn modal(prefill_name: &str, invoker: &UserId) -> Value {
    let name: String = prefill_name
        .chars()
        .take(MAX_CANDIDATE_NAME_CHARS)
        .collect();
    let mut name_input = json!({
        "type": "plain_text_input",
        "action_id": ACTION,
        "max_length": MAX_CANDIDATE_NAME_CHARS,
    });
    if !name.trim().is_empty() {
        name_input["initial_value"] = json!(name.trim());
    }
    let mut blocks = vec![
        section(m::OPEN_INTRO),
        input(
            Field::CandidateName,
            m::CANDIDATE_LABEL,
            name_input,
            None,
            false,
        ),
        input(
            Field::AppliedLevel,
            m::LEVEL_LABEL,
            json!({
                "type": "static_select",
                "action_id": ACTION,
                "options": [level_option(Level::Staff), level_option(Level::SeniorStaff)],
                "initial_option": level_option(Level::Staff),
            }),
            None,
            false,
        ),
        input(
            Field::HiringManager,
            m::HM_LABEL,
            json!({"type": "users_select", "action_id": ACTION, "initial_user": invoker.as_str()}),
            None,
            false,
        ),
    ];
    for kind in StageKind::ALL {
        let mut who = json!({"type": "multi_users_select", "action_id": ACTION});
        if kind == StageKind::DeepDive {
            who["initial_users"] = json!([invoker.as_str()]);
        }
        blocks.push(input(
            Field::Interviewers(kind),
            &m::stage_who_label(kind),
            who,
            Some(m::stage_who_hint(kind)),
            false,
        ));
        if kind.is_live() {
            blocks.push(input(
                Field::StartsAt(kind),
                &m::stage_when_label(kind),
                json!({"type": "datetimepicker", "action_id": ACTION}),
                None,
                false,
            ));
        }
    }
    blocks.push(input(
        Field::DebriefAt,
        m::DEBRIEF_LABEL,
        json!({"type": "datetimepicker", "action_id": ACTION}),
        Some(m::DEBRIEF_HINT),
        false,
    ));
    blocks.push(input(
        Field::DesignDocUrl,
        m::DOC_URL_LABEL,
        json!({"type": "url_text_input", "action_id": ACTION}),
        Some(m::DOC_URL_HINT),
        true,
    ));
    json!({
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": plain(m::OPEN_TITLE),
        "submit": plain(m::OPEN_SUBMIT),
        "close": plain(m::OPEN_CANCEL),
        "blocks": blocks,
    })
}

/// Reads the submitted form. Nothing is judged here: `LoopDraft::validate` does that.
pub fn read(values: &Value) -> LoopDraft {
    let state = ViewState(values);
    let block = |f: Field| block_id(f);
    let stages = StageKind::ALL
        .into_iter()
        .map(|kind| StageDraft {
            kind: Some(kind),
            interviewers: state
                .selected_users(&block(Field::Interviewers(kind)), ACTION)
                .into_iter()
                .filter_map(UserId::parse)
                .collect(),
            starts_at: state.selected_date_time(&block(Field::StartsAt(kind)), ACTION),
        })
        .collect();
    LoopDraft {
        candidate_name: state
            .text(&block(Field::CandidateName), ACTION)
            .unwrap_or_default()
            .to_string(),
        applied_level: state
            .selected_option(&block(Field::AppliedLevel), ACTION)
            .and_then(Level::parse),
        hiring_manager: state
            .selected_user(&block(Field::HiringManager), ACTION)
            .and_then(UserId::parse),
        stages,
        debrief_at: state.selected_date_time(&block(Field::DebriefAt), ACTION),
        design_doc_url: state
            .text(&block(Field::DesignDocUrl), ACTION)
            .map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modal_respects_slack_limits() {
        let invoker = UserId::parse("U1").unwrap_or_else(|| UserId::parse("UAAA").unwrap());
        let v = modal(&"x".repeat(500), &invoker);
        assert!(v["title"]["text"].as_str().unwrap().chars().count() <= 24);
        assert!(v["submit"]["text"].as_str().unwrap().chars().count() <= 24);
        let blocks = v["blocks"].as_array().unwrap();
        assert!(blocks.len() <= 100);
        let name = blocks[1]["element"]["initial_value"].as_str().unwrap();
        assert_eq!(name.chars().count(), MAX_CANDIDATE_NAME_CHARS);
        let ids: Vec<&str> = blocks
            .iter()
            .filter_map(|b| b["block_id"].as_str())
            .collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(ids.len(), unique.len(), "block ids are unique");
    }
}
