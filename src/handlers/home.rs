//! Events: each delivery is acted on once (Slack retries), and opening the
//! App Home publishes the user's loops with progress counts only.

use crate::error::AppResult;
use crate::slack::mrkdwn::escape;
use crate::slack::payload::EventCallback;
use crate::slack::views::home::{self, HomeLoop, MAX_HOME_LOOPS};
use crate::store::outbox::{self, Effect};
use crate::store::{cards, events, loops};
use crate::AppState;
use serde_json::json;

pub async fn event(state: &AppState, cb: &EventCallback) -> AppResult<()> {
    let now = state.clock.unix();
    let kind = cb.event["type"].as_str().unwrap_or_default();
    let home_user = match kind {
        "app_home_opened" if cb.event["tab"].as_str().unwrap_or("home") == "home" => cb.event
            ["user"]
            .as_str()
            .and_then(crate::domain::UserId::parse),
        _ => None,
    };
    let view = match &home_user {
        Some(user) => Some(build(state, cb.team_id.as_str(), user.as_str()).await?),
        None => None,
    };
    let mut tx = state.db.begin().await?;
    if !events::first_delivery(&mut tx, &cb.event_id, cb.team_id.as_str(), now).await? {
        tracing::debug!("duplicate event delivery ignored");
        return Ok(());
    }
    if let (Some(user), Some(view)) = (&home_user, view) {
        let effect = Effect::for_user(
            user.as_str(),
            "views.publish",
            json!({"user_id": user.as_str(), "view": view}),
        );
        outbox::enqueue(&mut tx, cb.team_id.as_str(), &effect, now * 1000).await?;
    }
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}

/// Republishes a user's Home tab after something in it changed. Best effort:
/// a failure is logged, and the next `app_home_opened` rebuilds it anyway.
pub async fn refresh(state: &AppState, team_id: &str, user: &str) {
    let result: AppResult<()> = async {
        let view = build(state, team_id, user).await?;
        let effect = Effect::for_user(
            user,
            "views.publish",
            json!({"user_id": user, "view": view}),
        );
        let mut tx = state.db.begin().await?;
        outbox::enqueue(&mut tx, team_id, &effect, state.clock.unix_ms()).await?;
        tx.commit().await?;
        state.outbox_wakeup.notify_one();
        Ok(())
    }
    .await;
    if let Err(crate::error::AppError::Internal(e)) = result {
        tracing::warn!(error = ?e, "refreshing the App Home failed");
    }
}

async fn build(state: &AppState, team_id: &str, user: &str) -> AppResult<serde_json::Value> {
    let mut items = Vec::new();
    for l in loops::open_loops_for_user(&state.db, team_id, user)
        .await?
        .into_iter()
        .take(MAX_HOME_LOOPS)
    {
        let stages = loops::stage_status(&state.db, l.id).await?;
        let cards = stages.iter().flat_map(|s| s.interviewers.iter());
        let (submitted, expected) =
            cards.fold((0, 0), |(s, e), (_, done)| (s + *done as usize, e + 1));
        let interviews = stages
            .iter()
            .any(|s| s.interviewers.iter().any(|(u, _)| u == user));
        let role = match (l.hiring_manager == user, interviews) {
            (true, true) => "hiring manager and interviewer",
            (true, false) => "hiring manager",
            _ => "an interviewer",
        };
        items.push(HomeLoop {
            candidate_escaped: escape(&l.candidate_name),
            channel_id: l.channel_id,
            channel_name: l.channel_name,
            role,
            submitted,
            expected,
        });
    }
    let pending = cards::pending_for_user(state.db.pool(), team_id, user).await?;
    let submitted = cards::submitted_by_user(state.db.pool(), team_id, user).await?;
    Ok(home::view(&pending, &submitted, &items))
}
