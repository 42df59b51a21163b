//! Delivering the audit's and the check-ins' effects. Only DMs to judges
//! and admins, and the report channel when an admin chose it: never a loop
//! channel. On-the-job evidence is never sent to Slack at all.

use super::deliver::{call, Failure, Sent};
use super::Effect;
use crate::domain::audit::{self, Hire};
use crate::domain::{Criterion, Level};
use crate::slack::views::audit as views;
use crate::slack::views::Envelope;
use crate::store::audits;
use crate::store::outbox::Delivery;
use crate::AppState;

/// The audit's hires with a sent check-in, and the names of those without.
pub async fn audit_hires(
    state: &AppState,
    audit_id: i64,
) -> anyhow::Result<(Vec<Hire>, Vec<String>, usize)> {
    let checkins = audits::audit_checkins(&state.db, audit_id).await?;
    let asked = checkins.len();
    let mut hires = Vec::new();
    let mut missing = Vec::new();
    for c in checkins {
        if c.submitted_at.is_none() {
            missing.push(c.candidate_name);
            continue;
        }
        let on_job = audits::checkin_scores(&state.db, c.id)
            .await?
            .into_iter()
            .filter_map(|(k, s)| match Criterion::parse(&k) {
                Some(Criterion::Dimension(d)) => Some((d, s as u8)),
                _ => None,
            })
            .collect();
        let loop_scores = audits::loop_scores(&state.db, c.loop_id)
            .await?
            .into_iter()
            .filter_map(|(stage, k, s)| match Criterion::parse(&k) {
                Some(Criterion::Dimension(d)) => Some((stage, d, s as u8)),
                _ => None,
            })
            .collect();
        hires.push(Hire {
            name: c.candidate_name,
            on_job,
            working_at: c.working_at.as_deref().and_then(Level::parse),
            loop_scores,
        });
    }
    Ok((hires, missing, asked))
}

/// After the worker gave up asking a judge for a check-in: tells the admin
/// who started its audit (an outcome check-in: the loop's opener), without
/// a word of the check-in itself.
pub async fn report_give_up(
    state: &AppState,
    checkin_id: i64,
    what: String,
    code: &str,
) -> anyhow::Result<()> {
    let Some(c) = audits::checkin(&state.db, checkin_id).await? else {
        return Ok(());
    };
    let to = match c.audit_id {
        Some(a) => audits::audit(&state.db, a).await?.map(|a| a.created_by),
        None => crate::store::loops::by_id(&state.db, c.loop_id)
            .await?
            .map(|l| l.opened_by),
    };
    let Some(to) = to else {
        return Ok(());
    };
    let text = crate::messages::checkin_failure(&what, &crate::messages::slack_error_words(code));
    let dm = Effect::DirectMessage { user: to, text };
    let mut tx = state.db.begin().await?;
    super::record(&mut tx, &c.team_id, dm, crate::clock::wall_ms()).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}

pub async fn send(state: &AppState, _d: &Delivery, effect: &Effect) -> Sent {
    use Effect::*;
    match effect {
        AskCheckIn {
            checkin_id,
            user,
            reminder,
        } => {
            let Some(c) = audits::checkin(&state.db, *checkin_id).await? else {
                return Err(Failure::Missing("the check-in is gone"));
            };
            if c.submitted_at.is_some() {
                return Ok(()); // sent meanwhile: nothing to ask
            }
            if let Some(a) = c.audit_id {
                let closed = audits::audit(&state.db, a)
                    .await?
                    .is_none_or(|a| a.state != crate::domain::AuditState::Open);
                if closed {
                    return Ok(());
                }
            }
            let mut body = views::checkin_prompt(c.id, &c.candidate_name, c.months, *reminder);
            body.set("channel", user);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        TellAuditStarted { audit_id, user } => {
            let hires: Vec<(String, String)> = audits::audit_checkins(&state.db, *audit_id)
                .await?
                .into_iter()
                .map(|c| (c.candidate_name, c.judge))
                .collect();
            let mut body = views::started(*audit_id, &hires);
            body.set("channel", user);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        SendAuditReport { audit_id, user } => {
            let mut body = report(state, *audit_id, true).await?;
            body.set("channel", user);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        PostAuditReport { audit_id, channel } => {
            // The channel sees the verdicts, not who they are about.
            let mut body = report(state, *audit_id, false).await?;
            body.set("channel", channel);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        _ => Err(Failure::Missing("not an audit's effect")),
    }
}

async fn report(
    state: &AppState,
    audit_id: i64,
    named: bool,
) -> Result<serde_json::Value, Failure> {
    let (hires, missing, asked) = audit_hires(state, audit_id).await?;
    let findings = audit::audit(&hires);
    Ok(views::report(&hires, &findings, &missing, asked, named))
}
