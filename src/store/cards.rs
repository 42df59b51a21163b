//! Stages as seen by the scorecard flow, prompts (who was asked), and the
//! scorecards themselves: inserted once, never updated.

use super::Tx;
use crate::domain::{DocGate, LoopState, StageState};
use sqlx::{Any, Executor};

/// A stage with what the scorecard flow needs of its loop.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StageRow {
    pub id: i64,
    pub loop_id: i64,
    pub team_id: String,
    pub kind: String,
    pub starts_at: Option<i64>,
    pub length_minutes: Option<i64>,
    pub state: StageState,
    pub candidate_name: String,
    pub hiring_manager: String,
    pub loop_state: LoopState,
    pub channel_id: Option<String>,
    pub debrief_at: i64,
    pub debrief_started_at: Option<i64>,
    pub doc_gate: Option<DocGate>,
    pub position: i64,
    pub title: Option<String>,
    pub panel: Option<i64>,
    pub probes: Option<String>,
    pub guide: Option<String>,
    pub candidate_hours: Option<String>,
}

impl StageRow {
    pub fn kind(&self) -> Option<crate::domain::StageKind> {
        crate::domain::StageKind::parse(&self.kind)
    }

    /// What the loop's template made of this stage.
    pub fn spec(&self) -> Option<crate::domain::StageSpec> {
        super::loops::spec_of(&super::loops::StageColumns {
            kind: self.kind.clone(),
            starts_at: self.starts_at,
            length_minutes: self.length_minutes,
            title: self.title.clone(),
            panel: self.panel,
            probes: self.probes.clone(),
            guide: self.guide.clone(),
            candidate_hours: self.candidate_hours.clone(),
        })
    }

    /// The stage's title as its template named it.
    pub fn title(&self) -> String {
        crate::domain::stage::display_title(self.title.as_deref().unwrap_or(&self.kind))
    }

    pub fn is_open(&self) -> bool {
        self.loop_state.is_open() && self.state != StageState::Cancelled
    }
}

const STAGE_COLUMNS: &str =
    "s.id, s.loop_id, l.team_id, s.kind, s.starts_at, s.length_minutes, s.state, \
     l.candidate_name, l.hiring_manager, l.state AS loop_state, l.channel_id, l.debrief_at, \
     l.debrief_started_at, l.doc_gate, s.position, s.title, s.panel, s.probes, s.guide, \
     s.candidate_hours";

pub async fn stage<'c, E: Executor<'c, Database = Any>>(
    e: E,
    stage_id: i64,
) -> Result<Option<StageRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {STAGE_COLUMNS} FROM stages s JOIN loops l ON l.id = s.loop_id WHERE s.id = $1"
    ))
    .bind(stage_id)
    .fetch_optional(e)
    .await
}

/// The stage, if `user` sits on its panel (one read).
pub async fn stage_for_interviewer<'c, E: Executor<'c, Database = Any>>(
    e: E,
    stage_id: i64,
    user: &str,
) -> Result<Option<StageRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {STAGE_COLUMNS} FROM stage_interviewers i JOIN stages s ON s.id = i.stage_id \
           JOIN loops l ON l.id = s.loop_id WHERE i.stage_id = $1 AND i.user_id = $2"
    ))
    .bind(stage_id)
    .bind(user)
    .fetch_optional(e)
    .await
}

pub async fn stage_of_kind<'c, E: Executor<'c, Database = Any>>(
    e: E,
    loop_id: i64,
    kind: &str,
) -> Result<Option<StageRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {STAGE_COLUMNS} FROM stages s JOIN loops l ON l.id = s.loop_id \
         WHERE s.loop_id = $1 AND s.kind = $2 ORDER BY s.position LIMIT 1"
    ))
    .bind(loop_id)
    .bind(kind)
    .fetch_optional(e)
    .await
}

/// The stages a command may mean, best first: the one at a number or with
/// a title, or every stage of a kind (those still scheduled first). A kind
/// the loop lacks falls back to a stage titled like the word typed (and
/// "behavioural" to the cross-team round, its old name).
pub async fn stages_by_ref<'c, E: Executor<'c, Database = Any>>(
    e: E,
    loop_id: i64,
    which: &crate::handlers::done::StageRef,
) -> Result<Vec<StageRow>, sqlx::Error> {
    let all = loop_stages(e, loop_id).await?;
    Ok(pick_stages(&all, which).into_iter().cloned().collect())
}

