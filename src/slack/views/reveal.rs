//! The reveal: one summary message, then one threaded reply per card, every
//! one within Slack's limits however long the evidence.

use super::{actions, button, context, message, section};
use crate::domain::reveal::{Flag, Reveal};
use crate::domain::scorecard::{level_of_score, Card, Criterion};
use crate::domain::{DocGate, Level, Rubric, StageKind};
use crate::heatmap::HeatMap;
use crate::messages as m;
use crate::slack::mrkdwn::{date, escape};
use serde_json::Value;
use slack_morphism::blocks::{SlackActionBlockElement, SlackBlock};

/// Leave room under Slack's 3000-character section limit.
const SECTION_CHARS: usize = 2800;
/// Blocks per message (Slack allows 50).
const BLOCKS_PER_MESSAGE: usize = super::limits::MESSAGE_BLOCKS - 5;
/// Text per message, kept well under Slack's `msg_blocks_too_long` threshold.
const CHARS_PER_MESSAGE: usize = super::limits::MESSAGE_TEXT - 1000;
pub const DECIDE_ACTION_PREFIX: &str = "decide_";

/// One revealed card, as the views need it.
pub struct CardView {
    pub index: usize,
    pub interviewer: String,
    pub stage: StageKind,
    /// The stage's name as people see it.
    pub stage_title: String,
    pub card: Card,
    pub submitted_at: i64,
    /// Seconds after the debrief started, for a card written after it.
    pub late_by: Option<i64>,
    pub addenda: Vec<(String, i64)>,
}

impl CardView {
    /// The card's score on `c`, if it scored it.
    fn score(&self, c: Criterion) -> Option<u8> {
        self.card
            .scores
            .iter()
            .find(|s| s.criterion == c.key())
            .map(|s| s.score)
    }

    /// The card as the reveal's summary weighs it.
    pub fn summary_card(&self) -> crate::domain::reveal::RevealCard {
        crate::domain::reveal::RevealCard {
            interviewer: self.interviewer.clone(),
            stage: self.stage_title.clone(),
            scores: self
                .card
                .scores
                .iter()
                .filter_map(|s| Some((Criterion::parse(&s.criterion)?, s.score)))
                .collect(),
            recommendation: self.card.recommendation().unwrap_or(Level::NoHire),
            after_reveal: self.late_by.is_some(),
            addenda: self.addenda.len(),
        }
    }
}

fn level_title(token: &str) -> &'static str {
    Level::parse(token).map(Level::title).unwrap_or("?")
}

fn criterion_title(rubric: &Rubric, key: &str) -> String {
    Criterion::parse(key)
        .map(|c| rubric.criterion(c).title.clone())
        .unwrap_or_else(|| key.to_string())
}

/// Splits text into pieces whose escaped form fits one section.
fn escaped_chunks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in text.chars() {
        let piece = escape(ch.encode_utf8(&mut [0; 4]));
        if cur.len() + piece.len() > SECTION_CHARS {
            out.push(std::mem::take(&mut cur));
        }
        cur.push_str(&piece);
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// Groups sections into messages' blocks within the block and size limits.
fn pack(sections: Vec<String>) -> Vec<Vec<SlackBlock>> {
    let mut messages = Vec::new();
    let mut blocks: Vec<SlackBlock> = Vec::new();
    let mut chars = 0;
    for s in sections {
        if !blocks.is_empty()
            && (blocks.len() >= BLOCKS_PER_MESSAGE || chars + s.len() > CHARS_PER_MESSAGE)
        {
            messages.push(std::mem::take(&mut blocks));
            chars = 0;
        }
        chars += s.len();
        blocks.push(section(&s));
    }
    if !blocks.is_empty() {
        messages.push(blocks);
    }
    messages
}

/// Each message's blocks with the fallback text they share.
fn messages(parts: Vec<Vec<SlackBlock>>, fallback: &str) -> Vec<Value> {
    parts
        .into_iter()
        .map(|blocks| message(fallback, blocks))
        .collect()
}

/// What the decision buttons under the summary need: the loop, and the
/// mechanical results shown beside them.
pub struct DecideRow<'a> {
    pub loop_id: i64,
    pub mechanical: &'a crate::domain::votes::Mechanical,
}

