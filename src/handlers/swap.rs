//! `/staffloop swap <stage> @old @new`: people get sick. The hiring manager
//! or an admin gives a seat whose card is not in to someone else, before the
//! debrief. The new interviewer is invited and briefed (or asked for the card
//! at once, when the stage is over); the old one is told, and leaves the
//! channel when they sit on no other stage; the plan is updated.

use super::done::parse_stage;
use crate::domain::{JobKind, StageState};
use crate::effects::{self, Effect};
use crate::error::{AppError, AppResult};
use crate::jobs::prompts;
use crate::messages as m;
use crate::slack::mrkdwn::{escape, mentioned_user, user as mention};
use crate::slack::payload::SlashCommand;
use crate::slack::Reply;
use crate::store::jobs::{self, NewJob};
use crate::store::{cards, loops};
use crate::AppState;
use serde_json::json;

pub async fn command(state: &AppState, cmd: &SlashCommand, rest: &str) -> AppResult<Reply> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let (Some(which), Some(old), Some(new), 3) = (
        words.first().and_then(|w| parse_stage(w)),
        words.get(1).and_then(|w| mentioned_user(w)),
        words.get(2).and_then(|w| mentioned_user(w)),
        words.len(),
    ) else {
        return Err(AppError::user(m::swap_usage()));
    };
    if old == new {
        return Err(AppError::user(m::swap_usage()));
    }
    let team = cmd.team_id.as_str();
    let by = cmd.user_id.as_str();
    let l = super::panel_loop(state, cmd).await?;
    let now = state.clock.unix();
    let (old_m, new_m) = (mention(&old), mention(&new));
    let (old, new) = (old.as_str(), new.as_str());
    let mut tx = state.db.begin().await?;
    // Under the loop's lock: the debrief cannot start, nor a card of this
    // seat land, halfway through.
    loops::lock(&mut tx, l.id).await?;
    // Of several stages the words may mean (two coding rounds), the one
    // the person being replaced sits on.
    let candidates = cards::stages_by_ref(&mut tx, l.id, &which).await?;
    let mut stage = None;
    for s in &candidates {
        if cards::interviewers(&mut tx, s.id)
            .await?
            .iter()
            .any(|u| u == old)
        {
            stage = Some(s.clone());
            break;
        }
    }
    let Some(stage) = stage.or_else(|| candidates.into_iter().next()) else {
        return Err(AppError::user(m::swap_usage()));
    };
    let (Some(kind), title) = (stage.kind(), escape(&stage.title())) else {
        return Err(AppError::user(m::swap_usage()));
    };
    let title = title.as_str();
    if !stage.loop_state.is_open() || stage.debrief_started_at.is_some() {
        return Err(AppError::user(m::PANEL_TOO_LATE));
    }
    if stage.state == StageState::Cancelled {
        return Err(AppError::user(m::SWAP_STAGE_GONE));
    }
    let panel = cards::interviewers(&mut tx, stage.id).await?;
    if !panel.iter().any(|u| u == old) {
        return Err(AppError::user(m::swap_not_on_stage(&old_m, title)));
    }
    if panel.iter().any(|u| u == new) {
        return Err(AppError::user(m::swap_already_on_stage(&new_m, title)));
    }
    if cards::card_receipt(&mut tx, stage.id, old).await?.is_some() {
        return Err(AppError::user(m::swap_card_in(&old_m, title)));
    }
    cards::swap_interviewer(&mut tx, stage.id, old, new).await?;
    for key in [
        format!("prep:{}:{old}", stage.id),
        format!("reminder:{}:{old}", stage.id),
    ] {
        jobs::cancel_by_key(&mut tx, &key, now).await?;
    }
    let at_ms = now * 1000;
    let candidate = escape(&stage.candidate_name);
    let mut out = vec![
        Effect::InviteToLoopChannel {
            loop_id: l.id,
            users: vec![new.to_string()],
        },
        Effect::DirectMessage {
            user: old.to_string(),
            text: m::swap_told_old(title, &candidate),
        },
    ];
    let still_seated = cards::seats_in_loop(&mut tx, l.id, old).await? > 0;
    if !still_seated && old != l.hiring_manager {
        out.push(Effect::RemoveFromLoopChannel {
            loop_id: l.id,
            user: old.to_string(),
        });
    }
    out.extend([
        Effect::UpdateLoopPlan { loop_id: l.id },
        Effect::LoopChannelNote {
            loop_id: l.id,
            text: m::swap_note(&mention(&cmd.user_id), &old_m, &new_m, title),
        },
        Effect::RefreshHome {
            user: old.to_string(),
        },
    ]);
    for e in out {
        effects::record(&mut tx, team, e, at_ms).await?;
    }
    let next = match (stage.state, stage.starts_at.filter(|_| kind.is_live())) {
        (StageState::Done, _) => {
            // The stage is over: the new interviewer is asked for the card now.
            prompts::prompt_stage(state, &mut tx, &stage, now).await?;
            m::SwapNext::Prompted
        }
        (_, Some(start)) if start > now => {
            let brief = NewJob {
                kind: JobKind::Prep,
                dedupe_key: format!("prep:{}:{new}", stage.id),
                team_id: team,
                loop_id: Some(l.id),
                payload: json!({"stage_id": stage.id, "user": new}),
                due_at: (start - state.tuning.prep_hours * 3600).max(now),
            };
            jobs::schedule(&mut tx, &brief, now).await?;
            m::SwapNext::Briefed
        }
        _ => m::SwapNext::AskedAtEnd,
    };
    loops::audit(
        &mut tx,
        team,
        Some(l.id),
        by,
        &format!("swapped {old} for {new} on stage {}", stage.position),
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    state.jobs_wakeup.notify_one();
    Ok(Reply::ephemeral(m::swap_done(&old_m, &new_m, title, next)))
}