fn pick_stages<'a>(
    all: &'a [StageRow],
    which: &crate::handlers::done::StageRef,
) -> Vec<&'a StageRow> {
    use crate::domain::StageKind;
    use crate::handlers::done::StageRef;
    let titled = |slug: &str| -> Vec<&'a StageRow> {
        all.iter()
            .filter(|s| crate::handlers::done::stage_slug(&s.title()) == slug)
            .collect()
    };
    let of_kind = |kind: StageKind| -> Vec<&'a StageRow> {
        let mut out: Vec<&StageRow> = all.iter().filter(|s| s.kind() == Some(kind)).collect();
        // Stable: in plan order, the scheduled ones first.
        out.sort_by_key(|s| s.state != crate::domain::StageState::Scheduled);
        out
    };
    match which {
        StageRef::Position(n) => all.iter().filter(|s| s.position == *n as i64).collect(),
        StageRef::Title(slug) => titled(slug),
        StageRef::Kind(kind, slug) => {
            let mut found = of_kind(*kind);
            if found.is_empty() {
                found = titled(slug);
            }
            if found.is_empty() && *kind == StageKind::Behavioural {
                found = of_kind(StageKind::CrossTeam);
            }
            found
        }
    }
}

/// Every stage of a loop, in order.
pub async fn loop_stages<'c, E: Executor<'c, Database = Any>>(
    e: E,
    loop_id: i64,
) -> Result<Vec<StageRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {STAGE_COLUMNS} FROM stages s JOIN loops l ON l.id = s.loop_id \
         WHERE s.loop_id = $1 ORDER BY s.position"
    ))
    .bind(loop_id)
    .fetch_all(e)
    .await
}

pub async fn interviewers<'c, E: Executor<'c, Database = Any>>(
    e: E,
    stage_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM stage_interviewers WHERE stage_id = $1 ORDER BY user_id",
    )
    .bind(stage_id)
    .fetch_all(e)
    .await
}

pub async fn is_interviewer<'c, E: Executor<'c, Database = Any>>(
    e: E,
    stage_id: i64,
    user: &str,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM stage_interviewers WHERE stage_id = $1 AND user_id = $2",
    )
    .bind(stage_id)
    .bind(user)
    .fetch_one(e)
    .await?;
    Ok(n > 0)
}

/// Marks a stage over (idempotent). True when this call ended it.
pub async fn end_stage(tx: &mut Tx, stage_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE stages SET state = 'done', ended_at = $1 WHERE id = $2 AND state = 'scheduled'",
    )
    .bind(now)
    .bind(stage_id)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Puts `new` on the stage's panel in place of `old`, and forgets `old`'s
/// request for a card (they are no longer asked). False if `old` was not on it.
pub async fn swap_interviewer(
    tx: &mut Tx,
    stage_id: i64,
    old: &str,
    new: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE stage_interviewers SET user_id = $1 WHERE stage_id = $2 AND user_id = $3",
    )
    .bind(new)
    .bind(stage_id)
    .bind(old)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM prompts WHERE stage_id = $1 AND interviewer = $2")
        .bind(stage_id)
        .bind(old)
        .execute(&mut *tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Moves a live stage that has not been held yet: still scheduled, and its
/// time not over at `now` (one whose end has passed is held, even before
/// its end job has run). False otherwise.
pub async fn move_stage(
    tx: &mut Tx,
    stage_id: i64,
    starts_at: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE stages SET starts_at = $1 WHERE id = $2 AND state = 'scheduled' \
           AND starts_at IS NOT NULL AND length_minutes IS NOT NULL \
           AND starts_at + length_minutes * 60 > $3",
    )
    .bind(starts_at)
    .bind(stage_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Stages of the loop, not cancelled, on whose panel `user` sits.
pub async fn seats_in_loop(tx: &mut Tx, loop_id: i64, user: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM stage_interviewers i JOIN stages s ON s.id = i.stage_id \
         WHERE s.loop_id = $1 AND s.state <> 'cancelled' AND i.user_id = $2",
    )
    .bind(loop_id)
    .bind(user)
    .fetch_one(&mut *tx)
    .await
}

/// Records that `user` was asked for the stage's card; `None` if already asked.
pub async fn insert_prompt(
    tx: &mut Tx,
    loop_id: i64,
    stage_id: i64,
    user: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO prompts (loop_id, stage_id, interviewer, prompted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (stage_id, interviewer) DO NOTHING RETURNING id",
    )
    .bind(loop_id)
    .bind(stage_id)
    .bind(user)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await
}

pub async fn prompt_id<'c, E: Executor<'c, Database = Any>>(
    e: E,
    stage_id: i64,
    user: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM prompts WHERE stage_id = $1 AND interviewer = $2")
        .bind(stage_id)
        .bind(user)
        .fetch_optional(e)
        .await
}

/// Where the prompt DM landed (filled in by the outbox worker).
pub async fn prompt_message<'c, E: Executor<'c, Database = Any>>(
    e: E,
    prompt_id: i64,
) -> Result<Option<(Option<String>, Option<String>)>, sqlx::Error> {
    sqlx::query_as("SELECT dm_channel, dm_ts FROM prompts WHERE id = $1")
        .bind(prompt_id)
        .fetch_optional(e)
        .await
}

pub async fn record_prompt_message<'c, E: Executor<'c, Database = Any>>(
    e: E,
    prompt_id: i64,
    channel: &str,
    ts: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE prompts SET dm_channel = $1, dm_ts = $2 WHERE id = $3")
        .bind(channel)
        .bind(ts)
        .bind(prompt_id)
        .execute(e)
        .await?;
    Ok(())
}

pub async fn note_reminder(
    tx: &mut Tx,
    stage_id: i64,
    user: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE prompts SET reminders_sent = reminders_sent + 1, last_reminded_at = $1 \
         WHERE stage_id = $2 AND interviewer = $3",
    )
    .bind(now)
    .bind(stage_id)
    .bind(user)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A card to store (see `insert_cards`).
pub struct NewCard<'a> {
    pub loop_id: i64,
    pub stage_id: i64,
    pub interviewer: &'a str,
    pub recommendation: &'a str,
    pub content: &'a str,
    pub submitted_at: i64,
    pub after_reveal: bool,
}

