//! The design-document gate's question to the hiring manager, with the
//! action ids of its buttons.

use super::{actions, button, message, plain, section};
use crate::messages as m;
use crate::slack::mrkdwn::escape;
use serde_json::Value;
use slack_morphism::blocks::{SlackBlockButtonStyle, SlackBlockConfirmItem};

pub const CONTINUE_ACTION: &str = "gate_continue";
pub const STOP_ACTION: &str = "gate_stop";

/// `chat.postMessage` arguments (without `channel`).
pub fn ask(candidate: &str, loop_id: i64) -> Value {
    let text = m::gate_text(&escape(candidate));
    let value = loop_id.to_string();
    let confirm = SlackBlockConfirmItem::new(
        plain(m::GATE_STOP),
        plain(m::GATE_STOP_CONFIRM).into(),
        plain(m::GATE_STOP),
        plain(m::OPEN_CANCEL),
    );
    let blocks = vec![
        section(&text),
        actions(vec![
            button(plain(m::GATE_CONTINUE), CONTINUE_ACTION, &value).into(),
            button(plain(m::GATE_STOP), STOP_ACTION, &value)
                .with_style(SlackBlockButtonStyle::Danger)
                .with_confirm(confirm)
                .into(),
        ]),
    ];
    message(text, blocks)
}
