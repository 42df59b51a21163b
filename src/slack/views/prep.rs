//! The prep DM an interviewer gets before their live stage: when, what the
//! stage probes with the rubric's anchors, how to run it, the design
//! document for the deep-dive panel, and the reminder that cards are locked
//! and hidden until the debrief.

use super::{context, section};
use crate::domain::{Criterion, Rubric, StageKind};
use crate::messages as m;
use crate::slack::mrkdwn::{date, escape};
use serde_json::{json, Value};

/// Where the design document stands, for the deep-dive panel.
pub enum Document<'a> {
    /// Not a deep-dive: nothing to say about the document.
    NotNeeded,
    NotYetIn,
    In {
        prompt_url: Option<&'a str>,
    },
}

pub fn message(
    rubric: &Rubric,
    kind: StageKind,
    candidate: &str,
    starts_at: i64,
    document: Document<'_>,
) -> Value {
    let candidate = escape(candidate);
    let mut blocks = vec![section(&format!(
        "{}\n{}",
        m::prep_title(kind.title(), &candidate),
        m::prep_when(&date(starts_at), kind.length_minutes().unwrap_or_default())
    ))];
    let probes = Criterion::for_stage(kind)
        .into_iter()
        .map(|c| {
            let text = rubric.criterion(c);
            let anchors = text
                .anchors
                .iter()
                .enumerate()
                .map(|(i, a)| format!("{} {}", i + 1, escape(a)))
                .collect::<Vec<_>>()
                .join("\n");
            format!("*{}*\n{anchors}", escape(&text.title))
        })
        .collect::<Vec<_>>();
    blocks.push(section(m::PREP_PROBES));
    blocks.extend(probes.iter().map(|p| section(p)));
    let guide = m::stage_guide(kind);
    if !guide.is_empty() {
        let lines = guide
            .iter()
            .map(|l| format!("• {l}"))
            .collect::<Vec<_>>()
            .join("\n");
        blocks.push(section(&format!("{}\n{lines}", m::PREP_GUIDE)));
    }
    if kind == StageKind::BarRaiser {
        blocks.push(section(&format!(
            "*{}*",
            escape(&rubric.bar_raiser_question)
        )));
    }
    match document {
        Document::NotNeeded => {}
        Document::NotYetIn => blocks.push(section(m::PREP_DOC_NOT_YET)),
        Document::In { prompt_url } => {
            blocks.push(section(&m::prep_doc_in(prompt_url.map(escape).as_deref())))
        }
    }
    blocks.push(context(m::PREP_LOCKED));
    json!({"text": m::prep_fallback(kind.title(), &candidate), "blocks": blocks})
}
