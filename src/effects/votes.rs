//! Final votes, read back from the store: each voter's card, the cards the
//! panel can move toward, the votes' moves, and the mechanical results a
//! decision is set beside. Used where votes are asked for, shown and
//! counted.

use super::deliver::{call, note, thread, Failure, Sent};
use super::Effect;
use crate::domain::scorecard::Card;
use crate::domain::votes::{self, Anchors, Ballot, Mechanical, Move, OwnCard};
use crate::domain::{Criterion, Level, StageKind};
use crate::slack::views::votes as views;
use crate::slack::views::Envelope;
use crate::store::outbox::Delivery;
use crate::store::{cards, loops, votes as store, Db};
use crate::AppState;

/// The cards sent before the debrief, as the vote needs them.
pub async fn ballot(db: &Db, loop_id: i64) -> anyhow::Result<Option<Ballot>> {
    let Some(l) = loops::by_id(db, loop_id).await? else {
        return Ok(None);
    };
    let mut own: Vec<(String, OwnCard)> = Vec::new();
    let mut all_levels = Vec::new();
    let mut bar_raiser = None;
    for row in cards::reveal_rows(db, loop_id).await? {
        if row.after_reveal != 0 {
            continue;
        }
        let Ok(card) = serde_json::from_str::<Card>(&row.content) else {
            continue;
        };
        let Some(level) = Level::parse(&card.recommendation) else {
            continue;
        };
        all_levels.push(level);
        if StageKind::parse(&row.kind) == Some(StageKind::BarRaiser) {
            bar_raiser = Some((row.interviewer.clone(), level));
        }
        let scores = card
            .scores
            .iter()
            .filter_map(|s| Some((Criterion::parse(&s.criterion)?, s.score)))
            .filter(|(c, _)| matches!(c, Criterion::Dimension(_)))
            .collect();
        let card = OwnCard { level, scores };
        // Rows come in stage order: a later card replaces an earlier one.
        match own.iter_mut().find(|(v, _)| *v == row.interviewer) {
            Some((_, c)) => *c = card,
            None => own.push((row.interviewer.clone(), card)),
        }
    }
    let hm_card = own
        .iter()
        .find(|(v, _)| *v == l.hiring_manager)
        .map(|(v, c)| (v.clone(), c.level));
    Ok(Some(Ballot {
        candidate: l.candidate_name,
        anchors: Anchors {
            median: votes::median_level(&all_levels),
            hiring_manager: hm_card,
            bar_raiser,
        },
        cards: own,
    }))
}

/// The votes of a loop as moves against its cards.
pub async fn moves(
    db: &Db,
    loop_id: i64,
    b: &Ballot,
) -> anyhow::Result<(Vec<store::Vote>, Vec<Move>)> {
    let cast = store::votes(db, loop_id).await?;
    let triples: Vec<(String, Level, Level)> = cast
        .iter()
        .filter_map(|v| {
            Some((
                v.voter.clone(),
                Level::parse(&v.card_level)?,
                Level::parse(&v.level)?,
            ))
        })
        .collect();
    Ok((cast, votes::moves(&triples, &b.anchors)))
}

pub async fn mechanical(db: &Db, loop_id: i64) -> anyhow::Result<Mechanical> {
    let Some(b) = ballot(db, loop_id).await? else {
        return Ok(Mechanical::default());
    };
    let (opened, closed) = store::state(db, loop_id).await?;
    let votes = if closed.is_some() {
        let cast: Vec<Level> = store::votes(db, loop_id)
            .await?
            .iter()
            .filter_map(|v| Level::parse(&v.level))
            .collect();
        votes::median_level(&cast).map(|m| (m, cast.len()))
    } else {
        None
    };
    Ok(Mechanical {
        cards: b.anchors.median,
        votes,
        vote_opened: opened.is_some(),
        vote_closed: closed.is_some(),
    })
}

pub async fn send(state: &AppState, _d: &Delivery, effect: &Effect) -> Sent {
    use Effect::*;
    let db = &state.db;
    match effect {
        AskFinalVote { loop_id, user } => {
            let (_, closed) = store::state(db, *loop_id).await?;
            if closed.is_some() || store::vote_of(db, *loop_id, user).await?.is_some() {
                return Ok(()); // closed, or sent, meanwhile
            }
            let b = ballot(db, *loop_id)
                .await?
                .ok_or(Failure::Missing("the loop is gone"))?;
            let mut body = views::ask(*loop_id, &b.candidate);
            body.set("channel", user);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        PostVoteOpened { loop_id } => {
            let (channel, ts) = thread(state, *loop_id).await?;
            let voters = store::voters(db, *loop_id).await?;
            let mut body = views::opened(*loop_id, &voters);
            body.set("channel", channel);
            body.set("thread_ts", ts);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        NoteFinalVote {
            loop_id,
            user,
            voted,
            expected,
        } => {
            let (channel, ts) = thread(state, *loop_id).await?;
            let text = crate::messages::vote_noted(&format!("<@{user}>"), *voted, *expected);
            let mut body = note(&channel, &text);
            body.set("thread_ts", ts);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        PostFinalVotes { loop_id } => {
            let (channel, ts) = thread(state, *loop_id).await?;
            let b = ballot(db, *loop_id)
                .await?
                .ok_or(Failure::Missing("the loop is gone"))?;
            let (cast, moves) = moves(db, *loop_id, &b).await?;
            let voters = store::voters(db, *loop_id).await?;
            let missing: Vec<String> = voters
                .into_iter()
                .filter(|v| !cast.iter().any(|c| &c.voter == v))
                .collect();
            let mut body = views::results(&state.rubric, &cast, &moves, &missing);
            body.set("channel", channel);
            body.set("thread_ts", ts);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        _ => Err(Failure::Missing("not a final vote's effect")),
    }
}
