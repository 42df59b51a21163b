//! `/staffloop status`: stages, who sits on each, and whose card is in. Never
//! what any card says.

use super::{context, message as content, section, Envelope};
use crate::messages as m;
use crate::slack::mrkdwn::{date, escape};
use serde_json::Value;

/// One stage as the status message shows it.
pub struct StageLine {
    pub title: String,
    pub position: i64,
    pub starts_at: Option<i64>,
    /// (interviewer, has submitted): who, never what.
    pub interviewers: Vec<(String, bool)>,
}

pub fn message(candidate: &str, stages: &[StageLine]) -> Value {
    let mut lines = Vec::new();
    let (mut submitted, mut expected) = (0, 0);
    for stage in stages {
        let title = escape(&stage.title);
        let position = stage.position;
        let when = stage
            .starts_at
            .map(date)
            .unwrap_or_else(|| m::ASYNC_STAGE_WHEN.into());
        let people = stage
            .interviewers
            .iter()
            .map(|(u, done)| {
                expected += 1;
                if *done {
                    submitted += 1;
                    format!(":white_check_mark: <@{u}>")
                } else {
                    format!(":hourglass_flowing_sand: <@{u}>")
                }
            })
            .collect::<Vec<_>>()
            .join("  ");
        lines.push(format!("*{position}. {title}* · {when}\n{people}"));
    }
    let mut blocks = vec![section(&m::status_header(&escape(candidate)))];
    for line in &lines {
        blocks.push(section(line));
    }
    blocks.push(context(&m::status_counts(submitted, expected)));
    content(m::status_counts(submitted, expected), blocks).ephemeral()
}
