//! Scorecard surfaces: the prompt DM and its locked form, the modal built
//! from the rubric for a stage, and the addendum modal.

use super::{
    action_id, actions, button as plain_button, choice, context, message, modal as view,
    modal_view, option, plain, section,
};
use crate::domain::scorecard::{CardField, MAX_EVIDENCE_CHARS};
use crate::domain::StageSpec;
use crate::domain::{CardDraft, Level, Rubric, StageKind};
use crate::messages as m;
use crate::slack::mrkdwn::{date, escape, truncate};
use crate::slack::payload::ViewState;
use crate::slack::views::plan::probes_text;
use serde_json::Value;
use slack_morphism::blocks::{
    SlackBlock, SlackBlockButtonElement, SlackBlockButtonStyle, SlackBlockChoiceItem,
    SlackBlockPlainTextInputElement, SlackBlockPlainTextOnly, SlackBlockRadioButtonsElement,
    SlackBlockStaticSelectElement, SlackInputBlockElement, SlackModalView,
};

pub const CALLBACK_ID: &str = "staffloop_scorecard";
pub const ADDENDUM_CALLBACK_ID: &str = "staffloop_addendum";
pub const OPEN_ACTION: &str = "open_scorecard";
pub const ADDENDUM_ACTION: &str = "open_addendum";
const ACTION: &str = "value";
/// Slack's limit on an option's text and description, in characters.
const MAX_OPTION_CHARS: usize = super::limits::OPTION_TEXT;
/// Slack's limit on a hint or label, in characters.
const MAX_LABEL_CHARS: usize = 150;

pub fn block_id(field: CardField) -> String {
    match field {
        CardField::Score(c) => format!("score_{}", c.key()),
        CardField::Evidence(c) => format!("evidence_{}", c.key()),
        CardField::Recommendation => "recommendation".into(),
        CardField::WorkWith => "work_with".into(),
        CardField::WorkWithReason => "work_with_reason".into(),
    }
}

fn button(text: &str, action: &str, value: i64) -> SlackBlockButtonElement {
    plain_button(plain(text), action, value).with_style(SlackBlockButtonStyle::Primary)
}

/// The DM that asks an interviewer for their card.
pub fn prompt(
    spec: &StageSpec,
    candidate: &str,
    stage_id: i64,
    reminder_hours: Option<i64>,
) -> Value {
    let candidate = escape(candidate);
    let lead = match reminder_hours {
        Some(h) => m::reminder_text(&escape(&spec.title), &candidate, h),
        None => m::prompt_text(&escape(&spec.title), &candidate),
    };
    message(
        m::prompt_fallback(&spec.title, &candidate),
        vec![
            section(&lead),
            context(&m::prompt_probes(&probes_text(spec))),
            actions(vec![button(m::OPEN_SCORECARD, OPEN_ACTION, stage_id).into()]),
            context(m::PROMPT_PRIVACY),
        ],
    )
}

/// The prompt DM once the card is in: no button to score again, one to add an addendum.
pub fn locked(spec: &StageSpec, candidate: &str, stage_id: i64, at: i64) -> Value {
    let text = m::locked_text(&escape(&spec.title), &escape(candidate), &date(at));
    let blocks = vec![
        section(&text),
        context(m::LOCKED_ADDENDUM_NOTE),
        actions(vec![plain_button(
            plain(m::ADD_ADDENDUM),
            ADDENDUM_ACTION,
            stage_id,
        )
        .into()]),
    ];
    message(text, blocks)
}

fn input(
    block: String,
    label: &str,
    element: impl Into<SlackInputBlockElement>,
    hint: Option<&str>,
) -> SlackBlock {
    let b = super::input(block, &truncate(label, MAX_LABEL_CHARS), element);
    match hint {
        Some(h) => b.with_hint(plain(&truncate(h, MAX_LABEL_CHARS))).into(),
        None => b.into(),
    }
}

fn level_option(level: Level) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    option(level.title(), level.as_str())
}

fn level_select(levels: &[Level]) -> SlackBlockStaticSelectElement {
    SlackBlockStaticSelectElement::new()
        .with_action_id(action_id(ACTION))
        .with_options(levels.iter().map(|l| level_option(*l)).collect())
}

