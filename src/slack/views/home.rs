//! The App Home tab: the loops a user is part of, with progress counts only.

use super::{context, divider, header, section};
use crate::messages as m;
use serde_json::{json, Value};

pub struct HomeLoop {
    pub candidate_escaped: String,
    pub channel_id: Option<String>,
    pub channel_name: String,
    pub role: &'static str,
    pub submitted: usize,
    pub expected: usize,
}

/// At most this many loops are listed (a Home tab holds 100 blocks).
pub const MAX_HOME_LOOPS: usize = 20;

pub fn view(loops: &[HomeLoop]) -> Value {
    let mut blocks = vec![header(m::HOME_TITLE), section(m::HELP_INTRO), divider()];
    if loops.is_empty() {
        blocks.push(section(m::HOME_NO_LOOPS));
    } else {
        blocks.push(section(&format!("*{}*", m::HOME_LOOPS_HEADER)));
        for l in loops.iter().take(MAX_HOME_LOOPS) {
            let channel = match &l.channel_id {
                Some(id) => format!("<#{id}>"),
                None => format!("#{}", l.channel_name),
            };
            blocks.push(section(&m::home_loop_line(
                &l.candidate_escaped,
                &channel,
                l.role,
                l.submitted,
                l.expected,
            )));
        }
    }
    blocks.push(context(m::PLAN_RULE));
    json!({"type": "home", "blocks": blocks})
}
