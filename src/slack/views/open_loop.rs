//! The "open a loop" modal: its blocks, and reading its submitted state back
//! into a `LoopDraft`.

use super::{action_id, choice, context, modal as view, modal_view, option, plain, section};
use crate::domain::lint::{self, Finding};
use crate::domain::loop_plan::Field;
use crate::domain::name::MAX_CANDIDATE_NAME_CHARS;
use crate::domain::{Level, LoopDraft, StageDraft, StageKind, Template, Templates, UserId};
use crate::messages as m;
use crate::slack::payload::ViewState;
use serde_json::Value;
use slack_morphism::blocks::{
    SlackBlock, SlackBlockCheckboxesElement, SlackBlockChoiceItem, SlackBlockDateTimePickerElement,
    SlackBlockMultiUsersSelectElement, SlackBlockPlainTextInputElement, SlackBlockPlainTextOnly,
    SlackBlockStaticSelectElement, SlackBlockUrlInputElement, SlackBlockUsersSelectElement,
    SlackInputBlockElement,
};

pub const CALLBACK_ID: &str = "staffloop_open_loop";
/// Every input in this modal uses one action id; blocks tell them apart.
const ACTION: &str = "value";
/// The template picker: choosing one redraws the form (`views.update`).
pub const TEMPLATE_ACTION: &str = "open_template";
const TEMPLATE_BLOCK: &str = "template";
const ACKNOWLEDGE_VALUE: &str = "open_anyway";
/// Most findings listed in the form (the plan lists them all).
const MAX_FORM_FINDINGS: usize = 8;

/// The block each form field lives in, so errors land next to it.
pub fn block_id(field: Field) -> String {
    match field {
        Field::CandidateName => "candidate_name".into(),
        Field::AppliedLevel => "applied_level".into(),
        Field::HiringManager => "hiring_manager".into(),
        Field::Interviewers(position, kind) => format!("stage_{position}_{}_who", kind.key()),
        Field::StartsAt(position, kind) => format!("stage_{position}_{}_at", kind.key()),
        Field::DebriefAt => "debrief_at".into(),
        Field::DesignDocUrl => "design_doc_url".into(),
        Field::DesignPrompt => "design_prompt".into(),
        Field::Acknowledge => "acknowledge".into(),
    }
}

fn input(
    field: Field,
    label: &str,
    element: impl Into<SlackInputBlockElement>,
    hint: Option<&str>,
    optional: bool,
) -> SlackBlock {
    let block = super::input(block_id(field), label, element).with_optional(optional);
    match hint {
        Some(hint) => block.with_hint(plain(hint)).into(),
        None => block.into(),
    }
}

fn level_option(level: Level) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    option(level.title(), level.as_str())
}

fn template_option(t: &Template) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    let name: String = t.name.chars().take(super::limits::OPTION_TEXT).collect();
    option(&name, &t.id)
}

fn datetime() -> SlackBlockDateTimePickerElement {
    SlackBlockDateTimePickerElement::new().with_action_id(action_id(ACTION))
}

/// Where a warning is shown in the form: beside the field it is about.
pub fn finding_field(f: &Finding, template: &Template) -> Field {
    let stage = f
        .stage
        .as_ref()
        .and_then(|(position, _)| Some((*position, template.stages.get(position - 1)?.kind)));
    match (&f.rule, stage) {
        (lint::Rule::GenericPrompt(_), _)
            if template.stage_of(StageKind::SystemDesign).is_some() =>
        {
            Field::DesignPrompt
        }
        (lint::Rule::DebriefNotSameDay, _) => Field::DebriefAt,
        (_, Some((position, kind))) => Field::Interviewers(position, kind),
        _ => Field::Acknowledge,
    }
}

