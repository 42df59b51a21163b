//! The outbox: Slack calls recorded in the same transaction as the state
//! change that caused them, then claimed and delivered by the worker.
//!
//! Claiming is a compare-and-set on `lease_until_ms`, which both backends
//! honour, so several replicas can share one table without double delivery.
//! Rows with the same `ordering_key` are delivered strictly in id order.

use super::{Db, Tx};
use serde_json::Value;

/// A string value in a payload that the worker replaces with the loop's
/// channel id once the channel exists. Only whole-string matches count, so
/// user text (always escaped, or embedded in longer strings) cannot forge it.
pub const LOOP_CHANNEL: &str = "$loop_channel";
/// Same, rendered as a channel mention.
pub const LOOP_CHANNEL_MENTION: &str = "<#$loop_channel>";

#[derive(Clone, Debug)]
pub struct Effect {
    pub ordering_key: String,
    pub loop_id: Option<i64>,
    pub method: &'static str,
    pub payload: Value,
}

impl Effect {
    /// An effect that belongs to a loop and is ordered with its other effects.
    pub fn for_loop(loop_id: i64, method: &'static str, payload: Value) -> Effect {
        Effect {
            ordering_key: format!("loop:{loop_id}"),
            loop_id: Some(loop_id),
            method,
            payload,
        }
    }

    /// An effect ordered per user (DMs, the Home tab).
    pub fn for_user(user: &str, method: &'static str, payload: Value) -> Effect {
        Effect {
            ordering_key: format!("user:{user}"),
            loop_id: None,
            method,
            payload,
        }
    }
}

pub async fn enqueue(
    tx: &mut Tx,
    team_id: &str,
    effect: &Effect,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (team_id, loop_id, ordering_key, method, payload, next_attempt_ms, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(team_id)
    .bind(effect.loop_id)
    .bind(&effect.ordering_key)
    .bind(effect.method)
    .bind(effect.payload.to_string())
    .bind(crate::clock::wall_ms())
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A compound effect: rebuild a user's App Home at delivery time and publish it.
pub const REFRESH_HOME: &str = "staffloop.refresh_home";

/// Asks for a user's App Home to be republished, unless a request for it is
/// already waiting unclaimed (it will build the view from the latest state).
pub async fn enqueue_home_refresh(
    tx: &mut Tx,
    team_id: &str,
    user: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let key = format!("home:{user}");
    sqlx::query(
        "INSERT INTO outbox (team_id, loop_id, ordering_key, method, payload, next_attempt_ms, created_ms) \
         SELECT $1, NULL, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM outbox \
           WHERE ordering_key = $2 AND method = $3 AND status = 'pending' AND lease_until_ms = 0)",
    )
    .bind(team_id)
    .bind(&key)
    .bind(REFRESH_HOME)
    .bind(serde_json::json!({"team_id": team_id, "user_id": user}).to_string())
    .bind(crate::clock::wall_ms())
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub team_id: String,
    pub loop_id: Option<i64>,
    pub ordering_key: String,
    pub method: String,
    pub payload: String,
    pub attempts: i64,
}

/// Claims up to `limit` due deliveries, each the oldest pending one of its
/// ordering key, for `lease_ms`.
pub async fn claim_due(
    db: &Db,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<Delivery>, sqlx::Error> {
    let candidates: Vec<i64> = sqlx::query_scalar(
        "SELECT o.id FROM outbox o \
         WHERE o.status = 'pending' AND o.next_attempt_ms <= $1 AND o.lease_until_ms <= $1 \
           AND NOT EXISTS (SELECT 1 FROM outbox p \
                           WHERE p.ordering_key = o.ordering_key AND p.status = 'pending' AND p.id < o.id) \
         ORDER BY o.id LIMIT $2",
    )
    .bind(now_ms)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for id in candidates {
        let gate = db.gate().await;
        let won = sqlx::query(
            "UPDATE outbox SET lease_until_ms = $1, attempts = attempts + 1 \
             WHERE id = $2 AND status = 'pending' AND lease_until_ms <= $3",
        )
        .bind(now_ms + lease_ms)
        .bind(id)
        .bind(now_ms)
        .execute(db.pool())
        .await?
        .rows_affected()
            == 1;
        drop(gate);
        if won {
            let row: Delivery = sqlx::query_as(
                "SELECT id, team_id, loop_id, ordering_key, method, payload, attempts FROM outbox WHERE id = $1",
            )
            .bind(id)
            .fetch_one(db.pool())
            .await?;
            claimed.push(row);
        }
    }
    Ok(claimed)
}

pub async fn complete(db: &Db, id: i64, now_ms: i64) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    sqlx::query(
        "UPDATE outbox SET status = 'done', finished_ms = $1, lease_until_ms = 0 WHERE id = $2",
    )
    .bind(now_ms)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Releases the lease and schedules another try. A rate-limited call does not
/// use up one of the bounded attempts.
pub async fn retry_at(
    db: &Db,
    id: i64,
    at_ms: i64,
    error: &str,
    counts_as_attempt: bool,
) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    let refund = if counts_as_attempt { 0 } else { 1 };
    sqlx::query(
        "UPDATE outbox SET next_attempt_ms = $1, lease_until_ms = 0, last_error = $2, attempts = attempts - $3 \
         WHERE id = $4",
    )
    .bind(at_ms)
    .bind(error)
    .bind(refund as i64)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn fail(db: &Db, id: i64, now_ms: i64, error: &str) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    sqlx::query(
        "UPDATE outbox SET status = 'failed', finished_ms = $1, lease_until_ms = 0, last_error = $2 WHERE id = $3",
    )
    .bind(now_ms)
    .bind(error)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn set_payload(db: &Db, id: i64, payload: &Value) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    sqlx::query("UPDATE outbox SET payload = $1 WHERE id = $2")
        .bind(payload.to_string())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Deliveries by status, for `/healthz` and operators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub pending: i64,
    pub done: i64,
    pub failed: i64,
}

pub async fn counts(db: &Db) -> Result<Counts, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status")
            .fetch_all(db.pool())
            .await?;
    let mut c = Counts::default();
    for (status, n) in rows {
        match status.as_str() {
            "pending" => c.pending = n,
            "done" => c.done = n,
            "failed" => c.failed = n,
            _ => {}
        }
    }
    Ok(c)
}
