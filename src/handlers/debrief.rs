//! Starting the debrief: at its scheduled time (a job), or earlier by the
//! hiring manager (`/staffloop debrief` or the plan's button). Starting is
//! irreversible and happens once; it reveals every card at once.

use crate::domain::reveal::{summarize, RevealCard};
use crate::domain::scorecard::{Card, Criterion};
use crate::domain::{Level, StageKind};
use crate::error::{AppError, AppResult};
use crate::messages as m;
use crate::slack::payload::{BlockAction, SlashCommand};
use crate::slack::views::reveal::{self, CardView};
use crate::slack::Reply;
use crate::store::outbox::{self, Effect, LOOP_CHANNEL};
use crate::store::{cards, jobs, loops, Tx};
use crate::AppState;
use serde_json::json;

pub const START_ACTION: &str = "start_debrief";
/// A whole-string placeholder for the reveal summary's timestamp.
pub const REVEAL_TS: &str = "$reveal_ts";

#[derive(Debug, PartialEq, Eq)]
pub enum Started {
    Now,
    Already,
    NotOpen,
}

pub async fn command(state: &AppState, cmd: &SlashCommand) -> AppResult<Reply> {
    let Some(l) = loops::find_by_channel(&state.db, cmd.team_id.as_str(), &cmd.channel_id).await?
    else {
        return Err(AppError::user(m::NOT_A_LOOP_CHANNEL));
    };
    if l.hiring_manager != cmd.user_id.as_str() {
        return Err(AppError::user(m::DEBRIEF_NOT_ALLOWED));
    }
    Ok(Reply::ephemeral(
        match start(state, l.id, cmd.user_id.as_str(), None).await? {
            Started::Now => m::DEBRIEF_STARTED,
            Started::Already => m::DEBRIEF_ALREADY,
            Started::NotOpen => m::LOOP_NOT_OPEN,
        },
    ))
}

pub async fn button(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let Some(l) = super::action_loop(state, action).await? else {
        return Ok(());
    };
    let user = action.user_id.as_str();
    let text = if l.hiring_manager != user {
        m::DEBRIEF_NOT_ALLOWED
    } else {
        match start(state, l.id, user, None).await? {
            Started::Now => m::DEBRIEF_STARTED,
            Started::Already => m::DEBRIEF_ALREADY,
            Started::NotOpen => m::LOOP_NOT_OPEN,
        }
    };
    super::scorecard::notice(state, &l.team_id, user, action.channel_id.as_deref(), text).await
}

/// Starts the debrief once; the job passes itself so it finishes in the same
/// transaction.
pub async fn start(
    state: &AppState,
    loop_id: i64,
    actor: &str,
    job: Option<&jobs::Job>,
) -> anyhow::Result<Started> {
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    if let Some(job) = job {
        if !jobs::finish(&mut tx, job, None, now).await? {
            return Ok(Started::Already);
        }
    }
    let won = sqlx::query(
        "UPDATE loops SET debrief_started_at = $1 WHERE id = $2 AND debrief_started_at IS NULL AND state = 'open'",
    )
    .bind(now)
    .bind(loop_id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !won {
        let started: Option<Option<i64>> =
            sqlx::query_scalar("SELECT debrief_started_at FROM loops WHERE id = $1")
                .bind(loop_id)
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?; // the job, if any, is finished either way
        return Ok(if started.flatten().is_some() {
            Started::Already
        } else {
            Started::NotOpen
        });
    }
    let team_id = reveal_effects(state, &mut tx, loop_id).await?;
    jobs::complete_by_key(&mut tx, &format!("debrief:{loop_id}"), now).await?;
    sqlx::query("UPDATE jobs SET status = 'cancelled', finished_at = $1 WHERE loop_id = $2 AND kind = 'reminder' AND status = 'pending'")
        .bind(now)
        .bind(loop_id)
        .execute(&mut *tx)
        .await?;
    loops::audit(
        &mut tx,
        &team_id,
        Some(loop_id),
        actor,
        "debrief started; all cards revealed",
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(loop_id, "debrief started");
    state.outbox_wakeup.notify_one();
    Ok(Started::Now)
}

/// The summary, one reply per card, and the heat map, in delivery order.
async fn reveal_effects(state: &AppState, tx: &mut Tx, loop_id: i64) -> anyhow::Result<String> {
    let (team_id, candidate, applied, doc_gate): (String, String, String, Option<String>) =
        sqlx::query_as(
            "SELECT team_id, candidate_name, applied_level, doc_gate FROM loops WHERE id = $1",
        )
        .bind(loop_id)
        .fetch_one(&mut **tx)
        .await?;
    let rows = cards::reveal_rows(&mut **tx, loop_id).await?;
    let addenda = cards::addenda(&mut **tx, loop_id).await?;
    let missing = cards::missing(&mut **tx, loop_id).await?;
    let (_, expected) = cards::progress(&mut **tx, loop_id).await?;
    let mut views = Vec::new();
    for (i, row) in rows.iter().enumerate() {
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
            index: i + 1,
            interviewer: row.interviewer.clone(),
            stage,
            card,
            submitted_at: row.submitted_at,
            after_reveal: row.after_reveal != 0,
            addenda: addenda
                .iter()
                .filter(|(id, _, _)| *id == row.id)
                .map(|(_, b, at)| (b.clone(), *at))
                .collect(),
        });
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
    let gate = doc_gate.filter(|g| g == "continued" || g == "stopped");
    let summary = summarize(&reveal_cards, &missing, gate.as_deref());
    let applied = Level::parse(&applied).unwrap_or(Level::Staff);
    let now_ms = state.clock.unix_ms();
    let enqueue_all = |messages: Vec<serde_json::Value>, first_records: bool| {
        messages.into_iter().enumerate().map(move |(i, mut msg)| {
            msg["channel"] = json!(LOOP_CHANNEL);
            if first_records && i == 0 {
                msg["_record_reveal"] = json!(loop_id);
            } else {
                msg["thread_ts"] = json!(REVEAL_TS);
            }
            Effect::for_loop(loop_id, "chat.postMessage", msg)
        })
    };
    let mut effects: Vec<Effect> = enqueue_all(
        reveal::summary(
            &state.rubric,
            &candidate,
            applied,
            &summary,
            &views,
            expected as usize,
            loop_id,
        ),
        true,
    )
    .collect();
    for v in &views {
        effects.extend(enqueue_all(reveal::card_replies(&state.rubric, v), false));
    }
    if !views.is_empty() {
        let upload = json!({
            "channel": LOOP_CHANNEL,
            "thread_ts": REVEAL_TS,
            "filename": "scores.png",
            "title": m::heatmap_title(&candidate),
            "comment": m::HEATMAP_COMMENT,
            "heatmap": reveal::heatmap(&views),
        });
        effects.push(Effect::for_loop(
            loop_id,
            crate::jobs::outbox_worker::UPLOAD_PNG,
            upload,
        ));
    }
    for e in &effects {
        outbox::enqueue(tx, &team_id, e, now_ms).await?;
    }
    Ok(team_id)
}
