//! The retrospective audit and outcome check-ins. A check-in is locked when
//! sent and read back only for an admin's report, the validity figures and
//! a forced export: never for a loop channel, never for a log line.

use super::jobs::{self, NewJob};
use super::outbox::{self, NewRow};
use super::{is_unique_violation, teams, Db, Tx};
use crate::domain::AuditState;

/// A hire at staff or above whose offer was accepted.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HireRow {
    pub id: i64,
    pub candidate_name: String,
    pub decided_level: String,
    pub decided_at: i64,
    pub hiring_manager: String,
}

const HIRE_WHERE: &str = "l.team_id = $1 AND l.decided_level IN ('staff', 'senior_staff') \
     AND l.offer_outcome = 'accepted' AND l.decided_at IS NOT NULL";

/// Hires, the most recently decided first.
pub async fn hires(db: &Db, team_id: &str, limit: i64) -> Result<Vec<HireRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT l.id, l.candidate_name, l.decided_level, l.decided_at, l.hiring_manager FROM loops l \
         WHERE {HIRE_WHERE} ORDER BY l.decided_at DESC, l.id DESC LIMIT $2"
    ))
    .bind(team_id)
    .bind(limit)
    .fetch_all(db)
    .await
}

pub async fn hire(db: &Db, team_id: &str, loop_id: i64) -> Result<Option<HireRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT l.id, l.candidate_name, l.decided_level, l.decided_at, l.hiring_manager FROM loops l \
         WHERE {HIRE_WHERE} AND l.id = $2"
    ))
    .bind(team_id)
    .bind(loop_id)
    .fetch_optional(db)
    .await
}

pub struct NewAudit<'a> {
    pub team_id: &'a str,
    pub created_by: &'a str,
    pub source_view_id: &'a str,
    pub post_to_channel: bool,
    /// (hire's loop, judge).
    pub hires: &'a [(i64, String)],
    pub now: i64,
}

pub enum Created {
    New { audit_id: i64 },
    Duplicate,
}

/// Stores an audit and one check-in per hire, with what `work` returns for
/// (audit, [(check-in, judge)]), in one transaction.
pub async fn create<'t>(
    db: &Db,
    new: &NewAudit<'_>,
    work: impl FnOnce(i64, &[(i64, String)]) -> (Vec<NewRow>, Vec<NewJob<'t>>),
) -> anyhow::Result<Created> {
    let mut tx = db.begin().await?;
    teams::touch(&mut tx, new.team_id, new.now).await?;
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO audits (team_id, created_by, source_view_id, post_to_channel, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(new.team_id)
    .bind(new.created_by)
    .bind(new.source_view_id)
    .bind(new.post_to_channel as i64)
    .bind(new.now)
    .fetch_one(&mut tx)
    .await;
    let audit_id = match inserted {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Ok(Created::Duplicate),
        Err(e) => return Err(e.into()),
    };
    let mut asked = Vec::new();
    for (loop_id, judge) in new.hires {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO checkins (team_id, loop_id, judge, audit_id, dedupe_key, asked_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.team_id)
        .bind(loop_id)
        .bind(judge)
        .bind(audit_id)
        .bind(format!("audit:{audit_id}:{loop_id}"))
        .bind(new.now)
        .fetch_one(&mut tx)
        .await?;
        asked.push((id, judge.clone()));
    }
    let (effects, new_jobs) = work(audit_id, &asked);
    for row in effects {
        outbox::enqueue(&mut tx, new.team_id, row, new.now * 1000).await?;
    }
    for job in &new_jobs {
        jobs::schedule(&mut tx, job, new.now).await?;
    }
    tx.commit().await?;
    Ok(Created::New { audit_id })
}

/// An outcome check-in, once per hire and month count; `None` if it exists.
pub async fn create_outcome_checkin(
    tx: &mut Tx,
    team_id: &str,
    loop_id: i64,
    judge: &str,
    months: i64,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO checkins (team_id, loop_id, judge, months, dedupe_key, asked_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(team_id)
    .bind(loop_id)
    .bind(judge)
    .bind(months)
    .bind(format!("outcome:{loop_id}:{months}"))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Audit {
    pub id: i64,
    pub team_id: String,
    pub created_by: String,
    pub post_to_channel: i64,
    pub state: AuditState,
    pub created_at: i64,
    pub closed_at: Option<i64>,
}

pub async fn audit(db: &Db, id: i64) -> Result<Option<Audit>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, team_id, created_by, post_to_channel, state, created_at, closed_at FROM audits WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CheckIn {
    pub id: i64,
    pub team_id: String,
    pub loop_id: i64,
    pub judge: String,
    pub audit_id: Option<i64>,
    pub months: Option<i64>,
    pub asked_at: i64,
    pub working_at: Option<String>,
    pub content: Option<String>,
    pub submitted_at: Option<i64>,
    pub candidate_name: String,
}

const CHECKIN_COLUMNS: &str =
    "c.id, c.team_id, c.loop_id, c.judge, c.audit_id, c.months, c.asked_at, \
     c.working_at, c.content, c.submitted_at, l.candidate_name";

pub async fn checkin(db: &Db, id: i64) -> Result<Option<CheckIn>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {CHECKIN_COLUMNS} FROM checkins c JOIN loops l ON l.id = c.loop_id WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// An audit's check-ins, newest hire first.
pub async fn audit_checkins(db: &Db, audit_id: i64) -> Result<Vec<CheckIn>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {CHECKIN_COLUMNS} FROM checkins c JOIN loops l ON l.id = c.loop_id \
         WHERE c.audit_id = $1 ORDER BY l.decided_at DESC, c.id"
    ))
    .bind(audit_id)
    .fetch_all(db)
    .await
}

