//! Opening the final vote: once per loop, after its reveal, by the hiring
//! manager's button or by this job a while into the debrief. Every panelist
//! who sent a card is asked privately; the reveal thread says the vote is
//! open (who votes, never how).

use crate::domain::JobKind;
use crate::effects::{self, Effect};
use crate::store::jobs::{self, Job, NewJob};
use crate::store::{loops, votes};
use crate::AppState;
use serde_json::json;

pub fn job_key(loop_id: i64) -> String {
    format!("open_final_votes:{loop_id}")
}

pub fn open_job(team_id: &str, loop_id: i64, due_at: i64) -> NewJob<'_> {
    NewJob {
        kind: JobKind::OpenFinalVotes,
        dedupe_key: job_key(loop_id),
        team_id,
        loop_id: Some(loop_id),
        payload: json!({}),
        due_at,
    }
}

/// Opens the vote once; false if it was open already (or cannot open).
pub async fn open(
    state: &AppState,
    loop_id: i64,
    actor: &str,
    job: Option<&Job>,
) -> anyhow::Result<bool> {
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    if let Some(job) = job {
        if !jobs::finish(&mut tx, job, None, now).await? {
            return Ok(false);
        }
    }
    loops::lock(&mut tx, loop_id).await?;
    // No one to vote: nothing to open.
    if votes::voters(&mut tx, loop_id).await?.is_empty()
        || !votes::open(&mut tx, loop_id, now).await?
    {
        tx.commit().await?;
        return Ok(false);
    }
    jobs::complete_by_key(&mut tx, &job_key(loop_id), now).await?;
    let team_id = loops::team_of(&mut tx, loop_id).await?;
    let now_ms = state.clock.unix_ms();
    let voters = votes::voters(&mut tx, loop_id).await?;
    let mut all = vec![
        Effect::PostVoteOpened { loop_id },
        Effect::UpdateRevealSummary { loop_id },
    ];
    all.extend(
        voters
            .into_iter()
            .map(|user| Effect::AskFinalVote { loop_id, user }),
    );
    for e in all {
        effects::record(&mut tx, &team_id, e, now_ms).await?;
    }
    loops::audit(
        &mut tx,
        &team_id,
        Some(loop_id),
        actor,
        "opened the final vote",
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(loop_id, "final vote opened");
    state.outbox_wakeup.notify_one();
    Ok(true)
}
