//! The weekly downlevel-rate post. One job per workspace per slot: the run
//! that posts also schedules the next slot in the same transaction, so two
//! replicas post once, and a slot missed while the service was down is
//! posted once when it comes back (the pending job is simply overdue).

use crate::domain::metrics::next_slot;
use crate::domain::JobKind;
use crate::effects::{self, Effect};
use crate::store::jobs::{self, Job, NewJob};
use crate::store::{metrics as q, Tx};
use crate::AppState;
use serde_json::json;

/// The weekly post covers the trailing window, in days.
pub const WEEKLY_WINDOW_DAYS: i64 = 90;

fn slot_after(state: &AppState, now: i64) -> i64 {
    let r = &state.report;
    next_slot(now, r.weekday, r.hour, r.minute, r.tz)
}

fn weekly_job(team: &str, slot: i64) -> NewJob<'_> {
    NewJob {
        kind: JobKind::WeeklyReport,
        dedupe_key: format!("weekly:{team}:{slot}"),
        team_id: team,
        loop_id: None,
        payload: json!({"slot": slot}),
        due_at: slot,
    }
}

/// Gives every workspace without one a pending weekly job for the next slot.
/// Replicas compute the same key, so they cannot schedule it twice.
pub async fn ensure_weekly(state: &AppState) -> anyhow::Result<()> {
    let missing = jobs::teams_without_pending(&state.db, JobKind::WeeklyReport).await?;
    if missing.is_empty() {
        return Ok(());
    }
    let now = state.clock.unix();
    let slot = slot_after(state, now);
    let mut tx = state.db.begin().await?;
    for team in &missing {
        jobs::schedule(&mut tx, &weekly_job(team, slot), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The report message and its chart, in that order.
/// Both are rendered at delivery from the report over `window_days` up to
/// `as_of`, so they show the same figures however late they go out.
pub async fn enqueue_post(
    tx: &mut Tx,
    team: &str,
    channel: &str,
    window_days: i64,
    as_of: i64,
    now: i64,
) -> anyhow::Result<()> {
    let post = Effect::PostWeeklyReport {
        channel: channel.to_string(),
        window_days,
        as_of,
    };
    let chart = Effect::PostWeeklyChart {
        channel: channel.to_string(),
        window_days,
        as_of,
    };
    effects::record(tx, team, post, now * 1000).await?;
    effects::record(tx, team, chart, now * 1000).await?;
    Ok(())
}

/// Where a workspace's report goes: its own choice, else the configured default.
pub async fn channel_for(state: &AppState, team: &str) -> anyhow::Result<Option<String>> {
    let own = q::teams(&state.db)
        .await?
        .into_iter()
        .find(|(t, _)| t == team)
        .and_then(|(_, c)| c);
    Ok(own.or_else(|| state.report.channel.clone()))
}

pub async fn weekly(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let now = state.clock.unix();
    let team = job.team_id.clone().unwrap_or_default();
    let channel = channel_for(state, &team).await?;
    let mut tx = state.db.begin().await?;
    if !jobs::finish(&mut tx, job, None, now).await? {
        return Ok(());
    }
    if let Some(channel) = channel {
        enqueue_post(&mut tx, &team, &channel, WEEKLY_WINDOW_DAYS, now, now).await?;
        tracing::info!(team = %team, "weekly downlevel report queued");
    }
    jobs::schedule(&mut tx, &weekly_job(&team, slot_after(state, now)), now).await?;
    tx.commit().await?;
    Ok(())
}
