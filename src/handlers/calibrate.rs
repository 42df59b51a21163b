//! `/staffloop calibrate`: a practice debrief on two past candidates. The
//! form (admins and hiring managers) picks the loops, the participants and
//! the debrief's time; each participant scores each packet on a practice
//! card, locked and hidden like a live one; the reveal shows every card at
//! once (`jobs::practice::reveal`, also the scheduled job's).

use crate::domain::practice::code;
use crate::domain::scorecard::CardField;
use crate::domain::{Criterion, Dimension, JobKind, Level, UserId};
use crate::effects::{self, Effect};
use crate::error::{AppError, AppResult};
use crate::messages as m;
use crate::slack::mrkdwn::date;
use crate::slack::payload::{BlockAction, SlashCommand, ViewSubmission};
use crate::slack::views::{practice, scorecard};
use crate::slack::Reply;
use crate::store::calibrations::{self, Created, NewCalibration, NewCard, PastLoop, Written};
use crate::store::jobs::NewJob;
use crate::AppState;
use serde_json::json;

/// Past loops offered in the form (Slack's limit on a select's options).
const PAST_LOOPS: i64 = 100;
/// Participants prefilled: those who sat on a loop in this many days.
const RECENT_DAYS: i64 = 90;
const MAX_PREFILLED: i64 = 100;
/// The debrief's default: this many days ahead, on the hour.
const DEFAULT_DAYS_AHEAD: i64 = 3;

async fn may_set_up(state: &AppState, team: &str, user: &str) -> anyhow::Result<bool> {
    Ok(state.is_admin(user) || calibrations::is_hiring_manager(&state.db, team, user).await?)
}

/// The form's first picks: the latest staff loop whose offer was accepted,
/// and the latest whose offer was declined; else the two latest loops.
pub fn default_packets(past: &[PastLoop]) -> [Option<i64>; 2] {
    let staff = |l: &&PastLoop| Level::parse(&l.applied_level).is_some_and(Level::is_applicable);
    let latest = |outcome: &str| {
        past.iter()
            .filter(staff)
            .find(|l| l.offer_outcome.as_deref() == Some(outcome))
            .map(|l| l.id)
    };
    let a = latest("accepted").or_else(|| past.first().map(|l| l.id));
    let b = latest("declined")
        .filter(|b| Some(*b) != a)
        .or_else(|| past.iter().map(|l| l.id).find(|id| Some(*id) != a));
    [a, b]
}

pub async fn command(state: &AppState, cmd: &SlashCommand, rest: &str) -> AppResult<Reply> {
    if !rest.trim().is_empty() {
        return Err(AppError::user(m::calibrate_usage()));
    }
    let team = cmd.team_id.as_str();
    if !may_set_up(state, team, cmd.user_id.as_str()).await? {
        return Err(AppError::user(m::CALIBRATE_NOT_ALLOWED));
    }
    let user = cmd.user_id.as_str();
    let scope = (!state.is_admin(user)).then_some(user);
    let past = calibrations::past_loops(&state.db, team, scope, PAST_LOOPS).await?;
    if past.len() < 2 {
        return Err(AppError::user(m::CALIBRATE_TOO_FEW_LOOPS));
    }
    let now = state.clock.unix();
    let people =
        calibrations::recent_panelists(&state.db, team, now - RECENT_DAYS * 86_400, MAX_PREFILLED)
            .await?;
    let debrief_at = (now / 3600 + DEFAULT_DAYS_AHEAD * 24) * 3600;
    let view = practice::form(&past, default_packets(&past), &people, debrief_at);
    match super::open_form(state, &cmd.trigger_id, view).await {
        Ok(()) => Ok(Reply::Ack),
        Err(code) => Ok(Reply::ephemeral(m::calibrate_form_failed(&code))),
    }
}

