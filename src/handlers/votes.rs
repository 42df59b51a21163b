//! Final votes after the reveal: the hiring manager's "Collect final votes"
//! (or `jobs::votes` a while into the debrief) opens them; each panelist who
//! sent a card votes privately, locked and hidden until all are in or the
//! hiring manager closes the vote; then every vote is shown at once.

use crate::domain::votes::OwnCard;
use crate::effects::{self, Effect};
use crate::messages as m;
use crate::slack::mrkdwn::{date, escape};
use crate::slack::payload::{BlockAction, ViewSubmission};
use crate::slack::views::votes as views;
use crate::slack::Reply;
use crate::store::votes::{self, NewVote, Written};
use crate::store::{loops, outbox::NewRow};
use crate::AppState;
use serde_json::json;

/// The loop behind a button, in the presser's workspace.
async fn pressed_loop(
    state: &AppState,
    action: &BlockAction,
) -> anyhow::Result<Option<loops::LoopRow>> {
    super::action_loop(state, action).await
}

fn may_run(state: &AppState, l: &loops::LoopRow, user: &str) -> bool {
    l.hiring_manager == user || state.is_admin(user)
}

/// "Collect final votes" under the reveal summary.
pub async fn collect(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let Some(l) = pressed_loop(state, action).await? else {
        return Ok(());
    };
    let team = action.team_id.as_str();
    let user = action.user_id.as_str();
    let channel = action.channel_id.as_deref();
    let refusal = if !may_run(state, &l, user) {
        Some(m::VOTES_NOT_ALLOWED)
    } else if l.debrief_started_at.is_none() {
        Some(m::VOTES_TOO_EARLY)
    } else if l.decided_level.is_some() {
        Some(m::VOTES_AFTER_DECISION)
    } else {
        None
    };
    if let Some(text) = refusal {
        return super::notice(state, team, user, channel, text).await;
    }
    if !crate::jobs::votes::open(state, l.id, user, None).await? {
        let (_, closed) = votes::state(&state.db, l.id).await?;
        let text = if closed.is_some() {
            m::VOTES_ALREADY_CLOSED
        } else if votes::voters(&state.db, l.id).await?.is_empty() {
            m::VOTES_NO_VOTERS
        } else {
            m::VOTES_ALREADY_OPEN
        };
        return super::notice(state, team, user, channel, text).await;
    }
    Ok(())
}

/// A voter's own card, when `user` may vote on the loop.
async fn own_card(
    state: &AppState,
    loop_id: i64,
    user: &str,
) -> anyhow::Result<Option<(String, OwnCard)>> {
    let Some(b) = crate::effects::votes::ballot(&state.db, loop_id).await? else {
        return Ok(None);
    };
    Ok(b.card_of(user).cloned().map(|c| (b.candidate.clone(), c)))
}

/// "Cast final vote" in the DM: the vote modal, for a voter, while open.
pub async fn open_vote(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let team = action.team_id.as_str();
    let user = action.user_id.as_str();
    let Some(l) = pressed_loop(state, action).await? else {
        return Ok(());
    };
    let Some((candidate, own)) = own_card(state, l.id, user).await? else {
        return super::notice(state, team, user, None, m::NOT_A_VOTER).await;
    };
    let (opened, closed) = votes::state(&state.db, l.id).await?;
    if closed.is_some() {
        return super::notice(state, team, user, None, m::VOTES_ALREADY_CLOSED).await;
    }
    if opened.is_none() {
        return super::notice(state, team, user, None, m::VOTES_NOT_OPEN).await;
    }
    if let Some(at) = votes::vote_of(&state.db, l.id, user).await? {
        return super::notice(state, team, user, None, &m::vote_already(&date(at))).await;
    }
    let view = views::modal(&state.rubric, l.id, &candidate, &own);
    if let Err(code) = super::open_form(state, &action.trigger_id, view).await {
        tracing::warn!(%code, "views.open failed for a final vote");
    }
    Ok(())
}

