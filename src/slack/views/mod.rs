//! Block Kit builders. Each returns plain JSON in Slack's documented shape;
//! limits from Slack's docs are enforced here, where the text is assembled.

pub mod audit;
pub mod debrief;
pub mod decision;
pub mod gate;
pub mod home;
pub mod limits;
pub mod open_loop;
pub mod plan;
pub mod practice;
pub mod prep;
pub mod report;
pub mod reveal;
pub mod scorecard;
#[cfg(test)]
mod snapshots;
pub mod status;
pub mod votes;

use serde_json::{json, Value};

/// Slack's limit on a header block's text, in characters.
pub const MAX_HEADER_CHARS: usize = 150;
/// Slack's limit on a section's text, in characters.
pub const MAX_SECTION_CHARS: usize = 3000;

pub fn plain(text: &str) -> Value {
    json!({"type": "plain_text", "text": text, "emoji": true})
}

pub fn header(text: &str) -> Value {
    json!({"type": "header", "text": plain(&super::mrkdwn::truncate(text, MAX_HEADER_CHARS))})
}

/// A section of mrkdwn; `text` must already have its user parts escaped.
pub fn section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": super::mrkdwn::truncate(text, MAX_SECTION_CHARS)}})
}

pub fn context(text: &str) -> Value {
    json!({"type": "context", "elements": [{"type": "mrkdwn", "text": super::mrkdwn::truncate(text, MAX_SECTION_CHARS)}]})
}

pub fn divider() -> Value {
    json!({"type": "divider"})
}

/// Lines joined into as few section texts as fit Slack's limit, in order;
/// a line longer than a section is cut across several.
pub fn pack_sections(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        let chars: Vec<char> = line.chars().collect();
        for piece in chars.chunks(MAX_SECTION_CHARS) {
            let piece: String = piece.iter().collect();
            match out.last_mut() {
                Some(last)
                    if last.chars().count() + 1 + piece.chars().count() <= MAX_SECTION_CHARS =>
                {
                    last.push('\n');
                    last.push_str(&piece);
                }
                _ => out.push(piece),
            }
        }
        if chars.is_empty() {
            match out.last_mut() {
                Some(last) if last.chars().count() < MAX_SECTION_CHARS => last.push('\n'),
                _ => out.push(String::new()),
            }
        }
    }
    out
}

/// "5 h", "9 h 15 min", "45 min".
pub fn duration(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, 0) => "under a minute".to_string(),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_naturally() {
        assert_eq!(super::duration(45), "45 min");
        assert_eq!(super::duration(300), "5 h");
        assert_eq!(super::duration(555), "9 h 15 min");
        assert_eq!(super::duration(0), "under a minute");
    }
}
