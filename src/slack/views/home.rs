//! The App Home tab: the user's pending scorecards (with the button), the
//! cards they submitted (stage and time, never content), and the loops they
//! are part of with progress counts only.

use super::{button, context, divider, header, home_tab, mrkdwn, plain, section};
use crate::messages as m;
use crate::slack::mrkdwn::{date, escape, truncate};
use crate::slack::views::scorecard::OPEN_ACTION;
use serde_json::Value;
use slack_morphism::blocks::{SlackBlockButtonStyle, SlackSectionBlock};

/// A card the user still owes.
pub struct Pending {
    pub stage_id: i64,
    /// The stage's name as people see it.
    pub stage: String,
    pub candidate: String,
}

/// A card the user has submitted: what and when, never its content.
pub struct Submitted {
    pub stage: String,
    pub candidate: String,
    pub submitted_at: i64,
}

pub struct HomeLoop {
    pub candidate_escaped: String,
    pub channel_id: Option<String>,
    pub channel_name: String,
    pub role: &'static str,
    pub submitted: usize,
    pub expected: usize,
}

/// At most this many rows per list (a Home tab holds 100 blocks).
pub const MAX_HOME_LOOPS: usize = 20;
const MAX_ROWS: usize = 20;

pub fn view(pending: &[Pending], submitted: &[Submitted], loops: &[HomeLoop]) -> Value {
    let mut blocks = vec![header(m::HOME_TITLE), section(m::HELP_INTRO), divider()];
    if !pending.is_empty() {
        blocks.push(section(&format!("*{}*", m::HOME_PENDING_HEADER)));
        for p in pending.iter().take(MAX_ROWS) {
            let line = m::home_pending_line(&escape(&p.stage), &escape(&p.candidate));
            let open = button(plain(m::OPEN_SCORECARD), OPEN_ACTION, p.stage_id)
                .with_style(SlackBlockButtonStyle::Primary);
            let row = SlackSectionBlock::new()
                .with_text(mrkdwn(&truncate(&line, super::MAX_SECTION_CHARS)))
                .with_accessory(open.into());
            blocks.push(row.into());
        }
        blocks.push(divider());
    }
    if !submitted.is_empty() {
        blocks.push(section(&format!("*{}*", m::HOME_SUBMITTED_HEADER)));
        let lines = submitted
            .iter()
            .take(MAX_ROWS)
            .map(|s| {
                m::home_submitted_line(
                    &escape(&s.stage),
                    &escape(&s.candidate),
                    &date(s.submitted_at),
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        blocks.push(section(&lines));
        blocks.push(divider());
    }
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
    home_tab(blocks)
}
