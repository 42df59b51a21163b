//! Loops, their stages and interviewers.

use super::jobs::{self, NewJob};
use super::outbox::{self, NewRow};
use super::{is_unique_violation, teams, Backend, Db, Tx};
use crate::domain::{
    slug, CandidateName, DocGate, Level, LoopPlan, LoopState, PlannedStage, StageKind, StageSpec,
    StageState, UserId,
};
use sqlx::{Any, Executor};

/// Tries before giving up on reserving a channel name under heavy contention.
const RESERVE_NAME_TRIES: usize = 8;

pub struct NewLoop<'a> {
    pub team_id: &'a str,
    pub plan: &'a LoopPlan,
    pub opened_by: &'a UserId,
    /// The submitted view's id: a replayed submission maps to the same loop.
    pub source_view_id: &'a str,
    pub now: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    New {
        loop_id: i64,
        channel_name: String,
    },
    /// This very form was already submitted once; nothing more was stored.
    Duplicate {
        loop_id: i64,
    },
}

/// What a freshly stored loop looks like, for deciding its effects and jobs.
pub struct Stored<'a> {
    pub loop_id: i64,
    pub channel_name: &'a str,
    /// (stage id, kind, start, end) in order.
    pub stages: &'a [(i64, StageKind, Option<i64>, Option<i64>)],
}

