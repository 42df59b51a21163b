//! On-the-job check-ins: asked months after a hire starts (an outcome
//! check-in, scheduled by `/staffloop outcome accepted <date>`), and
//! reminded every few days until they are in, a few times at most.

use crate::domain::JobKind;
use crate::effects::{self, Effect};
use crate::store::jobs::{self, Job, NewJob};
use crate::store::{audits, loops};
use crate::AppState;
use chrono::{Datelike, TimeZone};
use serde_json::json;

/// Days between reminders of a check-in not yet in.
pub const REMINDER_DAYS: i64 = 3;
/// Reminders sent at most.
pub const MAX_REMINDERS: i64 = 3;

pub fn outcome_key(loop_id: i64, months: i64) -> String {
    format!("outcome_check_in:{loop_id}:{months}")
}

fn reminder_key(checkin_id: i64) -> String {
    format!("check_in_reminder:{checkin_id}")
}

/// `months` calendar months after `start` (unix seconds), on the same day
/// of the month where it exists, else the month's last day.
pub fn months_after(start: i64, months: i64) -> i64 {
    let Some(t) = chrono::Utc.timestamp_opt(start, 0).single() else {
        return start + months * 30 * 86_400;
    };
    let total = t.year() as i64 * 12 + t.month0() as i64 + months;
    let (year, month0) = (total.div_euclid(12) as i32, total.rem_euclid(12) as u32);
    let mut day = t.day();
    loop {
        if let Some(d) = chrono::NaiveDate::from_ymd_opt(year, month0 + 1, day) {
            return d.and_time(t.time()).and_utc().timestamp();
        }
        day -= 1;
    }
}

/// The outcome check-in jobs for a hire starting at `start`.
pub fn outcome_jobs<'a>(
    team_id: &'a str,
    loop_id: i64,
    start: i64,
    months: &[i64],
) -> Vec<NewJob<'a>> {
    months
        .iter()
        .map(|n| NewJob {
            kind: JobKind::OutcomeCheckIn,
            dedupe_key: outcome_key(loop_id, *n),
            team_id,
            loop_id: Some(loop_id),
            payload: json!({"loop_id": loop_id, "months": n}),
            due_at: months_after(start, *n),
        })
        .collect()
}

/// The first reminder of a check-in asked at `asked_at`.
pub fn reminder_job(team_id: &str, checkin_id: i64, asked_at: i64) -> NewJob<'_> {
    NewJob {
        kind: JobKind::CheckInReminder,
        dedupe_key: reminder_key(checkin_id),
        team_id,
        loop_id: None,
        payload: json!({"checkin_id": checkin_id}),
        due_at: asked_at + REMINDER_DAYS * 86_400,
    }
}

/// Months after the start: create the check-in and ask the hire's manager.
pub async fn outcome(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let p = job.payload();
    let (Some(loop_id), Some(months)) = (p["loop_id"].as_i64(), p["months"].as_i64()) else {
        return Err(anyhow::anyhow!("an outcome check-in job without its loop"));
    };
    let now = state.clock.unix();
    let l = loops::by_id(&state.db, loop_id).await?;
    let mut tx = state.db.begin().await?;
    if !jobs::finish(&mut tx, job, None, now).await? {
        return Ok(());
    }
    // The offer was corrected to declined meanwhile, or the loop is gone.
    let Some(l) = l.filter(|l| l.offer_outcome.as_deref() == Some("accepted")) else {
        tx.commit().await?;
        return Ok(());
    };
    let asked = audits::create_outcome_checkin(
        &mut tx,
        &l.team_id,
        loop_id,
        &l.hiring_manager,
        months,
        now,
    )
    .await?;
    if let Some(checkin_id) = asked {
        let ask = Effect::AskCheckIn {
            checkin_id,
            user: l.hiring_manager.clone(),
            reminder: false,
        };
        effects::record(&mut tx, &l.team_id, ask, state.clock.unix_ms()).await?;
        jobs::schedule(&mut tx, &reminder_job(&l.team_id, checkin_id, now), now).await?;
    }
    tx.commit().await?;
    tracing::info!(loop_id, months, "outcome check-in asked");
    Ok(())
}

/// A check-in still out: remind its judge, then again, a few times.
pub async fn reminder(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let Some(id) = job.payload()["checkin_id"].as_i64() else {
        return Err(anyhow::anyhow!("a check-in reminder without its check-in"));
    };
    let now = state.clock.unix();
    let c = audits::checkin(&state.db, id).await?;
    let open_audit = match c.as_ref() {
        Some(c) => match c.audit_id {
            Some(a) => audits::audit(&state.db, a)
                .await?
                .is_some_and(|a| a.state == crate::domain::AuditState::Open),
            // An outcome check-in is wanted while the offer stands accepted.
            None => loops::by_id(&state.db, c.loop_id)
                .await?
                .is_some_and(|l| l.offer_outcome.as_deref() == Some("accepted")),
        },
        None => false,
    };
    let due = c
        .as_ref()
        .filter(|c| c.submitted_at.is_none() && open_audit)
        .map(|c| (c, (now - c.asked_at) / (REMINDER_DAYS * 86_400)));
    let mut tx = state.db.begin().await?;
    let next = match due {
        Some((_, n)) if n < MAX_REMINDERS => Some(now + REMINDER_DAYS * 86_400),
        _ => None,
    };
    if !jobs::finish(&mut tx, job, next, now).await? {
        return Ok(());
    }
    if let Some((c, _)) = due {
        let remind = Effect::AskCheckIn {
            checkin_id: c.id,
            user: c.judge.clone(),
            reminder: true,
        };
        effects::record(&mut tx, &c.team_id, remind, state.clock.unix_ms()).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_count_on_the_calendar() {
        let day = |y, m, d| {
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp()
        };
        assert_eq!(months_after(day(2026, 12, 1), 6), day(2027, 6, 1));
        assert_eq!(months_after(day(2026, 8, 31), 6), day(2027, 2, 28));
        assert_eq!(months_after(day(2026, 12, 1), 12), day(2027, 12, 1));
    }
}
