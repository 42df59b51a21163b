//! What should happen in Slack, in the product's words. Handlers and jobs
//! record `Effect` values in the same transaction as the change that causes
//! them; the worker (`deliver`) renders each one from the current state when
//! it is delivered, calls Slack, and records what Slack answered. Nothing
//! here is Slack wire JSON: ids, sentences we wrote, and facts of the moment.

pub mod audit;
pub mod deliver;
pub mod legacy;
pub mod practice;
pub mod reveal;
pub mod votes;

use crate::domain::{Level, StageKind};
use crate::store::{outbox, Tx};
use serde::{Deserialize, Serialize};

/// Stored in `outbox.method` before the kind, so typed rows are told apart
/// from rows queued by an older release (delivered by `legacy`).
pub const METHOD_PREFIX: &str = "effect.";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Effect {
    // A new loop, in this order.
    CreateLoopChannel {
        loop_id: i64,
    },
    InviteToLoopChannel {
        loop_id: i64,
        users: Vec<String>,
    },
    SetLoopTopic {
        loop_id: i64,
    },
    PostLoopPlan {
        loop_id: i64,
    },
    /// Re-renders the plan message in place after a change of panel.
    UpdateLoopPlan {
        loop_id: i64,
    },
    /// Takes someone who no longer sits on any stage out of the channel.
    RemoveFromLoopChannel {
        loop_id: i64,
        user: String,
    },
    /// Tells whoever opened the loop where its channel is.
    TellOpenerLoopIsReady {
        loop_id: i64,
        opener: String,
    },
    // Scorecards.
    /// Briefs an interviewer before their live stage: when, what it probes
    /// with the rubric's anchors, the stage's guide (rendered at delivery).
    PrepInterviewer {
        stage_id: i64,
        user: String,
    },
    PromptInterviewer {
        prompt_id: i64,
        stage_id: i64,
        user: String,
    },
    RemindInterviewer {
        stage_id: i64,
        user: String,
        hours_since_end: i64,
    },
    /// Turns the prompt DM into "locked" once the card is in.
    MarkPromptLocked {
        prompt_id: i64,
        stage_id: i64,
        user: String,
        submitted_at: i64,
    },
    /// Who submitted (never what), with the loop's progress at that moment.
    NoteSubmission {
        loop_id: i64,
        user: String,
        stage: StageKind,
        /// The stage's name in its template (absent in rows queued before
        /// templates: the kind's title then).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stage_title: Option<String>,
        submitted: i64,
        expected: i64,
    },
    // The design-document gate.
    /// Asks the hiring manager to continue or stop after a weak document.
    AskGate {
        loop_id: i64,
        hiring_manager: String,
    },
    /// Replaces a message (the gate question) with the sentence that resolved it.
    ResolveMessage {
        user: String,
        channel: String,
        ts: String,
        text: String,
    },
    // Decisions.
    ProposeDecision {
        user: String,
        channel: Option<String>,
        decision_id: i64,
        applied: Level,
        level: Level,
    },
    // The debrief.
    /// Asks the hiring manager to confirm an early start, naming the live
    /// stages not yet held (rendered at delivery).
    ConfirmDebriefStart {
        user: String,
        channel: Option<String>,
        loop_id: i64,
    },
    PostRevealSummary {
        loop_id: i64,
    },
    PostRevealCard {
        loop_id: i64,
        scorecard_id: i64,
    },
    UploadRevealHeatMap {
        loop_id: i64,
    },
    /// The score grid in the reveal thread: Slack's native table, or the
    /// heat map PNG where the workspace refuses tables (or PNGs are asked for).
    PostRevealTable {
        loop_id: i64,
    },
    /// A card written after the debrief started, in the reveal thread,
    /// marked late.
    PostLateCard {
        loop_id: i64,
        scorecard_id: i64,
    },
    /// An addendum written after the debrief started, in the reveal thread.
    PostLateAddendum {
        loop_id: i64,
        addendum_id: i64,
    },
    /// Re-renders the reveal summary in place (`chat.update`), so a card
    /// that came in late is no longer named missing.
    UpdateRevealSummary {
        loop_id: i64,
    },
    ArchiveLoopChannel {
        loop_id: i64,
    },
    // Final votes after the reveal.
    /// Asks one panelist, privately, for their final vote.
    AskFinalVote {
        loop_id: i64,
        user: String,
    },
    /// In the reveal thread: the vote is open (who votes, never how), with
    /// the hiring manager's button to close it.
    PostVoteOpened {
        loop_id: i64,
    },
    /// In the reveal thread: who voted (never what), and how many are in.
    NoteFinalVote {
        loop_id: i64,
        user: String,
        voted: i64,
        expected: i64,
    },
    /// In the reveal thread, once: every vote, who moved and toward whom.
    PostFinalVotes {
        loop_id: i64,
    },
    // Sentences from `messages`.
    /// To the loop's channel.
    LoopChannelNote {
        loop_id: i64,
        text: String,
    },
    /// A DM to one person.
    DirectMessage {
        user: String,
        text: String,
    },
    /// A short answer to one person: only they see it where they pressed,
    /// or as a DM.
    Notice {
        user: String,
        channel: Option<String>,
        text: String,
    },
    /// Tells whoever opened the loop that something was given up on: what,
    /// and why, in plain words. Its own failure is not reported again.
    TellOpenerOfFailure {
        loop_id: i64,
        opener: String,
        what: String,
        why: String,
    },
    // Practice debriefs (`/staffloop calibrate`), in this order.
    CreateCalibrationChannel {
        calibration_id: i64,
    },
    InviteToCalibrationChannel {
        calibration_id: i64,
        users: Vec<String>,
    },
    /// What the practice debrief is, who is in it, and when it reveals.
    PostCalibrationIntro {
        calibration_id: i64,
    },
    /// One packet, as a DM to one participant (rendered at delivery, with
    /// every name masked and nothing scored in it).
    SendPacket {
        calibration_id: i64,
        position: i64,
        user: String,
    },
    /// Who sent a practice card (never what), and how many are in.
    NoteCalibrationCard {
        calibration_id: i64,
        user: String,
        position: i64,
        submitted: i64,
        expected: i64,
    },
    /// One packet's reveal, then each practice card in its thread.
    PostCalibrationReveal {
        calibration_id: i64,
        position: i64,
    },
    /// The whole practice debrief's agreement and offsets, last.
    PostCalibrationSummary {
        calibration_id: i64,
    },
    // The audit of past hires, and outcome check-ins. Never to a loop channel.
    /// Asks a judge how a hire works today (or reminds them).
    AskCheckIn {
        checkin_id: i64,
        user: String,
        reminder: bool,
    },
    /// Tells the admin who started an audit who is asked, with the close button.
    TellAuditStarted {
        audit_id: i64,
        user: String,
    },
    /// The audit's result, to the admin who started it...
    SendAuditReport {
        audit_id: i64,
        user: String,
    },
    /// ...and to the report channel, when they chose so.
    PostAuditReport {
        audit_id: i64,
        channel: String,
    },
    // Per person and per workspace.
    RefreshHome {
        user: String,
    },
    PostWeeklyReport {
        channel: String,
        window_days: i64,
        as_of: i64,
    },
    UploadWeeklyChart {
        channel: String,
        window_days: i64,
        as_of: i64,
    },
    /// The weekly trend: Slack's native line charts, or the PNG where the
    /// workspace refuses charts (or PNGs are asked for).
    PostWeeklyChart {
        channel: String,
        window_days: i64,
        as_of: i64,
    },
}

