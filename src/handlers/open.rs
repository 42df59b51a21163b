//! `/staffloop open`: show the loop form at once (the trigger expires in 3 s),
//! then, on submit, validate, store the loop and record its Slack effects.

use crate::domain::lint;
use crate::domain::{StageKind, UserId};
use crate::effects::{self, Effect};
use crate::error::AppResult;
use crate::messages as m;
use crate::slack::client::CallError;
use crate::slack::payload::{BlockAction, SlashCommand, ViewSubmission};
use crate::slack::views::open_loop;
use crate::slack::Reply;
use crate::store::calibrations;
use crate::store::loops::{self, Created, NewLoop};
use crate::AppState;
use serde_json::json;
use std::time::Duration;

/// Open forms whose warnings are remembered at once (a bound, not a limit
/// anyone reaches: forms are answered within minutes).
const MAX_WARNED_FORMS: usize = 10_000;

/// How long the open form waits for the hiring team's members (a
/// submission must be answered within 3 s); without them the bar raiser
/// is not checked.
const HIRING_TEAM_TIMEOUT: Duration = Duration::from_millis(1200);

pub async fn command(state: &AppState, cmd: &SlashCommand, candidate: &str) -> AppResult<Reply> {
    let templates = &state.templates;
    let view = open_loop::modal(
        templates,
        templates.default_template(),
        candidate,
        &cmd.user_id,
    );
    match super::open_form(state, &cmd.trigger_id, view).await {
        Ok(()) => Ok(Reply::Ack),
        Err(code) => Ok(Reply::ephemeral(m::form_failed(&code))),
    }
}

/// The template picker changed: redraw the form for the chosen template,
/// keeping the candidate's name.
pub async fn template_picked(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let (Some(view), Some(id)) = (&action.view, &action.selected) else {
        return Ok(());
    };
    if view.callback_id != open_loop::CALLBACK_ID {
        return Ok(());
    }
    let template = state.templates.get(id);
    let name = open_loop::typed_name(&view.values);
    let body = json!({
        "view_id": view.id,
        "hash": view.hash,
        "view": open_loop::modal(&state.templates, template, &name, &action.user_id),
    });
    match state.slack.call("views.update", &body).await {
        Ok(_) => Ok(()),
        // Someone changed the form again meanwhile (theirs is the newer
        // one), or it was submitted or closed: nothing to redraw.
        Err(CallError::Api(code)) if code == "hash_conflict" || code == "not_found" => Ok(()),
        Err(e) => Err(anyhow::anyhow!("views.update failed: {e}")),
    }
}

/// The members of the hiring team's user group, when one is configured and
/// Slack answers in time; empty otherwise (the check is skipped, and says so
/// in the log).
async fn hiring_team(state: &AppState) -> Vec<UserId> {
    let Some(group) = &state.hiring_team_group else {
        return Vec::new();
    };
    let args = [("usergroup", group.clone())];
    let call = state.slack.get("usergroups.users.list", &args);
    match tokio::time::timeout(HIRING_TEAM_TIMEOUT, call).await {
        Ok(Ok(v)) => v["users"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|u| u.as_str())
                    .filter_map(UserId::parse)
                    .collect()
            })
            .unwrap_or_default(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "reading the hiring team's user group failed; the bar raiser is not checked");
            Vec::new()
        }
        Err(_) => {
            tracing::warn!(
                "the hiring team's user group took too long; the bar raiser is not checked"
            );
            Vec::new()
        }
    }
}

/// Panelists who have not calibrated in `STAFFLOOP_CALIBRATION_DAYS`, once
/// the workspace has held a practice debrief (before that, everyone would
/// be named on every loop); none when the setting is 0.
async fn calibration_findings(
    state: &AppState,
    team_id: &str,
    plan: &crate::domain::LoopPlan,
    now: i64,
) -> anyhow::Result<Vec<lint::Finding>> {
    let days = state.tuning.calibration_days;
    if days == 0 || !calibrations::any_revealed(&state.db, team_id).await? {
        return Ok(Vec::new());
    }
    let calibrated = calibrations::calibrated(&state.db, team_id).await?;
    Ok(lint::uncalibrated(
        plan,
        |u| calibrated.get(u.as_str()).copied(),
        days,
        now,
    ))
}

