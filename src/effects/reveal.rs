//! The reveal, read back from the store at delivery. Its figures (the grid,
//! the medians, the tally, the heat map) are the cards locked before the
//! debrief started, numbered in stage order, with the addenda written by
//! then: every retry of a reveal message renders the same thing. A card or
//! addendum written after the start is posted on its own in the thread,
//! marked late, and the summary names it as late rather than missing.

use crate::domain::reveal::{summarize, Reveal, RevealCard};
use crate::domain::scorecard::Card;
use crate::domain::{Level, StageKind};
use crate::slack::views::reveal::CardView;
use crate::store::cards::{self, Addendum};
use crate::store::{loops, Db};

pub struct Snapshot {
    pub candidate: String,
    pub applied: Level,
    pub summary: Reveal,
    /// The cards in by the start, numbered from 1.
    pub views: Vec<CardView>,
    /// The cards written after the start, numbered on from `views`.
    pub late: Vec<CardView>,
    /// The cards' ids, in the order of `views` and then `late`.
    pub ids: Vec<i64>,
    /// Addenda written after the start.
    pub late_addenda: Vec<Addendum>,
    pub expected: usize,
    pub started_at: i64,
}

impl Snapshot {
    /// A card by its id, in time or late.
    pub fn card(&self, id: i64) -> Option<&CardView> {
        let i = self.ids.iter().position(|x| *x == id)?;
        self.views
            .get(i)
            .or_else(|| self.late.get(i - self.views.len()))
    }
}

pub async fn snapshot(db: &Db, loop_id: i64) -> anyhow::Result<Option<Snapshot>> {
    let Some(l) = loops::by_id(db, loop_id).await? else {
        return Ok(None);
    };
    let started_at = l.debrief_started_at.unwrap_or(i64::MAX);
    let rows = cards::reveal_rows(db, loop_id).await?;
    let (late_addenda, addenda): (Vec<Addendum>, Vec<Addendum>) = cards::addenda(db, loop_id)
        .await?
        .into_iter()
        .partition(|a| a.after_reveal != 0);
    let mut missing: Vec<(String, String)> = cards::missing(db, loop_id)
        .await?
        .into_iter()
        .map(|m| (m.interviewer, m.name))
        .collect();
    let (_, expected) = cards::progress(db, loop_id).await?;
    let mut views = Vec::new();
    let mut late = Vec::new();
    let (mut ids, mut late_ids) = (Vec::new(), Vec::new());
    for row in &rows {
        let (Some(stage), Ok(card)) = (
            StageKind::parse(&row.kind),
            serde_json::from_str::<Card>(&row.content),
        ) else {
            tracing::error!(
                card_id = row.id,
                "a stored card could not be read; it is listed as missing"
            );
            missing.push((row.interviewer.clone(), row.title.clone()));
            continue;
        };
        let after = row.after_reveal != 0;
        let view = CardView {
            index: 0,
            interviewer: row.interviewer.clone(),
            stage,
            stage_title: crate::domain::stage::display_title(&row.title),
            card,
            submitted_at: row.submitted_at,
            late_by: after.then(|| (row.submitted_at - started_at).max(0)),
            addenda: addenda
                .iter()
                .filter(|a| a.scorecard_id == row.id)
                .map(|a| (a.body.clone(), a.created_at))
                .collect(),
        };
        if after {
            late.push(view);
            late_ids.push(row.id);
        } else {
            views.push(view);
            ids.push(row.id);
        }
    }
    // Late cards are numbered after the others, in the order they came.
    let mut late: Vec<(CardView, i64)> = late.into_iter().zip(late_ids).collect();
    late.sort_by_key(|(v, id)| (v.submitted_at, *id));
    for (i, v) in views.iter_mut().enumerate() {
        v.index = i + 1;
    }
    for (i, (v, _)) in late.iter_mut().enumerate() {
        v.index = views.len() + i + 1;
    }
    ids.extend(late.iter().map(|(_, id)| *id));
    let late: Vec<CardView> = late.into_iter().map(|(v, _)| v).collect();
    let reveal_cards: Vec<RevealCard> = views
        .iter()
        .chain(&late)
        .map(CardView::summary_card)
        .collect();
    let missing: Vec<(String, String)> = missing
        .into_iter()
        .map(|(u, name)| (u, crate::domain::stage::display_title(&name)))
        .collect();
    Ok(Some(Snapshot {
        summary: summarize(&reveal_cards, &missing, l.doc_gate),
        applied: Level::parse(&l.applied_level).unwrap_or(Level::Staff),
        candidate: l.candidate_name,
        views,
        late,
        ids,
        late_addenda,
        expected: expected as usize,
        started_at,
    }))
}
