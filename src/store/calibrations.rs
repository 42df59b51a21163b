//! Practice debriefs: the session, its two packets (past loops), its
//! participants and their cards. A card is locked when written and read back
//! only for the reveal; "calibrated" means having sent at least one card to
//! a practice debrief that was revealed, as of its reveal.

use super::jobs::{self, NewJob};
use super::outbox::{self, NewRow};
use super::{is_unique_violation, teams, Db, Tx};
use crate::domain::CalibrationState;
use sqlx::{Any, Executor};
use std::collections::HashMap;

/// A past loop that can be practised on: decided, its debrief held.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PastLoop {
    pub id: i64,
    pub candidate_name: String,
    pub applied_level: String,
    pub decided_level: String,
    pub decided_at: i64,
    pub offer_outcome: Option<String>,
}

const PAST_WHERE: &str =
    "l.team_id = $1 AND l.state = 'decided' AND l.debrief_started_at IS NOT NULL \
     AND l.decided_level IS NOT NULL AND l.decided_at IS NOT NULL";

/// Loops `user` may practise on: any, for an admin (`None`); else those
/// they were the hiring manager of or sat on.
const MAY_SEE: &str = "($3 IS NULL OR l.hiring_manager = $3 OR EXISTS (SELECT 1 FROM stages s \
     JOIN stage_interviewers si ON si.stage_id = s.id WHERE s.loop_id = l.id AND si.user_id = $3))";

/// Past loops `user` may practise on (`None`: an admin, all of them), the
/// most recently decided first.
pub async fn past_loops(
    db: &Db,
    team_id: &str,
    user: Option<&str>,
    limit: i64,
) -> Result<Vec<PastLoop>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT l.id, l.candidate_name, l.applied_level, l.decided_level, l.decided_at, l.offer_outcome \
         FROM loops l WHERE {PAST_WHERE} AND {MAY_SEE} ORDER BY l.decided_at DESC, l.id DESC LIMIT $2"
    ))
    .bind(team_id)
    .bind(limit)
    .bind(user)
    .fetch_all(db)
    .await
}

/// One past loop of `team_id`'s, if `user` may practise on it (`None`: an
/// admin).
pub async fn past_loop(
    db: &Db,
    team_id: &str,
    loop_id: i64,
    user: Option<&str>,
) -> Result<Option<PastLoop>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT l.id, l.candidate_name, l.applied_level, l.decided_level, l.decided_at, l.offer_outcome \
         FROM loops l WHERE {PAST_WHERE} AND {MAY_SEE} AND l.id = $2"
    ))
    .bind(team_id)
    .bind(loop_id)
    .bind(user)
    .fetch_optional(db)
    .await
}
/// Everyone who sat on a stage of a loop opened since `since`, at most
/// `limit` people.
pub async fn recent_panelists(
    db: &Db,
    team_id: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT si.user_id FROM stage_interviewers si JOIN stages s ON s.id = si.stage_id \
           JOIN loops l ON l.id = s.loop_id \
         WHERE l.team_id = $1 AND l.created_at >= $2 \
         GROUP BY si.user_id ORDER BY si.user_id LIMIT $3",
    )
    .bind(team_id)
    .bind(since)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Whether `user` has been the hiring manager of any loop in the workspace.
pub async fn is_hiring_manager(db: &Db, team_id: &str, user: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM loops WHERE team_id = $1 AND hiring_manager = $2 LIMIT 1) x",
    )
    .bind(team_id)
    .bind(user)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

pub struct NewCalibration<'a> {
    pub team_id: &'a str,
    pub created_by: &'a str,
    pub source_view_id: &'a str,
    pub debrief_at: i64,
    /// Candidate A's loop, then Candidate B's.
    pub packets: [i64; 2],
    pub participants: &'a [String],
    pub now: i64,
}

pub enum Created {
    New {
        calibration_id: i64,
    },
    /// The same form was submitted again (Slack retried): nothing more stored.
    Duplicate {
        calibration_id: i64,
    },
}

