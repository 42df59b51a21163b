//! `/staffloop help`, and the answer to anything we do not understand.

use super::COMMANDS;
use crate::messages as m;
use crate::slack::mrkdwn::{escape, truncate};
use crate::slack::views::section;
use crate::slack::Reply;
use serde_json::json;

/// Longest piece of unknown input we echo back, in characters.
const MAX_ECHO_CHARS: usize = 60;

pub fn reply(unknown: Option<&str>) -> Reply {
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
    Reply::Json(json!({
        "response_type": "ephemeral",
        "text": format!("{lead}\n{usage}"),
        "blocks": [section(&lead), section(&usage)],
    }))
}
