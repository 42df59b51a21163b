//! Events: each delivery is acted on once (Slack retries), and opening the
//! App Home publishes the user's loops with progress counts only.

use crate::error::AppResult;
use crate::slack::mrkdwn::escape;
use crate::slack::payload::EventCallback;
use crate::slack::views::home::{self, HomeLoop, MAX_HOME_LOOPS};
use crate::store::outbox;
use crate::store::{cards, events, loops};
use crate::AppState;

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
    let mut tx = state.db.begin().await?;
    if !events::first_delivery(&mut tx, &cb.event_id, cb.team_id.as_str(), now).await? {
        tracing::debug!("duplicate event delivery ignored");
        return Ok(());
    }
    if let Some(user) = &home_user {
        outbox::enqueue_home_refresh(&mut tx, cb.team_id.as_str(), user.as_str(), now * 1000)
            .await?;
    }
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}

/// The Home view for a user, from the current state.
pub async fn build(state: &AppState, team_id: &str, user: &str) -> AppResult<serde_json::Value> {
    let items = loops::home_rows(&state.db, team_id, user, MAX_HOME_LOOPS as i64)
        .await?
        .into_iter()
        .map(|l| HomeLoop {
            candidate_escaped: escape(&l.candidate_name),
            channel_id: l.channel_id,
            channel_name: l.channel_name,
            role: match (l.hiring_manager == user, l.interviews > 0) {
                (true, true) => "hiring manager and interviewer",
                (true, false) => "hiring manager",
                _ => "an interviewer",
            },
            submitted: l.submitted as usize,
            expected: l.expected as usize,
        })
        .collect::<Vec<_>>();
    let pending = cards::pending_for_user(state.db.pool(), team_id, user).await?;
    let submitted = cards::submitted_by_user(state.db.pool(), team_id, user).await?;
    Ok(home::view(&pending, &submitted, &items))
}
