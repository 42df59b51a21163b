//! Practice debrief surfaces: the set-up form, the channel's introduction,
//! the packet DM, and the reveal (one message per packet with its cards in
//! the thread, then the summary over both).

use super::{
    action_id, actions, button, context, date_time, divider, header, input, message, modal,
    modal_view, option as choice_item, pack_sections, plain, section, Envelope,
};
use crate::domain::practice::{code, PacketReveal};
use crate::domain::scorecard::Card;
use crate::domain::{Criterion, Level};
use crate::messages as m;
use crate::slack::mrkdwn::{escape, truncate};
use crate::slack::payload::ViewState;
use crate::store::calibrations::PastLoop;
use serde_json::Value;
use slack_morphism::blocks::{
    SlackBlock, SlackBlockButtonStyle, SlackBlockChoiceItem, SlackBlockDateTimePickerElement,
    SlackBlockMultiUsersSelectElement, SlackBlockPlainTextOnly, SlackBlockStaticSelectElement,
};

pub const CALLBACK_ID: &str = "staffloop_calibrate";
pub const CARD_CALLBACK_ID: &str = "staffloop_practice_card";
pub const SCORE_ACTION: &str = "practice_score";
pub const REVEAL_ACTION: &str = "practice_reveal";
pub const PACKET_BLOCKS: [&str; 2] = ["packet_a", "packet_b"];
pub const PARTICIPANTS_BLOCK: &str = "participants";
pub const DEBRIEF_BLOCK: &str = "debrief_at";
const ACTION: &str = "value";
/// Slack's limits: options in a static select, characters of an option.
const MAX_OPTIONS: usize = super::limits::OPTIONS;
const MAX_OPTION_CHARS: usize = super::limits::OPTION_TEXT;
/// A message carries at most 50 blocks and 12,000 characters of text
/// (`limits`); a packet is split below both.
const MAX_BLOCKS_PER_MESSAGE: usize = super::limits::MESSAGE_BLOCKS - 5;
const MAX_CHARS_PER_MESSAGE: usize = super::limits::MESSAGE_TEXT - 1000;

/// What a packet button or a practice card names: the practice debrief
/// and the packet's position.
pub fn card_ref(calibration_id: i64, position: i64) -> String {
    format!("{calibration_id}:{position}")
}

pub fn parse_card_ref(raw: &str) -> Option<(i64, i64)> {
    let (c, p) = raw.trim().split_once(':')?;
    let (c, p) = (c.parse().ok()?, p.parse().ok()?);
    (0..2).contains(&p).then_some((c, p))
}

fn day(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn option(l: &PastLoop) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    let decided = Level::parse(&l.decided_level)
        .map(Level::title)
        .unwrap_or("decided");
    let text = m::past_loop_option(
        &l.candidate_name,
        decided,
        l.offer_outcome.as_deref(),
        &day(l.decided_at),
    );
    choice_item(&truncate(&text, MAX_OPTION_CHARS), l.id)
}

/// The set-up form: two past loops, the participants, the debrief's time.
pub fn form(
    past: &[PastLoop],
    defaults: [Option<i64>; 2],
    participants: &[String],
    debrief_at: i64,
) -> Value {
    let options: Vec<_> = past.iter().take(MAX_OPTIONS).map(option).collect();
    let mut blocks: Vec<SlackBlock> = vec![section(m::CALIBRATE_INTRO)];
    for (i, label) in [m::PACKET_A_LABEL, m::PACKET_B_LABEL].iter().enumerate() {
        let mut select = SlackBlockStaticSelectElement::new()
            .with_action_id(action_id(ACTION))
            .with_options(options.clone());
        let initial = defaults[i].and_then(|id| past.iter().take(MAX_OPTIONS).find(|l| l.id == id));
        if let Some(l) = initial {
            select = select.with_initial_option(option(l));
        }
        blocks.push(
            input(PACKET_BLOCKS[i], label, select)
                .with_hint(plain(m::PACKET_HINT))
                .into(),
        );
    }
    let mut people = SlackBlockMultiUsersSelectElement::new().with_action_id(action_id(ACTION));
    if !participants.is_empty() {
        people = people.with_initial_users(participants.to_vec());
    }
    blocks.push(
        input(PARTICIPANTS_BLOCK, m::PARTICIPANTS_LABEL, people)
            .with_hint(plain(m::PARTICIPANTS_HINT))
            .into(),
    );
    let mut when = SlackBlockDateTimePickerElement::new().with_action_id(action_id(ACTION));
    if let Some(at) = date_time(debrief_at) {
        when = when.with_initial_date_time(at);
    }
    blocks.push(
        input(DEBRIEF_BLOCK, m::CAL_DEBRIEF_LABEL, when)
            .with_hint(plain(m::CAL_DEBRIEF_HINT))
            .into(),
    );
    modal(modal_view(
        CALLBACK_ID,
        m::CALIBRATE_TITLE,
        m::CALIBRATE_SUBMIT,
        m::OPEN_CANCEL,
        blocks,
    ))
}

