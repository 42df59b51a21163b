//! Runs due jobs. Each job finishes first inside its own transaction (guarded
//! by its lease), then records its effects in that same transaction: a crash
//! before commit leaves the job due, a second replica cannot run it twice.

use super::prompts;
use crate::domain::JobKind;
use crate::store::jobs::{self, Job};
use crate::AppState;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

/// Jobs claimed per round.
const BATCH: i64 = 32;
/// A failed job is tried again after this long, in seconds.
const RETRY_AFTER_SECONDS: i64 = 30;
const MAX_JOB_ATTEMPTS: i64 = 10;

pub async fn run(state: Arc<AppState>, shutdown: CancellationToken) {
    loop {
        if shutdown.is_cancelled() {
            break;
        }
        let claimed = run_due(&state).await;
        if claimed > 0 {
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = state.jobs_wakeup.notified() => {}
            _ = tokio::time::sleep(state.tuning.jobs_poll) => {}
        }
    }
}

/// Claims and runs what is due now; returns how many jobs it ran.
pub async fn run_due(state: &AppState) -> usize {
    if let Err(e) = super::report::ensure_weekly(state).await {
        tracing::error!(error = ?e, "jobs: scheduling weekly reports failed");
    }
    if let Err(e) = super::housekeeping::ensure(state).await {
        tracing::error!(error = ?e, "jobs: scheduling housekeeping failed");
    }
    let lease_ms = state.tuning.outbox_lease.as_millis() as i64;
    let due = match jobs::claim_due(
        &state.db,
        state.clock.unix(),
        crate::clock::wall_ms(),
        lease_ms,
        BATCH,
    )
    .await
    {
        Ok(due) => due,
        Err(e) => {
            tracing::error!(error = %e, "jobs: claiming failed");
            return 0;
        }
    };
    let n = due.len();
    for job in due {
        run_one(state, &job).await;
    }
    n
}

async fn run_one(state: &AppState, job: &Job) {
    let span = tracing::info_span!("job", job_id = job.id, kind = %job.stored_kind, loop_id = ?job.loop_id);
    let result = async {
        tracing::debug!("running");
        let Some(kind) = job.kind() else {
            return Err(anyhow::anyhow!("unknown job kind {}", job.stored_kind));
        };
        match kind {
            JobKind::StageEnd => prompts::stage_end(state, job).await,
            JobKind::Reminder => prompts::reminder(state, job).await,
            JobKind::HmMissing => prompts::hm_missing(state, job).await,
            JobKind::DocDeadline => prompts::doc_deadline(state, job).await,
            JobKind::Debrief => match job.loop_id {
                Some(loop_id) => {
                    let on_time = super::debrief::NotHeld::Cancel;
                    super::debrief::start(state, loop_id, "staffloop", Some(job), on_time)
                        .await
                        .map(|_| ())
                }
                None => Err(anyhow::anyhow!("debrief job without loop")),
            },
            JobKind::ArchiveNote => prompts::archive(state, job, false).await,
            JobKind::Archive => prompts::archive(state, job, true).await,
            JobKind::WeeklyReport => super::report::weekly(state, job).await,
            JobKind::Housekeeping => super::housekeeping::run(state, job).await,
            JobKind::Prep => prompts::prep(state, job).await,
            JobKind::CalibrationReveal => super::practice::run(state, job).await,
            JobKind::OutcomeCheckIn => super::checkins::outcome(state, job).await,
            JobKind::CheckInReminder => super::checkins::reminder(state, job).await,
            JobKind::OpenFinalVotes => match job.loop_id {
                Some(loop_id) => super::votes::open(state, loop_id, "staffloop", Some(job))
                    .await
                    .map(drop),
                None => Err(anyhow::anyhow!("a final-vote job without its loop")),
            },
        }
    }
    .instrument(span.clone())
    .await;
    if let Some(kind) = job.kind() {
        state.metrics.job(kind, result.is_ok());
    }
    match result {
        Ok(()) => state.outbox_wakeup.notify_one(),
        Err(e) => {
            tracing::error!(parent: &span, error = ?e, "job failed; will retry");
            let now = state.clock.unix();
            if let Err(e) = jobs::failed(
                &state.db,
                job,
                "job failed",
                now + RETRY_AFTER_SECONDS,
                MAX_JOB_ATTEMPTS,
                now,
            )
            .await
            {
                tracing::error!(parent: &span, error = %e, "jobs: recording a failure failed");
            }
        }
    }
}