/// Stores a practice debrief with the effects and jobs `work` returns for
/// it, in one transaction.
pub async fn create<'t>(
    db: &Db,
    new: &NewCalibration<'_>,
    work: impl FnOnce(i64) -> (Vec<NewRow>, Vec<NewJob<'t>>),
) -> anyhow::Result<Created> {
    let mut tx = db.begin().await?;
    teams::touch(&mut tx, new.team_id, new.now).await?;
    if let Some(calibration_id) = by_view(&mut tx, new.team_id, new.source_view_id).await? {
        return Ok(Created::Duplicate { calibration_id });
    }
    let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO calibrations (team_id, created_by, source_view_id, channel_name, debrief_at, created_at) \
         VALUES ($1, $2, $3, '', $4, $5) RETURNING id",
    )
    .bind(new.team_id)
    .bind(new.created_by)
    .bind(new.source_view_id)
    .bind(new.debrief_at)
    .bind(new.now)
    .fetch_one(&mut tx)
    .await;
    let id = match inserted {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            let again = by_view(db, new.team_id, new.source_view_id).await?;
            return match again {
                Some(calibration_id) => Ok(Created::Duplicate { calibration_id }),
                None => Err(e.into()),
            };
        }
        Err(e) => return Err(e.into()),
    };
    sqlx::query("UPDATE calibrations SET channel_name = $1 WHERE id = $2")
        .bind(channel_name(id, new.now, 0))
        .bind(id)
        .execute(&mut tx)
        .await?;
    for (position, loop_id) in new.packets.iter().enumerate() {
        sqlx::query(
            "INSERT INTO calibration_packets (calibration_id, position, loop_id) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(loop_id)
        .execute(&mut tx)
        .await?;
    }
    for user in new.participants {
        sqlx::query(
            "INSERT INTO calibration_participants (calibration_id, user_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(user)
        .execute(&mut tx)
        .await?;
    }
    let (effects, new_jobs) = work(id);
    for row in effects {
        outbox::enqueue(&mut tx, new.team_id, row, new.now * 1000).await?;
    }
    for job in &new_jobs {
        jobs::schedule(&mut tx, job, new.now).await?;
    }
    tx.commit().await?;
    Ok(Created::New { calibration_id: id })
}

/// The private channel's name: the day it was set up and its number, and a
/// suffix once Slack has said a name is taken.
pub fn channel_name(id: i64, created_at: i64, attempt: i64) -> String {
    let day = chrono::DateTime::from_timestamp(created_at, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    match attempt {
        0 => format!("calibration-{day}-{id}"),
        n => format!("calibration-{day}-{id}-{n}"),
    }
}

async fn by_view<'c, E: Executor<'c, Database = Any>>(
    e: E,
    team_id: &str,
    view_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM calibrations WHERE team_id = $1 AND source_view_id = $2")
        .bind(team_id)
        .bind(view_id)
        .fetch_optional(e)
        .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Calibration {
    pub id: i64,
    pub team_id: String,
    pub created_by: String,
    pub channel_name: String,
    pub channel_id: Option<String>,
    pub intro_ts: Option<String>,
    pub debrief_at: i64,
    pub state: CalibrationState,
    pub created_at: i64,
    pub revealed_at: Option<i64>,
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Calibration>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, team_id, created_by, channel_name, channel_id, intro_ts, debrief_at, state, \
           created_at, revealed_at FROM calibrations WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn set_channel_id(db: &Db, id: i64, channel_id: &str) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    sqlx::query("UPDATE calibrations SET channel_id = $1 WHERE id = $2")
        .bind(channel_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Gives the channel a new name after Slack said the last one was taken.
pub async fn rename_channel(db: &Db, c: &Calibration, attempt: i64) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    sqlx::query("UPDATE calibrations SET channel_name = $1 WHERE id = $2")
        .bind(channel_name(c.id, c.created_at, attempt))
        .bind(c.id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn set_intro_ts(db: &Db, id: i64, ts: &str) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    sqlx::query("UPDATE calibrations SET intro_ts = $1 WHERE id = $2")
        .bind(ts)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Packet {
    pub position: i64,
    pub loop_id: i64,
    pub reveal_ts: Option<String>,
}

pub async fn packets(db: &Db, id: i64) -> Result<Vec<Packet>, sqlx::Error> {
    sqlx::query_as(
        "SELECT position, loop_id, reveal_ts FROM calibration_packets WHERE calibration_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

pub async fn set_packet_reveal_ts(
    db: &Db,
    id: i64,
    position: i64,
    ts: &str,
) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    sqlx::query(
        "UPDATE calibration_packets SET reveal_ts = $1 WHERE calibration_id = $2 AND position = $3",
    )
    .bind(ts)
    .bind(id)
    .bind(position)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn participants(db: &Db, id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM calibration_participants WHERE calibration_id = $1 ORDER BY user_id",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

pub async fn is_participant(db: &Db, id: i64, user: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM calibration_participants WHERE calibration_id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// What became of a practice card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// Locked; `in_now` cards of `expected` are in.
    Locked {
        in_now: i64,
        expected: i64,
    },
    AlreadyIn,
    /// The reveal came first.
    Closed,
}

pub struct NewCard<'a> {
    pub calibration_id: i64,
    pub position: i64,
    pub participant: &'a str,
    pub recommendation: &'a str,
    pub content: &'a str,
    pub now: i64,
}

/// Stores a card unless one is in or the reveal has happened, with the
/// effects `work` returns for it (given the count of cards then in and
/// expected), in one transaction.
pub async fn write_card(
    db: &Db,
    card: &NewCard<'_>,
    work: impl FnOnce(i64, i64) -> Vec<NewRow>,
) -> anyhow::Result<Written> {
    let mut tx = db.begin().await?;
    // Locked, so a card and the reveal cannot cross (PostgreSQL; SQLite has
    // one writer anyway).
    let sql = format!(
        "SELECT state FROM calibrations WHERE id = $1{}",
        tx.row_lock(" FOR UPDATE")
    );
    let state: Option<CalibrationState> = sqlx::query_scalar(&sql)
        .bind(card.calibration_id)
        .fetch_optional(&mut tx)
        .await?;
    if state != Some(CalibrationState::Open) {
        return Ok(Written::Closed);
    }
    let r = sqlx::query(
        "INSERT INTO calibration_cards (calibration_id, position, participant, recommendation, content, submitted_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (calibration_id, position, participant) DO NOTHING",
    )
    .bind(card.calibration_id)
    .bind(card.position)
    .bind(card.participant)
    .bind(card.recommendation)
    .bind(card.content)
    .bind(card.now)
    .execute(&mut tx)
    .await?;
    if r.rows_affected() == 0 {
        return Ok(Written::AlreadyIn);
    }
    let in_now: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM calibration_cards WHERE calibration_id = $1")
            .bind(card.calibration_id)
            .fetch_one(&mut tx)
            .await?;
    let people: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM calibration_participants WHERE calibration_id = $1",
    )
    .bind(card.calibration_id)
    .fetch_one(&mut tx)
    .await?;
    let packets: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM calibration_packets WHERE calibration_id = $1")
            .bind(card.calibration_id)
            .fetch_one(&mut tx)
            .await?;
    let expected = people * packets;
    let team_id: String = sqlx::query_scalar("SELECT team_id FROM calibrations WHERE id = $1")
        .bind(card.calibration_id)
        .fetch_one(&mut tx)
        .await?;
    for row in work(in_now, expected) {
        outbox::enqueue(&mut tx, &team_id, row, card.now * 1000).await?;
    }
    tx.commit().await?;
    Ok(Written::Locked { in_now, expected })
}

/// When `user`'s card for a packet was locked, if it is in.
pub async fn card_receipt(
    db: &Db,
    id: i64,
    position: i64,
    user: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT submitted_at FROM calibration_cards WHERE calibration_id = $1 AND position = $2 AND participant = $3",
    )
    .bind(id)
    .bind(position)
    .bind(user)
    .fetch_optional(db)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CardRow {
    pub position: i64,
    pub participant: String,
    pub recommendation: String,
    pub content: String,
    pub submitted_at: i64,
}

/// Every card of a practice debrief, by packet, then by participant.
pub async fn cards(db: &Db, id: i64) -> Result<Vec<CardRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT position, participant, recommendation, content, submitted_at FROM calibration_cards \
         WHERE calibration_id = $1 ORDER BY position, participant",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

/// Moves a practice debrief to revealed, once; false if it already was.
pub async fn reveal(tx: &mut Tx, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE calibrations SET state = 'revealed', revealed_at = $1 WHERE id = $2 AND state = 'open'",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Whether the workspace has revealed any practice debrief yet.
pub async fn any_revealed(db: &Db, team_id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM calibrations WHERE team_id = $1 AND revealed_at IS NOT NULL LIMIT 1) x",
    )
    .bind(team_id)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// Everyone who has calibrated in the workspace, with their latest reveal.
pub async fn calibrated(db: &Db, team_id: &str) -> Result<HashMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.participant, MAX(k.revealed_at) FROM calibration_cards c \
           JOIN calibrations k ON k.id = c.calibration_id \
         WHERE k.team_id = $1 AND k.revealed_at IS NOT NULL GROUP BY c.participant",
    )
    .bind(team_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The loop a packet was made from, as the packet needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Source {
    pub candidate_name: String,
    pub hiring_manager: String,
    pub design_doc_url: Option<String>,
    pub decided_level: Option<String>,
    pub offer_outcome: Option<String>,
    pub debrief_started_at: Option<i64>,
}

pub async fn source(db: &Db, loop_id: i64) -> Result<Option<Source>, sqlx::Error> {
    sqlx::query_as(
        "SELECT candidate_name, hiring_manager, design_doc_url, decided_level, offer_outcome, debrief_started_at \
         FROM loops WHERE id = $1",
    )
    .bind(loop_id)
    .fetch_optional(db)
    .await
}
