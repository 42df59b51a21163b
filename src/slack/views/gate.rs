//! The design-document gate's question to the hiring manager, with the
//! action ids of its buttons.

use super::{plain, section};
use crate::messages as m;
use crate::slack::mrkdwn::escape;
use serde_json::{json, Value};

pub const CONTINUE_ACTION: &str = "gate_continue";
pub const STOP_ACTION: &str = "gate_stop";

/// `chat.postMessage` arguments (without `channel`).
pub fn ask(candidate: &str, loop_id: i64) -> Value {
    let text = m::gate_text(&escape(candidate));
    let value = loop_id.to_string();
    json!({
        "text": text,
        "blocks": [
            section(&text),
            {"type": "actions", "elements": [
                {"type": "button", "text": plain(m::GATE_CONTINUE), "action_id": CONTINUE_ACTION, "value": value},
                {"type": "button", "text": plain(m::GATE_STOP), "action_id": STOP_ACTION, "value": value, "style": "danger",
                 "confirm": {"title": plain(m::GATE_STOP), "text": plain(m::GATE_STOP_CONFIRM),
                             "confirm": plain(m::GATE_STOP), "deny": plain(m::OPEN_CANCEL)}},
            ]},
        ],
    })
}
