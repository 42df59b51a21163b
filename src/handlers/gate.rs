//! The design-document gate: a document card below the staff bar asks the
//! hiring manager to continue or stop; stopping cancels the remaining stages,
//! tells their interviewers, and is recorded with who and when.

use crate::domain::DocGate;
use crate::effects::{self, Effect};
use crate::messages as m;
use crate::slack::mrkdwn::{date, escape, user as mention};
use crate::slack::payload::BlockAction;
use crate::store::cards::StageRow;
use crate::store::{jobs, loops, Tx};
use crate::AppState;

/// Asks the hiring manager, once per loop.
pub async fn ask(tx: &mut Tx, stage: &StageRow, now: i64) -> anyhow::Result<()> {
    if !loops::raise_gate(tx, stage.loop_id, now).await? {
        return Ok(());
    }
    let ask = Effect::AskGate {
        loop_id: stage.loop_id,
        hiring_manager: stage.hiring_manager.clone(),
    };
    effects::record(tx, &stage.team_id, ask, now * 1000).await?;
    loops::audit(
        tx,
        &stage.team_id,
        Some(stage.loop_id),
        "staffloop",
        "design-document gate raised",
        now,
    )
    .await?;
    Ok(())
}

/// Continue or Stop, pressed by the hiring manager.
pub async fn decide(state: &AppState, action: &BlockAction, stop: bool) -> anyhow::Result<()> {
    let user = action.user_id.as_str();
    let team = action.team_id.as_str();
    let Some(l) = super::action_loop(state, action).await? else {
        return Ok(());
    };
    if l.hiring_manager != user {
        return super::notice(state, team, user, None, m::GATE_NOT_ALLOWED).await;
    }
    let now = state.clock.unix();
    let outcome = if stop {
        DocGate::Stopped
    } else {
        DocGate::Continued
    };
    let mut tx = state.db.begin().await?;
    if !loops::settle_gate(&mut tx, l.id, outcome, user, now).await? {
        return Ok(()); // Already decided (double click, or another replica).
    }
    let hm = mention(&action.user_id);
    let resolved = if stop {
        m::gate_stopped(&hm, &date(now))
    } else {
        m::gate_continued(&hm, &date(now))
    };
    if let (Some(channel), Some(ts)) = (&action.channel_id, &action.message_ts) {
        let update = Effect::ResolveMessage {
            user: user.to_string(),
            channel: channel.clone(),
            ts: ts.clone(),
            text: resolved.clone(),
        };
        effects::record(&mut tx, team, update, now * 1000).await?;
    }
    if stop {
        stop_loop(&mut tx, &l, now).await?;
        let note = Effect::LoopChannelNote {
            loop_id: l.id,
            text: resolved,
        };
        effects::record(&mut tx, team, note, now * 1000).await?;
    }
    loops::audit(
        &mut tx,
        team,
        Some(l.id),
        user,
        &format!("design-document gate: {outcome}"),
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}

/// Cancels every stage not yet over and tells its interviewers.
async fn stop_loop(tx: &mut Tx, l: &loops::LoopRow, now: i64) -> anyhow::Result<()> {
    let cancelled = loops::stop(tx, l.id, now).await?;
    jobs::cancel_for_loop(tx, l.id, now).await?;
    for (kind, user) in cancelled {
        let stage = escape(&crate::domain::stage::display_title(&kind));
        let text = m::stage_cancelled(&stage, &escape(&l.candidate_name));
        effects::record(
            tx,
            &l.team_id,
            Effect::DirectMessage { user, text },
            now * 1000,
        )
        .await?;
    }
    Ok(())
}