/// A hire's sent check-ins, oldest first (for a forced export).
pub async fn loop_checkins(db: &Db, loop_id: i64) -> Result<Vec<CheckIn>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {CHECKIN_COLUMNS} FROM checkins c JOIN loops l ON l.id = c.loop_id \
         WHERE c.loop_id = $1 AND c.submitted_at IS NOT NULL ORDER BY c.submitted_at, c.id"
    ))
    .bind(loop_id)
    .fetch_all(db)
    .await
}

/// What became of a check-in sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// Locked. `closed_audit`: its audit is now complete (this was the last).
    Locked {
        closed_audit: Option<i64>,
    },
    AlreadyIn,
    /// Its audit was closed first.
    Closed,
}

/// Stores a check-in once, with its scores; closes its audit when it was
/// the last one out. `work` gives the effects for (check-in, closed audit).
pub async fn write_checkin(
    db: &Db,
    c: &CheckIn,
    working_at: &str,
    content: &str,
    scores: &[(String, i64)],
    now: i64,
    work: impl FnOnce(Option<i64>) -> Vec<NewRow>,
) -> anyhow::Result<Written> {
    let mut tx = db.begin().await?;
    if let Some(audit_id) = c.audit_id {
        // Locked, so two last check-ins at once see each other (PostgreSQL;
        // SQLite has one writer anyway).
        let sql = format!(
            "SELECT state FROM audits WHERE id = $1{}",
            tx.row_lock(" FOR UPDATE")
        );
        let state: Option<AuditState> = sqlx::query_scalar(&sql)
            .bind(audit_id)
            .fetch_optional(&mut tx)
            .await?;
        if state != Some(AuditState::Open) {
            return Ok(Written::Closed);
        }
    }
    let r = sqlx::query(
        "UPDATE checkins SET working_at = $1, content = $2, submitted_at = $3 \
         WHERE id = $4 AND submitted_at IS NULL",
    )
    .bind(working_at)
    .bind(content)
    .bind(now)
    .bind(c.id)
    .execute(&mut tx)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(Written::AlreadyIn);
    }
    for (criterion, score) in scores {
        sqlx::query(
            "INSERT INTO checkin_scores (checkin_id, loop_id, criterion, score) VALUES ($1, $2, $3, $4)",
        )
        .bind(c.id)
        .bind(c.loop_id)
        .bind(criterion)
        .bind(score)
        .execute(&mut tx)
        .await?;
    }
    let mut closed = None;
    if let Some(audit_id) = c.audit_id {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM checkins WHERE audit_id = $1 AND submitted_at IS NULL",
        )
        .bind(audit_id)
        .fetch_one(&mut tx)
        .await?;
        if open == 0 && close(&mut tx, audit_id, now).await? {
            closed = Some(audit_id);
        }
    }
    for row in work(closed) {
        outbox::enqueue(&mut tx, &c.team_id, row, now * 1000).await?;
    }
    tx.commit().await?;
    Ok(Written::Locked {
        closed_audit: closed,
    })
}