/// The modal for `template`, with the candidate's name prefilled from the
/// command text and the invoker as hiring manager and on the deep-dive
/// panel. With more than one template, a picker comes first.
pub fn modal(
    templates: &Templates,
    template: &Template,
    prefill_name: &str,
    invoker: &UserId,
) -> Value {
    let name: String = prefill_name
        .chars()
        .take(MAX_CANDIDATE_NAME_CHARS)
        .collect();
    let mut name_input = SlackBlockPlainTextInputElement::new()
        .with_action_id(action_id(ACTION))
        .with_max_length(MAX_CANDIDATE_NAME_CHARS as u64);
    if !name.trim().is_empty() {
        name_input = name_input.with_initial_value(name.trim().to_string());
    }
    let mut blocks = vec![section(m::OPEN_INTRO)];
    if templates.all().len() > 1 {
        let picker = SlackBlockStaticSelectElement::new()
            .with_action_id(action_id(TEMPLATE_ACTION))
            .with_options(templates.all().iter().map(template_option).collect())
            .with_initial_option(template_option(template));
        blocks.push(
            super::input(TEMPLATE_BLOCK, m::TEMPLATE_LABEL, picker)
                .with_dispatch_action(true)
                .with_hint(plain(m::TEMPLATE_HINT))
                .into(),
        );
    }
    let findings = lint::template(template);
    if !findings.is_empty() {
        blocks.push(section(m::FORM_WARNINGS_HEADER));
        for f in findings.iter().take(MAX_FORM_FINDINGS) {
            blocks.push(context(&m::finding(f)));
        }
    }
    blocks.extend([
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
            SlackBlockStaticSelectElement::new()
                .with_action_id(action_id(ACTION))
                .with_options(vec![
                    level_option(Level::Staff),
                    level_option(Level::SeniorStaff),
                ])
                .with_initial_option(level_option(Level::Staff)),
            None,
            false,
        ),
        input(
            Field::HiringManager,
            m::HM_LABEL,
            SlackBlockUsersSelectElement::new()
                .with_action_id(action_id(ACTION))
                .with_initial_user(invoker.as_str().to_string()),
            None,
            false,
        ),
    ]);
    for (i, spec) in template.stages.iter().enumerate() {
        let position = i + 1;
        let mut who = SlackBlockMultiUsersSelectElement::new().with_action_id(action_id(ACTION));
        if spec.kind == StageKind::DeepDive {
            who = who.with_initial_users(vec![invoker.as_str().to_string()]);
        }
        blocks.push(input(
            Field::Interviewers(position, spec.kind),
            &m::stage_who_label(position, spec),
            who,
            Some(m::stage_who_hint(spec.kind)),
            false,
        ));
        if spec.is_live() {
            blocks.push(input(
                Field::StartsAt(position, spec.kind),
                &m::stage_when_label(spec),
                datetime(),
                None,
                false,
            ));
        }
    }
    if template.stage_of(StageKind::SystemDesign).is_some() {
        blocks.push(input(
            Field::DesignPrompt,
            m::DESIGN_PROMPT_LABEL,
            SlackBlockPlainTextInputElement::new()
                .with_action_id(action_id(ACTION))
                .with_max_length(300),
            Some(m::DESIGN_PROMPT_HINT),
            true,
        ));
    }
    blocks.push(input(
        Field::DebriefAt,
        m::DEBRIEF_LABEL,
        datetime(),
        Some(m::DEBRIEF_HINT),
        false,
    ));
    blocks.push(input(
        Field::DesignDocUrl,
        m::DOC_URL_LABEL,
        SlackBlockUrlInputElement::new().with_action_id(action_id(ACTION)),
        Some(m::DOC_URL_HINT),
        true,
    ));
    blocks.push(input(
        Field::Acknowledge,
        m::ACKNOWLEDGE_LABEL,
        SlackBlockCheckboxesElement::new(vec![choice(m::ACKNOWLEDGE_OPTION, ACKNOWLEDGE_VALUE)])
            .with_action_id(action_id(ACTION)),
        None,
        true,
    ));
    view(
        modal_view(
            CALLBACK_ID,
            m::OPEN_TITLE,
            m::OPEN_SUBMIT,
            m::OPEN_CANCEL,
            blocks,
        )
        .with_private_metadata(template.id.clone()),
    )
}

/// The candidate's name as typed so far (kept when the template changes).
pub fn typed_name(values: &Value) -> String {
    ViewState(values)
        .text(&block_id(Field::CandidateName), ACTION)
        .unwrap_or_default()
        .to_string()
}

/// Whether "open it anyway" is ticked.
pub fn acknowledged(values: &Value) -> bool {
    values
        .get(block_id(Field::Acknowledge))
        .and_then(|b| b.get(ACTION))
        .and_then(|a| a.get("selected_options"))
        .and_then(Value::as_array)
        .is_some_and(|o| o.iter().any(|o| o["value"] == ACKNOWLEDGE_VALUE))
}

/// Reads the submitted form for `template`. Nothing is judged here:
/// `LoopDraft::validate` does that.
pub fn read(values: &Value, template: &Template) -> LoopDraft {
    let state = ViewState(values);
    let block = |f: Field| block_id(f);
    let stages = template
        .stages
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let who = block(Field::Interviewers(i + 1, spec.kind));
            let at = block(Field::StartsAt(i + 1, spec.kind));
            // A form drawn before templates named its blocks by kind alone.
            let (legacy_who, legacy_at) = (
                format!("stage_{}_who", spec.kind.key()),
                format!("stage_{}_at", spec.kind.key()),
            );
            let mut interviewers = state.selected_users(&who, ACTION);
            if interviewers.is_empty() {
                interviewers = state.selected_users(&legacy_who, ACTION);
            }
            StageDraft {
                kind: Some(spec.kind),
                interviewers: interviewers.into_iter().filter_map(UserId::parse).collect(),
                starts_at: state
                    .selected_date_time(&at, ACTION)
                    .or_else(|| state.selected_date_time(&legacy_at, ACTION)),
            }
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
        design_prompt: state
            .text(&block(Field::DesignPrompt), ACTION)
            .map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modal_respects_slack_limits() {
        let invoker = UserId::parse("U1").unwrap_or_else(|| UserId::parse("UAAA").unwrap());
        let templates = Templates::default();
        let v = modal(
            &templates,
            templates.default_template(),
            &"x".repeat(500),
            &invoker,
        );
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