/// Stores cards once, in one statement. Returns (card id, stage id,
/// interviewer) of those stored; a card already in for its stage and
/// interviewer is left as it is (a locked card is never replaced) and not
/// returned.
pub async fn insert_cards(
    tx: &mut Tx,
    cards: &[NewCard<'_>],
) -> Result<Vec<(i64, i64, String)>, sqlx::Error> {
    let mut out = Vec::with_capacity(cards.len());
    for piece in super::pieces(cards.len(), 32) {
        let piece = &cards[piece];
        let sql = format!(
            "INSERT INTO scorecards (loop_id, stage_id, interviewer, recommendation, content, submitted_at, after_reveal) \
             VALUES {} ON CONFLICT (stage_id, interviewer) DO NOTHING RETURNING id, stage_id, interviewer",
            super::tuples(piece.len(), 7)
        );
        let mut q = sqlx::query_as(&sql);
        for c in piece {
            q = q
                .bind(c.loop_id)
                .bind(c.stage_id)
                .bind(c.interviewer)
                .bind(c.recommendation)
                .bind(c.content)
                .bind(c.submitted_at)
                .bind(c.after_reveal as i64);
        }
        out.extend(q.fetch_all(&mut *tx).await?);
    }
    Ok(out)
}

/// (card id, submitted at) of a user's card for a stage. Never its content.
pub async fn card_receipt<'c, E: Executor<'c, Database = Any>>(
    e: E,
    stage_id: i64,
    user: &str,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, submitted_at FROM scorecards WHERE stage_id = $1 AND interviewer = $2",
    )
    .bind(stage_id)
    .bind(user)
    .fetch_optional(e)
    .await
}

/// Stores an addendum; `after_reveal` says the debrief had started (read in
/// the same transaction). Returns its id.
pub async fn add_addendum(
    tx: &mut Tx,
    card_id: i64,
    body: &str,
    after_reveal: bool,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO scorecard_addenda (scorecard_id, body, created_at, after_reveal) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(card_id)
    .bind(body)
    .bind(now)
    .bind(after_reveal as i64)
    .fetch_one(&mut *tx)
    .await
}

/// (cards in, cards expected) for a loop; stopped stages do not count.
pub async fn progress<'c, E: Executor<'c, Database = Any>>(
    e: E,
    loop_id: i64,
) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {}, {}",
        super::cards_in_sql("$1"),
        super::cards_expected_sql("$1")
    ))
    .bind(loop_id)
    .fetch_one(e)
    .await
}

/// An expected card that is not in: whose, and for which stage.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MissingCard {
    pub interviewer: String,
    pub kind: String,
    /// The stage's name as stored (see `stage::display_title`).
    pub name: String,
}

