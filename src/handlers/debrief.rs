//! Starting the debrief: at its scheduled time (a job), or earlier by the
//! hiring manager (`/staffloop debrief` or the plan's button). Starting is
//! irreversible and happens once; it reveals every card at once.

use crate::effects::{self, Effect};
use crate::error::{AppError, AppResult};
use crate::messages as m;
use crate::slack::payload::{BlockAction, SlashCommand};
use crate::slack::Reply;
use crate::store::{cards, jobs, loops, Tx};
use crate::AppState;

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
    let team_id = reveal_effects(&mut tx, loop_id, state.clock.unix_ms()).await?;
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

/// The summary, one reply per card, and the heat map, in delivery order;
/// each is rendered at delivery from the cards locked before the start.
async fn reveal_effects(tx: &mut Tx, loop_id: i64, now_ms: i64) -> anyhow::Result<String> {
    let team_id: String = sqlx::query_scalar("SELECT team_id FROM loops WHERE id = $1")
        .bind(loop_id)
        .fetch_one(&mut **tx)
        .await?;
    let cards = cards::reveal_rows(&mut **tx, loop_id).await?;
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
