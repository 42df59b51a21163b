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

/// Remembers that `user` has opened the App Home (see `outbox::flush`: only
/// their Homes are refreshed on later changes).
pub async fn home_opened(
    tx: &mut Tx,
    team_id: &str,
    user: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO home_viewers (user_id, team_id, first_opened_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, team_id) DO NOTHING",
    )
    .bind(user)
    .bind(team_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Whether Slack has refused a native table or chart in the workspace.
pub async fn native_blocks_refused(db: &super::Db, team_id: &str) -> Result<bool, sqlx::Error> {
    let at: Option<Option<i64>> =
        sqlx::query_scalar("SELECT native_blocks_refused_at FROM teams WHERE team_id = $1")
            .bind(team_id)
            .fetch_optional(db)
            .await?;
    Ok(at.flatten().is_some())
}

/// Remembers that Slack refused a native table or chart in the workspace.
pub async fn refuse_native_blocks(
    db: &super::Db,
    team_id: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    sqlx::query(
        "UPDATE teams SET native_blocks_refused_at = $1 WHERE team_id = $2 AND native_blocks_refused_at IS NULL",
    )
    .bind(now)
    .bind(team_id)
    .execute(db)
    .await?;
    Ok(())
}
