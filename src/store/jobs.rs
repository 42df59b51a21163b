//! Durable scheduled work. A job is a row with a due time; a worker claims it
//! with a lease and a token (one statement, so one replica runs it), and finishes it in
//! the same transaction as the effects it causes, guarded by that lease: a
//! replica whose lease ran out cannot finish it a second time.

use super::{Backend, Db, Tx};
use crate::domain::JobKind;
use serde_json::Value;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    /// Kept as stored, so one row of a kind this build does not know (written
    /// by a newer replica) fails alone instead of failing every claim; read
    /// it through `kind()`.
    #[sqlx(rename = "kind")]
    pub stored_kind: String,
    pub dedupe_key: String,
    pub team_id: Option<String>,
    pub loop_id: Option<i64>,
    pub payload: String,
    pub due_at: i64,
    pub attempts: i64,
    /// The lease this worker holds; the proof it may finish the job.
    pub lease_token: String,
}

impl Job {
    pub fn kind(&self) -> Option<JobKind> {
        JobKind::parse(&self.stored_kind)
    }

    pub fn payload(&self) -> Value {
        serde_json::from_str(&self.payload).unwrap_or(Value::Null)
    }
}

pub struct NewJob<'a> {
    pub kind: JobKind,
    pub dedupe_key: String,
    pub team_id: &'a str,
    pub loop_id: Option<i64>,
    pub payload: Value,
    pub due_at: i64,
}

/// A job with the same key that was cancelled (someone swapped off a panel
/// and back on) is scheduled again; a pending or finished one stays as is.
const INSERT_JOB: &str =
    "INSERT INTO jobs (kind, dedupe_key, team_id, loop_id, payload, due_at, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO UPDATE \
     SET status = 'pending', due_at = excluded.due_at, payload = excluded.payload, \
         finished_at = NULL, attempts = 0, lease_until_ms = 0, lease_token = NULL \
     WHERE jobs.status = 'cancelled'";

