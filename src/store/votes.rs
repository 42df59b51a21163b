//! Final votes: opened once per loop after its reveal, one per panelist
//! who sent a card, locked when sent, and closed when all are in or the
//! hiring manager closes the vote. Cards are never touched.

use super::outbox::{self, NewRow};
use super::{Db, Tx};

/// When the loop's vote opened and closed.
pub async fn state(db: &Db, loop_id: i64) -> Result<(Option<i64>, Option<i64>), sqlx::Error> {
    Ok(
        sqlx::query_as("SELECT votes_opened_at, votes_closed_at FROM loops WHERE id = $1")
            .bind(loop_id)
            .fetch_optional(db)
            .await?
            .unwrap_or((None, None)),
    )
}

/// Opens the vote once, after the reveal; false if it was open already or
/// the debrief has not started.
pub async fn open(tx: &mut Tx, loop_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE loops SET votes_opened_at = $1 WHERE id = $2 AND votes_opened_at IS NULL \
           AND debrief_started_at IS NOT NULL AND decided_at IS NULL",
    )
    .bind(now)
    .bind(loop_id)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Closes an open vote once; false otherwise.
pub async fn close(tx: &mut Tx, loop_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE loops SET votes_closed_at = $1 WHERE id = $2 AND votes_opened_at IS NOT NULL \
           AND votes_closed_at IS NULL",
    )
    .bind(now)
    .bind(loop_id)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Who votes: everyone who sent a card before the debrief started.
pub async fn voters<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    e: E,
    loop_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT c.interviewer FROM stages s JOIN scorecards c ON c.stage_id = s.id \
         WHERE s.loop_id = $1 AND c.after_reveal = 0 GROUP BY c.interviewer ORDER BY c.interviewer",
    )
    .bind(loop_id)
    .fetch_all(e)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Vote {
    pub voter: String,
    pub card_level: String,
    pub level: String,
    pub reason: Option<String>,
    /// JSON: [{"criterion", "from", "to", "reason"}].
    pub revisions: String,
    pub submitted_at: i64,
}

pub async fn votes(db: &Db, loop_id: i64) -> Result<Vec<Vote>, sqlx::Error> {
    sqlx::query_as(
        "SELECT voter, card_level, level, reason, revisions, submitted_at FROM final_votes \
         WHERE loop_id = $1 ORDER BY voter",
    )
    .bind(loop_id)
    .fetch_all(db)
    .await
}

pub async fn vote_of(db: &Db, loop_id: i64, voter: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT submitted_at FROM final_votes WHERE loop_id = $1 AND voter = $2")
        .bind(loop_id)
        .bind(voter)
        .fetch_optional(db)
        .await
}

pub struct NewVote<'a> {
    pub loop_id: i64,
    pub team_id: &'a str,
    pub voter: &'a str,
    pub card_level: &'a str,
    pub level: &'a str,
    pub reason: Option<&'a str>,
    pub revisions: &'a str,
    pub now: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// Locked; `voted` of `expected` are in, and the vote closed with it.
    Locked {
        voted: i64,
        expected: i64,
        closed: bool,
    },
    AlreadyIn,
    /// Not open, or closed already.
    NotOpen,
}

/// Stores a vote once, closing the vote when it was the last; `work` gives
/// the effects for (voted, expected, closed).
pub async fn write(
    db: &Db,
    v: &NewVote<'_>,
    work: impl FnOnce(i64, i64, bool) -> Vec<NewRow>,
) -> anyhow::Result<Written> {
    let mut tx = db.begin().await?;
    super::loops::lock(&mut tx, v.loop_id).await?;
    let (opened, closed): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT votes_opened_at, votes_closed_at FROM loops WHERE id = $1")
            .bind(v.loop_id)
            .fetch_one(&mut tx)
            .await?;
    if opened.is_none() || closed.is_some() {
        return Ok(Written::NotOpen);
    }
    let r = sqlx::query(
        "INSERT INTO final_votes (loop_id, voter, card_level, level, reason, revisions, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (loop_id, voter) DO NOTHING",
    )
    .bind(v.loop_id)
    .bind(v.voter)
    .bind(v.card_level)
    .bind(v.level)
    .bind(v.reason)
    .bind(v.revisions)
    .bind(v.now)
    .execute(&mut tx)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(Written::AlreadyIn);
    }
    let voted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM final_votes WHERE loop_id = $1")
        .bind(v.loop_id)
        .fetch_one(&mut tx)
        .await?;
    let expected = voters(&mut tx, v.loop_id).await?.len() as i64;
    let closed = voted >= expected && close(&mut tx, v.loop_id, v.now).await?;
    super::loops::audit(
        &mut tx,
        v.team_id,
        Some(v.loop_id),
        v.voter,
        "sent a final vote",
        v.now,
    )
    .await?;
    for row in work(voted, expected, closed) {
        outbox::enqueue(&mut tx, v.team_id, row, v.now * 1000).await?;
    }
    tx.commit().await?;
    Ok(Written::Locked {
        voted,
        expected,
        closed,
    })
}

/// Loops of the workspace whose vote closed in [from, to), with their
/// hiring manager.
pub async fn closed_loops(
    db: &Db,
    team_id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, hiring_manager FROM loops WHERE team_id = $1 AND votes_closed_at >= $2 \
           AND votes_closed_at < $3 ORDER BY id",
    )
    .bind(team_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}

/// Confirmed decisions in [from, to) that departed from the mechanical
/// results, and all confirmed decisions there; a corrected decision counts
/// once, as its correction.
pub async fn departures(
    db: &Db,
    team_id: &str,
    from: i64,
    to: i64,
) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN d.departs = 1 THEN 1 ELSE 0 END), 0) AS BIGINT), COUNT(*) FROM decisions d JOIN loops l ON l.id = d.loop_id \
         WHERE l.team_id = $1 AND d.status = 'confirmed' AND d.confirmed_at >= $2 AND d.confirmed_at < $3 \
           AND NOT EXISTS (SELECT 1 FROM decisions c WHERE c.corrects = d.id AND c.status = 'confirmed')",
    )
    .bind(team_id)
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await
}

/// Records the mechanical results beside a proposed decision.
pub async fn set_mechanical(
    tx: &mut Tx,
    decision_id: i64,
    cards: Option<&str>,
    votes: Option<&str>,
    departs: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE decisions SET cards_median = $1, votes_median = $2, departs = $3 WHERE id = $4",
    )
    .bind(cards)
    .bind(votes)
    .bind(departs as i64)
    .bind(decision_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