/// The form as submitted, before any rule is checked.
pub struct FormDraft {
    pub packets: [Option<i64>; 2],
    pub participants: Vec<String>,
    pub debrief_at: Option<i64>,
}

pub fn read_form(values: &Value) -> FormDraft {
    let state = ViewState(values);
    let packet = |block: &str| {
        state
            .selected_option(block, ACTION)
            .and_then(|v| v.parse().ok())
    };
    FormDraft {
        packets: [packet(PACKET_BLOCKS[0]), packet(PACKET_BLOCKS[1])],
        participants: values[PARTICIPANTS_BLOCK][ACTION]["selected_users"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u.as_str().map(str::to_string))
            .collect(),
        debrief_at: values[DEBRIEF_BLOCK][ACTION]["selected_date_time"].as_i64(),
    }
}

/// The calibration channel's first message, with the early-reveal button.
pub fn intro(calibration_id: i64, creator: &str, participants: &[String], when: i64) -> Value {
    let people = participants
        .iter()
        .map(|u| format!("<@{u}>"))
        .collect::<Vec<_>>()
        .join(", ");
    let text = m::calibration_intro(
        &format!("<@{creator}>"),
        &people,
        &crate::slack::mrkdwn::date(when),
    );
    let reveal = button(plain(m::CAL_REVEAL_BUTTON), REVEAL_ACTION, calibration_id);
    message(
        truncate(&text, super::MAX_SECTION_CHARS),
        vec![
            section(&text),
            actions(vec![reveal.into()]),
            context(m::CAL_REVEAL_NOTE),
        ],
    )
}

/// One original card in a packet: its stage's title and, per criterion
/// scored, the criterion's title and the evidence (already masked).
pub struct PacketCard {
    pub stage: String,
    pub evidence: Vec<(String, String)>,
}

/// The design document's link in a packet.
pub enum Link<'a> {
    Given(&'a str),
    /// It names the candidate or a panelist.
    Withheld,
    None,
}

/// A packet's DM, as one message or several when it is long; the last one
/// carries the button that opens the practice card.
pub fn packet(
    calibration_id: i64,
    position: i64,
    when: i64,
    link: Link<'_>,
    cards: &[PacketCard],
) -> Vec<Value> {
    let c = code(position);
    let mut blocks = vec![
        header(&m::packet_heading(c)),
        section(&m::packet_lead(c, &crate::slack::mrkdwn::date(when))),
        section(&match link {
            Link::Given(url) => m::packet_document(Some(url)),
            Link::Withheld => m::PACKET_LINK_WITHHELD.to_string(),
            Link::None => m::packet_document(None),
        }),
    ];
    if cards.is_empty() {
        blocks.push(section(m::PACKET_EMPTY));
    }
    let mut last_stage: Option<&str> = None;
    let mut n = 0;
    for card in cards {
        if last_stage != Some(card.stage.as_str()) {
            blocks.push(divider());
            blocks.push(section(&m::packet_stage(&escape(&card.stage))));
            last_stage = Some(&card.stage);
        }
        n += 1;
        let mut lines = vec![m::packet_interviewer(n)];
        lines.extend(
            card.evidence
                .iter()
                .map(|(title, text)| m::packet_evidence(title, &escape(text))),
        );
        blocks.extend(pack_sections(lines).iter().map(|s| section(s)));
    }
    let score = button(
        plain(&m::packet_button(c)),
        SCORE_ACTION,
        card_ref(calibration_id, position),
    )
    .with_style(SlackBlockButtonStyle::Primary);
    blocks.push(actions(vec![score.into()]));
    blocks.push(context(m::PACKET_PRIVACY));
    split_messages(blocks, &m::packet_fallback(c))
}

/// A block's size as sent: its JSON, in characters.
fn block_chars(b: &SlackBlock) -> usize {
    serde_json::to_string(b)
        .map(|s| s.chars().count())
        .unwrap_or(0)
}

/// Blocks into messages under Slack's per-message limits, in order.
fn split_messages(blocks: Vec<SlackBlock>, text: &str) -> Vec<Value> {
    let mut out: Vec<Vec<SlackBlock>> = vec![Vec::new()];
    let mut chars = 0;
    for b in blocks {
        let n = block_chars(&b);
        let cur = out.last_mut().expect("one message at least");
        if !cur.is_empty()
            && (cur.len() >= MAX_BLOCKS_PER_MESSAGE || chars + n > MAX_CHARS_PER_MESSAGE)
        {
            out.push(Vec::new());
            chars = 0;
        }
        chars += n;
        out.last_mut().expect("one message at least").push(b);
    }
    out.into_iter()
        .map(|blocks| message(text, blocks).with("unfurl_links", false))
        .collect()
}

/// A practice card as the reveal shows it.
pub struct PracticeCardView {
    pub participant: String,
    pub card: Card,
}