/// Closes an open audit; false if it already was.
pub async fn close(tx: &mut Tx, audit_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE audits SET state = 'closed', closed_at = $1 WHERE id = $2 AND state = 'open'",
    )
    .bind(now)
    .bind(audit_id)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// (stage title, criterion, score) of every card a loop had before its
/// debrief.
pub async fn loop_scores(db: &Db, loop_id: i64) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT COALESCE(s.title, s.kind), cs.criterion, cs.score FROM stages s \
           JOIN scorecards c ON c.stage_id = s.id JOIN card_scores cs ON cs.scorecard_id = c.id \
         WHERE s.loop_id = $1 AND c.after_reveal = 0 ORDER BY s.position, c.id, cs.criterion",
    )
    .bind(loop_id)
    .fetch_all(db)
    .await
}

/// A check-in's scores: (criterion, score).
pub async fn checkin_scores(db: &Db, checkin_id: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT criterion, score FROM checkin_scores WHERE checkin_id = $1 ORDER BY criterion",
    )
    .bind(checkin_id)
    .fetch_all(db)
    .await
}

/// One pair for the validity figures: a loop card's score and the hire's
/// latest on-the-job score on the same dimension.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ValidityPair {
    pub loop_id: i64,
    pub stage_kind: String,
    pub interviewer: String,
    pub criterion: String,
    pub loop_score: i64,
    pub job_score: i64,
}

/// Every pair in the workspace: cards sent before the debrief, against
/// each hire's latest sent check-in.
pub async fn validity_pairs(db: &Db, team_id: &str) -> Result<Vec<ValidityPair>, sqlx::Error> {
    sqlx::query_as(
        "SELECT cs.loop_id, cs.stage_kind, c.interviewer, cs.criterion, cs.score AS loop_score, \
                ks.score AS job_score \
         FROM checkins k \
           JOIN checkin_scores ks ON ks.checkin_id = k.id \
           JOIN stages s ON s.loop_id = k.loop_id JOIN scorecards c ON c.stage_id = s.id \
           JOIN card_scores cs ON cs.scorecard_id = c.id AND cs.criterion = ks.criterion \
         WHERE k.team_id = $1 AND k.submitted_at IS NOT NULL AND c.after_reveal = 0 \
           AND k.id = (SELECT k2.id FROM checkins k2 WHERE k2.loop_id = k.loop_id \
                       AND k2.submitted_at IS NOT NULL ORDER BY k2.submitted_at DESC, k2.id DESC LIMIT 1) \
         ORDER BY cs.loop_id, c.id, cs.criterion",
    )
    .bind(team_id)
    .fetch_all(db)
    .await
}

/// Hires with a sent check-in, and sent check-ins, in the workspace.
pub async fn checkin_counts(db: &Db, team_id: &str) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(DISTINCT loop_id), COUNT(*) FROM checkins WHERE team_id = $1 AND submitted_at IS NOT NULL",
    )
    .bind(team_id)
    .fetch_one(db)
    .await
}

/// Records when a hire starts.
pub async fn set_starts_on(tx: &mut Tx, loop_id: i64, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE loops SET starts_on = $1 WHERE id = $2")
        .bind(at)
        .bind(loop_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
