//! Workspaces the bot has seen.

use super::Tx;

/// Records the workspace if new. As the first statement of a transaction it
/// also takes SQLite's write lock up front, so the rest of the transaction
/// cannot fail to upgrade a read lock under concurrency.
pub async fn touch(tx: &mut Tx, team_id: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO teams (team_id, first_seen_at) VALUES ($1, $2) \
         ON CONFLICT (team_id) DO NOTHING",
    )
    .bind(team_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