/// The form, submitted: checked, stored with its effects and the reveal job.
pub async fn submit(state: &AppState, sub: &ViewSubmission) -> anyhow::Result<Reply> {
    let team = sub.team_id.as_str();
    let user = sub.user_id.as_str();
    let first = practice::PACKET_BLOCKS[0].to_string();
    if !may_set_up(state, team, user).await? {
        return Ok(Reply::view_errors([(
            first,
            m::CALIBRATE_NOT_ALLOWED.to_string(),
        )]));
    }
    let now = state.clock.unix();
    let scope = (!state.is_admin(user)).then_some(user);
    let draft = practice::read_form(&sub.values);
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut packets = [0i64; 2];
    for (i, picked) in draft.packets.iter().enumerate() {
        let block = practice::PACKET_BLOCKS[i].to_string();
        match picked {
            None => errors.push((block, m::PACKET_MISSING.into())),
            Some(id) if i == 1 && draft.packets[0] == Some(*id) => {
                errors.push((block, m::PACKET_SAME.into()))
            }
            Some(id) => match calibrations::past_loop(&state.db, team, *id, scope).await? {
                Some(_) => packets[i] = *id,
                None => errors.push((block, m::PACKET_NOT_PAST.into())),
            },
        }
    }
    let mut people: Vec<String> = Vec::new();
    for u in draft.participants.iter().filter_map(|u| UserId::parse(u)) {
        let u = u.as_str().to_string();
        if !people.contains(&u) {
            people.push(u);
        }
    }
    if people.len() < 2 {
        errors.push((
            practice::PARTICIPANTS_BLOCK.into(),
            m::TOO_FEW_PARTICIPANTS.into(),
        ));
    }
    match draft.debrief_at {
        None => errors.push((
            practice::DEBRIEF_BLOCK.into(),
            m::CAL_DEBRIEF_MISSING.into(),
        )),
        Some(at) if at <= now => {
            errors.push((practice::DEBRIEF_BLOCK.into(), m::CAL_DEBRIEF_PAST.into()))
        }
        Some(_) => {}
    }
    if !errors.is_empty() {
        return Ok(Reply::view_errors(errors));
    }
    let debrief_at = draft.debrief_at.unwrap_or(now);
    let mut invited = people.clone();
    if !invited.iter().any(|u| u == user) {
        invited.push(user.to_string());
    }
    let new = NewCalibration {
        team_id: team,
        created_by: user,
        source_view_id: &sub.view_id,
        debrief_at,
        packets,
        participants: &people,
        now,
    };
    let work = |calibration_id: i64| {
        let mut all = vec![
            Effect::CreateCalibrationChannel { calibration_id },
            Effect::InviteToCalibrationChannel {
                calibration_id,
                users: invited.clone(),
            },
            Effect::PostCalibrationIntro { calibration_id },
        ];
        for position in 0..2 {
            for u in &people {
                all.push(Effect::SendPacket {
                    calibration_id,
                    position,
                    user: u.clone(),
                });
            }
        }
        let rows = all.iter().map(|e| effects::encode(team, e)).collect();
        let job = NewJob {
            kind: JobKind::CalibrationReveal,
            dedupe_key: crate::jobs::practice::job_key(calibration_id),
            team_id: team,
            loop_id: None,
            payload: json!({"calibration_id": calibration_id}),
            due_at: debrief_at,
        };
        (rows, vec![job])
    };
    match calibrations::create(&state.db, &new, work).await {
        Ok(Created::New { calibration_id }) => {
            tracing::info!(calibration_id, "practice debrief set up");
            state.outbox_wakeup.notify_one();
            state.jobs_wakeup.notify_one();
            Ok(Reply::Ack)
        }
        Ok(Created::Duplicate { .. }) => Ok(Reply::Ack),
        Err(e) => {
            tracing::error!(error = ?e, "storing a practice debrief failed");
            Ok(Reply::view_errors([(
                first,
                m::CALIBRATE_SAVE_FAILED.to_string(),
            )]))
        }
    }
}

fn first_block() -> String {
    scorecard::block_id(CardField::Score(Criterion::Dimension(
        Dimension::ScopeOfJudgement,
    )))
}

