//! The scorecard jobs: ask a stage's interviewers when it ends, remind them
//! every N hours until their card is in, give the hiring manager the missing
//! list before the debrief, and warn when the design-document card is late.

use crate::domain::{JobKind, StageKind};
use crate::effects::{self, Effect};
use crate::messages as m;
use crate::slack::mrkdwn::escape;
use crate::store::cards::{self, StageRow};
use crate::store::jobs::{self, Job, NewJob};
use crate::store::loops::{self, LoopRow};
use crate::store::Tx;
use crate::AppState;
use serde_json::json;

/// Warn the hiring manager this long before the deep-dive if the document's card is missing.
pub const DOC_WARNING_BEFORE_SECONDS: i64 = 24 * 3600;
/// Send the hiring manager the missing-card list this long before the debrief.
pub const HM_LIST_BEFORE_SECONDS: i64 = 3600;

fn stage_id(job: &Job) -> anyhow::Result<i64> {
    job.payload()["stage_id"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("job without stage_id"))
}

/// Asks every interviewer of the stage for their card, once each, and
/// schedules their first reminder; their App Homes are refreshed through the
/// outbox. Used by the stage-end job and by `/staffloop done`.
pub async fn prompt_stage(
    state: &AppState,
    tx: &mut Tx,
    stage: &StageRow,
    now: i64,
) -> anyhow::Result<()> {
    if stage.kind().is_none() {
        return Ok(());
    }
    let reminder_after = state.tuning.reminder_after_hours * 3600;
    cards::end_stage(tx, stage.id, now).await?;
    for user in cards::interviewers(&mut *tx, stage.id).await? {
        if cards::card_receipt(&mut *tx, stage.id, &user)
            .await?
            .is_some()
        {
            continue;
        }
        let Some(prompt_id) = cards::insert_prompt(tx, stage.loop_id, stage.id, &user, now).await?
        else {
            continue;
        };
        let prompt = Effect::PromptInterviewer {
            prompt_id,
            stage_id: stage.id,
            user: user.clone(),
        };
        effects::record(tx, &stage.team_id, prompt, now * 1000).await?;
        let reminder = NewJob {
            kind: JobKind::Reminder,
            dedupe_key: format!("reminder:{}:{user}", stage.id),
            team_id: &stage.team_id,
            loop_id: Some(stage.loop_id),
            payload: json!({"stage_id": stage.id, "user": user}),
            due_at: now + reminder_after,
        };
        jobs::schedule(tx, &reminder, now).await?;
        effects::record(tx, &stage.team_id, Effect::RefreshHome { user }, now * 1000).await?;
    }
    Ok(())
}

