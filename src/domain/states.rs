//! The states a loop, a stage, the design-document gate and a decision move
//! through. The store turns its text columns into these once, at its edge;
//! everything above compares enums, never strings.

/// Declares a state enum with its stored spelling.
macro_rules! states {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// The stored spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

states! {
    /// A loop from opening to its end.
    LoopState {
        /// Stages run, cards come in, the debrief starts, a decision is made.
        Open = "open",
        /// Stopped at the design-document gate.
        Stopped = "stopped",
        /// A decision is confirmed.
        Decided = "decided",
    }
}

states! {
    /// One stage of a loop.
    StageState {
        /// Not over yet: its cards are not yet asked for.
        Scheduled = "scheduled",
        /// Held (or its card came in early): its panel is asked for cards.
        Done = "done",
        /// Stopped with the loop; its cards are not expected.
        Cancelled = "cancelled",
    }
}

states! {
    /// The design-document gate.
    DocGate {
        /// The document card fell below the bar; the hiring manager is asked.
        Asked = "asked",
        Continued = "continued",
        Stopped = "stopped",
    }
}

impl DocGate {
    /// The hiring manager has answered.
    pub fn is_settled(self) -> bool {
        self != DocGate::Asked
    }
}

states! {
    /// A practice debrief (`/staffloop calibrate`).
    CalibrationState {
        /// Packets are out; cards come in, locked and hidden.
        Open = "open",
        /// Every card is shown; no more are taken.
        Revealed = "revealed",
    }
}

states! {
    /// A retrospective audit of past hires (`/staffloop audit`).
    AuditState {
        /// Check-ins are out; they come in locked and hidden.
        Open = "open",
        /// Every check-in is in, or an admin closed it: the report went out.
        Closed = "closed",
    }
}

states! {
    /// A decision entry.
    DecisionStatus {
        /// Waiting for its author to confirm.
        Proposed = "proposed",
        Confirmed = "confirmed",
        /// Its author thought better of it before confirming.
        Cancelled = "cancelled",
    }
}

states! {
    /// Scheduled work, kept as rows with a due time (see `store::jobs`).
    JobKind {
        /// A stage is over: ask its panel for cards.
        StageEnd = "stage_end",
        /// A card is still missing some hours after its stage.
        Reminder = "reminder",
        /// An hour before the debrief: tell the HM whose cards are missing.
        HmMissing = "hm_missing",
        /// A day before the deep-dive: warn the HM if the document is late.
        DocDeadline = "doc_deadline",
        /// The debrief's time: reveal every card.
        Debrief = "debrief",
        /// The day before archiving: say so in the channel.
        ArchiveNote = "archive_note",
        /// Archive the loop's channel.
        Archive = "archive",
        /// Post the weekly downlevel report.
        WeeklyReport = "weekly_report",
        /// Daily: purge delivered effects and seen event ids past retention.
        Housekeeping = "housekeeping",
        /// Before a live stage: brief one interviewer.
        Prep = "prep",
        /// A practice debrief's time: reveal its cards.
        CalibrationReveal = "calibration_reveal",
        /// Months after a hire started: ask their manager how they work.
        OutcomeCheckIn = "outcome_check_in",
        /// A check-in is still not in: remind its judge.
        CheckInReminder = "check_in_reminder",
        /// A while into the debrief: open the final vote.
        OpenFinalVotes = "open_final_votes",
    }
}

impl JobKind {
    pub const ALL: [JobKind; 14] = [
        JobKind::OpenFinalVotes,
        JobKind::CalibrationReveal,
        JobKind::OutcomeCheckIn,
        JobKind::CheckInReminder,
        JobKind::Prep,
        JobKind::Housekeeping,
        JobKind::StageEnd,
        JobKind::Reminder,
        JobKind::HmMissing,
        JobKind::DocDeadline,
        JobKind::Debrief,
        JobKind::ArchiveNote,
        JobKind::Archive,
        JobKind::WeeklyReport,
    ];
}

impl LoopState {
    /// Stages run and cards are taken.
    pub fn is_open(self) -> bool {
        self == LoopState::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_its_stored_spelling() {
        for s in [LoopState::Open, LoopState::Stopped, LoopState::Decided] {
            assert_eq!(LoopState::parse(s.as_str()), Some(s));
        }
        for s in [
            StageState::Scheduled,
            StageState::Done,
            StageState::Cancelled,
        ] {
            assert_eq!(StageState::parse(s.as_str()), Some(s));
        }
        for s in [DocGate::Asked, DocGate::Continued, DocGate::Stopped] {
            assert_eq!(DocGate::parse(s.as_str()), Some(s));
        }
        for s in [
            DecisionStatus::Proposed,
            DecisionStatus::Confirmed,
            DecisionStatus::Cancelled,
        ] {
            assert_eq!(DecisionStatus::parse(s.as_str()), Some(s));
        }
        for k in JobKind::ALL {
            assert_eq!(JobKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(LoopState::parse("Open"), None);
        assert!(!DocGate::Asked.is_settled() && DocGate::Stopped.is_settled());
    }
}