pub fn summary(
    rubric: &Rubric,
    candidate: &str,
    applied: Level,
    reveal: &Reveal,
    cards: &[CardView],
    expected: usize,
    decide: DecideRow<'_>,
) -> Vec<Value> {
    let DecideRow {
        loop_id,
        mechanical,
    } = decide;
    let mut sections = vec![format!(
        "{}\n{}",
        m::reveal_title(&escape(candidate), applied.title()),
        m::reveal_counts(cards.len(), expected)
    )];
    sections.push(m::REVEAL_GRID.to_string());
    for c in cards {
        let scores = c
            .card
            .scores
            .iter()
            .map(|s| {
                format!(
                    "{} {} ({})",
                    criterion_title(rubric, &s.criterion),
                    s.score,
                    level_of_score(s.score).title().to_lowercase()
                )
            })
            .collect::<Vec<_>>()
            .join(" · ");
        sections.push(format!(
            "{}\n{}",
            m::reveal_card_title(
                c.index,
                &format!("<@{}>", c.interviewer),
                &escape(&c.stage_title),
                level_title(&c.card.recommendation)
            ),
            scores
        ));
    }
    let dims = reveal
        .criteria
        .iter()
        .map(|d| {
            let scores = d
                .scores
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            m::reveal_dimension(
                &rubric.criterion(d.criterion).title,
                d.median,
                &d.median_level().title().to_lowercase(),
                d.spread,
                &scores,
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    sections.push(format!("{}\n{}", m::REVEAL_DIMENSIONS, dims));
    let tally = reveal
        .tally
        .iter()
        .map(|(l, n)| format!("{} ×{n}", l.title()))
        .collect::<Vec<_>>()
        .join(" · ");
    sections.push(format!("{} {}", m::REVEAL_TALLY, tally));
    let flags = reveal
        .flags
        .iter()
        .map(|f| match f {
            Flag::Disagreement {
                criterion,
                low,
                high,
            } => m::flag_disagreement(&rubric.criterion(*criterion).title, *low, *high),
            Flag::SplitRecommendations { low, high } => m::flag_split(low.title(), high.title()),
            Flag::Missing { interviewer, stage } => {
                m::flag_missing(&format!("<@{interviewer}>"), &escape(stage))
            }
            Flag::AfterReveal { interviewer, stage } => {
                m::flag_after(&format!("<@{interviewer}>"), &escape(stage))
            }
            Flag::Addenda {
                interviewer,
                stage,
                count,
            } => m::flag_addenda(&format!("<@{interviewer}>"), &escape(stage), *count),
            Flag::DocGate { outcome } => m::flag_gate(if *outcome == DocGate::Stopped {
                "stop"
            } else {
                "continue"
            }),
            Flag::Unscored(d) => m::flag_unscored(d.title()),
        })
        .collect::<Vec<_>>();
    let flags = if flags.is_empty() {
        m::REVEAL_NO_FLAGS.to_string()
    } else {
        flags.join("\n")
    };
    sections.push(format!("{}\n{}", m::REVEAL_FLAGS, flags));
    let mut parts = pack(sections);
    // The decision buttons sit under the last part of the summary.
    if let Some(blocks) = parts.last_mut() {
        blocks.push(context(&format!(
            "{} {}",
            m::REVEAL_DECIDE,
            m::mechanical_line(
                mechanical.cards.map(Level::title),
                mechanical.votes.map(|(l, n)| (l.title(), n)),
                mechanical.vote_opened,
                mechanical.vote_closed,
            )
        )));
        let mut buttons: Vec<SlackActionBlockElement> = [
            Level::NoHire,
            Level::Senior,
            Level::Staff,
            Level::SeniorStaff,
        ]
        .iter()
        .map(|l| {
            let action = format!("{DECIDE_ACTION_PREFIX}{}", l.as_str());
            button(l.title(), &action, loop_id).into()
        })
        .collect();
        if !mechanical.vote_opened {
            buttons.push(
                button(
                    m::COLLECT_VOTES_BUTTON,
                    super::votes::COLLECT_ACTION,
                    loop_id,
                )
                .into(),
            );
        }
        blocks.push(actions(buttons));
    }
    messages(parts, m::REVEAL_FALLBACK)
}

/// One card's evidence, as one or more thread replies.
pub fn card_replies(rubric: &Rubric, c: &CardView) -> Vec<Value> {
    let mut sections = vec![m::card_reply_title(
        c.index,
        &format!("<@{}>", c.interviewer),
        &escape(&c.stage_title),
        level_title(&c.card.recommendation),
        &date(c.submitted_at),
    )];
    if let Some(after) = c.late_by {
        sections.push(m::card_after_reveal(&super::duration(after.max(0) / 60)));
    }
    for s in &c.card.scores {
        sections.push(format!(
            "*{}*: {} ({})",
            criterion_title(rubric, &s.criterion),
            s.score,
            level_of_score(s.score).title().to_lowercase()
        ));
        sections.extend(escaped_chunks(&s.evidence));
    }
    if let Some(w) = &c.card.work_with {
        let answer = if w.answer {
            m::WORK_WITH_YES
        } else {
            m::WORK_WITH_NO
        };
        sections.push(m::card_work_with(
            &escape(&rubric.bar_raiser_question),
            answer,
        ));
        sections.extend(escaped_chunks(&w.reason));
    }
    for (body, at) in &c.addenda {
        sections.push(m::card_addendum(&date(*at)));
        sections.extend(escaped_chunks(body));
    }
    messages(pack(sections), &format!("Scorecard #{}", c.index))
}

/// An addendum written after the reveal, as thread replies of its own.
pub fn late_addendum(c: &CardView, body: &str, at: i64, late_by: i64) -> Vec<Value> {
    let mut sections = vec![m::late_addendum_title(
        &format!("<@{}>", c.interviewer),
        &escape(&c.stage_title),
        c.index,
        &date(at),
        &super::duration(late_by.max(0) / 60),
    )];
    sections.extend(escaped_chunks(body));
    messages(pack(sections), m::LATE_ADDENDUM_FALLBACK)
}

fn short(c: Criterion) -> &'static str {
    match c.key() {
        "scope_of_judgement" => "Scope",
        "architectural_decisions" => "Arch",
        "cross_team_influence" => "XTeam",
        "mentorship_at_distance" => "Mentor",
        "diagnostic_thinking" => "Diag",
        "code_review_quality" => "Review",
        "smallest_safe_refactor" => "Refact",
        _ => "Speed",
    }
}

/// The criteria any of `cards` scored, in the rubric's order: the grid's
/// columns.
fn scored_columns(cards: &[CardView]) -> Vec<Criterion> {
    Criterion::ALL
        .into_iter()
        .filter(|c| cards.iter().any(|card| card.score(*c).is_some()))
        .collect()
}

pub fn heatmap(cards: &[CardView]) -> HeatMap {
    let columns = scored_columns(cards);
    HeatMap {
        columns: columns.iter().map(|c| short(*c).to_string()).collect(),
        rows: cards
            .iter()
            // Drawn into an image, not read as mrkdwn: the title as written.
            .map(|c| format!("#{} {}", c.index, c.stage_title))
            .collect(),
        cells: cards
            .iter()
            .map(|card| columns.iter().map(|col| card.score(*col)).collect())
            .collect(),
    }
}

/// Rows a table holds at most, header included (Slack's limit: 100), and
/// cells per row (20).
const MAX_TABLE_ROWS: usize = super::limits::TABLE_ROWS;
const MAX_TABLE_CELLS: usize = super::limits::TABLE_CELLS;

/// The reveal's score grid as Slack's native table, built from
/// slack-morphism's Block Kit types: a row per card (interviewer and
/// stage), a column per criterion any card scored, then the level the
/// card's average maps to and its recommendation. `text` carries the same
/// grid for clients that cannot draw the table.
pub fn score_table(cards: &[CardView], candidate: &str) -> Value {
    use slack_morphism::blocks::*;
    use slack_morphism::SlackUserId;
    let mut columns = scored_columns(cards);
    columns.truncate(MAX_TABLE_CELLS - 4);
    let mut header: Vec<SlackTableCell> = vec![
        "#".into(),
        m::TABLE_INTERVIEWER.into(),
        m::TABLE_STAGE.into(),
    ];
    header.extend(columns.iter().map(|c| SlackTableCell::from(short(*c))));
    header.push(m::TABLE_MAPPED.into());
    header.push(m::TABLE_RECOMMENDS.into());
    let mut rows = vec![header];
    let mut lines = vec![m::table_fallback_heading(&escape(candidate))];
    for card in cards.iter().take(MAX_TABLE_ROWS - 1) {
        let who = SlackTableCell::from(SlackTableRichTextCell::new(vec![
            SlackRichTextElement::Section(SlackRichTextSection::new(vec![
                SlackRichTextInlineElement::User(SlackRichTextUser::new(SlackUserId(
                    card.interviewer.clone(),
                ))),
            ])),
        ]));
        let scores: Vec<String> = columns
            .iter()
            .map(|col| {
                card.score(*col)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "–".into())
            })
            .collect();
        let mapped = level_of_score(card.card.weighted_average().floor() as u8).title();
        let recommends = level_title(&card.card.recommendation);
        let mut row = vec![
            SlackTableCell::from(card.index.to_string()),
            who,
            card.stage_title.clone().into(),
        ];
        row.extend(scores.iter().map(|s| SlackTableCell::from(s.as_str())));
        row.push(mapped.into());
        row.push(recommends.into());
        rows.push(row);
        let cells: Vec<String> = columns
            .iter()
            .zip(&scores)
            .map(|(c, s)| format!("{} {s}", short(*c)))
            .collect();
        lines.push(m::table_fallback_row(
            card.index,
            &format!("<@{}>", card.interviewer),
            &escape(&card.stage_title),
            &cells.join(", "),
            mapped,
            recommends,
        ));
    }
    let width = rows[0].len();
    let settings: Vec<SlackTableColumnSetting> = (0..width)
        .map(|i| {
            let mut s = SlackTableColumnSetting::new();
            if i == 0 || (3..width - 2).contains(&i) {
                s = s.with_align(SlackTableColumnAlign::Right);
            }
            s
        })
        .collect();
    let table = SlackBlock::from(SlackTableBlock::new(rows).with_column_settings(settings));
    let text = lines.join("\n");
    message(
        crate::slack::mrkdwn::truncate(&text, super::MAX_SECTION_CHARS),
        vec![section(&m::table_heading(&escape(candidate))), table],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_evidence_splits_within_limits() {
        let long = "a&b<".repeat(900); // escapes to 9 chars each group: 8100 chars
        let chunks = escaped_chunks(&long);
        assert!(chunks.len() >= 3);
        assert!(chunks.iter().all(|c| c.len() <= SECTION_CHARS));
        assert_eq!(chunks.concat(), escape(&long), "nothing lost at the seams");
        let msgs = messages(pack(chunks.iter().cycle().take(60).cloned().collect()), "x");
        for msg in &msgs {
            let blocks = msg["blocks"].as_array().unwrap();
            assert!(blocks.len() <= BLOCKS_PER_MESSAGE);
            let chars: usize = blocks
                .iter()
                .map(|b| b["text"]["text"].as_str().unwrap().len())
                .sum();
            assert!(chars <= CHARS_PER_MESSAGE);
        }
    }
}
