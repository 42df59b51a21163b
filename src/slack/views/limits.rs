//! Slack's Block Kit limits in one place, as checks over what the bot is
//! about to send (or, in tests, what the fake Slack received): a message, a
//! modal or a Home. Each broken limit comes back as one line saying where
//! and what, so a test can show them all.
//!
//! From Slack's reference pages: 50 blocks in a message and 100 in a modal
//! or Home; about 12,000 characters of text in a message's blocks (past it
//! Slack answers `msg_blocks_too_long`); section text 3,000 characters and 10 fields of 2,000; header 150;
//! context 10 elements; actions 25 elements; a button's text 75, its value
//! 2,000; an input's label and hint 2,000; a select's 100 options of 75
//! characters (description 75, value 150); a text input's `max_length`
//! 3,000; a modal's title, submit and close 24, its private metadata 3,000;
//! a table's 100 rows of 20 cells; two charts a message, each titled in 50.

use serde_json::Value;

pub const MESSAGE_BLOCKS: usize = 50;
pub const MESSAGE_TEXT: usize = 12_000;
pub const VIEW_BLOCKS: usize = 100;
pub const SECTION_TEXT: usize = 3000;
pub const SECTION_FIELDS: usize = 10;
pub const FIELD_TEXT: usize = 2000;
pub const HEADER_TEXT: usize = 150;
pub const CONTEXT_ELEMENTS: usize = 10;
pub const ACTIONS_ELEMENTS: usize = 25;
pub const BUTTON_TEXT: usize = 75;
pub const BUTTON_VALUE: usize = 2000;
pub const LABEL_TEXT: usize = 2000;
pub const OPTIONS: usize = 100;
pub const OPTION_TEXT: usize = 75;
pub const OPTION_VALUE: usize = 150;
pub const INPUT_MAX_LENGTH: u64 = 3000;
pub const VIEW_TITLE: usize = 24;
pub const PRIVATE_METADATA: usize = 3000;
pub const TABLE_ROWS: usize = 100;
pub const TABLE_CELLS: usize = 20;
pub const CHARTS: usize = 2;
pub const CHART_TITLE: usize = 50;

/// Where a view is shown: the block count it may hold differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    Message,
    Modal,
    Home,
}

fn chars(v: &Value) -> usize {
    v.as_str().map(|s| s.chars().count()).unwrap_or(0)
}

fn over(out: &mut Vec<String>, at: &str, what: &str, n: usize, max: usize) {
    if n > max {
        out.push(format!("{at}: {what} is {n}, Slack allows {max}"));
    }
}

/// Every broken limit in `body` (a `chat.postMessage` body, or a view).
pub fn check(surface: Surface, body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let blocks = body["blocks"].as_array().cloned().unwrap_or_default();
    let max_blocks = match surface {
        Surface::Message => MESSAGE_BLOCKS,
        Surface::Modal | Surface::Home => VIEW_BLOCKS,
    };
    over(&mut out, "blocks", "the count", blocks.len(), max_blocks);
    if surface == Surface::Message {
        over(
            &mut out,
            "blocks",
            "the text in them",
            blocks.iter().map(text_chars).sum(),
            MESSAGE_TEXT,
        );
    }
    if surface == Surface::Modal {
        for key in ["title", "submit", "close"] {
            over(
                &mut out,
                key,
                "the text",
                chars(&body[key]["text"]),
                VIEW_TITLE,
            );
        }
        over(
            &mut out,
            "private_metadata",
            "the length",
            chars(&body["private_metadata"]),
            PRIVATE_METADATA,
        );
    }
    let charts = blocks
        .iter()
        .filter(|b| b["type"] == "data_visualization")
        .count();
    over(&mut out, "blocks", "the number of charts", charts, CHARTS);
    for (i, b) in blocks.iter().enumerate() {
        let at = format!("block {i} ({})", b["type"].as_str().unwrap_or("?"));
        match b["type"].as_str().unwrap_or_default() {
            "section" => {
                over(
                    &mut out,
                    &at,
                    "the text",
                    chars(&b["text"]["text"]),
                    SECTION_TEXT,
                );
                let fields = b["fields"].as_array().cloned().unwrap_or_default();
                over(
                    &mut out,
                    &at,
                    "the number of fields",
                    fields.len(),
                    SECTION_FIELDS,
                );
                for f in &fields {
                    over(
                        &mut out,
                        &at,
                        "a field's text",
                        chars(&f["text"]),
                        FIELD_TEXT,
                    );
                }
            }
            "header" => over(
                &mut out,
                &at,
                "the text",
                chars(&b["text"]["text"]),
                HEADER_TEXT,
            ),
            "context" => {
                let elements = b["elements"].as_array().cloned().unwrap_or_default();
                over(
                    &mut out,
                    &at,
                    "the number of elements",
                    elements.len(),
                    CONTEXT_ELEMENTS,
                );
                for e in &elements {
                    over(
                        &mut out,
                        &at,
                        "an element's text",
                        chars(&e["text"]),
                        SECTION_TEXT,
                    );
                }
            }
            "actions" => {
                let elements = b["elements"].as_array().cloned().unwrap_or_default();
                over(
                    &mut out,
                    &at,
                    "the number of elements",
                    elements.len(),
                    ACTIONS_ELEMENTS,
                );
                for e in &elements {
                    element(&mut out, &at, e);
                }
            }
            "input" => {
                over(
                    &mut out,
                    &at,
                    "the label",
                    chars(&b["label"]["text"]),
                    LABEL_TEXT,
                );
                over(
                    &mut out,
                    &at,
                    "the hint",
                    chars(&b["hint"]["text"]),
                    LABEL_TEXT,
                );
                element(&mut out, &at, &b["element"]);
            }
            "table" => {
                let rows = b["rows"].as_array().cloned().unwrap_or_default();
                over(&mut out, &at, "the number of rows", rows.len(), TABLE_ROWS);
                for r in &rows {
                    let cells = r.as_array().map(Vec::len).unwrap_or(0);
                    over(&mut out, &at, "the cells in a row", cells, TABLE_CELLS);
                }
            }
            "data_visualization" => {
                over(&mut out, &at, "the title", chars(&b["title"]), CHART_TITLE);
            }
            _ => {}
        }
    }
    out
}

