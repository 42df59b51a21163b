//! Final votes: the DM that asks, the thread note that opens the vote (with
//! the hiring manager's close button), the vote modal, and the results.

use super::{
    actions, button, context, input, message, modal as view, modal_view, option, pack_sections,
    plain, section,
};
use crate::domain::votes::{Move, OwnCard};
use crate::domain::{Criterion, Level, Rubric};
use crate::messages as m;
use crate::slack::mrkdwn::{escape, truncate};
use crate::slack::payload::ViewState;
use crate::store::votes::Vote;
use serde_json::Value;
use slack_morphism::blocks::{
    SlackBlockButtonStyle, SlackBlockChoiceItem, SlackBlockPlainTextInputElement,
    SlackBlockPlainTextOnly, SlackBlockStaticSelectElement,
};

pub const COLLECT_ACTION: &str = "collect_final_votes";
pub const VOTE_ACTION: &str = "open_final_vote";
pub const CLOSE_ACTION: &str = "close_final_votes";
pub const CALLBACK_ID: &str = "staffloop_final_vote";
pub const LEVEL_BLOCK: &str = "final_level";
pub const REASON_BLOCK: &str = "final_reason";
const ACTION: &str = "value";
const MAX_REASON_CHARS: usize = 1000;

pub fn revise_block(c: Criterion) -> String {
    format!("revise_{}", c.key())
}

pub fn revise_reason_block(c: Criterion) -> String {
    format!("revise_{}_why", c.key())
}

pub fn ask(loop_id: i64, candidate: &str) -> Value {
    let c = escape(candidate);
    let vote = button(plain(m::VOTE_BUTTON), VOTE_ACTION, loop_id)
        .with_style(SlackBlockButtonStyle::Primary);
    message(
        m::vote_fallback(&c),
        vec![section(&m::vote_ask(&c)), actions(vec![vote.into()])],
    )
}

pub fn opened(loop_id: i64, voters: &[String]) -> Value {
    let who = voters
        .iter()
        .map(|v| format!("<@{v}>"))
        .collect::<Vec<_>>()
        .join(", ");
    let text = m::votes_opened(&who);
    let close = button(plain(m::CLOSE_VOTES_BUTTON), CLOSE_ACTION, loop_id);
    message(
        truncate(&text, super::MAX_SECTION_CHARS),
        vec![section(&text), actions(vec![close.into()])],
    )
}

fn level_option(l: Level) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    option(l.title(), l.as_str())
}

fn score_option(s: u8) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    option(&s.to_string(), s)
}

fn select(
    initial: SlackBlockChoiceItem<SlackBlockPlainTextOnly>,
    options: Vec<SlackBlockChoiceItem<SlackBlockPlainTextOnly>>,
) -> SlackBlockStaticSelectElement {
    SlackBlockStaticSelectElement::new()
        .with_action_id(super::action_id(ACTION))
        .with_initial_option(initial)
        .with_options(options)
}

fn reason_input(multiline: bool) -> SlackBlockPlainTextInputElement {
    let e = SlackBlockPlainTextInputElement::new()
        .with_action_id(super::action_id(ACTION))
        .with_max_length(MAX_REASON_CHARS as u64);
    if multiline {
        e.with_multiline(true)
    } else {
        e
    }
}

/// The vote: a final level (the card's to start with) and its reason, then
/// each dimension of the voter's card to revise, with its reason.
pub fn modal(rubric: &Rubric, loop_id: i64, candidate: &str, own: &OwnCard) -> Value {
    let mut blocks = vec![section(&m::vote_intro(
        &escape(candidate),
        own.level.title(),
    ))];
    let levels = [
        Level::NoHire,
        Level::Senior,
        Level::Staff,
        Level::SeniorStaff,
    ];
    let level = select(
        level_option(own.level),
        levels.iter().map(|l| level_option(*l)).collect(),
    );
    blocks.push(input(LEVEL_BLOCK, m::VOTE_LEVEL_LABEL, level).into());
    blocks.push(
        input(REASON_BLOCK, m::VOTE_REASON_LABEL, reason_input(true))
            .with_optional(true)
            .into(),
    );
    for (c, was) in &own.scores {
        let title = rubric.criterion(*c).title.clone();
        let score = select(score_option(*was), (1..=4).map(score_option).collect());
        let label = truncate(&m::revise_label(&title, *was), 150);
        blocks.push(input(revise_block(*c), &label, score).into());
        let label = truncate(&m::revise_reason_label(&title), 150);
        blocks.push(
            input(revise_reason_block(*c), &label, reason_input(false))
                .with_optional(true)
                .into(),
        );
    }
    blocks.push(context(m::VOTE_PRIVACY));
    view(
        modal_view(
            CALLBACK_ID,
            m::VOTE_TITLE,
            m::VOTE_SUBMIT,
            m::OPEN_CANCEL,
            blocks,
        )
        .with_private_metadata(loop_id.to_string()),
    )
}

