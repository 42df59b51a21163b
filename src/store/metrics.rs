//! Aggregates for the downlevel report, computed in SQL over decided loops
//! (portable to both backends: COUNT with FILTER, integer week buckets).
//! A loop whose debrief has not started never counts, whatever its row
//! says: its cards are still hidden.

use super::Db;

/// Decided loops in a window, by applied and decided level.
pub async fn decisions(
    db: &Db,
    team: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT applied_level, decided_level, COUNT(*) FROM loops \
         WHERE team_id = $1 AND decided_at >= $2 AND decided_at < $3 AND decided_level IS NOT NULL \
           AND debrief_started_at IS NOT NULL \
         GROUP BY applied_level, decided_level",
    )
    .bind(team)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}

const DOWNLEVELLED: &str = "((l.applied_level = 'staff' AND l.decided_level = 'senior') \
     OR (l.applied_level = 'senior_staff' AND l.decided_level = 'staff'))";

/// For downlevelled loops, per (stage, criterion): scores at 2 or below, the
/// sum of scores, and how many. One pass serves both views of the shortfall.
pub async fn shortfall(
    db: &Db,
    team: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(String, String, i64, i64, i64)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT cs.stage_kind, cs.criterion, COUNT(*) FILTER (WHERE cs.score <= 2), CAST(SUM(cs.score) AS BIGINT), COUNT(*) \
         FROM loops l JOIN stages s ON s.loop_id = l.id JOIN scorecards c ON c.stage_id = s.id \
           JOIN card_scores cs ON cs.scorecard_id = c.id \
         WHERE {DECIDED_IN_WINDOW} AND {DOWNLEVELLED} \
         GROUP BY cs.stage_kind, cs.criterion"
    ))
    .bind(team)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}

/// Decisions per week since `from` (week 0 starts at `from`).
pub async fn weekly(
    db: &Db,
    team: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT CAST((decided_at - $2) / 604800 AS BIGINT) AS week, applied_level, decided_level, COUNT(*) FROM loops \
         WHERE team_id = $1 AND decided_at >= $2 AND decided_at < $3 AND decided_level IS NOT NULL \
           AND debrief_started_at IS NOT NULL \
         GROUP BY week, applied_level, decided_level",
    )
    .bind(team)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}

/// Workspaces the bot knows, with their report channel if one was set.
pub async fn teams(db: &Db) -> Result<Vec<(String, Option<String>)>, sqlx::Error> {
    sqlx::query_as("SELECT team_id, report_channel FROM teams ORDER BY team_id")
        .fetch_all(db)
        .await
}

pub async fn set_report_channel(
    db: &Db,
    team: &str,
    channel: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    super::teams::touch(&mut tx, team, now).await?;
    sqlx::query("UPDATE teams SET report_channel = $1 WHERE team_id = $2")
        .bind(channel)
        .bind(team)
        .execute(&mut tx)
        .await?;
    tx.commit().await
}

/// Decided loops in the window whose debrief started (`l` is the loop).
const DECIDED_IN_WINDOW: &str = "l.team_id = $1 AND l.decided_at >= $2 AND l.decided_at < $3 \
     AND l.decided_level IS NOT NULL AND l.debrief_started_at IS NOT NULL";

/// A card of a decided loop, for the calibration report.
#[derive(Debug, sqlx::FromRow)]
pub struct RatedRow {
    pub id: i64,
    pub loop_id: i64,
    pub stage_id: i64,
    pub kind: String,
    pub interviewer: String,
    pub recommendation: String,
    pub decided_level: String,
    pub content: String,
    pub submitted_at: i64,
    /// When the card was asked for: the prompt, else the stage's end, else
    /// the card itself (written before either).
    pub asked_at: i64,
}

/// The cards of decided loops in the window: only those in before the
/// reveal (a card written after it heard the discussion), and none from a
/// stage that was cancelled.
pub async fn rated_cards(
    db: &Db,
    team: &str,
    from: i64,
    to: i64,
) -> Result<Vec<RatedRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT c.id, c.loop_id, c.stage_id, s.kind, c.interviewer, c.recommendation, l.decided_level, \
           c.content, c.submitted_at, COALESCE(p.prompted_at, s.ended_at, c.submitted_at) AS asked_at \
         FROM loops l JOIN stages s ON s.loop_id = l.id JOIN scorecards c ON c.stage_id = s.id \
           LEFT JOIN prompts p ON p.stage_id = c.stage_id AND p.interviewer = c.interviewer \
         WHERE {DECIDED_IN_WINDOW} AND c.after_reveal = 0 AND s.state <> 'cancelled' \
         ORDER BY c.id"
    ))
    .bind(team)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}

/// The scores of the cards `rated_cards` counts: (card, loop, criterion,
/// score).
pub async fn counted_scores(
    db: &Db,
    team: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT cs.scorecard_id, cs.loop_id, cs.criterion, cs.score \
         FROM loops l JOIN stages s ON s.loop_id = l.id JOIN scorecards c ON c.stage_id = s.id \
           JOIN card_scores cs ON cs.scorecard_id = c.id \
         WHERE {DECIDED_IN_WINDOW} AND c.after_reveal = 0 AND s.state <> 'cancelled'"
    ))
    .bind(team)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await
}
