//! The reveal as it stood when the debrief started, read back from the store
//! at delivery: the cards locked before the start (numbered in stage order),
//! the people whose card was not in by then, and the summary's figures.
//! Cards that arrive later are not part of it, so every retry of a reveal
//! message renders the same thing.

use crate::domain::reveal::{summarize, Reveal, RevealCard};
use crate::domain::scorecard::{Card, Criterion};
use crate::domain::{Level, StageKind};
use crate::slack::views::reveal::CardView;
use crate::store::{cards, loops, Db};

pub struct Snapshot {
    pub candidate: String,
    pub applied: Level,
    pub summary: Reveal,
    pub views: Vec<CardView>,
    /// The cards' ids, in the order of `views`.
    pub ids: Vec<i64>,
    pub expected: usize,
}

pub async fn snapshot(db: &Db, loop_id: i64) -> anyhow::Result<Option<Snapshot>> {
    let Some(l) = loops::by_id(db, loop_id).await? else {
        return Ok(None);
    };
    let rows = cards::reveal_rows(db, loop_id).await?;
    let addenda = cards::addenda(db, loop_id).await?;
    let mut missing = cards::missing(db, loop_id).await?;
    let (_, expected) = cards::progress(db, loop_id).await?;
    let mut views = Vec::new();
    let mut ids = Vec::new();
    for row in &rows {
        if row.after_reveal != 0 {
            // Not in by the start: named missing, as it was at that moment.
            missing.push((row.interviewer.clone(), row.kind.clone()));
            continue;
        }
        let (Some(stage), Ok(card)) = (
            StageKind::parse(&row.kind),
            serde_json::from_str::<Card>(&row.content),
        ) else {
            tracing::error!(
                card_id = row.id,
                "a stored card could not be read; it is listed as missing"
            );
            continue;
        };
        views.push(CardView {
            index: views.len() + 1,
            interviewer: row.interviewer.clone(),
            stage,
            card,
            submitted_at: row.submitted_at,
            after_reveal: false,
            addenda: addenda
                .iter()
                .filter(|(id, _, _)| *id == row.id)
                .map(|(_, b, at)| (b.clone(), *at))
                .collect(),
        });
        ids.push(row.id);
    }
    let reveal_cards: Vec<RevealCard> = views
        .iter()
        .map(|v| RevealCard {
            interviewer: v.interviewer.clone(),
            stage: v.stage,
            scores: v
                .card
                .scores
                .iter()
                .filter_map(|s| Some((Criterion::parse(&s.criterion)?, s.score)))
                .collect(),
            recommendation: v.card.recommendation().unwrap_or(Level::NoHire),
            after_reveal: v.after_reveal,
            addenda: v.addenda.len(),
        })
        .collect();
    let missing: Vec<(String, StageKind)> = missing
        .into_iter()
        .filter_map(|(u, k)| Some((u, StageKind::parse(&k)?)))
        .collect();
    Ok(Some(Snapshot {
        summary: summarize(&reveal_cards, &missing, l.doc_gate),
        applied: Level::parse(&l.applied_level).unwrap_or(Level::Staff),
        candidate: l.candidate_name,
        views,
        ids,
        expected: expected as usize,
    }))
}