/// Stores the loop, reserves a unique channel name for it, and records the
/// effects and jobs `plan_work` returns for it, all in one transaction.
pub async fn create<'t>(
    db: &Db,
    new: &NewLoop<'t>,
    plan_work: impl Fn(&Stored<'_>) -> (Vec<NewRow>, Vec<NewJob<'t>>),
) -> anyhow::Result<Created> {
    let slug = slug::candidate_slug(new.plan.candidate.as_str());
    let mut last_err = None;
    for _ in 0..RESERVE_NAME_TRIES {
        match try_create(db, new, &slug, &plan_work).await {
            Ok(created) => return Ok(created),
            Err(e) if is_unique_violation(&e) => {
                // Either another open took our name, or this form was
                // replayed concurrently: look again and retry.
                if let Some(loop_id) = find_by_view(db, new.team_id, new.source_view_id).await? {
                    return Ok(Created::Duplicate { loop_id });
                }
                last_err = Some(e);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(anyhow::anyhow!(
        "could not reserve a channel name after {RESERVE_NAME_TRIES} tries: {last_err:?}"
    ))
}

async fn find_by_view(db: &Db, team_id: &str, view_id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM loops WHERE team_id = $1 AND source_view_id = $2")
        .bind(team_id)
        .bind(view_id)
        .fetch_optional(db)
        .await
}

async fn try_create<'t>(
    db: &Db,
    new: &NewLoop<'t>,
    slug: &str,
    plan_work: &impl Fn(&Stored<'_>) -> (Vec<NewRow>, Vec<NewJob<'t>>),
) -> Result<Created, sqlx::Error> {
    let mut tx = db.begin().await?;
    teams::touch(&mut tx, new.team_id, new.now).await?;
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM loops WHERE team_id = $1 AND source_view_id = $2")
            .bind(new.team_id)
            .bind(new.source_view_id)
            .fetch_optional(&mut tx)
            .await?;
    if let Some(loop_id) = existing {
        return Ok(Created::Duplicate { loop_id });
    }
    let channel_name = next_free_name(&mut tx, new.team_id, slug, 0).await?;
    let plan = new.plan;
    let loop_id: i64 = sqlx::query_scalar(
        "INSERT INTO loops (team_id, candidate_name, applied_level, hiring_manager, opened_by, \
           source_view_id, channel_slug, channel_name, design_doc_url, debrief_at, created_at, \
           template_name, design_prompt, warnings) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(new.team_id)
    .bind(plan.candidate.as_str())
    .bind(plan.applied_level.as_str())
    .bind(plan.hiring_manager.as_str())
    .bind(new.opened_by.as_str())
    .bind(new.source_view_id)
    .bind(slug)
    .bind(&channel_name)
    .bind(plan.design_doc_url.as_deref())
    .bind(plan.debrief_at)
    .bind(new.now)
    .bind(&plan.template_name)
    .bind(plan.design_prompt.as_deref())
    .bind(join_lines(&plan.warnings))
    .fetch_one(&mut tx)
    .await?;
    let mut stored_stages = Vec::with_capacity(plan.stages.len());
    for stage in &plan.stages {
        let stage_id: i64 = sqlx::query_scalar(
            "INSERT INTO stages (loop_id, position, kind, starts_at, length_minutes, \
               title, panel, probes, guide, candidate_hours) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(loop_id)
        .bind(stored_stages.len() as i64 + 1)
        .bind(stage.kind.key())
        .bind(stage.starts_at)
        .bind(stage.spec.length_minutes)
        .bind(&stage.spec.title)
        .bind(stage.spec.panel as i64)
        .bind(stage.spec.probes_key())
        .bind(join_lines(&stage.spec.guide))
        .bind(
            stage
                .spec
                .candidate_hours
                .map(|(low, high)| format!("{low}-{high}")),
        )
        .fetch_one(&mut tx)
        .await?;
        stored_stages.push((stage_id, stage.kind, stage.starts_at, stage.ends_at()));
        for user in &stage.interviewers {
            sqlx::query("INSERT INTO stage_interviewers (stage_id, user_id) VALUES ($1, $2)")
                .bind(stage_id)
                .bind(user.as_str())
                .execute(&mut tx)
                .await?;
        }
    }
    audit(
        &mut tx,
        new.team_id,
        Some(loop_id),
        new.opened_by.as_str(),
        "loop opened",
        new.now,
    )
    .await?;
    let now_ms = new.now * 1000;
    let stored = Stored {
        loop_id,
        channel_name: &channel_name,
        stages: &stored_stages,
    };
    let (effects, new_jobs) = plan_work(&stored);
    for row in effects {
        outbox::enqueue(&mut tx, new.team_id, row, now_ms).await?;
    }
    for job in &new_jobs {
        jobs::schedule(&mut tx, job, new.now).await?;
    }
    tx.commit().await?;
    Ok(Created::New {
        loop_id,
        channel_name,
    })
}

pub async fn audit(
    tx: &mut Tx,
    team_id: &str,
    loop_id: Option<i64>,
    actor: &str,
    action: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (team_id, loop_id, actor, action, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(team_id)
    .bind(loop_id)
    .bind(actor)
    .bind(action)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// One audit entry (see `audit_many`).
pub struct AuditEntry<'a> {
    pub team_id: &'a str,
    pub loop_id: Option<i64>,
    pub actor: &'a str,
    pub action: String,
    pub at: i64,
}

/// Several audit entries in one statement.
pub async fn audit_many(tx: &mut Tx, entries: &[AuditEntry<'_>]) -> Result<(), sqlx::Error> {
    for piece in super::pieces(entries.len(), 128) {
        let chunk = &entries[piece];
        let sql = format!(
            "INSERT INTO audit_log (team_id, loop_id, actor, action, at) VALUES {}",
            super::tuples(chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.team_id)
                .bind(e.loop_id)
                .bind(e.actor)
                .bind(&e.action)
                .bind(e.at);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// The attempt number encoded in a channel name (`loop-x` is 1, `loop-x-3` is 3).
fn attempt_of(name: &str, slug: &str) -> Option<u32> {
    let bare = slug::channel_name(slug, 1);
    if name == bare {
        return Some(1);
    }
    name.strip_prefix(&bare)?.strip_prefix('-')?.parse().ok()
}

/// The first channel name for `slug` after attempt `after` that no loop of
/// this workspace holds.
async fn next_free_name(
    tx: &mut Tx,
    team_id: &str,
    slug: &str,
    after: u32,
) -> Result<String, sqlx::Error> {
    let bare = slug::channel_name(slug, 1);
    let taken: Vec<String> = sqlx::query_scalar(
        "SELECT channel_name FROM loops WHERE team_id = $1 AND (channel_name = $2 OR channel_name LIKE $3)",
    )
    .bind(team_id)
    .bind(&bare)
    .bind(format!("{bare}-%"))
    .fetch_all(&mut *tx)
    .await?;
    let used: Vec<u32> = taken.iter().filter_map(|n| attempt_of(n, slug)).collect();
    let attempt = (after + 1..)
        .find(|n| !used.contains(n))
        .unwrap_or(after + 1);
    Ok(slug::channel_name(slug, attempt))
}

/// Slack said the loop's channel name is taken (by a channel we did not
/// create): reserve the next free one and return it.
pub async fn rename_channel(db: &Db, loop_id: i64, now: i64) -> anyhow::Result<String> {
    for _ in 0..RESERVE_NAME_TRIES {
        let mut tx = db.begin().await?;
        let (team_id, slug, current): (String, String, String) =
            sqlx::query_as("SELECT team_id, channel_slug, channel_name FROM loops WHERE id = $1")
                .bind(loop_id)
                .fetch_one(&mut tx)
                .await?;
        teams::touch(&mut tx, &team_id, now).await?;
        let after = attempt_of(&current, &slug).unwrap_or(1);
        let name = next_free_name(&mut tx, &team_id, &slug, after).await?;
        let updated = sqlx::query("UPDATE loops SET channel_name = $1 WHERE id = $2")
            .bind(&name)
            .bind(loop_id)
            .execute(&mut tx)
            .await;
        match updated {
            Ok(_) => {
                tx.commit().await?;
                return Ok(name);
            }
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    anyhow::bail!("no free channel name for loop {loop_id}")
}

pub async fn set_channel_id(db: &Db, loop_id: i64, channel_id: &str) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    sqlx::query("UPDATE loops SET channel_id = $1 WHERE id = $2")
        .bind(channel_id)
        .bind(loop_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn channel_id(db: &Db, loop_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar::<_, Option<String>>("SELECT channel_id FROM loops WHERE id = $1")
        .bind(loop_id)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

pub async fn reveal_ts(db: &Db, loop_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar::<_, Option<String>>("SELECT reveal_ts FROM loops WHERE id = $1")
        .bind(loop_id)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

pub async fn set_reveal_ts(db: &Db, loop_id: i64, ts: &str) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    sqlx::query("UPDATE loops SET reveal_ts = $1 WHERE id = $2")
        .bind(ts)
        .bind(loop_id)
        .execute(db)
        .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LoopRow {
    pub id: i64,
    pub team_id: String,
    pub candidate_name: String,
    pub applied_level: String,
    pub hiring_manager: String,
    pub opened_by: String,
    pub channel_id: Option<String>,
    pub channel_name: String,
    pub debrief_at: i64,
    pub state: LoopState,
    pub debrief_started_at: Option<i64>,
    pub doc_gate: Option<DocGate>,
    pub decided_level: Option<String>,
    pub decided_at: Option<i64>,
    pub corrected_at: Option<i64>,
    pub offer_outcome: Option<String>,
}

const LOOP_COLUMNS: &str = "l.id, l.team_id, l.candidate_name, l.applied_level, l.hiring_manager, \
     l.opened_by, l.channel_id, l.channel_name, l.debrief_at, l.state, l.debrief_started_at, l.doc_gate, \
     l.decided_level, l.decided_at, l.corrected_at, l.offer_outcome";

pub async fn by_id(db: &Db, loop_id: i64) -> Result<Option<LoopRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {LOOP_COLUMNS} FROM loops l WHERE l.id = $1"
    ))
    .bind(loop_id)
    .fetch_optional(db)
    .await
}

pub async fn find_by_channel(
    db: &Db,
    team_id: &str,
    channel_id: &str,
) -> Result<Option<LoopRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {LOOP_COLUMNS} FROM loops l WHERE l.team_id = $1 AND l.channel_id = $2"
    ))
    .bind(team_id)
    .bind(channel_id)
    .fetch_optional(db)
    .await
}

#[derive(Clone, Debug)]
pub struct StageStatus {
    pub kind: String,
    pub title: String,
    pub position: i64,
    pub starts_at: Option<i64>,
    pub length_minutes: Option<i64>,
    pub state: StageState,
    /// (interviewer, has submitted): who, never what.
    pub interviewers: Vec<(String, bool)>,
}

/// Stages in order with who sits on each and whether their card is in. Reads
/// no scorecard content, by construction.
pub async fn stage_status(db: &Db, loop_id: i64) -> Result<Vec<StageStatus>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        stage_id: i64,
        kind: String,
        title: Option<String>,
        position: i64,
        starts_at: Option<i64>,
        length_minutes: Option<i64>,
        state: StageState,
        user_id: Option<String>,
        submitted: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.id AS stage_id, s.kind, s.title, s.position, s.starts_at, s.length_minutes, s.state, i.user_id, \
           (SELECT COUNT(*) FROM scorecards c WHERE c.stage_id = s.id AND c.interviewer = i.user_id) AS submitted \
         FROM stages s LEFT JOIN stage_interviewers i ON i.stage_id = s.id \
         WHERE s.loop_id = $1 ORDER BY s.position, i.user_id",
    )
    .bind(loop_id)
    .fetch_all(db)
    .await?;
    let mut out: Vec<(i64, StageStatus)> = Vec::new();
    for r in rows {
        if out.last().map(|(id, _)| *id) != Some(r.stage_id) {
            out.push((
                r.stage_id,
                StageStatus {
                    title: r
                        .title
                        .unwrap_or_else(|| crate::domain::stage::display_title(&r.kind)),
                    position: r.position,
                    kind: r.kind,
                    starts_at: r.starts_at,
                    length_minutes: r.length_minutes,
                    state: r.state,
                    interviewers: Vec::new(),
                },
            ));
        }
        if let (Some(user), Some((_, stage))) = (r.user_id, out.last_mut()) {
            stage.interviewers.push((user, r.submitted > 0));
        }
    }
    Ok(out.into_iter().map(|(_, s)| s).collect())
}

#[cfg(test)]
mod tests {
    use super::attempt_of;

    #[test]
    fn attempts_parse_from_names() {
        assert_eq!(attempt_of("loop-ana", "ana"), Some(1));
        assert_eq!(attempt_of("loop-ana-3", "ana"), Some(3));
        assert_eq!(attempt_of("loop-ana-b", "ana"), None);
        assert_eq!(attempt_of("loop-anabel", "ana"), None);
    }
}

/// A user's open loop with progress counts, for the App Home: one query, not
/// one per loop.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HomeRow {
    pub candidate_name: String,
    pub channel_id: Option<String>,
    pub channel_name: String,
    pub hiring_manager: String,
    pub submitted: i64,
    pub expected: i64,
    pub interviews: i64,
}

/// The user's own loops (as hiring manager or interviewer) drive the query,
/// so its cost follows how many loops they sit on, not how many are open;
/// progress is counted for the page shown only.
///
/// On PostgreSQL it runs with its generic plan (see `GENERIC_PLAN`), and the
/// user's loops are picked by id from two arrays (the stages of their seats,
/// and those stages' loops) rather than joined: a generic plan reckons with
/// the average user's seats, and for a join of that many it would read all
/// of `stages` and `loops`; an id array it reads through the primary keys,
/// whatever the tables hold.
pub async fn home_rows(
    db: &Db,
    team_id: &str,
    user: &str,
    limit: i64,
) -> Result<Vec<HomeRow>, sqlx::Error> {
    let mine = match db.backend() {
        Backend::Sqlite => {
            "FROM (SELECT h.id AS id FROM loops h WHERE h.team_id = $1 AND h.hiring_manager = $2 \
                   UNION SELECT s.loop_id FROM stage_interviewers i JOIN stages s ON s.id = i.stage_id \
                     WHERE i.user_id = $2) mine \
               JOIN loops l ON l.id = mine.id \
             WHERE l.team_id = $1 AND l.state = 'open'"
        }
        Backend::Postgres => {
            "FROM loops l \
             WHERE l.team_id = $1 AND l.state = 'open' \
               AND (l.hiring_manager = $2 OR l.id = ANY(ARRAY( \
                 SELECT s.loop_id FROM stages s WHERE s.id = ANY(ARRAY( \
                   SELECT i.stage_id FROM stage_interviewers i WHERE i.user_id = $2)))))"
        }
    };
    let sql = format!(
        "SELECT p.candidate_name, p.channel_id, p.channel_name, p.hiring_manager, \
           {} AS submitted, {} AS expected, \
           (SELECT COUNT(*) FROM stage_interviewers i JOIN stages s ON s.id = i.stage_id \
              WHERE s.loop_id = p.id AND i.user_id = $2) AS interviews \
         FROM (SELECT l.id, l.candidate_name, l.channel_id, l.channel_name, l.hiring_manager, l.debrief_at \
               {mine} \
               ORDER BY l.debrief_at, l.id LIMIT $3) p \
         ORDER BY p.debrief_at, p.id",
        super::cards_in_sql("p.id"),
        super::cards_expected_sql("p.id")
    );
    let rows = sqlx::query_as(&sql).bind(team_id).bind(user).bind(limit);
    if db.backend() == Backend::Sqlite {
        return rows.fetch_all(db).await;
    }
    let mut tx = db.begin().await?;
    sqlx::query(&format!("SET LOCAL {}", super::GENERIC_PLAN))
        .execute(&mut tx)
        .await?;
    let rows = rows.fetch_all(&mut tx).await?;
    tx.commit().await?;
    Ok(rows)
}

/// The loop's plan as it was opened, read back (for the plan message, the
/// topic and the opener's DM, rendered at delivery).
pub async fn plan(db: &Db, loop_id: i64) -> Result<Option<LoopPlan>, sqlx::Error> {
    type Head = (
        String,
        String,
        String,
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let head: Option<Head> = sqlx::query_as(
        "SELECT candidate_name, applied_level, hiring_manager, debrief_at, design_doc_url, \
           template_name, design_prompt, warnings FROM loops WHERE id = $1",
    )
    .bind(loop_id)
    .fetch_optional(db)
    .await?;
    let Some((name, applied, hm, debrief_at, url, template_name, design_prompt, warnings)) = head
    else {
        return Ok(None);
    };
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        #[sqlx(flatten)]
        columns: StageColumns,
        user_id: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT s.id, {SPEC_COLUMNS}, i.user_id FROM stages s \
           LEFT JOIN stage_interviewers i ON i.stage_id = s.id \
         WHERE s.loop_id = $1 ORDER BY s.position, i.user_id"
    ))
    .bind(loop_id)
    .fetch_all(db)
    .await?;
    let mut stages: Vec<(i64, PlannedStage)> = Vec::new();
    for Row {
        id,
        columns,
        user_id: user,
    } in rows
    {
        let Some(spec) = spec_of(&columns) else {
            continue;
        };
        if stages.last().map(|(last, _)| *last) != Some(id) {
            stages.push((
                id,
                PlannedStage {
                    kind: spec.kind,
                    starts_at: columns.starts_at,
                    spec,
                    interviewers: Vec::new(),
                },
            ));
        }
        if let (Some(user), Some((_, stage))) =
            (user.and_then(|u| UserId::parse(&u)), stages.last_mut())
        {
            stage.interviewers.push(user);
        }
    }
    let (Ok(candidate), Some(hiring_manager)) = (CandidateName::parse(&name), UserId::parse(&hm))
    else {
        return Ok(None);
    };
    Ok(Some(LoopPlan {
        candidate,
        applied_level: Level::parse(&applied).unwrap_or(Level::Staff),
        hiring_manager,
        stages: stages.into_iter().map(|(_, s)| s).collect(),
        debrief_at,
        design_doc_url: url,
        template_name: template_name
            .unwrap_or_else(|| crate::domain::Template::default_template().name),
        design_prompt,
        warnings: split_lines(warnings.as_deref()),
    }))
}

/// Marks the debrief started, once and only for an open loop; false when it
/// had started already or the loop is not open.
pub async fn start_debrief(tx: &mut Tx, loop_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE loops SET debrief_started_at = $1 WHERE id = $2 AND debrief_started_at IS NULL AND state = 'open'",
    )
    .bind(now)
    .bind(loop_id)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// When the loop's debrief started, if it has. On PostgreSQL the loop row
/// stays share-locked until the transaction ends, so a start cannot commit
/// between this read and what the caller writes because of it.
pub async fn debrief_started_at(tx: &mut Tx, loop_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let sql = format!(
        "SELECT debrief_started_at FROM loops WHERE id = $1{}",
        tx.row_lock(" FOR SHARE")
    );
    let started: Option<Option<i64>> = sqlx::query_scalar(&sql)
        .bind(loop_id)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(started.flatten())
}

/// Locks the loop's row until the transaction ends (PostgreSQL; SQLite's
/// write transaction already excludes every other writer), so checks made
/// after it, such as "not yet decided", cannot race another transaction.
pub async fn lock(tx: &mut Tx, loop_id: i64) -> Result<(), sqlx::Error> {
    let clause = tx.row_lock(" FOR UPDATE");
    if clause.is_empty() {
        return Ok(());
    }
    sqlx::query(&format!("SELECT id FROM loops WHERE id = $1{clause}"))
        .bind(loop_id)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(())
}

/// Whether `user` is (or was) the hiring manager of any loop in the workspace.
pub async fn is_hiring_manager(db: &Db, team: &str, user: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM loops WHERE team_id = $1 AND hiring_manager = $2 LIMIT 1",
    )
    .bind(team)
    .bind(user)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}

/// Where the plan message landed (set once it is posted).
pub async fn set_plan_ts(db: &Db, loop_id: i64, ts: &str) -> Result<(), sqlx::Error> {
    let _gate = db.gate().await;
    sqlx::query("UPDATE loops SET plan_ts = $1 WHERE id = $2")
        .bind(ts)
        .bind(loop_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn plan_ts(db: &Db, loop_id: i64) -> Result<Option<String>, sqlx::Error> {
    let ts: Option<Option<String>> = sqlx::query_scalar("SELECT plan_ts FROM loops WHERE id = $1")
        .bind(loop_id)
        .fetch_optional(db)
        .await?;
    Ok(ts.flatten())
}

pub async fn candidate_of(tx: &mut Tx, loop_id: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT candidate_name FROM loops WHERE id = $1")
        .bind(loop_id)
        .fetch_one(&mut *tx)
        .await
}

pub async fn team_of(tx: &mut Tx, loop_id: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT team_id FROM loops WHERE id = $1")
        .bind(loop_id)
        .fetch_one(&mut *tx)
        .await
}

/// Raises the design-document gate, once per loop; false when it was already.
pub async fn raise_gate(tx: &mut Tx, loop_id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE loops SET doc_gate = 'asked', doc_gate_at = $1 WHERE id = $2 AND doc_gate IS NULL",
    )
    .bind(now)
    .bind(loop_id)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records the hiring manager's answer to the gate (`continued` or
/// `stopped`); false when it was answered already.
pub async fn settle_gate(
    tx: &mut Tx,
    loop_id: i64,
    outcome: DocGate,
    by: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE loops SET doc_gate = $1, doc_gate_by = $2, doc_gate_at = $3 WHERE id = $4 AND doc_gate = 'asked'",
    )
    .bind(outcome)
    .bind(by)
    .bind(now)
    .bind(loop_id)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Stops the loop: every stage not yet held is cancelled. Returns (stage
/// kind, interviewer) for each seat cancelled, to tell them.
pub async fn stop(
    tx: &mut Tx,
    loop_id: i64,
    now: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let cancelled: Vec<(String, String)> = sqlx::query_as(
        "SELECT COALESCE(s.title, s.kind), i.user_id FROM stages s JOIN stage_interviewers i ON i.stage_id = s.id \
         WHERE s.loop_id = $1 AND s.state = 'scheduled' ORDER BY s.position, i.user_id",
    )
    .bind(loop_id)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE stages SET state = 'cancelled', ended_at = $1 WHERE loop_id = $2 AND state = 'scheduled'",
    )
    .bind(now)
    .bind(loop_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE loops SET state = 'stopped' WHERE id = $1")
        .bind(loop_id)
        .execute(&mut *tx)
        .await?;
    Ok(cancelled)
}

/// A live stage that has not been held yet: still scheduled, and its time
/// not over (a stage whose end has passed is held, even if its end job has
/// not run yet). The written design document is not a live stage.
const NOT_HELD: &str = "s.state = 'scheduled' AND s.kind <> 'design_doc' \
     AND (s.starts_at IS NULL OR s.length_minutes IS NULL OR s.starts_at + s.length_minutes * 60 > $2)";

/// (kind, starts at) of the loop's live stages not yet held at `now`.
pub async fn stages_not_held<'c, E: Executor<'c, Database = Any>>(
    e: E,
    loop_id: i64,
    now: i64,
) -> Result<Vec<(String, Option<i64>)>, sqlx::Error> {
    let rows: Vec<(String, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT COALESCE(s.title, s.kind), s.starts_at FROM stages s WHERE s.loop_id = $1 AND {NOT_HELD} ORDER BY s.position"
    ))
    .bind(loop_id)
    .bind(now)
    .fetch_all(e)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, at)| (crate::domain::stage::display_title(&name), at))
        .collect())
}

/// Cancels the live stages not yet held (the debrief started without them)
/// and returns (stage id, kind, interviewer) for each of their seats.
pub async fn cancel_not_held(
    tx: &mut Tx,
    loop_id: i64,
    now: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    let seats: Vec<(i64, String, String)> = sqlx::query_as(&format!(
        "SELECT s.id, COALESCE(s.title, s.kind), i.user_id FROM stages s JOIN stage_interviewers i ON i.stage_id = s.id \
         WHERE s.loop_id = $1 AND {NOT_HELD} ORDER BY s.position, i.user_id"
    ))
    .bind(loop_id)
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "UPDATE stages SET state = 'cancelled', ended_at = $2 WHERE id IN \
           (SELECT s.id FROM stages s WHERE s.loop_id = $1 AND {NOT_HELD})"
    ))
    .bind(loop_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(seats)
}

/// Records the decision. A correction changes the level only: the loop
/// keeps its original decision date (the report's window counts it there)
/// and the correction's time is kept beside it.
pub async fn set_decided(
    tx: &mut Tx,
    loop_id: i64,
    level: &str,
    correction: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    let sql = if correction {
        "UPDATE loops SET decided_level = $1, corrected_at = $2, state = 'decided' WHERE id = $3"
    } else {
        "UPDATE loops SET decided_level = $1, decided_at = $2, state = 'decided' WHERE id = $3"
    };
    sqlx::query(sql)
        .bind(level)
        .bind(now)
        .bind(loop_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub async fn set_offer_outcome(
    tx: &mut Tx,
    loop_id: i64,
    outcome: &str,
    by: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE loops SET offer_outcome = $1, offer_outcome_by = $2, offer_outcome_at = $3 WHERE id = $4",
    )
    .bind(outcome)
    .bind(by)
    .bind(now)
    .bind(loop_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Finds a loop by numeric id, channel id or channel name (`#` optional).
pub async fn find_for_export(db: &Db, which: &str) -> Result<Option<i64>, sqlx::Error> {
    let which = which.trim().trim_start_matches('#');
    if let Ok(id) = which.parse::<i64>() {
        return sqlx::query_scalar("SELECT id FROM loops WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await;
    }
    sqlx::query_scalar(
        "SELECT id FROM loops WHERE channel_id = $1 OR channel_name = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(which)
    .fetch_optional(db)
    .await
}

/// (actor, action, at) of everything recorded about a loop, oldest first.
pub async fn audit_trail(db: &Db, loop_id: i64) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT actor, action, at FROM audit_log WHERE loop_id = $1 ORDER BY at, id")
        .bind(loop_id)
        .fetch_all(db)
        .await
}

/// Several lines in one column (NULL for none).
fn join_lines(lines: &[String]) -> Option<String> {
    (!lines.is_empty()).then(|| lines.join("\n"))
}

pub(crate) fn split_lines(column: Option<&str>) -> Vec<String> {
    column
        .map(|c| c.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// A stage's columns that say what its template made of it (`s` aliases
/// `stages`).
pub(crate) const SPEC_COLUMNS: &str =
    "s.kind, s.starts_at, s.length_minutes, s.title, s.panel, s.probes, s.guide, s.candidate_hours";

#[derive(sqlx::FromRow, Clone, Debug)]
pub(crate) struct StageColumns {
    pub kind: String,
    pub starts_at: Option<i64>,
    pub length_minutes: Option<i64>,
    pub title: Option<String>,
    pub panel: Option<i64>,
    pub probes: Option<String>,
    pub guide: Option<String>,
    pub candidate_hours: Option<String>,
}

/// The stage's spec as stored; a stage stored before templates takes its
/// kind's defaults.
pub(crate) fn spec_of(c: &StageColumns) -> Option<StageSpec> {
    let kind = StageKind::parse(&c.kind)?;
    let mut spec = StageSpec::default_for(kind);
    if let Some(title) = &c.title {
        spec.title = title.clone();
        spec.length_minutes = c.length_minutes;
        spec.panel = c.panel.unwrap_or(1).max(1) as usize;
        spec.probes = StageSpec::parse_probes(c.probes.as_deref().unwrap_or_default());
        spec.guide = split_lines(c.guide.as_deref());
        spec.candidate_hours = c.candidate_hours.as_deref().and_then(|h| {
            let (low, high) = h.split_once('-')?;
            Some((low.parse().ok()?, high.parse().ok()?))
        });
    }
    Some(spec)
}
