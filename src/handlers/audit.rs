//! `/staffloop audit` (admins): on-the-job check-ins for the last three
//! hires at staff or above, each judged privately by someone who sees their
//! work; the result goes to the admin (and the report channel if chosen)
//! when all are in or the admin closes it. The check-in modal also serves
//! outcome check-ins (`jobs::checkins`).

use crate::domain::scorecard::CardField;
use crate::domain::{Criterion, Dimension, UserId};
use crate::effects::{self, Effect};
use crate::error::{AppError, AppResult};
use crate::messages as m;
use crate::slack::mrkdwn::date;
use crate::slack::payload::{BlockAction, SlashCommand, ViewSubmission};
use crate::slack::views::{audit as views, scorecard};
use crate::slack::Reply;
use crate::store::audits::{self, CheckIn, Created, NewAudit, Written};
use crate::store::outbox::NewRow;
use crate::AppState;

/// Hires offered in the form (Slack's limit on a select's options).
const HIRES_OFFERED: i64 = 100;

pub async fn command(state: &AppState, cmd: &SlashCommand, rest: &str) -> AppResult<Reply> {
    if !rest.trim().is_empty() {
        return Err(AppError::user(m::audit_usage()));
    }
    if !state.is_admin(cmd.user_id.as_str()) {
        return Err(AppError::user(m::AUDIT_NOT_ALLOWED));
    }
    let hires = audits::hires(&state.db, cmd.team_id.as_str(), HIRES_OFFERED).await?;
    if hires.len() < 2 {
        return Err(AppError::user(m::AUDIT_TOO_FEW_HIRES));
    }
    match super::open_form(state, &cmd.trigger_id, views::form(&hires)).await {
        Ok(()) => Ok(Reply::Ack),
        Err(code) => Ok(Reply::ephemeral(m::audit_form_failed(&code))),
    }
}

/// Effects that close an audit: the result to its admin, and to the
/// report channel when they chose so.
async fn report_effects(
    state: &AppState,
    team: &str,
    audit_id: i64,
    admin: &str,
    post: bool,
) -> anyhow::Result<Vec<Effect>> {
    let mut out = vec![Effect::SendAuditReport {
        audit_id,
        user: admin.to_string(),
    }];
    if post {
        if let Some(channel) = crate::jobs::report::channel_for(state, team).await? {
            out.push(Effect::PostAuditReport { audit_id, channel });
        }
    }
    Ok(out)
}

pub async fn submit(state: &AppState, sub: &ViewSubmission) -> anyhow::Result<Reply> {
    let team = sub.team_id.as_str();
    let user = sub.user_id.as_str();
    if !state.is_admin(user) {
        return Ok(Reply::view_errors([(
            views::hire_block(0),
            m::AUDIT_NOT_ALLOWED.to_string(),
        )]));
    }
    let draft = views::read_form(&sub.values);
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut picked: Vec<(i64, String)> = Vec::new();
    for (i, (hire, judge)) in draft.rows.iter().enumerate() {
        let required = i < 2;
        match hire {
            None if required => errors.push((views::hire_block(i), m::AUDIT_HIRE_MISSING.into())),
            None => continue,
            Some(id) if picked.iter().any(|(p, _)| p == id) => {
                errors.push((views::hire_block(i), m::AUDIT_HIRE_SAME.into()))
            }
            Some(id) => match audits::hire(&state.db, team, *id).await? {
                None => errors.push((views::hire_block(i), m::AUDIT_HIRE_NOT_HIRE.into())),
                Some(_) => match judge.as_deref().and_then(UserId::parse) {
                    Some(j) => picked.push((*id, j.as_str().to_string())),
                    None => errors.push((views::judge_block(i), m::AUDIT_JUDGE_MISSING.into())),
                },
            },
        }
    }
    if !errors.is_empty() {
        return Ok(Reply::view_errors(errors));
    }
    let now = state.clock.unix();
    let new = NewAudit {
        team_id: team,
        created_by: user,
        source_view_id: &sub.view_id,
        post_to_channel: draft.post,
        hires: &picked,
        now,
    };
    let work = |audit_id: i64, asked: &[(i64, String)]| {
        let mut rows: Vec<NewRow> = vec![effects::encode(
            team,
            &Effect::TellAuditStarted {
                audit_id,
                user: user.to_string(),
            },
        )];
        let mut jobs = Vec::new();
        for (checkin_id, judge) in asked {
            let ask = Effect::AskCheckIn {
                checkin_id: *checkin_id,
                user: judge.clone(),
                reminder: false,
            };
            rows.push(effects::encode(team, &ask));
            jobs.push(crate::jobs::checkins::reminder_job(team, *checkin_id, now));
        }
        (rows, jobs)
    };
    match audits::create(&state.db, &new, work).await {
        Ok(Created::New { audit_id }) => {
            tracing::info!(audit_id, "audit of past hires started");
            state.outbox_wakeup.notify_one();
            state.jobs_wakeup.notify_one();
            Ok(Reply::Ack)
        }
        Ok(Created::Duplicate) => Ok(Reply::Ack),
        Err(e) => {
            tracing::error!(error = ?e, "storing an audit failed");
            Ok(Reply::view_errors([(
                views::hire_block(0),
                m::AUDIT_SAVE_FAILED.to_string(),
            )]))
        }
    }
}

/// The check-in behind a button or modal, if `user` is its judge.
async fn own_checkin(
    state: &AppState,
    team: &str,
    id: Option<i64>,
    user: &str,
) -> anyhow::Result<Option<CheckIn>> {
    let Some(id) = id else { return Ok(None) };
    Ok(audits::checkin(&state.db, id)
        .await?
        .filter(|c| c.team_id == team && c.judge == user))
}