/// A multiline text input of at most `MAX_EVIDENCE_CHARS`.
fn long_text() -> SlackBlockPlainTextInputElement {
    SlackBlockPlainTextInputElement::new()
        .with_action_id(action_id(ACTION))
        .with_multiline(true)
        .with_max_length(MAX_EVIDENCE_CHARS as u64)
}

/// The scorecard modal for one stage, built from the rubric.
pub fn modal(rubric: &Rubric, spec: &StageSpec, candidate: &str, stage_id: i64) -> Value {
    let intro = section(&m::scorecard_intro(
        &escape(&spec.title),
        &escape(candidate),
    ));
    let hint = rubric.hint(spec.kind);
    view(card_modal(
        rubric,
        spec,
        intro,
        hint,
        CALLBACK_ID,
        &stage_id.to_string(),
    ))
}

/// A practice card (`/staffloop calibrate`): the four dimensions with
/// their anchors, evidence and a level call, exactly as a live card asks,
/// for the packet coded `code`.
pub fn practice_modal(rubric: &Rubric, code: char, callback_id: &str, metadata: &str) -> Value {
    let spec = practice_spec(code);
    let intro = section(&m::practice_card_intro(code));
    view(card_modal(
        rubric,
        &spec,
        intro,
        m::PRACTICE_HINT,
        callback_id,
        metadata,
    ))
}

/// The on-the-job check-in: the four dimensions with their anchors, scored
/// for how the hire works now, evidence for each, and the level they work
/// at (senior, staff, senior staff) where a card has its recommendation.
pub fn checkin_modal(rubric: &Rubric, hire: &str, callback_id: &str, metadata: &str) -> Value {
    let mut spec = practice_spec('A');
    spec.title = m::CHECKIN_TITLE.to_string();
    let intro = section(&m::checkin_intro(&escape(hire)));
    let mut modal = card_modal(rubric, &spec, intro, m::CHECKIN_HINT, callback_id, metadata);
    if let Some(last) = modal.blocks.last_mut() {
        *last = input(
            block_id(CardField::Recommendation),
            m::WORKING_AT_LABEL,
            level_select(&[Level::Senior, Level::Staff, Level::SeniorStaff]),
            None,
        );
    }
    modal.title = plain(m::CHECKIN_MODAL_TITLE);
    view(modal)
}

/// What a practice card scores: all four dimensions, no stage's extras.
pub fn practice_spec(code: char) -> StageSpec {
    StageSpec {
        kind: StageKind::Behavioural,
        title: m::packet_name(code),
        length_minutes: None,
        candidate_hours: None,
        panel: 1,
        probes: crate::domain::Dimension::ALL.to_vec(),
        guide: Vec::new(),
        line: 0,
    }
}

fn card_modal(
    rubric: &Rubric,
    spec: &StageSpec,
    intro: SlackBlock,
    hint: &str,
    callback_id: &str,
    metadata: &str,
) -> SlackModalView {
    let kind = spec.kind;
    let mut blocks = vec![intro];
    if kind == StageKind::Coding {
        blocks.push(context(m::CODING_WEIGHT_NOTE));
    }
    if kind == StageKind::DesignDoc {
        blocks.push(context(m::DOC_GATE_NOTE));
    }
    for criterion in spec.criteria() {
        let text = rubric.criterion(criterion);
        let options = (1..=4u8)
            .map(|score| {
                let anchor = truncate(&text.anchors[score as usize - 1], MAX_OPTION_CHARS);
                choice(m::score_option(score), score).with_description(plain(&anchor))
            })
            .collect();
        blocks.push(input(
            block_id(CardField::Score(criterion)),
            &m::score_label(&text.title),
            SlackBlockRadioButtonsElement::new(options).with_action_id(action_id(ACTION)),
            None,
        ));
        blocks.push(input(
            block_id(CardField::Evidence(criterion)),
            &m::evidence_label(&text.title),
            long_text().with_min_length(crate::domain::scorecard::MIN_EVIDENCE_CHARS as u64),
            Some(hint),
        ));
    }
    if kind == StageKind::BarRaiser {
        let answers = vec![
            choice(m::WORK_WITH_YES, "yes"),
            choice(m::WORK_WITH_NO, "no"),
        ];
        blocks.push(input(
            block_id(CardField::WorkWith),
            &rubric.bar_raiser_question,
            SlackBlockRadioButtonsElement::new(answers).with_action_id(action_id(ACTION)),
            None,
        ));
        blocks.push(input(
            block_id(CardField::WorkWithReason),
            m::WORK_WITH_REASON_LABEL,
            long_text(),
            None,
        ));
    }
    blocks.push(input(
        block_id(CardField::Recommendation),
        m::RECOMMENDATION_LABEL,
        level_select(&[
            Level::NoHire,
            Level::Senior,
            Level::Staff,
            Level::SeniorStaff,
        ]),
        None,
    ));
    modal_view(
        callback_id,
        m::SCORECARD_TITLE,
        m::SCORECARD_SUBMIT,
        m::OPEN_CANCEL,
        blocks,
    )
    .with_private_metadata(metadata.to_string())
}

