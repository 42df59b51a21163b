//! `/staffloop help`, and the answer to anything we do not understand.

use super::COMMANDS;
use crate::messages as m;
use crate::slack::mrkdwn::{escape, truncate};
use crate::slack::views::{message, section, Envelope};
use crate::slack::Reply;
use serde_json::Value;

/// Longest piece of unknown input we echo back, in characters.
const MAX_ECHO_CHARS: usize = 60;

pub fn reply(unknown: Option<&str>) -> Reply {
    Reply::Json(view(unknown))
}

/// The help text (or the answer to an unknown command), ephemeral.
pub fn view(unknown: Option<&str>) -> Value {
    let usage = COMMANDS
        .iter()
        .map(|c| format!("`{}` — {}", c.usage, c.summary))
        .collect::<Vec<_>>()
        .join("\n");
    let lead = match unknown {
        // Backticks would end the code span early; drop them from the echo.
        Some(text) => {
            m::unknown_command(&escape(&truncate(&text.replace('`', "'"), MAX_ECHO_CHARS)))
        }
        None => m::HELP_INTRO.to_string(),
    };
    let blocks = vec![section(&lead), section(&usage)];
    message(format!("{lead}\n{usage}"), blocks).ephemeral()
}