async fn closed(state: &AppState, c: &CheckIn) -> anyhow::Result<bool> {
    Ok(match c.audit_id {
        Some(a) => audits::audit(&state.db, a)
            .await?
            .is_none_or(|a| a.state != crate::domain::AuditState::Open),
        None => false,
    })
}

/// The DM's "Open check-in" button: the modal, for its judge only.
pub async fn open_checkin(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let team = action.team_id.as_str();
    let user = action.user_id.as_str();
    let Some(c) = own_checkin(state, team, action.id_value(), user).await? else {
        return super::notice(state, team, user, None, m::NOT_YOUR_CHECKIN).await;
    };
    if let Some(at) = c.submitted_at {
        return super::notice(state, team, user, None, &m::checkin_already(&date(at))).await;
    }
    if closed(state, &c).await? {
        return super::notice(state, team, user, None, m::CHECKIN_CLOSED).await;
    }
    let view = scorecard::checkin_modal(
        &state.rubric,
        &c.candidate_name,
        views::CHECKIN_CALLBACK_ID,
        &c.id.to_string(),
    );
    if let Err(code) = super::open_form(state, &action.trigger_id, view).await {
        tracing::warn!(%code, "views.open failed for a check-in");
    }
    Ok(())
}

fn first_block() -> String {
    scorecard::block_id(CardField::Score(Criterion::Dimension(
        Dimension::ScopeOfJudgement,
    )))
}

/// A check-in, sent: checked like a card, locked, and the audit closed
/// (with its report) when it was the last one out.
pub async fn submit_checkin(state: &AppState, sub: &ViewSubmission) -> anyhow::Result<Reply> {
    let team = sub.team_id.as_str();
    let user = sub.user_id.as_str();
    let refuse = |text: &str| Reply::view_errors([(first_block(), text.to_string())]);
    let id = sub.private_metadata.trim().parse().ok();
    let Some(c) = own_checkin(state, team, id, user).await? else {
        tracing::warn!("check-in refused: not its judge");
        return Ok(refuse(m::NOT_YOUR_CHECKIN));
    };
    let spec = scorecard::practice_spec('A');
    let card = match scorecard::read(&spec, &sub.values).validate(&spec) {
        Ok(card) => card,
        Err(errors) => {
            return Ok(Reply::view_errors(errors.iter().map(|(f, p)| {
                let text = match f {
                    CardField::Recommendation => m::WORKING_AT_MISSING.to_string(),
                    _ => m::card_problem(p),
                };
                (scorecard::block_id(*f), text)
            })))
        }
    };
    let scores: Vec<(String, i64)> = card
        .scores
        .iter()
        .map(|s| (s.criterion.clone(), s.score as i64))
        .collect();
    let content = serde_json::to_string(&card.scores)?;
    let now = state.clock.unix();
    // Who hears about a closing audit is read before the write; the write
    // decides whether it closes.
    let audit = match c.audit_id {
        Some(a) => audits::audit(&state.db, a).await?,
        None => None,
    };
    let closing = match &audit {
        Some(a) => report_effects(state, team, a.id, &a.created_by, a.post_to_channel != 0).await?,
        None => Vec::new(),
    };
    let locked = Effect::DirectMessage {
        user: user.to_string(),
        text: m::checkin_locked(&crate::slack::mrkdwn::escape(&c.candidate_name)),
    };
    let work = |closed: Option<i64>| {
        let mut all = vec![effects::encode(team, &locked)];
        if closed.is_some() {
            all.extend(closing.iter().map(|e| effects::encode(team, e)));
        }
        all
    };
    match audits::write_checkin(
        &state.db,
        &c,
        &card.recommendation,
        &content,
        &scores,
        now,
        work,
    )
    .await?
    {
        Written::Locked { closed_audit } => {
            tracing::info!(checkin_id = c.id, loop_id = c.loop_id, "check-in locked");
            if let Some(a) = closed_audit {
                tracing::info!(audit_id = a, "audit complete; result sent");
            }
            state.outbox_wakeup.notify_one();
            Ok(Reply::Ack)
        }
        Written::AlreadyIn => {
            let at = audits::checkin(&state.db, c.id)
                .await?
                .and_then(|c| c.submitted_at)
                .unwrap_or(now);
            Ok(refuse(&m::checkin_already(&date(at))))
        }
        Written::Closed => Ok(refuse(m::CHECKIN_CLOSED)),
    }
}

/// The admin's "Close the audit now": report on what is in.
pub async fn close_button(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let team = action.team_id.as_str();
    let user = action.user_id.as_str();
    let channel = action.channel_id.as_deref();
    let Some(a) = (match action.id_value() {
        Some(id) => audits::audit(&state.db, id).await?,
        None => None,
    })
    .filter(|a| a.team_id == team) else {
        return Ok(());
    };
    if !state.is_admin(user) {
        return super::notice(state, team, user, channel, m::AUDIT_CLOSE_NOT_ALLOWED).await;
    }
    // The result goes to the admin who started the audit, and to whoever
    // closed it when that is someone else.
    let mut closing =
        report_effects(state, team, a.id, &a.created_by, a.post_to_channel != 0).await?;
    if user != a.created_by {
        closing.push(Effect::SendAuditReport {
            audit_id: a.id,
            user: user.to_string(),
        });
    }
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    if !audits::close(&mut tx, a.id, now).await? {
        drop(tx);
        return super::notice(state, team, user, channel, m::AUDIT_ALREADY_CLOSED).await;
    }
    for e in closing {
        effects::record(&mut tx, team, e, state.clock.unix_ms()).await?;
    }
    tx.commit().await?;
    tracing::info!(audit_id = a.id, "audit closed by an admin");
    state.outbox_wakeup.notify_one();
    Ok(())
}
