//! Hiring decisions: proposed, then confirmed by their author; at most one
//! correction follows, and every entry is kept.

use super::Tx;
use sqlx::{Any, Executor};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Decision {
    pub id: i64,
    pub loop_id: i64,
    pub level: String,
    pub note: Option<String>,
    pub decided_by: String,
    pub proposed_at: i64,
    pub confirmed_at: Option<i64>,
    pub status: crate::domain::DecisionStatus,
    pub corrects: Option<i64>,
    /// The mechanical results beside it when proposed.
    pub cards_median: Option<String>,
    pub votes_median: Option<String>,
    /// Non-zero when it departed from both (its note is the reason).
    pub departs: i64,
}

const COLUMNS: &str =
    "id, loop_id, level, note, decided_by, proposed_at, confirmed_at, status, corrects, \
     cards_median, votes_median, departs";

pub async fn propose(
    tx: &mut Tx,
    loop_id: i64,
    level: &str,
    note: Option<&str>,
    by: &str,
    corrects: Option<i64>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO decisions (loop_id, level, note, decided_by, proposed_at, corrects) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(loop_id)
    .bind(level)
    .bind(note)
    .bind(by)
    .bind(now)
    .bind(corrects)
    .fetch_one(&mut *tx)
    .await
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
) -> Result<Option<Decision>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM decisions WHERE id = $1"))
        .bind(id)
        .fetch_optional(e)
        .await
}

/// Confirmed decisions of a loop, oldest first.
pub async fn confirmed<'c, E: Executor<'c, Database = Any>>(
    e: E,
    loop_id: i64,
) -> Result<Vec<Decision>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM decisions WHERE loop_id = $1 AND status = 'confirmed' ORDER BY confirmed_at, id"
    ))
    .bind(loop_id)
    .fetch_all(e)
    .await
}

/// Moves a proposal to `status` if it is still proposed; false otherwise.
pub async fn settle(
    tx: &mut Tx,
    id: i64,
    status: crate::domain::DecisionStatus,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE decisions SET status = $1, confirmed_at = $2 WHERE id = $3 AND status = 'proposed'",
    )
    .bind(status)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn all_for_loop<'c, E: Executor<'c, Database = Any>>(
    e: E,
    loop_id: i64,
) -> Result<Vec<Decision>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM decisions WHERE loop_id = $1 ORDER BY id"
    ))
    .bind(loop_id)
    .fetch_all(e)
    .await
}
