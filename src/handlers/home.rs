//! Events: each delivery is acted on once (Slack retries), and opening the
//! App Home publishes the user's loops with progress counts only.

use crate::effects::{self, Effect};
use crate::error::AppResult;
use crate::slack::payload::EventCallback;
use crate::store::events;
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
        crate::store::teams::home_opened(&mut tx, cb.team_id.as_str(), user.as_str(), now).await?;
        let refresh = Effect::RefreshHome {
            user: user.as_str().to_string(),
        };
        effects::record(&mut tx, cb.team_id.as_str(), refresh, now * 1000).await?;
    }
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}
