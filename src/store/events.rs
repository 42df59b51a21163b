//! Events API deduplication: Slack retries a delivery it thinks timed out, so
//! each `event_id` is acted on once.

use super::Tx;

/// Marks the event as processed inside `tx`; false when it already was.
pub async fn first_delivery(
    tx: &mut Tx,
    event_id: &str,
    team_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO processed_events (event_id, team_id, received_at) VALUES ($1, $2, $3) \
         ON CONFLICT (event_id) DO NOTHING",
    )
    .bind(event_id)
    .bind(team_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets up to `limit` of the workspace's event ids seen before `before`
/// (Slack retries within hours, never weeks). Returns how many.
pub async fn purge(
    tx: &mut Tx,
    team_id: &str,
    before: i64,
    limit: i64,
) -> Result<i64, sqlx::Error> {
    let r = sqlx::query(
        "DELETE FROM processed_events WHERE event_id IN \
           (SELECT event_id FROM processed_events WHERE team_id = $1 AND received_at < $2 LIMIT $3)",
    )
    .bind(team_id)
    .bind(before)
    .bind(limit)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() as i64)
}