/// A final vote, sent: checked, locked, noted (who, never what); the last
/// one closes the vote and shows every vote.
pub async fn submit(state: &AppState, sub: &ViewSubmission) -> anyhow::Result<Reply> {
    let team = sub.team_id.as_str();
    let user = sub.user_id.as_str();
    let refuse =
        |text: &str| Reply::view_errors([(views::LEVEL_BLOCK.to_string(), text.to_string())]);
    let Some(l) = (match sub.private_metadata.trim().parse::<i64>() {
        Ok(id) => loops::by_id(&state.db, id).await?,
        Err(_) => None,
    })
    .filter(|l| l.team_id == team) else {
        return Ok(refuse(m::NOT_A_VOTER));
    };
    let Some((candidate, own)) = own_card(state, l.id, user).await? else {
        tracing::warn!(loop_id = l.id, "final vote refused: not a voter");
        return Ok(refuse(m::NOT_A_VOTER));
    };
    let vote = match views::read(&sub.values, &own) {
        Ok(v) => v,
        Err(errors) => return Ok(Reply::view_errors(errors)),
    };
    let revisions = json!(vote
        .revisions
        .iter()
        .map(|(c, from, to, why)| json!({"criterion": c.key(), "from": from, "to": to, "reason": why}))
        .collect::<Vec<_>>())
    .to_string();
    let now = state.clock.unix();
    let new = NewVote {
        loop_id: l.id,
        team_id: team,
        voter: user,
        card_level: own.level.as_str(),
        level: vote.level.as_str(),
        reason: vote.reason.as_deref(),
        revisions: &revisions,
        now,
    };
    let locked = Effect::DirectMessage {
        user: user.to_string(),
        text: m::vote_locked(&escape(&candidate)),
    };
    let loop_id = l.id;
    let work = |voted: i64, expected: i64, closed: bool| -> Vec<NewRow> {
        let mut all = vec![
            locked.clone(),
            Effect::NoteFinalVote {
                loop_id,
                user: user.to_string(),
                voted,
                expected,
            },
        ];
        if closed {
            all.push(Effect::PostFinalVotes { loop_id });
            all.push(Effect::UpdateRevealSummary { loop_id });
        }
        all.iter().map(|e| effects::encode(team, e)).collect()
    };
    match votes::write(&state.db, &new, work).await? {
        Written::Locked { closed, .. } => {
            tracing::info!(loop_id, closed, "final vote locked");
            state.outbox_wakeup.notify_one();
            Ok(Reply::Ack)
        }
        Written::AlreadyIn => {
            let at = votes::vote_of(&state.db, loop_id, user)
                .await?
                .unwrap_or(now);
            Ok(refuse(&m::vote_already(&date(at))))
        }
        Written::NotOpen => Ok(refuse(m::VOTES_ALREADY_CLOSED)),
    }
}

/// "Close the vote" in the reveal thread: every vote in so far is shown.
pub async fn close(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let Some(l) = pressed_loop(state, action).await? else {
        return Ok(());
    };
    let team = action.team_id.as_str();
    let user = action.user_id.as_str();
    let channel = action.channel_id.as_deref();
    if !may_run(state, &l, user) {
        return super::notice(state, team, user, channel, m::VOTES_NOT_ALLOWED).await;
    }
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    loops::lock(&mut tx, l.id).await?;
    if !votes::close(&mut tx, l.id, now).await? {
        drop(tx);
        return super::notice(state, team, user, channel, m::VOTES_ALREADY_CLOSED).await;
    }
    for e in [
        Effect::PostFinalVotes { loop_id: l.id },
        Effect::UpdateRevealSummary { loop_id: l.id },
    ] {
        effects::record(&mut tx, team, e, state.clock.unix_ms()).await?;
    }
    loops::audit(
        &mut tx,
        team,
        Some(l.id),
        user,
        "closed the final vote",
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}