pub async fn submit(state: &AppState, sub: ViewSubmission) -> Reply {
    let now = state.clock.unix();
    let template = state.templates.get(&sub.private_metadata);
    let mut plan = match open_loop::read(&sub.values, template).validate(template, now) {
        Ok(plan) => plan,
        Err(errors) => {
            return Reply::view_errors(
                errors
                    .iter()
                    .map(|e| (open_loop::block_id(e.field), m::problem(&e.problem))),
            )
        }
    };
    let team = hiring_team(state).await;
    let mut findings = lint::plan(template, &plan, &team);
    match calibration_findings(state, sub.team_id.as_str(), &plan, now).await {
        Ok(more) => findings.extend(more),
        // A courtesy: the loop opens without it rather than not at all.
        Err(e) => tracing::warn!(error = ?e, "reading who has calibrated failed; not warned"),
    }
    // "Open it anyway" holds for the warnings this form was shown, and only
    // those: ticked before any were shown, or with others since, the form
    // shows them (again) first.
    let digest = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for f in &findings {
            m::finding_plain(f).hash(&mut h);
        }
        h.finish()
    };
    let shown = {
        let mut warned = state.warned.lock().unwrap_or_else(|p| p.into_inner());
        let shown = warned.get(&sub.view_id) == Some(&digest);
        if findings.is_empty() || shown {
            warned.remove(&sub.view_id);
        } else {
            if warned.len() >= MAX_WARNED_FORMS {
                warned.clear();
            }
            warned.insert(sub.view_id.clone(), digest);
        }
        shown
    };
    let accepted = findings.is_empty() || (shown && open_loop::acknowledged(&sub.values));
    if !accepted {
        // Each warning beside its field, then the box that lets them pass;
        // several on one field share its error, a line each.
        let lines = findings
            .iter()
            .map(|f| {
                let field = open_loop::finding_field(f, template);
                (open_loop::block_id(field), m::finding_plain(f))
            })
            .chain([(
                open_loop::block_id(crate::domain::Field::Acknowledge),
                m::ACKNOWLEDGE_NEEDED.to_string(),
            )]);
        let mut by_block: Vec<(String, String)> = Vec::new();
        for (block, text) in lines {
            match by_block.iter_mut().find(|(b, _)| *b == block) {
                Some((_, t)) => {
                    t.push('\n');
                    t.push_str(&text);
                }
                None => by_block.push((block, text)),
            }
        }
        return Reply::view_errors(by_block);
    }
    // The debrief's day is judged afresh whenever the plan is drawn.
    plan.warnings = findings
        .iter()
        .filter(|f| f.rule != lint::Rule::DebriefNotSameDay)
        .map(m::finding)
        .collect();
    let opener: &UserId = &sub.user_id;
    let participants: Vec<String> = plan
        .participants()
        .iter()
        .map(|u| u.as_str().to_string())
        .collect();
    let team_id = sub.team_id.as_str();
    let debrief_at = plan.debrief_at;
    let plan_work = |stored: &loops::Stored<'_>| {
        let loop_id = stored.loop_id;
        let effects = [
            Effect::CreateLoopChannel { loop_id },
            Effect::InviteToLoopChannel {
                loop_id,
                users: participants.clone(),
            },
            Effect::SetLoopTopic { loop_id },
            Effect::PostLoopPlan { loop_id },
            Effect::TellOpenerLoopIsReady {
                loop_id,
                opener: opener.as_str().to_string(),
            },
        ]
        .iter()
        .map(|e| effects::encode(team_id, e))
        .collect();
        let mut jobs = crate::jobs::prompts::loop_jobs(team_id, loop_id, stored.stages, debrief_at);
        // Stored in the plan's order: the n-th stored stage is the n-th planned.
        let panels: Vec<(i64, StageKind, Option<i64>, Vec<String>)> = stored
            .stages
            .iter()
            .zip(&plan.stages)
            .map(|((id, kind, at, _), planned)| {
                let people = planned
                    .interviewers
                    .iter()
                    .map(|u| u.as_str().to_string())
                    .collect();
                (*id, *kind, *at, people)
            })
            .collect();
        jobs.extend(crate::jobs::prompts::prep_jobs(
            team_id,
            loop_id,
            &panels,
            state.tuning.prep_hours,
            now,
        ));
        (effects, jobs)
    };
    let new = NewLoop {
        team_id: sub.team_id.as_str(),
        plan: &plan,
        opened_by: opener,
        source_view_id: &sub.view_id,
        now,
    };
    match loops::create(&state.db, &new, plan_work).await {
        Ok(Created::New { loop_id, .. }) => {
            tracing::info!(loop_id, "loop opened");
            state.outbox_wakeup.notify_one();
            state.jobs_wakeup.notify_one();
            Reply::Ack
        }
        Ok(Created::Duplicate { loop_id }) => {
            tracing::info!(
                loop_id,
                "repeated submission of an opened loop; nothing more stored"
            );
            Reply::Ack
        }
        Err(e) => {
            tracing::error!(error = ?e, "storing a loop failed");
            Reply::view_errors([(
                open_loop::block_id(crate::domain::Field::CandidateName),
                m::FORM_ERROR_GENERIC.to_string(),
            )])
        }
    }
}