/// Reads the submitted card; the rules are checked by `CardDraft::validate`.
pub fn read(spec: &StageSpec, values: &Value) -> CardDraft {
    let kind = spec.kind;
    let state = ViewState(values);
    let scores = spec
        .criteria()
        .into_iter()
        .map(|c| {
            let score = state
                .selected_option(&block_id(CardField::Score(c)), ACTION)
                .and_then(|v| v.parse().ok());
            let evidence = state
                .text(&block_id(CardField::Evidence(c)), ACTION)
                .unwrap_or_default();
            (c, score, evidence.to_string())
        })
        .collect();
    let work_with = (kind == StageKind::BarRaiser).then(|| {
        let answer = match state.selected_option(&block_id(CardField::WorkWith), ACTION) {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        };
        let reason = state
            .text(&block_id(CardField::WorkWithReason), ACTION)
            .unwrap_or_default();
        (answer, reason.to_string())
    });
    CardDraft {
        scores,
        recommendation: state
            .selected_option(&block_id(CardField::Recommendation), ACTION)
            .and_then(Level::parse),
        work_with,
    }
}

pub const ADDENDUM_BLOCK: &str = "addendum";

pub fn addendum_modal(spec: &StageSpec, candidate: &str, stage_id: i64) -> Value {
    let blocks = vec![
        section(&format!(
            "*{}* · {}",
            escape(&spec.title),
            escape(candidate)
        )),
        context(m::LOCKED_ADDENDUM_NOTE),
        input(
            ADDENDUM_BLOCK.into(),
            m::ADDENDUM_LABEL,
            long_text(),
            Some(m::ADDENDUM_HINT),
        ),
    ];
    view(
        modal_view(
            ADDENDUM_CALLBACK_ID,
            m::ADDENDUM_TITLE,
            m::ADDENDUM_SUBMIT,
            m::OPEN_CANCEL,
            blocks,
        )
        .with_private_metadata(stage_id.to_string()),
    )
}

pub fn read_addendum(values: &Value) -> String {
    ViewState(values)
        .text(ADDENDUM_BLOCK, ACTION)
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_modal_fits_slack() {
        let rubric = Rubric::default_rubric();
        for kind in StageKind::ALL {
            let v = modal(&rubric, &StageSpec::default_for(kind), "Ana", 7);
            let blocks = v["blocks"].as_array().unwrap();
            assert!(blocks.len() <= 100);
            for b in blocks {
                if let Some(opts) = b["element"]["options"].as_array() {
                    for o in opts {
                        assert!(o["text"]["text"].as_str().unwrap().chars().count() <= 75);
                        if let Some(d) = o["description"]["text"].as_str() {
                            assert!(d.chars().count() <= 75);
                        }
                    }
                }
            }
        }
        let bar = modal(
            &rubric,
            &StageSpec::default_for(StageKind::BarRaiser),
            "Ana",
            7,
        )
        .to_string();
        assert!(bar.contains("Would I want to work with this person"));
    }
}
