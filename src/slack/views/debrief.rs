//! Starting the debrief early: the hiring manager confirms first, and when
//! live stages have not been held yet, says so explicitly ("start anyway").

use super::{actions, button, message, plain, section};
use crate::messages as m;
use crate::slack::mrkdwn::{date, escape};
use serde_json::Value;
use slack_morphism::blocks::SlackBlockButtonStyle;

/// Starts the debrief when every live stage has been held.
pub const CONFIRM_ACTION: &str = "debrief_start_confirm";
/// Starts the debrief even though the stages named in the message were not
/// held; they are cancelled.
pub const ANYWAY_ACTION: &str = "debrief_start_anyway";

/// The question, with one button (an ephemeral reply, or `chat.postEphemeral`
/// arguments without `channel` and `user`). `not_held`: (stage, start).
pub fn confirm(candidate: &str, loop_id: i64, not_held: &[(String, Option<i64>)]) -> Value {
    let candidate = escape(candidate);
    let (text, label, action, style) = if not_held.is_empty() {
        (
            m::debrief_confirm(&candidate),
            m::DEBRIEF_START_BUTTON,
            CONFIRM_ACTION,
            SlackBlockButtonStyle::Primary,
        )
    } else {
        let stages = not_held
            .iter()
            .map(|(title, at)| match at {
                Some(at) => m::debrief_not_held_line(&escape(title), &date(*at)),
                None => m::debrief_not_held_line(&escape(title), m::NOT_SCHEDULED),
            })
            .collect::<Vec<_>>()
            .join("\n");
        (
            m::debrief_confirm_not_held(&candidate, &stages),
            m::DEBRIEF_START_ANYWAY_BUTTON,
            ANYWAY_ACTION,
            SlackBlockButtonStyle::Danger,
        )
    };
    let blocks = vec![
        section(&text),
        actions(vec![button(plain(label), action, loop_id)
            .with_style(style)
            .into()]),
    ];
    message(text, blocks)
}
