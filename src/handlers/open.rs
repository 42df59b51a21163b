//! `/staffloop open`: show the loop form at once (the trigger expires in 3 s),
//! then, on submit, validate, store the loop and record its Slack effects.

use crate::domain::{StageKind, UserId};
use crate::effects::{self, Effect};
use crate::error::AppResult;
use crate::messages as m;
use crate::slack::client::CallError;
use crate::slack::payload::{SlashCommand, ViewSubmission};
use crate::slack::views::open_loop;
use crate::slack::Reply;
use crate::store::loops::{self, Created, NewLoop};
use crate::AppState;
use serde_json::json;
use std::time::Duration;

/// `views.open` must land before the trigger's 3 s run out.
const VIEWS_OPEN_TIMEOUT: Duration = Duration::from_millis(2500);

pub async fn command(state: &AppState, cmd: &SlashCommand, candidate: &str) -> AppResult<Reply> {
    let view = open_loop::modal(candidate, &cmd.user_id);
    let body = json!({"trigger_id": cmd.trigger_id, "view": view});
    let call = state.slack.call("views.open", &body);
    let code = match tokio::time::timeout(VIEWS_OPEN_TIMEOUT, call).await {
        Ok(Ok(_)) => return Ok(Reply::Ack),
        Ok(Err(CallError::Api(code))) => code,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "views.open failed");
            "unavailable".to_string()
        }
        Err(_) => "timeout".to_string(),
    };
    Ok(Reply::ephemeral(m::form_failed(&code)))
}

pub async fn submit(state: &AppState, sub: ViewSubmission) -> Reply {
    let now = state.clock.unix();
    let plan = match open_loop::read(&sub.values).validate(now) {
        Ok(plan) => plan,
        Err(errors) => {
            return Reply::view_errors(
                errors
                    .iter()
                    .map(|e| (open_loop::block_id(e.field), m::problem(&e.problem))),
            )
        }
    };
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
        let panels: Vec<(i64, StageKind, Option<i64>, Vec<String>)> = stored
            .stages
            .iter()
            .map(|(id, kind, at)| {
                let people = plan
                    .stages
                    .iter()
                    .find(|s| s.kind == *kind)
                    .map(|s| {
                        s.interviewers
                            .iter()
                            .map(|u| u.as_str().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
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