/// The expected cards of a loop that are not in yet (on stages not cancelled).
pub async fn missing<'c, E: Executor<'c, Database = Any>>(
    e: E,
    loop_id: i64,
) -> Result<Vec<MissingCard>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.user_id AS interviewer, s.kind, COALESCE(s.title, s.kind) AS name FROM stage_interviewers i JOIN stages s ON s.id = i.stage_id \
         WHERE s.loop_id = $1 AND s.state <> 'cancelled' AND NOT EXISTS \
           (SELECT 1 FROM scorecards c WHERE c.stage_id = s.id AND c.interviewer = i.user_id) \
         ORDER BY s.position, i.user_id",
    )
    .bind(loop_id)
    .fetch_all(e)
    .await
}

/// A pending card: asked for, not yet in.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingCard {
    pub stage_id: i64,
    pub kind: String,
    pub candidate_name: String,
}

pub async fn pending_for_user<'c, E: Executor<'c, Database = Any>>(
    e: E,
    team_id: &str,
    user: &str,
) -> Result<Vec<PendingCard>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.stage_id, COALESCE(s.title, s.kind) AS kind, l.candidate_name FROM prompts p \
           JOIN stages s ON s.id = p.stage_id JOIN loops l ON l.id = p.loop_id \
         WHERE l.team_id = $1 AND p.interviewer = $2 AND l.state = 'open' AND s.state <> 'cancelled' \
           AND NOT EXISTS (SELECT 1 FROM scorecards c WHERE c.stage_id = p.stage_id AND c.interviewer = p.interviewer) \
         ORDER BY p.prompted_at, p.id LIMIT 20",
    )
    .bind(team_id)
    .bind(user)
    .fetch_all(e)
    .await
}

/// A submitted card as its author may see it listed: stage and time only.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SubmittedCard {
    pub kind: String,
    pub candidate_name: String,
    pub submitted_at: i64,
}

/// `user`'s latest cards, found through the panels they sit on: only a
/// panel member can send a card, and `swap` keeps a seat whose card is in
/// (`panel::a_seat_whose_card_is_not_in_can_be_swapped`), so every card
/// has its seat.
pub async fn submitted_by_user<'c, E: Executor<'c, Database = Any>>(
    e: E,
    team_id: &str,
    user: &str,
) -> Result<Vec<SubmittedCard>, sqlx::Error> {
    sqlx::query_as(
        "SELECT COALESCE(s.title, s.kind) AS kind, l.candidate_name, c.submitted_at FROM stage_interviewers i \
           JOIN scorecards c ON c.stage_id = i.stage_id AND c.interviewer = i.user_id \
           JOIN stages s ON s.id = c.stage_id JOIN loops l ON l.id = s.loop_id \
         WHERE l.team_id = $1 AND i.user_id = $2 ORDER BY c.submitted_at DESC, c.id DESC LIMIT 20",
    )
    .bind(team_id)
    .bind(user)
    .fetch_all(e)
    .await
}

pub async fn count_cards<'c, E: Executor<'c, Database = Any>>(e: E) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM scorecards")
        .fetch_one(e)
        .await
}

/// A card as revealed at the debrief (only ever read once it has started).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RevealRow {
    pub id: i64,
    pub interviewer: String,
    pub kind: String,
    /// The stage's name as people see it (see `stage::display_title`).
    pub title: String,
    pub content: String,
    pub submitted_at: i64,
    pub after_reveal: i64,
}

pub async fn reveal_rows<'c, E: Executor<'c, Database = Any>>(
    e: E,
    loop_id: i64,
) -> Result<Vec<RevealRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.interviewer, s.kind, COALESCE(s.title, s.kind) AS title, c.content, c.submitted_at, c.after_reveal FROM stages s \
           JOIN scorecards c ON c.stage_id = s.id WHERE s.loop_id = $1 ORDER BY s.position, c.submitted_at, c.id",
    )
    .bind(loop_id)
    .fetch_all(e)
    .await
}

/// An addendum to a card, as the reveal shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Addendum {
    pub id: i64,
    pub scorecard_id: i64,
    pub body: String,
    pub created_at: i64,
    /// Non-zero when written after the debrief started.
    pub after_reveal: i64,
}

