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
