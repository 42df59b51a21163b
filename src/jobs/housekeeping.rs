//! Daily housekeeping per workspace: delivered effects and the ids of events
//! already seen are purged once older than the retention period
//! (`STAFFLOOP_RETENTION_DAYS`). Failed deliveries stay for an operator.

use crate::domain::JobKind;
use crate::store::jobs::{self, Job, NewJob};
use crate::store::{events, outbox};
use crate::AppState;
use serde_json::json;

const DAY: i64 = 86_400;
/// Rows deleted per transaction, so the write lock is held briefly.
const PURGE_BATCH: i64 = 2_000;

fn job(team: &str, due_at: i64) -> NewJob<'_> {
    NewJob {
        kind: JobKind::Housekeeping,
        dedupe_key: format!("housekeeping:{team}:{}", due_at.div_euclid(DAY)),
        team_id: team,
        loop_id: None,
        payload: json!({}),
        due_at,
    }
}

/// Gives every workspace without one a pending housekeeping job, due now.
pub async fn ensure(state: &AppState) -> anyhow::Result<()> {
    let missing = jobs::teams_without_pending(&state.db, JobKind::Housekeeping).await?;
    if missing.is_empty() {
        return Ok(());
    }
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    for team in &missing {
        jobs::schedule(&mut tx, &job(team, now), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn run(state: &AppState, job_row: &Job) -> anyhow::Result<()> {
    let now = state.clock.unix();
    let Some(team) = job_row.team_id.as_deref() else {
        anyhow::bail!("housekeeping job without a workspace");
    };
    let mut tx = state.db.begin().await?;
    if !jobs::finish(&mut tx, job_row, None, now).await? {
        return Ok(());
    }
    jobs::schedule(&mut tx, &job(team, now + DAY), now).await?;
    tx.commit().await?;
    let before = now - state.tuning.retention_days * DAY;
    let (mut effects, mut seen) = (0, 0);
    loop {
        let mut tx = state.db.begin().await?;
        let n = outbox::purge_delivered(&mut tx, team, before * 1000, PURGE_BATCH).await?;
        let m = events::purge(&mut tx, team, before, PURGE_BATCH).await?;
        tx.commit().await?;
        (effects, seen) = (effects + n, seen + m);
        if n < PURGE_BATCH && m < PURGE_BATCH {
            break;
        }
    }
    tracing::info!(
        team,
        effects,
        events = seen,
        retention_days = state.tuning.retention_days,
        "housekeeping: purged what is past retention"
    );
    Ok(())
}
