//! The staff rubric: four dimensions scored 1–4, and the level scale that
//! scores and recommendations map to.

/// One of the four dimensions that distinguish staff from a fast senior.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    ScopeOfJudgement,
    ArchitecturalDecisions,
    CrossTeamInfluence,
    MentorshipAtDistance,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [
        Dimension::ScopeOfJudgement,
        Dimension::ArchitecturalDecisions,
        Dimension::CrossTeamInfluence,
        Dimension::MentorshipAtDistance,
    ];

    /// The rubric's numbering (1–4), used in plan messages.
    pub fn number(self) -> u8 {
        match self {
            Dimension::ScopeOfJudgement => 1,
            Dimension::ArchitecturalDecisions => 2,
            Dimension::CrossTeamInfluence => 3,
            Dimension::MentorshipAtDistance => 4,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Dimension::ScopeOfJudgement => "Scope of judgement",
            Dimension::ArchitecturalDecisions => "Architectural decision quality",
            Dimension::CrossTeamInfluence => "Cross-team influence",
            Dimension::MentorshipAtDistance => "Technical mentorship at distance",
        }
    }
}

/// A level on the ladder: what a recommendation or a decision names.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    NoHire,
    Senior,
    Staff,
    SeniorStaff,
}

impl Level {
    /// Stable token used in storage and in Slack option values.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::NoHire => "no_hire",
            Level::Senior => "senior",
            Level::Staff => "staff",
            Level::SeniorStaff => "senior_staff",
        }
    }

    pub fn parse(raw: &str) -> Option<Level> {
        match raw.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "no_hire" => Some(Level::NoHire),
            "senior" => Some(Level::Senior),
            "staff" => Some(Level::Staff),
            "senior_staff" => Some(Level::SeniorStaff),
            _ => None,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Level::NoHire => "No hire",
            Level::Senior => "Senior",
            Level::Staff => "Staff",
            Level::SeniorStaff => "Senior staff",
        }
    }

    /// A loop is opened for someone who applied at staff or above.
    pub fn is_applicable(self) -> bool {
        matches!(self, Level::Staff | Level::SeniorStaff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_tokens_round_trip() {
        for level in [
            Level::NoHire,
            Level::Senior,
            Level::Staff,
            Level::SeniorStaff,
        ] {
            assert_eq!(Level::parse(level.as_str()), Some(level));
        }
        assert_eq!(Level::parse("senior-staff"), Some(Level::SeniorStaff));
        assert_eq!(Level::parse("principal"), None);
        assert!(!Level::Senior.is_applicable());
        assert!(Level::Staff.is_applicable());
    }
}
