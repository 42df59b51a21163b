//! `/staffloop status`: who has submitted in this loop, never what.

use crate::error::{AppError, AppResult};
use crate::messages as m;
use crate::slack::payload::SlashCommand;
use crate::slack::views::status;
use crate::slack::Reply;
use crate::store::loops;
use crate::AppState;

pub async fn command(state: &AppState, cmd: &SlashCommand) -> AppResult<Reply> {
    let Some(l) = loops::find_by_channel(&state.db, cmd.team_id.as_str(), &cmd.channel_id).await?
    else {
        return Err(AppError::user(m::NOT_A_LOOP_CHANNEL));
    };
    let stages: Vec<status::StageLine> = loops::stage_status(&state.db, l.id)
        .await?
        .into_iter()
        .map(|s| status::StageLine {
            title: s.title,
            position: s.position,
            starts_at: s.starts_at,
            interviewers: s.interviewers,
        })
        .collect();
    Ok(Reply::Json(status::message(&l.candidate_name, &stages)))
}
