//! Starting the debrief early, by the hiring manager: `/staffloop debrief`
//! or the plan's button asks first, and names the live stages not yet held
//! (which then need an explicit "start anyway"); the answer's button starts
//! it. The start itself (once, irreversible, every card revealed) is
//! `jobs::debrief::start`, shared with the scheduled job.

use crate::effects::{self, Effect};
use crate::error::{AppError, AppResult};
use crate::jobs::debrief::{start, NotHeld, Started};
use crate::messages as m;
use crate::slack::payload::{BlockAction, SlashCommand};
use crate::slack::views;
use crate::slack::views::Envelope;
use crate::slack::Reply;
use crate::store::loops::{self, LoopRow};
use crate::AppState;

/// Why the loop cannot be asked about now, if it cannot.
fn refusal(l: &LoopRow, user: &str) -> Option<&'static str> {
    if l.hiring_manager != user {
        Some(m::DEBRIEF_NOT_ALLOWED)
    } else if l.debrief_started_at.is_some() {
        Some(m::DEBRIEF_ALREADY)
    } else if !l.state.is_open() {
        Some(m::LOOP_NOT_OPEN)
    } else {
        None
    }
}

pub async fn command(state: &AppState, cmd: &SlashCommand) -> AppResult<Reply> {
    let Some(l) = loops::find_by_channel(&state.db, cmd.team_id.as_str(), &cmd.channel_id).await?
    else {
        return Err(AppError::user(m::NOT_A_LOOP_CHANNEL));
    };
    if let Some(text) = refusal(&l, cmd.user_id.as_str()) {
        return Err(AppError::user(text));
    }
    let not_held = loops::stages_not_held(&state.db, l.id, state.clock.unix()).await?;
    let reply = views::debrief::confirm(&l.candidate_name, l.id, &not_held);
    Ok(Reply::Json(reply.ephemeral()))
}

/// The plan's "Start debrief" button: the same question, ephemerally.
pub async fn button(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let Some(l) = super::action_loop(state, action).await? else {
        return Ok(());
    };
    let user = action.user_id.as_str();
    let channel = action.channel_id.clone();
    let effect = match refusal(&l, user) {
        Some(text) => Effect::Notice {
            user: user.to_string(),
            channel,
            text: text.to_string(),
        },
        None => Effect::ConfirmDebriefStart {
            user: user.to_string(),
            channel,
            loop_id: l.id,
        },
    };
    let mut tx = state.db.begin().await?;
    effects::record(&mut tx, &l.team_id, effect, state.clock.unix_ms()).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}

/// The question's button: "Start the debrief", or "Start anyway" when live
/// stages were named as not held.
pub async fn confirm(state: &AppState, action: &BlockAction, anyway: bool) -> anyhow::Result<()> {
    let Some(l) = super::action_loop(state, action).await? else {
        return Ok(());
    };
    let user = action.user_id.as_str();
    let channel = action.channel_id.as_deref();
    if l.hiring_manager != user {
        return super::notice(state, &l.team_id, user, channel, m::DEBRIEF_NOT_ALLOWED).await;
    }
    let not_held = if anyway {
        NotHeld::Cancel
    } else {
        NotHeld::Refuse
    };
    let text = match start(state, l.id, user, None, not_held).await? {
        Started::Now => m::DEBRIEF_STARTED,
        Started::Already => m::DEBRIEF_ALREADY,
        Started::NotOpen => m::LOOP_NOT_OPEN,
        Started::NotHeld => {
            // A stage was moved since the question was asked: ask again.
            let ask = Effect::ConfirmDebriefStart {
                user: user.to_string(),
                channel: action.channel_id.clone(),
                loop_id: l.id,
            };
            let mut tx = state.db.begin().await?;
            effects::record(&mut tx, &l.team_id, ask, state.clock.unix_ms()).await?;
            tx.commit().await?;
            m::DEBRIEF_NOT_HELD_CHANGED
        }
    };
    super::notice(state, &l.team_id, user, channel, text).await
}
