//! Revealing a practice debrief: once, at its scheduled time (this job) or
//! earlier by whoever set it up (the handler calls `reveal` too). The reveal
//! closes it to cards, records who calibrated, and posts every card at once.

use crate::effects::{self, Effect};
use crate::store::{calibrations, jobs};
use crate::AppState;

/// The job's key for a practice debrief's reveal.
pub fn job_key(calibration_id: i64) -> String {
    format!("calibration_reveal:{calibration_id}")
}

/// Reveals once; false if it already was. The job passes itself so it
/// finishes in the same transaction.
pub async fn reveal(
    state: &AppState,
    calibration_id: i64,
    job: Option<&jobs::Job>,
) -> anyhow::Result<bool> {
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    if let Some(job) = job {
        if !jobs::finish(&mut tx, job, None, now).await? {
            return Ok(false);
        }
    }
    let Some(c) = calibrations::by_id(&state.db, calibration_id).await? else {
        tx.commit().await?; // nothing to reveal: the job is done
        return Ok(false);
    };
    let packets = calibrations::packets(&state.db, calibration_id).await?;
    if !calibrations::reveal(&mut tx, calibration_id, now).await? {
        tx.commit().await?; // the job, if any, is finished either way
        return Ok(false);
    }
    jobs::complete_by_key(&mut tx, &job_key(calibration_id), now).await?;
    let now_ms = state.clock.unix_ms();
    for p in &packets {
        let effect = Effect::PostCalibrationReveal {
            calibration_id,
            position: p.position,
        };
        effects::record(&mut tx, &c.team_id, effect, now_ms).await?;
    }
    effects::record(
        &mut tx,
        &c.team_id,
        Effect::PostCalibrationSummary { calibration_id },
        now_ms,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(calibration_id, "practice debrief revealed");
    state.outbox_wakeup.notify_one();
    Ok(true)
}

/// The scheduled reveal.
pub async fn run(state: &AppState, job: &jobs::Job) -> anyhow::Result<()> {
    let id = job.payload()["calibration_id"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("a practice reveal job without its practice debrief"))?;
    reveal(state, id, Some(job)).await.map(drop)
}