impl Effect {
    /// Effects with the same key are delivered one at a time, in the order
    /// they were recorded: a loop's channel before what is posted in it, a
    /// person's prompt before its "locked" update.
    pub fn ordering_key(&self, team_id: &str) -> String {
        use Effect::*;
        match self {
            CreateLoopChannel { loop_id }
            | InviteToLoopChannel { loop_id, .. }
            | SetLoopTopic { loop_id }
            | PostLoopPlan { loop_id }
            | UpdateLoopPlan { loop_id }
            | RemoveFromLoopChannel { loop_id, .. }
            | TellOpenerLoopIsReady { loop_id, .. }
            | NoteSubmission { loop_id, .. }
            | PostRevealSummary { loop_id }
            | PostRevealCard { loop_id, .. }
            | UploadRevealHeatMap { loop_id }
            | PostRevealTable { loop_id }
            | PostLateCard { loop_id, .. }
            | PostLateAddendum { loop_id, .. }
            | UpdateRevealSummary { loop_id }
            | ArchiveLoopChannel { loop_id }
            | PostVoteOpened { loop_id }
            | NoteFinalVote { loop_id, .. }
            | PostFinalVotes { loop_id }
            | LoopChannelNote { loop_id, .. } => format!("loop:{loop_id}"),
            PromptInterviewer { user, .. }
            | PrepInterviewer { user, .. }
            | RemindInterviewer { user, .. }
            | MarkPromptLocked { user, .. }
            | AskGate {
                hiring_manager: user,
                ..
            }
            | ResolveMessage { user, .. }
            | ProposeDecision { user, .. }
            | ConfirmDebriefStart { user, .. }
            | TellOpenerOfFailure { opener: user, .. }
            | DirectMessage { user, .. }
            | Notice { user, .. } => format!("user:{user}"),
            CreateCalibrationChannel { calibration_id }
            | InviteToCalibrationChannel { calibration_id, .. }
            | PostCalibrationIntro { calibration_id }
            | NoteCalibrationCard { calibration_id, .. }
            | PostCalibrationReveal { calibration_id, .. }
            | PostCalibrationSummary { calibration_id } => {
                format!("calibration:{calibration_id}")
            }
            SendPacket { user, .. }
            | AskFinalVote { user, .. }
            | AskCheckIn { user, .. }
            | TellAuditStarted { user, .. }
            | SendAuditReport { user, .. } => format!("user:{user}"),
            PostAuditReport { .. } => format!("report:{team_id}"),
            RefreshHome { user } => format!("home:{user}"),
            PostWeeklyReport { .. } | UploadWeeklyChart { .. } | PostWeeklyChart { .. } => {
                format!("report:{team_id}")
            }
        }
    }

