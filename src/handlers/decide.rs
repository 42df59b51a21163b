//! The hiring decision: `/staffloop decide <level> [note]` or a button under
//! the reveal, always confirmed in a second step that shows the applied level
//! beside the decided one and names a downlevel. Only the hiring manager (or
//! a staffloop admin) decides; one correction with a reason is allowed, and
//! every entry is kept. `/staffloop outcome` records how the offer ended.

use crate::domain::{DecisionStatus, JobKind, Level};
use crate::effects::{self, Effect};
use crate::error::{AppError, AppResult};
use crate::messages as m;
use crate::slack::mrkdwn::{escape, truncate, user as mention};
use crate::slack::payload::{BlockAction, SlashCommand};
use crate::slack::views;
use crate::slack::views::Envelope;
use crate::slack::Reply;
use crate::store::decisions;
use crate::store::jobs::{self, NewJob};
use crate::store::loops::{self, LoopRow};
use crate::AppState;
use serde_json::json;

/// Longest note kept with a decision, in characters.
const MAX_NOTE_CHARS: usize = 1000;
const DAY_SECONDS: i64 = 86_400;

fn may_decide(state: &AppState, l: &LoopRow, user: &str) -> bool {
    l.hiring_manager == user || state.is_admin(user)
}

/// Checks everything and stores a proposal; returns its id and the
/// mechanical results it was set beside.
async fn propose(
    state: &AppState,
    l: &LoopRow,
    user: &str,
    level: Level,
    note: Option<&str>,
) -> AppResult<(i64, crate::domain::votes::Mechanical)> {
    if !may_decide(state, l, user) {
        return Err(AppError::user(m::DECIDE_NOT_ALLOWED));
    }
    if l.debrief_started_at.is_none() {
        return Err(AppError::user(m::DECIDE_TOO_EARLY));
    }
    let confirmed = decisions::confirmed(&state.db, l.id).await?;
    let corrects = match confirmed.as_slice() {
        [] => None,
        [first] if note.is_some() => Some(first.id),
        [_] => return Err(AppError::user(m::DECIDE_NEEDS_REASON)),
        _ => return Err(AppError::user(m::DECIDE_CORRECTED_ALREADY)),
    };
    // Beside the mechanical results: departing from both the cards' and the
    // final votes' middle call needs a reason, kept with the decision.
    let mech = crate::effects::votes::mechanical(&state.db, l.id).await?;
    if mech.vote_opened && !mech.vote_closed {
        return Err(AppError::user(m::DECIDE_VOTE_OPEN));
    }
    let votes_median = mech.votes.map(|(v, _)| v);
    let departs = crate::domain::votes::departs(level, mech.cards, votes_median);
    if departs && note.is_none() {
        return Err(AppError::user(m::decide_departs(
            level.title(),
            mech.cards.map(Level::title).unwrap_or("none"),
            votes_median.map(Level::title).unwrap_or("none"),
        )));
    }
    let now = state.clock.unix();
    let note = note.map(|n| truncate(n, MAX_NOTE_CHARS));
    let mut tx = state.db.begin().await?;
    let id = decisions::propose(
        &mut tx,
        l.id,
        level.as_str(),
        note.as_deref(),
        user,
        corrects,
        now,
    )
    .await?;
    crate::store::votes::set_mechanical(
        &mut tx,
        id,
        mech.cards.map(Level::as_str),
        votes_median.map(Level::as_str),
        departs,
    )
    .await?;
    tx.commit().await?;
    Ok((id, mech))
}

fn applied(l: &LoopRow) -> Level {
    Level::parse(&l.applied_level).unwrap_or(Level::Staff)
}

