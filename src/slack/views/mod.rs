//! Block Kit builders. Every block, element, modal and Home is built from
//! slack-morphism's Block Kit types, so the shapes are the library's and a
//! misspelt field does not compile; a view hands back the JSON the outbox
//! sends (`message`, `modal`, `home_tab`), with keys that are not Block Kit
//! added around it by `Envelope`. Slack's limits live in `limits`.

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

use serde::Serialize;
use serde_json::Value;
use slack_morphism::blocks::*;
use slack_morphism::{SlackActionId, SlackCallbackId, SlackDateTime, SlackMessageContent};

/// Slack's limit on a header block's text, in characters.
pub const MAX_HEADER_CHARS: usize = limits::HEADER_TEXT;
/// Slack's limit on a section's text, in characters.
pub const MAX_SECTION_CHARS: usize = limits::SECTION_TEXT;

/// Plain text as the bot writes it in labels, buttons and titles (emoji
/// shortcodes drawn).
pub fn plain(text: &str) -> SlackBlockPlainTextOnly {
    SlackBlockPlainText::new(text.to_string())
        .with_emoji(true)
        .into()
}

/// A mrkdwn text object; `text` must already have its user parts escaped.
pub fn mrkdwn(text: &str) -> SlackBlockText {
    SlackBlockMarkDownText::new(text.to_string()).into()
}

pub fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(plain(&super::mrkdwn::truncate(text, MAX_HEADER_CHARS))).into()
}

/// A section of mrkdwn; `text` must already have its user parts escaped.
pub fn section(text: &str) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(mrkdwn(&super::mrkdwn::truncate(text, MAX_SECTION_CHARS)))
        .into()
}

pub fn context(text: &str) -> SlackBlock {
    let text = super::mrkdwn::truncate(text, MAX_SECTION_CHARS);
    SlackContextBlock::new(vec![SlackBlockMarkDownText::new(text).into()]).into()
}

pub fn divider() -> SlackBlock {
    SlackDividerBlock::new().into()
}

/// A button with its action id and value. `text` is `plain(..)` for the
/// usual label, or a bare `&str` for plain text without the `emoji` flag.
pub fn button(
    text: impl Into<SlackBlockPlainTextOnly>,
    action: &str,
    value: impl ToString,
) -> SlackBlockButtonElement {
    SlackBlockButtonElement::new(text.into())
        .with_action_id(action_id(action))
        .with_value(value.to_string())
}

/// An actions block of the given elements (buttons, mostly).
pub fn actions(elements: Vec<SlackActionBlockElement>) -> SlackBlock {
    SlackActionsBlock::new(elements).into()
}

pub fn action_id(action: &str) -> SlackActionId {
    SlackActionId(action.to_string())
}

/// An option of a select: its text and value.
pub fn option(text: &str, value: impl ToString) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    SlackBlockChoiceItem::new(plain(text), value.to_string())
}

/// An option of radio buttons or checkboxes: its text and value.
pub fn choice(text: &str, value: impl ToString) -> SlackBlockChoiceItem<SlackBlockText> {
    SlackBlockChoiceItem::new(plain(text).into(), value.to_string())
}

/// An input block: its id (where errors land), its label and its element.
pub fn input(
    block_id: impl Into<String>,
    label: &str,
    element: impl Into<SlackInputBlockElement>,
) -> SlackInputBlock {
    SlackInputBlock::new(plain(label), element.into()).with_block_id(SlackBlockId(block_id.into()))
}

/// A modal's frame: its callback id, title, submit and close labels.
pub fn modal_view(
    callback_id: &str,
    title: &str,
    submit: &str,
    close: &str,
    blocks: Vec<SlackBlock>,
) -> SlackModalView {
    SlackModalView::new(plain(title), blocks)
        .with_callback_id(SlackCallbackId(callback_id.to_string()))
        .with_submit(plain(submit))
        .with_close(plain(close))
}

/// A unix time as Block Kit's date-time (a datetimepicker's initial value).
pub fn date_time(unix: i64) -> Option<SlackDateTime> {
    // slack-morphism reads and writes it as unix seconds; going through
    // its own deserializer keeps the time crate behind it out of ours.
    serde_json::from_value(Value::from(unix)).ok()
}

fn to_json(v: &impl Serialize) -> Value {
    serde_json::to_value(v).expect("Block Kit types serialize to JSON")
}

/// A message's content, text and blocks, as the JSON the outbox sends
/// (`chat.postMessage` arguments without `channel`).
pub fn message(text: impl Into<String>, blocks: Vec<SlackBlock>) -> Value {
    to_json(
        &SlackMessageContent::new()
            .with_text(text.into())
            .with_blocks(blocks),
    )
}

/// A line of the bot's (mrkdwn, user parts escaped) as a message: the
/// text and one section with it. Notes in a loop's channel, DMs, the
/// decision once confirmed, a failure told to the opener.
pub fn note(text: &str) -> Value {
    message(text, vec![section(text)])
}

/// A message of text alone, no blocks.
pub fn text(text: impl Into<String>) -> Value {
    to_json(&SlackMessageContent::new().with_text(text.into()))
}

/// A modal as the JSON `views.open` and `views.update` take.
pub fn modal(view: SlackModalView) -> Value {
    to_json(&SlackView::Modal(view))
}

/// A Home tab as the JSON `views.publish` takes.
pub fn home_tab(blocks: Vec<SlackBlock>) -> Value {
    to_json(&SlackView::Home(SlackHomeView::new(blocks)))
}

/// The keys around typed content that are not Block Kit: where a message
/// goes (`channel`, `ts`, `thread_ts`, `user`), how it is shown
/// (`response_type`, `replace_original`, `unfurl_links`), and so on.
/// The one place such keys are added to what the views build.
pub trait Envelope: Sized {
    fn set(&mut self, key: &str, value: impl Serialize);

    fn with(mut self, key: &str, value: impl Serialize) -> Self {
        self.set(key, value);
        self
    }

    /// A reply only the person who asked sees.
    fn ephemeral(self) -> Self {
        self.with("response_type", "ephemeral")
    }
}

impl Envelope for Value {
    fn set(&mut self, key: &str, value: impl Serialize) {
        match self {
            Value::Object(map) => {
                map.insert(key.to_string(), to_json(&value));
            }
            _ => panic!("an envelope key on something that is not an object"),
        }
    }
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
