//! `staffloop export`: a whole loop as JSON for the organisation's own
//! records: plan, cards, addenda, decisions and the audit trail. Refused
//! before the debrief has started unless an operator forces it (and then the
//! forcing is logged and audited). A hire's on-the-job check-ins are
//! included only when forced, and that is audited too.

use crate::store::{cards, decisions, loops, Db};
use anyhow::Context;
use serde_json::{json, Value};

#[derive(Debug)]
pub enum ExportError {
    NotFound,
    NotRevealed,
    Other(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for ExportError {
    fn from(e: E) -> Self {
        ExportError::Other(e.into())
    }
}

/// Logs and audits what an operator's `--force` let through.
async fn forced(db: &Db, team_id: &str, loop_id: i64, what: &str, now: i64) -> anyhow::Result<()> {
    tracing::warn!(loop_id, what, "forced export by an operator");
    let mut tx = db.begin().await?;
    loops::audit(&mut tx, team_id, Some(loop_id), "operator", what, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn export(db: &Db, which: &str, force: bool, now: i64) -> Result<Value, ExportError> {
    let id = loops::find_for_export(db, which)
        .await?
        .ok_or(ExportError::NotFound)?;
    let l = loops::by_id(db, id).await?.ok_or(ExportError::NotFound)?;
    if l.debrief_started_at.is_none() {
        if !force {
            return Err(ExportError::NotRevealed);
        }
        forced(
            db,
            &l.team_id,
            id,
            "exported before the debrief (forced)",
            now,
        )
        .await?;
    }
    let stages = loops::stage_status(db, id).await?;
    let addenda = cards::addenda(db, id).await?;
    let cards: Vec<Value> = cards::reveal_rows(db, id)
        .await?
        .into_iter()
        .map(|c| {
            let content: Value = serde_json::from_str(&c.content).unwrap_or(Value::Null);
            let own: Vec<Value> = addenda
                .iter()
                .filter(|a| a.scorecard_id == c.id)
                .map(|a| json!({"body": a.body, "at": a.created_at, "after_reveal": a.after_reveal != 0}))
                .collect();
            json!({"interviewer": c.interviewer, "stage": c.kind, "submitted_at": c.submitted_at,
                   "after_reveal": c.after_reveal != 0, "card": content, "addenda": own})
        })
        .collect();
    let decisions: Vec<Value> = decisions::all_for_loop(db, id)
        .await?
        .into_iter()
        .map(|d| json!({"level": d.level, "note": d.note, "by": d.decided_by, "proposed_at": d.proposed_at,
                        "confirmed_at": d.confirmed_at, "status": d.status, "corrects": d.corrects,
                        "cards_median": d.cards_median, "votes_median": d.votes_median, "departs": d.departs != 0}))
        .collect();
    // On-the-job check-ins are the most sensitive rows kept: only when an
    // operator forces it, and the forcing is audited (before it is read).
    let mut checkins: Option<Vec<Value>> = None;
    if force {
        let rows = crate::store::audits::loop_checkins(db, id).await?;
        if !rows.is_empty() {
            let what = "exported with on-the-job check-ins (forced)";
            forced(db, &l.team_id, id, what, now).await?;
            checkins = Some(
                rows.iter()
                    .map(|c| {
                        let scores: Value = c.content.as_deref().and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null);
                        json!({"judge": c.judge, "audit_id": c.audit_id, "months": c.months, "asked_at": c.asked_at,
                               "submitted_at": c.submitted_at, "working_at": c.working_at, "scores": scores})
                    })
                    .collect(),
            );
        }
    }
    let audit = loops::audit_trail(db, id)
        .await
        .context("reading the audit log")?;
    // Final votes are hidden until the vote closes, in the export too.
    let (_, closed) = crate::store::votes::state(db, id).await?;
    let cast = match closed {
        Some(_) => crate::store::votes::votes(db, id).await?,
        None => Vec::new(),
    };
    let final_votes: Vec<Value> = cast
        .into_iter()
        .map(|v| {
            let revisions: Value = serde_json::from_str(&v.revisions).unwrap_or(Value::Null);
            json!({"voter": v.voter, "card_level": v.card_level, "level": v.level, "reason": v.reason,
                   "revisions": revisions, "submitted_at": v.submitted_at})
        })
        .collect();
    let mut out = json!({
        "loop": {"id": l.id, "team_id": l.team_id, "candidate": l.candidate_name, "applied_level": l.applied_level,
                 "hiring_manager": l.hiring_manager, "channel_id": l.channel_id, "channel_name": l.channel_name,
                 "debrief_at": l.debrief_at, "debrief_started_at": l.debrief_started_at, "state": l.state,
                 "design_doc_gate": l.doc_gate, "decided_level": l.decided_level, "decided_at": l.decided_at,
                 "corrected_at": l.corrected_at, "offer_outcome": l.offer_outcome},
        "plan": stages.iter().map(|s| json!({"position": s.position, "stage": s.kind, "title": s.title,
                 "starts_at": s.starts_at, "length_minutes": s.length_minutes,
                 "state": s.state, "interviewers": s.interviewers.iter().map(|(u, _)| u).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "cards": cards,
        "decisions": decisions,
        "final_votes": final_votes,
        "audit": audit.into_iter().map(|(actor, action, at)| json!({"actor": actor, "action": action, "at": at})).collect::<Vec<_>>(),
    });
    if let Some(c) = checkins {
        out["checkins"] = json!(c);
    }
    Ok(out)
}