/// The characters of text a block shows: a section's text and fields, a
/// header's text, a context's elements.
fn text_chars(b: &Value) -> usize {
    let texts = |key: &str| {
        b[key]
            .as_array()
            .map(|a| a.iter().map(|t| chars(&t["text"])).sum())
            .unwrap_or(0)
    };
    match b["type"].as_str().unwrap_or_default() {
        "section" => chars(&b["text"]["text"]) + texts("fields"),
        "header" => chars(&b["text"]["text"]),
        "context" => texts("elements"),
        _ => 0,
    }
}

fn element(out: &mut Vec<String>, at: &str, e: &Value) {
    match e["type"].as_str().unwrap_or_default() {
        "button" => {
            over(
                out,
                at,
                "a button's text",
                chars(&e["text"]["text"]),
                BUTTON_TEXT,
            );
            over(
                out,
                at,
                "a button's value",
                chars(&e["value"]),
                BUTTON_VALUE,
            );
        }
        "static_select" | "radio_buttons" | "checkboxes" => {
            let options = e["options"].as_array().cloned().unwrap_or_default();
            over(out, at, "the number of options", options.len(), OPTIONS);
            for o in options.iter().chain(e.get("initial_option")) {
                over(
                    out,
                    at,
                    "an option's text",
                    chars(&o["text"]["text"]),
                    OPTION_TEXT,
                );
                over(
                    out,
                    at,
                    "an option's description",
                    chars(&o["description"]["text"]),
                    OPTION_TEXT,
                );
                over(
                    out,
                    at,
                    "an option's value",
                    chars(&o["value"]),
                    OPTION_VALUE,
                );
            }
        }
        "plain_text_input" => {
            let max = e["max_length"].as_u64().unwrap_or(0);
            if max > INPUT_MAX_LENGTH {
                out.push(format!(
                    "{at}: a text input's max_length is {max}, Slack allows {INPUT_MAX_LENGTH}"
                ));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_what_is_over_and_passes_what_is_not() {
        let ok = json!({"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]});
        assert!(check(Surface::Message, &ok).is_empty());
        let long = "x".repeat(3001);
        let blocks: Vec<Value> = (0..51)
            .map(|_| json!({"type": "section", "text": {"type": "mrkdwn", "text": long}}))
            .collect();
        let bad = check(Surface::Message, &json!({ "blocks": blocks }));
        assert_eq!(bad.len(), 53, "{bad:?}");
        assert!(bad[0].contains("count is 51, Slack allows 50"));
        assert!(bad[1].contains("text in them is 153051, Slack allows 12000"));
        let modal = json!({"title": {"text": "A title longer than twenty-four"}, "blocks": []});
        assert_eq!(check(Surface::Modal, &modal).len(), 1);
    }
}
