//! Starting the debrief: once, at its scheduled time (this job) or earlier
//! by the hiring manager (the handler calls `start` too). Starting reveals
//! every card locked by then, cancels the reminders, and is recorded.

use crate::domain::JobKind;
use crate::effects::{self, Effect};
use crate::store::{cards, jobs, loops, Tx};
use crate::AppState;

#[derive(Debug, PartialEq, Eq)]
pub enum Started {
    Now,
    Already,
    NotOpen,
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
    if !loops::start_debrief(&mut tx, loop_id, now).await? {
        let started = loops::debrief_started_at(&mut tx, loop_id).await?;
        tx.commit().await?; // the job, if any, is finished either way
        return Ok(if started.is_some() {
            Started::Already
        } else {
            Started::NotOpen
        });
    }
    let team_id = reveal_effects(&mut tx, loop_id, state.clock.unix_ms()).await?;
    jobs::complete_by_key(&mut tx, &format!("debrief:{loop_id}"), now).await?;
    jobs::cancel_kind_for_loop(&mut tx, loop_id, JobKind::Reminder, now).await?;
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

/// The summary, one reply per card, and the heat map, in delivery order;
/// each is rendered at delivery from the cards locked before the start.
async fn reveal_effects(tx: &mut Tx, loop_id: i64, now_ms: i64) -> anyhow::Result<String> {
    let team_id = loops::team_of(tx, loop_id).await?;
    let cards = cards::reveal_rows(&mut *tx, loop_id).await?;
    let mut effects = vec![Effect::PostRevealSummary { loop_id }];
    effects.extend(cards.iter().map(|c| Effect::PostRevealCard {
        loop_id,
        scorecard_id: c.id,
    }));
    if !cards.is_empty() {
        effects.push(Effect::UploadRevealHeatMap { loop_id });
    }
    for e in effects {
        effects::record(tx, &team_id, e, now_ms).await?;
    }
    Ok(team_id)
}