/// One packet's reveal: the summary, then each card for its thread.
pub fn reveal(
    position: i64,
    r: &PacketReveal,
    expected: usize,
    outcome: Option<&str>,
    cards: &[PracticeCardView],
) -> Vec<Value> {
    let c = code(position);
    let mut lines = vec![m::practice_cards_in(c, r.cards, expected), String::new()];
    for row in &r.rows {
        lines.push(m::practice_dimension(
            row.dimension.title(),
            row.median,
            row.low,
            row.high,
            row.disagrees(),
            &row.original,
            row.original_median(),
        ));
        let offsets: Vec<(String, u8, f64)> = row
            .scores
            .iter()
            .zip(&row.offsets)
            .map(|((who, s), (_, off))| (format!("<@{who}>"), *s, *off))
            .collect();
        if !offsets.is_empty() {
            lines.push(format!("    {}", m::practice_offsets(&offsets)));
        }
    }
    lines.push(String::new());
    lines.push(m::practice_alpha(c, r.alpha));
    lines.push(m::practice_levels(&r.tally, r.median_level));
    if let Some((low, high)) = r.split {
        lines.push(m::practice_split(low, high));
    }
    lines.push(m::practice_original(&r.original_levels, r.decided, outcome));
    if let (Some(mid), Some(decided)) = (r.median_level, r.decided) {
        lines.push(m::practice_verdict(mid, decided));
    }
    let mut blocks = vec![header(&m::practice_reveal_heading(c))];
    blocks.extend(pack_sections(lines).iter().map(|s| section(s)));
    let heading = m::practice_reveal_heading(c);
    let mut out = split_messages(blocks, &heading);
    for v in cards {
        let who = format!("<@{}>", v.participant);
        let mut lines = vec![m::practice_card_heading(&who, c)];
        for s in &v.card.scores {
            let title = match Criterion::parse(&s.criterion) {
                Some(Criterion::Dimension(d)) => d.title(),
                _ => continue,
            };
            lines.push(m::practice_card_score(title, s.score, &escape(&s.evidence)));
        }
        let level = Level::parse(&v.card.recommendation)
            .map(Level::title)
            .unwrap_or("none");
        lines.push(m::practice_card_level(level));
        let blocks: Vec<SlackBlock> = pack_sections(lines).iter().map(|s| section(s)).collect();
        out.extend(split_messages(blocks, &m::practice_card_heading(&who, c)));
    }
    out
}

/// The closing message: agreement over both packets, each person's mean
/// offset, and who is recorded as calibrated.
pub fn summary(
    alpha: Option<f64>,
    offsets: &[(String, f64, usize)],
    recorded: &[String],
    no_card: &[String],
) -> Value {
    let mention = |u: &String| format!("<@{u}>");
    let mut lines = vec![m::practice_overall(alpha, recorded.len())];
    if !offsets.is_empty() {
        lines.push(String::new());
        lines.push(m::PRACTICE_OFFSETS_HEADING.to_string());
        lines.extend(
            offsets
                .iter()
                .map(|(who, mean, n)| m::practice_person(&mention(who), *mean, *n)),
        );
    }
    lines.push(String::new());
    if !recorded.is_empty() {
        let people: Vec<String> = recorded.iter().map(mention).collect();
        lines.push(m::practice_recorded(&people.join(", ")));
    }
    if !no_card.is_empty() {
        let people: Vec<String> = no_card.iter().map(mention).collect();
        lines.push(m::practice_no_card(&people.join(", ")));
    }
    let mut blocks = vec![header(m::PRACTICE_SUMMARY_HEADING)];
    blocks.extend(pack_sections(lines).iter().map(|s| section(s)));
    blocks.truncate(MAX_BLOCKS_PER_MESSAGE);
    message(m::PRACTICE_SUMMARY_HEADING, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_refs_round_trip_and_refuse_nonsense() {
        assert_eq!(parse_card_ref(&card_ref(12, 1)), Some((12, 1)));
        assert_eq!(parse_card_ref("12:2"), None);
        assert_eq!(parse_card_ref("x:1"), None);
        assert_eq!(parse_card_ref(""), None);
    }

    #[test]
    fn a_long_packet_is_split_under_slacks_limits() {
        let cards: Vec<PacketCard> = (0..12)
            .map(|i| PacketCard {
                stage: format!("Stage {}", i / 2),
                evidence: vec![
                    ("Scope of judgement".into(), "x".repeat(2900)),
                    ("Architectural decisions".into(), "y".repeat(2900)),
                ],
            })
            .collect();
        let msgs = packet(1, 0, 0, Link::None, &cards);
        assert!(msgs.len() > 1);
        for msg in &msgs {
            let blocks = msg["blocks"].as_array().unwrap();
            assert!(blocks.len() <= 50);
            for b in blocks {
                if let Some(t) = b["text"]["text"].as_str() {
                    assert!(t.chars().count() <= 3000);
                }
            }
        }
        let last = msgs.last().unwrap().to_string();
        assert!(last.contains(SCORE_ACTION));
        assert_eq!(
            msgs.iter()
                .filter(|m| m.to_string().contains(SCORE_ACTION))
                .count(),
            1
        );
    }
}
