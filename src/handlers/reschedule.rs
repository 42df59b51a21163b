//! `/staffloop reschedule <stage> <when>`: the hiring manager or an admin
//! moves a live stage that has not been held yet. Its end (the prompts),
//! its interviewers' prep and, for the deep-dive, the document deadline move
//! with it; the panel is told and the plan is updated.

use super::done::parse_stage;
use crate::effects::{self, Effect};
use crate::error::{AppError, AppResult};
use crate::jobs::prompts::DOC_WARNING_BEFORE_SECONDS;
use crate::messages as m;
use crate::slack::mrkdwn::{date, escape, user as mention};
use crate::slack::payload::SlashCommand;
use crate::slack::Reply;
use crate::store::{cards, jobs, loops};
use crate::AppState;
use chrono::TimeZone;

/// `YYYY-MM-DD HH:MM` in the workspace's report time zone, as Unix seconds.
fn parse_when(text: &str, tz: chrono_tz::Tz) -> Option<i64> {
    let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M").ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp())
}

pub async fn command(state: &AppState, cmd: &SlashCommand, rest: &str) -> AppResult<Reply> {
    let tz = state.report.tz;
    let usage = || AppError::user(m::reschedule_usage(tz.name()));
    let (stage_word, when_text) = rest
        .trim()
        .split_once(char::is_whitespace)
        .ok_or_else(usage)?;
    let (Some(which), Some(start)) = (parse_stage(stage_word), parse_when(when_text, tz)) else {
        return Err(usage());
    };
    let team = cmd.team_id.as_str();
    let by = cmd.user_id.as_str();
    let l = super::panel_loop(state, cmd).await?;
    let now = state.clock.unix();
    if start <= now {
        return Err(AppError::user(m::RESCHEDULE_PAST));
    }
    let mut tx = state.db.begin().await?;
    loops::lock(&mut tx, l.id).await?;
    let Some(stage) = cards::stages_by_ref(&mut tx, l.id, &which)
        .await?
        .into_iter()
        .next()
    else {
        return Err(usage());
    };
    let (Some(kind), Some(length)) = (stage.kind(), stage.length_minutes) else {
        return Err(usage()); // the written document has no time
    };
    let title = escape(&stage.title());
    let end = start + length * 60;
    if end > l.debrief_at {
        return Err(AppError::user(m::reschedule_after_debrief(&date(
            l.debrief_at,
        ))));
    }
    if !stage.loop_state.is_open() || stage.debrief_started_at.is_some() {
        return Err(AppError::user(m::PANEL_TOO_LATE));
    }
    if !cards::move_stage(&mut tx, stage.id, start, now).await? {
        return Err(AppError::user(m::RESCHEDULE_HELD));
    }
    jobs::move_by_key(&mut tx, &format!("stage_end:{}", stage.id), end).await?;
    let panel = cards::interviewers(&mut tx, stage.id).await?;
    let prep_at = (start - state.tuning.prep_hours * 3600).max(now);
    for user in &panel {
        jobs::move_by_key(&mut tx, &format!("prep:{}:{user}", stage.id), prep_at).await?;
    }
    if kind == crate::domain::StageKind::DeepDive {
        let deadline = (start - DOC_WARNING_BEFORE_SECONDS).max(now);
        jobs::move_by_key(&mut tx, &format!("doc_deadline:{}", l.id), deadline).await?;
    }
    let when = date(start);
    let candidate = escape(&stage.candidate_name);
    let mut out: Vec<Effect> = panel
        .iter()
        .map(|user| Effect::DirectMessage {
            user: user.clone(),
            text: m::reschedule_told(&title, &candidate, &when),
        })
        .collect();
    out.push(Effect::UpdateLoopPlan { loop_id: l.id });
    out.push(Effect::LoopChannelNote {
        loop_id: l.id,
        text: m::reschedule_note(&mention(&cmd.user_id), &title, &when),
    });
    for e in out {
        effects::record(&mut tx, team, e, now * 1000).await?;
    }
    loops::audit(
        &mut tx,
        team,
        Some(l.id),
        by,
        &format!("moved stage {} to {start}", stage.position),
        now,
    )
    .await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    state.jobs_wakeup.notify_one();
    Ok(Reply::ephemeral(m::reschedule_done(&title, &when)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_in_the_workspace_zone() {
        let utc = parse_when("2026-12-03 14:00", chrono_tz::UTC).unwrap();
        assert_eq!(
            utc,
            chrono::Utc
                .with_ymd_and_hms(2026, 12, 3, 14, 0, 0)
                .unwrap()
                .timestamp()
        );
        let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(parse_when("2026-12-03 15:00", berlin), Some(utc));
        assert_eq!(parse_when("tomorrow", berlin), None);
        assert_eq!(parse_when("2026-13-03 15:00", berlin), None);
    }
}