pub async fn stage_end(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    if !jobs::finish(&mut tx, job, None, now).await? {
        return Ok(());
    }
    // Under the loop's lock, so a swap or a move of this stage is either
    // seen here or waits until its panel has been asked.
    if let Some(loop_id) = job.loop_id {
        loops::lock(&mut tx, loop_id).await?;
    }
    if let Some(stage) = cards::stage(&mut tx, stage_id(job)?).await? {
        if stage.is_open() {
            prompt_stage(state, &mut tx, &stage, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub async fn reminder(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let now = state.clock.unix();
    let user = job.payload()["user"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let stage = cards::stage(&state.db, stage_id(job)?).await?;
    let card_in = match &stage {
        Some(s) => cards::card_receipt(&state.db, s.id, &user).await?.is_some(),
        None => true,
    };
    let mut tx = state.db.begin().await?;
    let stage = match stage {
        Some(s) if s.is_open() && !card_in => s,
        _ => {
            jobs::finish(&mut tx, job, None, now).await?;
            tx.commit().await?;
            return Ok(());
        }
    };
    let every = state.tuning.reminder_after_hours * 3600;
    if !jobs::finish(&mut tx, job, Some(now + every), now).await? {
        return Ok(());
    }
    let ended = stage
        .starts_at
        .zip(stage.length_minutes)
        .map(|(s, l)| s + l * 60)
        .unwrap_or(now);
    let hours = ((now - ended).max(0) + 1800) / 3600;
    let remind = Effect::RemindInterviewer {
        stage_id: stage.id,
        user: user.clone(),
        hours_since_end: hours.max(1),
    };
    effects::record(&mut tx, &stage.team_id, remind, now * 1000).await?;
    cards::note_reminder(&mut tx, stage.id, &user, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Finishes `job` and, when `text` is given, DMs it to the loop's hiring
/// manager, in one transaction.
async fn finish_telling_hm(
    state: &AppState,
    job: &Job,
    info: Option<&LoopRow>,
    text: Option<String>,
    now: i64,
) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    if !jobs::finish(&mut tx, job, None, now).await? {
        return Ok(());
    }
    if let (Some(info), Some(text)) = (info, text) {
        let effect = Effect::DirectMessage {
            user: info.hiring_manager.clone(),
            text,
        };
        effects::record(&mut tx, &info.team_id, effect, now * 1000).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn hm_missing(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let now = state.clock.unix();
    let loop_id = job
        .loop_id
        .ok_or_else(|| anyhow::anyhow!("job without loop"))?;
    let info = loops::by_id(&state.db, loop_id).await?;
    let missing = cards::missing(&state.db, loop_id).await?;
    // Once the debrief has started, the reveal itself names the missing cards.
    let info = info.filter(|i| i.state.is_open() && i.debrief_started_at.is_none());
    let text = info.as_ref().filter(|_| !missing.is_empty()).map(|info| {
        let lines = missing
            .iter()
            .map(|m| {
                let stage = escape(&crate::domain::stage::display_title(&m.name));
                format!("• <@{}> · {stage}", m.interviewer)
            })
            .collect::<Vec<_>>()
            .join("\n");
        m::hm_missing(&escape(&info.candidate_name), &lines)
    });
    finish_telling_hm(state, job, info.as_ref(), text, now).await
}

pub async fn doc_deadline(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let now = state.clock.unix();
    let loop_id = job
        .loop_id
        .ok_or_else(|| anyhow::anyhow!("job without loop"))?;
    let info = loops::by_id(&state.db, loop_id).await?;
    let doc_missing = cards::missing(&state.db, loop_id)
        .await?
        .iter()
        .any(|m| m.kind == StageKind::DesignDoc.key());
    // Once the deep-dive has started the warning is moot; the missing-card
    // list before the debrief still names the document.
    let deep_dive = cards::stage_of_kind(&state.db, loop_id, StageKind::DeepDive.key()).await?;
    let too_late = deep_dive
        .and_then(|s| s.starts_at)
        .is_some_and(|start| now >= start);
    let info = info.filter(|i| i.state.is_open());
    let text = info
        .as_ref()
        .filter(|_| doc_missing && !too_late)
        .map(|info| m::doc_missing(&escape(&info.candidate_name)));
    finish_telling_hm(state, job, info.as_ref(), text, now).await
}

/// Tells the loop channel it will be archived tomorrow, or archives it.
pub async fn archive(state: &AppState, job: &Job, now_archive: bool) -> anyhow::Result<()> {
    let now = state.clock.unix();
    let loop_id = job
        .loop_id
        .ok_or_else(|| anyhow::anyhow!("job without loop"))?;
    let team = loops::by_id(&state.db, loop_id).await?.map(|l| l.team_id);
    let mut tx = state.db.begin().await?;
    if !jobs::finish(&mut tx, job, None, now).await? {
        return Ok(());
    }
    if let Some(team) = team {
        let effect = if now_archive {
            Effect::ArchiveLoopChannel { loop_id }
        } else {
            Effect::LoopChannelNote {
                loop_id,
                text: m::archive_soon(state.tuning.archive_after_days),
            }
        };
        effects::record(&mut tx, &team, effect, now * 1000).await?;
        if now_archive {
            crate::store::loops::audit(
                &mut tx,
                &team,
                Some(loop_id),
                "staffloop",
                "channel archived",
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// One prep DM per interviewer of each live stage, `prep_hours` before it
/// starts (at once, when that moment has passed).
pub fn prep_jobs<'a>(
    team_id: &'a str,
    loop_id: i64,
    stages: &[(i64, StageKind, Option<i64>, Vec<String>)],
    prep_hours: i64,
    now: i64,
) -> Vec<NewJob<'a>> {
    let mut out = Vec::new();
    for (stage_id, kind, starts_at, interviewers) in stages {
        let (Some(start), true) = (starts_at, kind.is_live()) else {
            continue;
        };
        if *start <= now {
            continue; // already under way: too late to prepare
        }
        let due = (start - prep_hours * 3600).max(now);
        for user in interviewers {
            out.push(NewJob {
                kind: JobKind::Prep,
                dedupe_key: format!("prep:{stage_id}:{user}"),
                team_id,
                loop_id: Some(loop_id),
                payload: json!({"stage_id": stage_id, "user": user}),
                due_at: due,
            });
        }
    }
    out
}

/// Briefs one interviewer before their stage, once; nothing if the stage
/// was cancelled or its loop stopped meanwhile.
pub async fn prep(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let now = state.clock.unix();
    let user = job.payload()["user"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("prep job without user"))?
        .to_string();
    let mut tx = state.db.begin().await?;
    if !jobs::finish(&mut tx, job, None, now).await? {
        return Ok(());
    }
    if let Some(stage) = cards::stage(&mut tx, stage_id(job)?).await? {
        let seated = cards::is_interviewer(&mut tx, stage.id, &user).await?;
        if seated && stage.is_open() && stage.state == crate::domain::StageState::Scheduled {
            let prep = Effect::PrepInterviewer {
                stage_id: stage.id,
                user,
            };
            effects::record(&mut tx, &stage.team_id, prep, now * 1000).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The jobs a new loop needs: each live stage's end, the document deadline,
/// and the hiring manager's list before the debrief.
pub fn loop_jobs<'a>(
    team_id: &'a str,
    loop_id: i64,
    stages: &[(i64, StageKind, Option<i64>, Option<i64>)],
    debrief_at: i64,
) -> Vec<NewJob<'a>> {
    let mut out = Vec::new();
    for (stage_id, kind, starts_at, ends_at) in stages {
        if let Some(end) = ends_at {
            out.push(NewJob {
                kind: JobKind::StageEnd,
                dedupe_key: format!("stage_end:{stage_id}"),
                team_id,
                loop_id: Some(loop_id),
                payload: json!({"stage_id": stage_id}),
                due_at: *end,
            });
        }
        if *kind == StageKind::DeepDive {
            if let Some(start) = starts_at {
                out.push(NewJob {
                    kind: JobKind::DocDeadline,
                    dedupe_key: format!("doc_deadline:{loop_id}"),
                    team_id,
                    loop_id: Some(loop_id),
                    payload: json!({}),
                    due_at: start - DOC_WARNING_BEFORE_SECONDS,
                });
            }
        }
    }
    out.push(NewJob {
        kind: JobKind::Debrief,
        dedupe_key: format!("debrief:{loop_id}"),
        team_id,
        loop_id: Some(loop_id),
        payload: json!({}),
        due_at: debrief_at,
    });
    out.push(NewJob {
        kind: JobKind::HmMissing,
        dedupe_key: format!("hm_missing:{loop_id}"),
        team_id,
        loop_id: Some(loop_id),
        payload: json!({}),
        due_at: debrief_at - HM_LIST_BEFORE_SECONDS,
    });
    out
}