/// Schedules a job unless one with the same key is pending or finished.
pub async fn schedule(tx: &mut Tx, job: &NewJob<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(INSERT_JOB)
        .bind(job.kind)
        .bind(&job.dedupe_key)
        .bind(job.team_id)
        .bind(job.loop_id)
        .bind(job.payload.to_string())
        .bind(job.due_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Ends the pending job with this key, if any, with `status`.
async fn end_by_key(
    tx: &mut Tx,
    dedupe_key: &str,
    status: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE jobs SET status = $1, finished_at = $2 WHERE dedupe_key = $3 AND status = 'pending'")
        .bind(status)
        .bind(now)
        .bind(dedupe_key)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Marks a pending job done ahead of time (its work was done another way).
pub async fn complete_by_key(tx: &mut Tx, dedupe_key: &str, now: i64) -> Result<(), sqlx::Error> {
    end_by_key(tx, dedupe_key, "done", now).await
}

/// Moves the pending job with this key to `due_at`, if there is one.
pub async fn move_by_key(tx: &mut Tx, dedupe_key: &str, due_at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE jobs SET due_at = $1 WHERE dedupe_key = $2 AND status = 'pending'")
        .bind(due_at)
        .bind(dedupe_key)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Cancels the pending job with this key, if any.
pub async fn cancel_by_key(tx: &mut Tx, dedupe_key: &str, now: i64) -> Result<(), sqlx::Error> {
    end_by_key(tx, dedupe_key, "cancelled", now).await
}

/// Cancels a loop's pending jobs (the loop was stopped).
pub async fn cancel_for_loop(tx: &mut Tx, loop_id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE jobs SET status = 'cancelled', finished_at = $1 WHERE loop_id = $2 AND status = 'pending'")
        .bind(now)
        .bind(loop_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

const CLAIM_SQLITE: &str = "UPDATE jobs SET lease_until_ms = $1, lease_token = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM jobs WHERE status = 'pending' AND due_at <= $3 AND lease_until_ms <= $4 \
                  ORDER BY due_at, id LIMIT $5) \
     RETURNING id, kind, dedupe_key, team_id, loop_id, payload, due_at, attempts, lease_token";

/// PostgreSQL: the same, skipping rows another replica is claiming.
const CLAIM_POSTGRES: &str = "UPDATE jobs SET lease_until_ms = $1, lease_token = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM jobs WHERE status = 'pending' AND due_at <= $3 AND lease_until_ms <= $4 \
                  ORDER BY due_at, id LIMIT $5 FOR UPDATE SKIP LOCKED) \
     RETURNING id, kind, dedupe_key, team_id, loop_id, payload, due_at, attempts, lease_token";

/// Claims up to `limit` jobs due at `now` (domain clock) whose lease, if any,
/// has run out (wall clock), in one statement through the `jobs_due` partial
/// index; each claim carries a fresh token that `finish` and `failed` check.
/// Workspaces with no pending job of `kind` (each needs its next weekly report).
pub async fn teams_without_pending(db: &Db, kind: JobKind) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT t.team_id FROM teams t WHERE NOT EXISTS \
           (SELECT 1 FROM jobs j WHERE j.team_id = t.team_id AND j.kind = $1 AND j.status = 'pending')",
    )
    .bind(kind)
    .fetch_all(db)
    .await
}

/// Jobs due now and not yet run, and jobs given up on, for `/metrics`.
pub async fn counts(db: &Db, now: i64) -> Result<(i64, i64), sqlx::Error> {
    let due =
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'pending' AND due_at <= $1")
            .bind(now)
            .fetch_one(db)
            .await?;
    let failed = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'failed'")
        .fetch_one(db)
        .await?;
    Ok((due, failed))
}

/// Cancels a loop's pending jobs of one kind (the debrief started: no more reminders).
pub async fn cancel_kind_for_loop(
    tx: &mut Tx,
    loop_id: i64,
    kind: JobKind,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE jobs SET status = 'cancelled', finished_at = $1 \
         WHERE loop_id = $2 AND kind = $3 AND status = 'pending'",
    )
    .bind(now)
    .bind(loop_id)
    .bind(kind)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn claim_due(
    db: &Db,
    now: i64,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<Job>, sqlx::Error> {
    // A read first, as in `outbox::claim_due`: polling takes no write lock.
    let due: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM jobs WHERE status = 'pending' AND due_at <= $1 AND lease_until_ms <= $2 LIMIT 1",
    )
    .bind(now)
    .bind(now_ms)
    .fetch_optional(db)
    .await?;
    if due.is_none() {
        return Ok(Vec::new());
    }
    let sql = match db.backend() {
        Backend::Sqlite => CLAIM_SQLITE,
        Backend::Postgres => CLAIM_POSTGRES,
    };
    // An explicit transaction, as in `outbox::claim_due`.
    let mut tx = db.begin().await?;
    let mut jobs: Vec<Job> = sqlx::query_as(sql)
        .bind(now_ms + lease_ms)
        .bind(super::lease_token())
        .bind(now)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&mut tx)
        .await?;
    tx.commit().await?;
    jobs.sort_by_key(|j| (j.due_at, j.id));
    Ok(jobs)
}

/// Marks the job done (or, with `next_due`, pending again at that time) if
/// this worker still holds its lease. False means someone else finished it:
/// the caller must roll back.
pub async fn finish(
    tx: &mut Tx,
    job: &Job,
    next_due: Option<i64>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = match next_due {
        None => sqlx::query(
            "UPDATE jobs SET status = 'done', finished_at = $1, lease_until_ms = 0, lease_token = NULL \
             WHERE id = $2 AND status = 'pending' AND lease_token = $3",
        )
        .bind(now),
        Some(due) => sqlx::query(
            "UPDATE jobs SET due_at = $1, lease_until_ms = 0, lease_token = NULL \
             WHERE id = $2 AND status = 'pending' AND lease_token = $3",
        )
        .bind(due),
    }
    .bind(job.id)
    .bind(&job.lease_token)
    .execute(&mut *tx)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// A job that failed: retried later, or given up after `max_attempts`.
pub async fn failed(
    db: &Db,
    job: &Job,
    error: &str,
    retry_at: i64,
    max_attempts: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    let status = if job.attempts >= max_attempts {
        "failed"
    } else {
        "pending"
    };
    sqlx::query(
        "UPDATE jobs SET status = $1, due_at = $2, last_error = $3, lease_until_ms = 0, lease_token = NULL, \
           finished_at = CASE WHEN $1 = 'failed' THEN $4 ELSE NULL END \
         WHERE id = $5 AND lease_token = $6",
    )
    .bind(status)
    .bind(retry_at)
    .bind(error)
    .bind(now)
    .bind(job.id)
    .bind(&job.lease_token)
    .execute(db)
    .await?;
    Ok(())
}
