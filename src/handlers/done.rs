//! `/staffloop done <stage>`: end a stage early and prompt its interviewers
//! at once. For the asynchronous design document, the hiring manager marks it
//! received (this command, or the button on the plan message).

use crate::domain::{StageKind, StageState};
use crate::error::{AppError, AppResult};
use crate::jobs::prompts;
use crate::messages as m;
use crate::slack::payload::{BlockAction, SlashCommand};
use crate::slack::Reply;
use crate::store::{cards, loops};
use crate::AppState;

/// A stage as people name it in a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StageRef {
    /// Its number in the plan (1-based).
    Position(usize),
    /// A stage of a kind, by a familiar name (and the word as typed).
    Kind(StageKind, String),
    /// Its title as the template named it, spaces as dashes.
    Title(String),
}

/// Reads a stage from what people type: its number, a familiar name, or its
/// title.
/// A stage name as commands compare it: lower case, dashes for spaces.
pub fn stage_slug(text: &str) -> String {
    text.trim().to_lowercase().replace([' ', '_'], "-")
}

pub fn parse_stage(text: &str) -> Option<StageRef> {
    let t = stage_slug(text);
    if t.is_empty() {
        return None;
    }
    if let Ok(n) = t.parse::<usize>() {
        return (n > 0).then_some(StageRef::Position(n));
    }
    let kind = match t.as_str() {
        "screen" | "hm" | "hm-screen" | "hiring-manager-screen" => StageKind::HmScreen,
        "doc" | "document" | "design-doc" | "design-document" | "written-design-document" => {
            StageKind::DesignDoc
        }
        "deep-dive" | "deepdive" | "dive" => StageKind::DeepDive,
        "coding" | "code" | "coding-round" => StageKind::Coding,
        "cross-team" | "influence" | "cross-team-influence" => StageKind::CrossTeam,
        "bar-raiser" | "bar" | "barraiser" => StageKind::BarRaiser,
        "system-design" => StageKind::SystemDesign,
        "presentation" => StageKind::Presentation,
        "behavioural" | "behavioral" => StageKind::Behavioural,
        _ => return Some(StageRef::Title(t)),
    };
    Some(StageRef::Kind(kind, t))
}

pub async fn command(state: &AppState, cmd: &SlashCommand, arg: &str) -> AppResult<Reply> {
    let Some(stage) = parse_stage(arg) else {
        return Err(AppError::user(m::done_usage()));
    };
    let Some(l) = loops::find_by_channel(&state.db, cmd.team_id.as_str(), &cmd.channel_id).await?
    else {
        return Err(AppError::user(m::NOT_A_LOOP_CHANNEL));
    };
    end(state, &l, &stage, cmd.user_id.as_str())
        .await
        .map(Reply::ephemeral)
}

/// The "Design document received" button on the plan message.
pub async fn doc_received(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let team = action.team_id.as_str();
    let user = action.user_id.as_str();
    let Some(l) = super::action_loop(state, action).await? else {
        return Ok(());
    };
    let doc = StageRef::Kind(StageKind::DesignDoc, "doc".into());
    let text = match end(state, &l, &doc, user).await {
        Ok(text) | Err(AppError::User(text)) => text,
        Err(AppError::Internal(e)) => return Err(e),
    };
    super::notice(state, team, user, action.channel_id.as_deref(), &text).await
}

async fn end(
    state: &AppState,
    l: &loops::LoopRow,
    which: &StageRef,
    user: &str,
) -> AppResult<String> {
    if !l.state.is_open() {
        return Err(AppError::user(m::LOOP_NOT_OPEN));
    }
    let Some(stage) = cards::stages_by_ref(&state.db, l.id, which)
        .await?
        .into_iter()
        .next()
    else {
        return Err(AppError::user(m::done_usage()));
    };
    let Some(kind) = stage.kind() else {
        return Err(AppError::user(m::done_usage()));
    };
    let title = crate::slack::mrkdwn::escape(&stage.title());
    let is_hm = l.hiring_manager == user;
    let allowed = match kind {
        StageKind::DesignDoc => is_hm,
        _ => is_hm || cards::is_interviewer(&state.db, stage.id, user).await?,
    };
    if !allowed {
        let msg = if kind == StageKind::DesignDoc {
            m::DOC_RECEIVED_NOT_ALLOWED
        } else {
            m::DONE_NOT_ALLOWED
        };
        return Err(AppError::user(msg));
    }
    if stage.state != StageState::Scheduled {
        return Ok(m::done_already(&title));
    }
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    // Ending is the guard: only the call that ends the stage prompts.
    if !cards::end_stage(&mut tx, stage.id, now).await? {
        return Ok(m::done_already(&title));
    }
    prompts::prompt_stage(state, &mut tx, &stage, now).await?;
    // The stage's scheduled end has nothing left to do.
    crate::store::jobs::complete_by_key(&mut tx, &format!("stage_end:{}", stage.id), now).await?;
    loops::audit(
        &mut tx,
        &l.team_id,
        Some(l.id),
        user,
        &format!("ended stage {} ({}) early", stage.position, kind.key()),
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(m::done_ok(&title))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_by_number_or_name() {
        assert_eq!(parse_stage("4"), Some(StageRef::Position(4)));
        assert_eq!(
            parse_stage("Deep dive"),
            Some(StageRef::Kind(StageKind::DeepDive, "deep-dive".into()))
        );
        assert_eq!(
            parse_stage("doc"),
            Some(StageRef::Kind(StageKind::DesignDoc, "doc".into()))
        );
        assert_eq!(
            parse_stage("bar_raiser"),
            Some(StageRef::Kind(StageKind::BarRaiser, "bar-raiser".into()))
        );
        assert_eq!(
            parse_stage("Second coding round"),
            Some(StageRef::Title("second-coding-round".into()))
        );
        assert_eq!(parse_stage("0"), None);
    }
}