/// A vote as sent, checked against the voter's card.
pub struct ReadVote {
    pub level: Level,
    pub reason: Option<String>,
    /// (criterion, from, to, reason).
    pub revisions: Vec<(Criterion, u8, u8, String)>,
}

pub fn read(values: &Value, own: &OwnCard) -> Result<ReadVote, Vec<(String, String)>> {
    let state = ViewState(values);
    let text = |block: &str| {
        state
            .text(block, ACTION)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let mut errors = Vec::new();
    let level = state
        .selected_option(LEVEL_BLOCK, ACTION)
        .and_then(Level::parse);
    let reason = text(REASON_BLOCK);
    match level {
        None => errors.push((LEVEL_BLOCK.to_string(), m::VOTE_LEVEL_MISSING.to_string())),
        Some(l) if l != own.level && reason.is_none() => {
            errors.push((REASON_BLOCK.to_string(), m::VOTE_REASON_MISSING.to_string()))
        }
        _ => {}
    }
    let mut revisions = Vec::new();
    for (c, was) in &own.scores {
        let now: u8 = state
            .selected_option(&revise_block(*c), ACTION)
            .and_then(|v| v.parse().ok())
            .filter(|s| (1..=4).contains(s))
            .unwrap_or(*was);
        if now != *was {
            match text(&revise_reason_block(*c)) {
                Some(why) => revisions.push((*c, *was, now, why)),
                None => errors.push((
                    revise_reason_block(*c),
                    m::REVISION_REASON_MISSING.to_string(),
                )),
            }
        }
    }
    match (level, errors.is_empty()) {
        (Some(level), true) => Ok(ReadVote {
            level,
            reason,
            revisions,
        }),
        _ => Err(errors),
    }
}

/// Every vote at once: who kept, who moved and toward whom, with the
/// reasons and revisions.
pub fn results(rubric: &Rubric, cast: &[Vote], moves: &[Move], missing: &[String]) -> Value {
    let mut lines = Vec::new();
    for (v, mv) in cast.iter().zip(moves) {
        let who = format!("<@{}>", v.voter);
        if mv.moved() {
            let toward: Vec<&str> = [
                (mv.toward_hiring_manager, m::TOWARD_HM),
                (mv.toward_bar_raiser, m::TOWARD_BR),
                (mv.toward_median, m::TOWARD_MEDIAN),
            ]
            .iter()
            .filter(|(yes, _)| *yes)
            .map(|(_, t)| *t)
            .collect();
            lines.push(m::vote_moved(
                &who,
                mv.from.title(),
                mv.to.title(),
                &toward.join(" and "),
            ));
        } else {
            lines.push(m::vote_kept(&who, mv.to.title()));
        }
        if let Some(r) = &v.reason {
            lines.push(m::vote_reason(&escape(r)));
        }
        let revisions: Vec<Value> = serde_json::from_str(&v.revisions).unwrap_or_default();
        for r in revisions {
            let title = Criterion::parse(r["criterion"].as_str().unwrap_or_default())
                .map(|c| rubric.criterion(c).title.clone())
                .unwrap_or_default();
            lines.push(m::vote_revision(
                &title,
                r["from"].as_i64().unwrap_or(0),
                r["to"].as_i64().unwrap_or(0),
                &escape(r["reason"].as_str().unwrap_or_default()),
            ));
        }
    }
    let moved: Vec<&Move> = moves.iter().filter(|m| m.moved()).collect();
    lines.push(String::new());
    lines.push(m::votes_summary(
        moved.len(),
        moves.len(),
        moved.iter().filter(|m| m.toward_hiring_manager).count(),
        moved.iter().filter(|m| m.toward_bar_raiser).count(),
        moved.iter().filter(|m| m.toward_median).count(),
    ));
    if !missing.is_empty() {
        let who: Vec<String> = missing.iter().map(|u| format!("<@{u}>")).collect();
        lines.push(m::votes_missing(&who.join(", ")));
    }
    let mut blocks = vec![super::header(m::VOTES_HEADING)];
    blocks.extend(pack_sections(lines).iter().map(|s| section(s)));
    blocks.truncate(super::limits::MESSAGE_BLOCKS);
    message(m::VOTES_HEADING, blocks)
}