    pub fn loop_id(&self) -> Option<i64> {
        use Effect::*;
        match self {
            CreateLoopChannel { loop_id }
            | InviteToLoopChannel { loop_id, .. }
            | SetLoopTopic { loop_id }
            | PostLoopPlan { loop_id }
            | UpdateLoopPlan { loop_id }
            | RemoveFromLoopChannel { loop_id, .. }
            | TellOpenerLoopIsReady { loop_id, .. }
            | NoteSubmission { loop_id, .. }
            | AskGate { loop_id, .. }
            | ConfirmDebriefStart { loop_id, .. }
            | PostRevealSummary { loop_id }
            | PostRevealCard { loop_id, .. }
            | UploadRevealHeatMap { loop_id }
            | PostRevealTable { loop_id }
            | PostLateCard { loop_id, .. }
            | PostLateAddendum { loop_id, .. }
            | UpdateRevealSummary { loop_id }
            | ArchiveLoopChannel { loop_id }
            | AskFinalVote { loop_id, .. }
            | PostVoteOpened { loop_id }
            | NoteFinalVote { loop_id, .. }
            | PostFinalVotes { loop_id }
            | LoopChannelNote { loop_id, .. } => Some(*loop_id),
            _ => None,
        }
    }

    /// The variant's name, as stored (after `METHOD_PREFIX`) and logged.
    pub fn kind(&self) -> String {
        serde_json::to_string(self)
            .ok()
            .and_then(|payload| kind_in(&payload))
            .unwrap_or_default()
    }
}

/// The variant's tag in a serialized effect, read without building a tree.
fn kind_in(payload: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Tag<'a> {
        kind: &'a str,
    }
    serde_json::from_str::<Tag>(payload)
        .ok()
        .map(|t| t.kind.to_string())
}

/// The outbox row for an effect of `team_id`'s.
pub fn encode(team_id: &str, effect: &Effect) -> outbox::NewRow {
    // Serialized once: the tag is read back from the payload.
    let payload = serde_json::to_string(effect).unwrap_or_default();
    let method = format!("{METHOD_PREFIX}{}", kind_in(&payload).unwrap_or_default());
    outbox::NewRow {
        ordering_key: effect.ordering_key(team_id),
        loop_id: effect.loop_id(),
        method,
        payload,
        home_of: match effect {
            Effect::RefreshHome { user } => Some(user.clone()),
            _ => None,
        },
        settle_ms: 0,
    }
}

/// How long a refresh of someone else's Home (a hiring manager's, after a
/// card in one of their loops) waits for more changes to join it: a busy
/// manager's Home is built once for a burst of cards, not once per card.
/// A refresh wanted now (the author's own, or the Home being opened) does
/// not wait, and takes a waiting one along.
pub const HOME_SETTLE_MS: i64 = 2_000;

/// Records a refresh of `user`'s Home that may wait `settle_ms`
/// (`Tuning::home_settle_ms`, by default `HOME_SETTLE_MS`).
pub async fn record_home_refresh_later(
    tx: &mut Tx,
    team_id: &str,
    user: &str,
    now_ms: i64,
    settle_ms: i64,
) -> Result<(), sqlx::Error> {
    let effect = Effect::RefreshHome {
        user: user.to_string(),
    };
    let mut row = encode(team_id, &effect);
    row.settle_ms = settle_ms;
    outbox::enqueue(tx, team_id, row, now_ms).await
}

/// Records an effect in the transaction; it is written when it commits.
pub async fn record(
    tx: &mut Tx,
    team_id: &str,
    effect: Effect,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    outbox::enqueue(tx, team_id, encode(team_id, &effect), now_ms).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_round_trip_and_keep_their_keys() {
        let e = Effect::NoteSubmission {
            loop_id: 7,
            user: "U1".into(),
            stage: StageKind::Coding,
            stage_title: None,
            submitted: 1,
            expected: 7,
        };
        let text = serde_json::to_string(&e).unwrap();
        assert!(text.contains("\"kind\":\"note_submission\""), "{text}");
        assert_eq!(serde_json::from_str::<Effect>(&text).unwrap(), e);
        assert_eq!(e.ordering_key("T1"), "loop:7");
        assert_eq!(e.kind(), "note_submission");
        assert_eq!(
            encode("T1", &e).method,
            format!("{METHOD_PREFIX}note_submission")
        );
        assert_eq!(
            Effect::RefreshHome { user: "U2".into() }.ordering_key("T1"),
            "home:U2"
        );
        assert_eq!(
            Effect::UploadWeeklyChart {
                channel: "C1".into(),
                window_days: 90,
                as_of: 0
            }
            .ordering_key("T1"),
            "report:T1"
        );
    }
}
