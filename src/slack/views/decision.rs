//! A proposed decision, waiting for its author's confirmation, with the
//! action ids of its buttons.

use super::{actions, button, message, plain, section};
use crate::domain::Level;
use crate::messages as m;
use serde_json::Value;
use slack_morphism::blocks::SlackBlockButtonStyle;

pub const CONFIRM_ACTION: &str = "decision_confirm";
pub const CANCEL_ACTION: &str = "decision_cancel";

/// The proposal's text and buttons (an ephemeral reply or `chat.postEphemeral`
/// arguments without `channel` and `user`).
pub fn proposal(
    applied: Level,
    level: Level,
    decision_id: i64,
    mechanical: &crate::domain::votes::Mechanical,
) -> Value {
    let text = format!(
        "{}\n{}",
        m::decide_confirm(applied.title(), level.title(), level < applied),
        m::mechanical_line(
            mechanical.cards.map(Level::title),
            mechanical.votes.map(|(l, n)| (l.title(), n)),
            mechanical.vote_opened,
            mechanical.vote_closed,
        )
    );
    let blocks = vec![
        section(&text),
        actions(vec![
            button(plain(m::CONFIRM), CONFIRM_ACTION, decision_id)
                .with_style(SlackBlockButtonStyle::Primary)
                .into(),
            button(plain(m::OPEN_CANCEL), CANCEL_ACTION, decision_id).into(),
        ]),
    ];
    message(text, blocks)
}
