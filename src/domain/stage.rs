//! The six stages of the default staff loop, with their lengths, what they
//! probe and who may sit on them.

use super::rubric::Dimension;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    HmScreen,
    DesignDoc,
    DeepDive,
    Coding,
    CrossTeam,
    BarRaiser,
    /// Kinds a template may add (the linter has opinions about each).
    SystemDesign,
    Presentation,
    Behavioural,
}

/// What a stage's scorecard asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probe {
    Dimensions(&'static [Dimension]),
    /// The senior coding card, with diagnosis and code review weighted up.
    CodingCard,
}

/// Candidate time for the asynchronous written design document, in hours.
pub const DESIGN_DOC_CANDIDATE_HOURS: (u32, u32) = (4, 8);
/// Time each reader spends on the design document before scoring or the
/// deep-dive, in minutes (interviewer time, not candidate time).
pub const DESIGN_DOC_READING_MINUTES: i64 = 60;

impl StageKind {
    /// The default template, in order.
    pub const ALL: [StageKind; 6] = [
        StageKind::HmScreen,
        StageKind::DesignDoc,
        StageKind::DeepDive,
        StageKind::Coding,
        StageKind::CrossTeam,
        StageKind::BarRaiser,
    ];

    /// Every kind a template may name: the default six, then the others.
    pub const KINDS: [StageKind; 9] = [
        StageKind::HmScreen,
        StageKind::DesignDoc,
        StageKind::DeepDive,
        StageKind::Coding,
        StageKind::CrossTeam,
        StageKind::BarRaiser,
        StageKind::SystemDesign,
        StageKind::Presentation,
        StageKind::Behavioural,
    ];

    /// Stable token for storage and Slack block ids.
    pub fn key(self) -> &'static str {
        match self {
            StageKind::HmScreen => "hm_screen",
            StageKind::DesignDoc => "design_doc",
            StageKind::DeepDive => "deep_dive",
            StageKind::Coding => "coding",
            StageKind::CrossTeam => "cross_team",
            StageKind::BarRaiser => "bar_raiser",
            StageKind::SystemDesign => "system_design",
            StageKind::Presentation => "presentation",
            StageKind::Behavioural => "behavioural",
        }
    }

    pub fn parse(raw: &str) -> Option<StageKind> {
        StageKind::KINDS.into_iter().find(|k| k.key() == raw)
    }

    /// 1-based position in the loop.
    pub fn position(self) -> u8 {
        StageKind::ALL.iter().position(|k| *k == self).unwrap_or(0) as u8 + 1
    }

    pub fn title(self) -> &'static str {
        match self {
            StageKind::HmScreen => "Hiring-manager screen",
            StageKind::DesignDoc => "Written design document",
            StageKind::DeepDive => "Design-document deep-dive",
            StageKind::Coding => "Coding round",
            StageKind::CrossTeam => "Cross-team influence",
            StageKind::BarRaiser => "Bar raiser",
            StageKind::SystemDesign => "System design",
            StageKind::Presentation => "Presentation",
            StageKind::Behavioural => "Behavioural interview",
        }
    }

    /// Length of a live stage in minutes; `None` for the asynchronous document.
    pub fn length_minutes(self) -> Option<i64> {
        match self {
            StageKind::HmScreen => Some(60),
            StageKind::DesignDoc => None,
            StageKind::DeepDive => Some(75),
            StageKind::Coding => Some(60),
            StageKind::CrossTeam => Some(60),
            StageKind::BarRaiser => Some(45),
            StageKind::SystemDesign | StageKind::Presentation | StageKind::Behavioural => Some(60),
        }
    }

    pub fn is_live(self) -> bool {
        self.length_minutes().is_some()
    }

    pub fn probe(self) -> Probe {
        use Dimension::*;
        match self {
            StageKind::HmScreen => Probe::Dimensions(&[ScopeOfJudgement]),
            StageKind::DesignDoc | StageKind::DeepDive => {
                Probe::Dimensions(&[ScopeOfJudgement, ArchitecturalDecisions])
            }
            StageKind::Coding => Probe::CodingCard,
            StageKind::CrossTeam => Probe::Dimensions(&[CrossTeamInfluence, MentorshipAtDistance]),
            StageKind::BarRaiser => Probe::Dimensions(&Dimension::ALL),
            StageKind::SystemDesign => Probe::Dimensions(&[ArchitecturalDecisions]),
            StageKind::Presentation => Probe::Dimensions(&[CrossTeamInfluence]),
            StageKind::Behavioural => {
                Probe::Dimensions(&[CrossTeamInfluence, MentorshipAtDistance])
            }
        }
    }

    /// How many interviewers the stage needs at least.
    pub fn min_interviewers(self) -> usize {
        match self {
            StageKind::DeepDive => 2,
            _ => 1,
        }
    }
}

/// How a stage is named to people, from what the store holds: a template's
/// title, or (for stages stored before templates) the kind's key.
pub fn display_title(name: &str) -> String {
    match StageKind::parse(name) {
        Some(kind) => kind.title().to_string(),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_matches_the_process() {
        let live: i64 = StageKind::ALL
            .iter()
            .filter_map(|k| k.length_minutes())
            .sum();
        assert_eq!(live, 300, "five live stages, five hours");
        assert_eq!(StageKind::DeepDive.position(), 3);
        assert_eq!(StageKind::DeepDive.min_interviewers(), 2);
        assert!(!StageKind::DesignDoc.is_live());
        for k in StageKind::KINDS {
            assert_eq!(StageKind::parse(k.key()), Some(k));
        }
    }
}