pub async fn command(state: &AppState, cmd: &SlashCommand, rest: &str) -> AppResult<Reply> {
    let (word, note) = match rest.trim().split_once(char::is_whitespace) {
        Some((w, n)) => (w, Some(n.trim()).filter(|n| !n.is_empty())),
        None => (rest.trim(), None),
    };
    let Some(level) = Level::parse(word) else {
        return Err(AppError::user(m::decide_usage()));
    };
    let Some(l) = loops::find_by_channel(&state.db, cmd.team_id.as_str(), &cmd.channel_id).await?
    else {
        return Err(AppError::user(m::NOT_A_LOOP_CHANNEL));
    };
    let (id, mech) = propose(state, &l, cmd.user_id.as_str(), level, note).await?;
    let reply = views::decision::proposal(applied(&l), level, id, &mech);
    Ok(Reply::Json(reply.ephemeral()))
}

/// A level button under the reveal: the same proposal, confirmed ephemerally.
pub async fn button(state: &AppState, action: &BlockAction, level: Level) -> anyhow::Result<()> {
    let Some(l) = super::action_loop(state, action).await? else {
        return Ok(());
    };
    let user = action.user_id.as_str();
    let effect = match propose(state, &l, user, level, None).await {
        Ok((decision_id, _)) => Effect::ProposeDecision {
            user: user.to_string(),
            channel: action.channel_id.clone(),
            decision_id,
            applied: applied(&l),
            level,
        },
        Err(AppError::User(text)) => Effect::Notice {
            user: user.to_string(),
            channel: action.channel_id.clone(),
            text,
        },
        Err(AppError::Internal(e)) => return Err(e),
    };
    let mut tx = state.db.begin().await?;
    effects::record(&mut tx, &l.team_id, effect, state.clock.unix_ms()).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}

/// Confirm or Cancel on a proposal, by its author only.
pub async fn settle(state: &AppState, action: &BlockAction, confirm: bool) -> anyhow::Result<()> {
    let user = action.user_id.as_str();
    let team = action.team_id.as_str();
    let found = match action.id_value() {
        Some(id) => decisions::get(&state.db, id).await?,
        None => None,
    };
    let Some(d) = found.filter(|d| d.decided_by == user) else {
        return Ok(());
    };
    let Some(l) = loops::by_id(&state.db, d.loop_id)
        .await?
        .filter(|l| l.team_id == team)
    else {
        return Ok(());
    };
    let tell =
        |text: &'static str| super::notice(state, team, user, action.channel_id.as_deref(), text);
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    // Two confirmations at once: the second waits here, then sees the first.
    loops::lock(&mut tx, l.id).await?;
    let status = if confirm {
        DecisionStatus::Confirmed
    } else {
        DecisionStatus::Cancelled
    };
    if !decisions::settle(&mut tx, d.id, status, now).await? {
        drop(tx);
        return tell(m::DECISION_STALE).await;
    }
    if !confirm {
        tx.commit().await?;
        return tell(m::DECISION_CANCELLED).await;
    }
    // A correction needs its original to still be the only confirmed decision.
    let confirmed = decisions::confirmed(&mut tx, l.id).await?;
    if confirmed.len() > 2 || (d.corrects.is_none() && confirmed.len() > 1) {
        drop(tx);
        return tell(m::DECISION_STALE).await;
    }
    let level = Level::parse(&d.level).unwrap_or(Level::NoHire);
    let applied = Level::parse(&l.applied_level).unwrap_or(Level::Staff);
    loops::set_decided(&mut tx, l.id, level.as_str(), d.corrects.is_some(), now).await?;
    let who = mention(&action.user_id);
    let mut text = match d.corrects {
        Some(prev) => {
            let previous = decisions::get(&mut tx, prev)
                .await?
                .and_then(|p| Level::parse(&p.level))
                .unwrap_or(level);
            m::decision_corrected(level.title(), previous.title(), &who)
        }
        None => m::decision_posted(level.title(), applied.title(), level < applied, &who),
    };
    if let Some(note) = &d.note {
        text = format!("{text}\n{}", m::decision_note(&escape(note)));
    }
    let post = Effect::LoopChannelNote {
        loop_id: l.id,
        text,
    };
    effects::record(&mut tx, team, post, now * 1000).await?;
    if d.corrects.is_none() && state.tuning.archive_after_days > 0 {
        let archive_at = now + state.tuning.archive_after_days * DAY_SECONDS;
        for (kind, due) in [
            (JobKind::ArchiveNote, archive_at - DAY_SECONDS),
            (JobKind::Archive, archive_at),
        ] {
            let job = NewJob {
                kind,
                dedupe_key: format!("{kind}:{}", l.id),
                team_id: team,
                loop_id: Some(l.id),
                payload: json!({}),
                due_at: due,
            };
            jobs::schedule(&mut tx, &job, now).await?;
        }
    }
    let action_text = match d.corrects {
        Some(_) => format!("corrected the decision to {}", level.as_str()),
        None => format!("decided {}", level.as_str()),
    };
    loops::audit(&mut tx, team, Some(l.id), user, &action_text, now).await?;
    // Decided: the final vote no longer opens by itself.
    jobs::complete_by_key(&mut tx, &crate::jobs::votes::job_key(l.id), now).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    state.jobs_wakeup.notify_one();
    Ok(())
}