/// The packet's "Score Candidate A" button: the practice card, once.
pub async fn open_card(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let team = action.team_id.as_str();
    let user = action.user_id.as_str();
    let found = match action.value.as_deref().and_then(practice::parse_card_ref) {
        Some((id, position)) => calibrations::by_id(&state.db, id)
            .await?
            .filter(|c| c.team_id == team)
            .map(|c| (c, position)),
        None => None,
    };
    let Some((c, position)) = found else {
        return super::notice(state, team, user, None, m::NOT_A_PARTICIPANT).await;
    };
    if !calibrations::is_participant(&state.db, c.id, user).await? {
        return super::notice(state, team, user, None, m::NOT_A_PARTICIPANT).await;
    }
    if c.state != crate::domain::CalibrationState::Open {
        return super::notice(state, team, user, None, m::PRACTICE_CLOSED).await;
    }
    if let Some(at) = calibrations::card_receipt(&state.db, c.id, position, user).await? {
        let text = m::practice_card_already(code(position), &date(at));
        return super::notice(state, team, user, None, &text).await;
    }
    let view = scorecard::practice_modal(
        &state.rubric,
        code(position),
        practice::CARD_CALLBACK_ID,
        &practice::card_ref(c.id, position),
    );
    if let Err(code) = super::open_form(state, &action.trigger_id, view).await {
        tracing::warn!(%code, "views.open failed for a practice card");
    }
    Ok(())
}

/// A practice card, submitted: checked like a live card, locked, noted.
pub async fn submit_card(state: &AppState, sub: &ViewSubmission) -> anyhow::Result<Reply> {
    let team = sub.team_id.as_str();
    let user = sub.user_id.as_str();
    let refuse = |text: &str| Reply::view_errors([(first_block(), text.to_string())]);
    let found = match practice::parse_card_ref(&sub.private_metadata) {
        Some((id, position)) => calibrations::by_id(&state.db, id)
            .await?
            .filter(|c| c.team_id == team)
            .map(|c| (c, position)),
        None => None,
    };
    let Some((c, position)) = found else {
        return Ok(refuse(m::NOT_A_PARTICIPANT));
    };
    if !calibrations::is_participant(&state.db, c.id, user).await? {
        tracing::warn!(
            calibration_id = c.id,
            "practice card refused: not a participant"
        );
        return Ok(refuse(m::NOT_A_PARTICIPANT));
    }
    let spec = scorecard::practice_spec(code(position));
    let card = match scorecard::read(&spec, &sub.values).validate(&spec) {
        Ok(card) => card,
        Err(errors) => {
            return Ok(Reply::view_errors(
                errors
                    .iter()
                    .map(|(f, p)| (scorecard::block_id(*f), m::card_problem(p))),
            ))
        }
    };
    let content = serde_json::to_string(&card)?;
    let now = state.clock.unix();
    let new = NewCard {
        calibration_id: c.id,
        position,
        participant: user,
        recommendation: &card.recommendation,
        content: &content,
        now,
    };
    let work = |submitted: i64, expected: i64| {
        [
            Effect::NoteCalibrationCard {
                calibration_id: c.id,
                user: user.to_string(),
                position,
                submitted,
                expected,
            },
            Effect::DirectMessage {
                user: user.to_string(),
                text: m::practice_card_locked(code(position), &date(c.debrief_at)),
            },
        ]
        .iter()
        .map(|e| effects::encode(team, e))
        .collect()
    };
    match calibrations::write_card(&state.db, &new, work).await? {
        Written::Locked { .. } => {
            tracing::info!(calibration_id = c.id, position, "practice card locked");
            state.outbox_wakeup.notify_one();
            Ok(Reply::Ack)
        }
        Written::AlreadyIn => {
            let at = calibrations::card_receipt(&state.db, c.id, position, user)
                .await?
                .unwrap_or(now);
            Ok(refuse(&m::practice_card_already(code(position), &date(at))))
        }
        Written::Closed => Ok(refuse(m::PRACTICE_CLOSED)),
    }
}

/// The introduction's "Reveal now" button: whoever set it up, or an admin.
pub async fn reveal_button(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let team = action.team_id.as_str();
    let user = action.user_id.as_str();
    let channel = action.channel_id.as_deref();
    let Some(c) = (match action.id_value() {
        Some(id) => calibrations::by_id(&state.db, id).await?,
        None => None,
    })
    .filter(|c| c.team_id == team) else {
        return Ok(());
    };
    if c.created_by != user && !state.is_admin(user) {
        return super::notice(state, team, user, channel, m::CAL_REVEAL_NOT_ALLOWED).await;
    }
    if !crate::jobs::practice::reveal(state, c.id, None).await? {
        return super::notice(state, team, user, channel, m::CAL_ALREADY_REVEALED).await;
    }
    Ok(())
}
