//! Starting the debrief early, by the hiring manager: `/staffloop debrief`
//! or the plan's button. The start itself (once, irreversible, every card
//! revealed) is `jobs::debrief::start`, shared with the scheduled job.

use crate::error::{AppError, AppResult};
use crate::jobs::debrief::{start, Started};
use crate::messages as m;
use crate::slack::payload::{BlockAction, SlashCommand};
use crate::slack::Reply;
use crate::store::loops;
use crate::AppState;

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
    super::notice(state, &l.team_id, user, action.channel_id.as_deref(), text).await
}
