//! Starting the debrief: once, at its scheduled time (this job) or earlier
//! by the hiring manager (the handler calls `start` too). Starting reveals
//! every card locked by then, cancels the reminders, and is recorded.

use crate::domain::JobKind;
use crate::effects::{self, Effect};
use crate::messages as m;
use crate::slack::mrkdwn::escape;
use crate::store::{cards, jobs, loops, Tx};
use crate::AppState;

#[derive(Debug, PartialEq, Eq)]
pub enum Started {
    Now,
    Already,
    NotOpen,
    /// Live stages have not been held yet and the caller did not say to
    /// start anyway: nothing changed.
    NotHeld,
}

/// Whether an early start may go ahead of live stages not yet held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotHeld {
    /// Refuse (`Started::NotHeld`) while any live stage is still to come.
    Refuse,
    /// Start, cancel those stages, and tell their interviewers.
    Cancel,
}

/// Starts the debrief once; the job passes itself so it finishes in the same
/// transaction.
pub async fn start(
    state: &AppState,
    loop_id: i64,
    actor: &str,
    job: Option<&jobs::Job>,
    not_held: NotHeld,
) -> anyhow::Result<Started> {
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    if let Some(job) = job {
        if !jobs::finish(&mut tx, job, None, now).await? {
            return Ok(Started::Already);
        }
    }
    // Read the stages under the loop's lock: what the HM confirmed holds.
    loops::lock(&mut tx, loop_id).await?;
    if not_held == NotHeld::Refuse
        && !loops::stages_not_held(&mut tx, loop_id, now)
            .await?
            .is_empty()
        && loops::debrief_started_at(&mut tx, loop_id).await?.is_none()
    {
        return Ok(Started::NotHeld);
    }
    if !loops::start_debrief(&mut tx, loop_id, now).await? {
        let started = loops::debrief_started_at(&mut tx, loop_id).await?;
        tx.commit().await?; // the job, if any, is finished either way
        return Ok(if started.is_some() {
            Started::Already
        } else {
            Started::NotOpen
        });
    }
    let team_id = reveal_effects(&mut tx, loop_id, state.clock.unix_ms()).await?;
    jobs::complete_by_key(&mut tx, &format!("debrief:{loop_id}"), now).await?;
    // The final vote opens by itself a while into the debrief, unless the
    // hiring manager opens it first.
    let minutes = state.tuning.final_vote_minutes;
    if minutes > 0 {
        let job = super::votes::open_job(&team_id, loop_id, now + minutes * 60);
        jobs::schedule(&mut tx, &job, now).await?;
    }
    // Nothing more is asked for before this debrief: no reminders, no
    // prompts for stages not held (those are cancelled, and their
    // interviewers told), no pre-debrief lists.
    for kind in [
        JobKind::Reminder,
        JobKind::HmMissing,
        JobKind::DocDeadline,
        JobKind::Prep,
    ] {
        jobs::cancel_kind_for_loop(&mut tx, loop_id, kind, now).await?;
    }
    let cancelled = loops::cancel_not_held(&mut tx, loop_id, now).await?;
    if !cancelled.is_empty() {
        let mut stages: Vec<i64> = cancelled.iter().map(|(id, _, _)| *id).collect();
        stages.dedup();
        for id in stages {
            jobs::cancel_by_key(&mut tx, &format!("stage_end:{id}"), now).await?;
        }
        let candidate = loops::candidate_of(&mut tx, loop_id).await?;
        for (_, kind, user) in cancelled {
            let stage = escape(&crate::domain::stage::display_title(&kind));
            let text = m::stage_not_needed(&stage, &escape(&candidate));
            let dm = Effect::DirectMessage { user, text };
            effects::record(&mut tx, &team_id, dm, now * 1000).await?;
        }
    }
    loops::audit(
        &mut tx,
        &team_id,
        Some(loop_id),
        actor,
        "debrief started; all cards revealed",
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(loop_id, "debrief started");
    state.outbox_wakeup.notify_one();
    Ok(Started::Now)
}

/// The summary, one reply per card, and the heat map, in delivery order;
/// each is rendered at delivery from the cards locked before the start.
async fn reveal_effects(tx: &mut Tx, loop_id: i64, now_ms: i64) -> anyhow::Result<String> {
    let team_id = loops::team_of(tx, loop_id).await?;
    let cards = cards::reveal_rows(&mut *tx, loop_id).await?;
    let mut effects = vec![Effect::PostRevealSummary { loop_id }];
    effects.extend(cards.iter().map(|c| Effect::PostRevealCard {
        loop_id,
        scorecard_id: c.id,
    }));
    if !cards.is_empty() {
        effects.push(Effect::PostRevealTable { loop_id });
    }
    for e in effects {
        effects::record(tx, &team_id, e, now_ms).await?;
    }
    Ok(team_id)
}