pub async fn outcome(state: &AppState, cmd: &SlashCommand, rest: &str) -> AppResult<Reply> {
    let mut words = rest.split_whitespace();
    let outcome = match words.next().map(str::to_lowercase).as_deref() {
        Some("accepted") => "accepted",
        Some("declined") => "declined",
        _ => return Err(AppError::user(m::outcome_usage())),
    };
    // The day the hire starts, at 09:00 UTC (accepted offers only).
    let starts = match (outcome, words.next()) {
        (_, None) => None,
        ("accepted", Some(day)) => match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(d) => d.and_hms_opt(9, 0, 0).map(|t| t.and_utc().timestamp()),
            Err(_) => return Err(AppError::user(m::outcome_usage())),
        },
        _ => return Err(AppError::user(m::outcome_usage())),
    };
    if words.next().is_some() {
        return Err(AppError::user(m::outcome_usage()));
    }
    let Some(l) = loops::find_by_channel(&state.db, cmd.team_id.as_str(), &cmd.channel_id).await?
    else {
        return Err(AppError::user(m::NOT_A_LOOP_CHANNEL));
    };
    let user = cmd.user_id.as_str();
    if !may_decide(state, &l, user) {
        return Err(AppError::user(m::DECIDE_NOT_ALLOWED));
    }
    if l.decided_level.is_none() {
        return Err(AppError::user(m::OUTCOME_NEEDS_DECISION));
    }
    let now = state.clock.unix();
    let months = &state.tuning.checkin_months;
    let mut tx = state.db.begin().await?;
    loops::set_offer_outcome(&mut tx, l.id, outcome, user, now).await?;
    loops::audit(
        &mut tx,
        &l.team_id,
        Some(l.id),
        user,
        &format!("offer {outcome}"),
        now,
    )
    .await?;
    let mut reply = m::outcome_recorded(outcome);
    let hired = outcome == "accepted"
        && l.decided_level
            .as_deref()
            .and_then(crate::domain::Level::parse)
            .is_some_and(crate::domain::Level::is_applicable);
    if hired && !months.is_empty() {
        let start = starts.unwrap_or(now);
        crate::store::audits::set_starts_on(&mut tx, l.id, start).await?;
        for job in crate::jobs::checkins::outcome_jobs(&l.team_id, l.id, start, months) {
            jobs::schedule(&mut tx, &job, now).await?;
            // Recorded again with another start: the check-ins move.
            jobs::move_by_key(&mut tx, &job.dedupe_key, job.due_at).await?;
        }
        let list = months
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(" and ");
        let day = chrono::DateTime::from_timestamp(start, 0)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        reply.push_str(&m::checkins_planned(&list, &day));
    } else {
        // Corrected to declined: no check-ins are asked for.
        for n in months {
            let key = crate::jobs::checkins::outcome_key(l.id, *n);
            jobs::cancel_by_key(&mut tx, &key, now).await?;
        }
    }
    tx.commit().await?;
    state.jobs_wakeup.notify_one();
    Ok(Reply::ephemeral(reply))
}
