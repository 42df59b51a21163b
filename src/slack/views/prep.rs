//! The prep DM an interviewer gets before their live stage: when, what the
//! stage probes with the rubric's anchors, how to run it, the design
//! document for the deep-dive panel, and the reminder that cards are locked
//! and hidden until the debrief.

use super::{context, message as content, section};
use crate::domain::{Rubric, StageKind, StageSpec};
use crate::messages as m;
use crate::slack::mrkdwn::{date, escape};
use serde_json::Value;

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
    spec: &StageSpec,
    candidate: &str,
    starts_at: i64,
    document: Document<'_>,
) -> Value {
    let candidate = escape(candidate);
    let mut blocks = vec![section(&format!(
        "{}\n{}",
        m::prep_title(&escape(&spec.title), &candidate),
        m::prep_when(&date(starts_at), spec.length_minutes.unwrap_or_default())
    ))];
    let probes = spec
        .criteria()
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
    let guide = &spec.guide;
    if !guide.is_empty() {
        let lines = guide
            .iter()
            .map(|l| format!("• {}", escape(l)))
            .collect::<Vec<_>>()
            .join("\n");
        blocks.push(section(&format!("{}\n{lines}", m::PREP_GUIDE)));
    }
    if spec.kind == StageKind::BarRaiser {
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
    content(m::prep_fallback(&spec.title, &candidate), blocks)
}