/// Every addendum in a loop, oldest first.
pub async fn addenda<'c, E: Executor<'c, Database = Any>>(
    e: E,
    loop_id: i64,
) -> Result<Vec<Addendum>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.id, a.scorecard_id, a.body, a.created_at, a.after_reveal FROM scorecard_addenda a \
           JOIN scorecards c ON c.id = a.scorecard_id JOIN stages s ON s.id = c.stage_id \
         WHERE s.loop_id = $1 ORDER BY a.created_at, a.id",
    )
    .bind(loop_id)
    .fetch_all(e)
    .await
}

/// A stored card's scores, for reporting (see `insert_scores`).
pub struct CardScores<'a> {
    pub card_id: i64,
    pub loop_id: i64,
    pub stage_kind: &'a str,
    pub scores: &'a [crate::domain::scorecard::Score],
}

/// Records the scores of locked cards, in the cards' transaction: one
/// statement per 200 scores.
pub async fn insert_scores(tx: &mut Tx, cards: &[CardScores<'_>]) -> Result<(), sqlx::Error> {
    let rows: Vec<(&CardScores, &crate::domain::scorecard::Score)> = cards
        .iter()
        .flat_map(|c| c.scores.iter().map(move |s| (c, s)))
        .collect();
    for piece in super::pieces(rows.len(), 128) {
        let chunk = &rows[piece];
        let sql = format!(
            "INSERT INTO card_scores (scorecard_id, loop_id, stage_kind, criterion, score) VALUES {}",
            super::tuples(chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for (c, s) in chunk {
            q = q
                .bind(c.card_id)
                .bind(c.loop_id)
                .bind(c.stage_kind)
                .bind(&s.criterion)
                .bind(s.score as i64);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// A seat on a stage's panel as a batch of cards reads it, inside its
/// transaction: the stage with its loop (so a debrief that started or a stage
/// that was stopped meanwhile is seen), the prompt that asked this
/// interviewer (if any), and the loop's cards in and expected before the batch.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Seat {
    #[sqlx(flatten)]
    pub stage: StageRow,
    pub interviewer: String,
    pub prompt_id: Option<i64>,
    pub loop_submitted: i64,
    pub loop_expected: i64,
}

/// Every seat of these stages, in one read. On PostgreSQL the loops' rows
/// are share-locked until the transaction ends, so a debrief start (which
/// updates the loop row) either commits first and is seen here, or waits
/// until these cards are in and then reveals them: never neither.
/// The seats of `users` on `stages` (a seat of one user on another's
/// stage may come along: the caller looks up the pairs it wants). Only the
/// batch's own interviewers are read, so the loop's counts are worked out
/// once per card, not once per panel member.
pub async fn seats(
    conn: &mut super::Tx,
    stage_ids: &[i64],
    users: &[&str],
) -> Result<Vec<Seat>, sqlx::Error> {
    if stage_ids.is_empty() || users.is_empty() {
        return Ok(Vec::new());
    }
    let lock = conn.row_lock(" FOR SHARE OF l");
    let (stage_ids, users) = (super::pad(stage_ids), super::pad(users));
    let sql = format!(
        "SELECT {STAGE_COLUMNS}, i.user_id AS interviewer, p.id AS prompt_id, \
           {} AS loop_submitted, {} AS loop_expected \
         FROM stage_interviewers i JOIN stages s ON s.id = i.stage_id JOIN loops l ON l.id = s.loop_id \
           LEFT JOIN prompts p ON p.stage_id = i.stage_id AND p.interviewer = i.user_id \
         WHERE i.stage_id IN ({}) AND i.user_id IN ({}){lock}",
        super::cards_in_sql("s.loop_id"),
        super::cards_expected_sql("s.loop_id"),
        super::marks(1, stage_ids.len()),
        super::marks(stage_ids.len() + 1, users.len())
    );
    let mut q = sqlx::query_as::<_, Seat>(&sql);
    for id in stage_ids {
        q = q.bind(id);
    }
    for user in users {
        q = q.bind(user);
    }
    q.fetch_all(&mut *conn).await
}

/// Marks stages over (those still scheduled), in one statement.
pub async fn end_stages(tx: &mut Tx, stage_ids: &[i64], now: i64) -> Result<(), sqlx::Error> {
    if stage_ids.is_empty() {
        return Ok(());
    }
    let stage_ids = super::pad(stage_ids);
    let sql = format!(
        "UPDATE stages SET state = 'done', ended_at = $1 WHERE state = 'scheduled' AND id IN ({})",
        super::marks(2, stage_ids.len())
    );
    let mut q = sqlx::query(&sql).bind(now);
    for id in stage_ids {
        q = q.bind(id);
    }
    q.execute(&mut *tx).await?;
    Ok(())
}
