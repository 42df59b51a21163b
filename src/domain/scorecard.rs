//! A scorecard: what an interviewer scores for their stage, the rules a card
//! must meet before it is locked, and the numbers derived from it.

use super::rubric::{Dimension, Level};
use super::stage::{Probe, StageKind};
use super::template::StageSpec;
use serde::{Deserialize, Serialize};

/// Shortest evidence accepted per criterion, in characters.
pub const MIN_EVIDENCE_CHARS: usize = 40;
/// Longest evidence accepted per criterion, in characters (Slack's input limit).
pub const MAX_EVIDENCE_CHARS: usize = 3000;
/// Scores at or above this are at the staff anchor.
pub const STAFF_ANCHOR: f64 = 3.0;

/// The coding card's criteria (the senior coding rubric).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodingCriterion {
    DiagnosticThinking,
    CodeReviewQuality,
    SmallestSafeRefactor,
    Throughput,
}

/// Anything a card scores 1–4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Criterion {
    Dimension(Dimension),
    Coding(CodingCriterion),
}

impl Criterion {
    pub const ALL: [Criterion; 8] = [
        Criterion::Dimension(Dimension::ScopeOfJudgement),
        Criterion::Dimension(Dimension::ArchitecturalDecisions),
        Criterion::Dimension(Dimension::CrossTeamInfluence),
        Criterion::Dimension(Dimension::MentorshipAtDistance),
        Criterion::Coding(CodingCriterion::DiagnosticThinking),
        Criterion::Coding(CodingCriterion::CodeReviewQuality),
        Criterion::Coding(CodingCriterion::SmallestSafeRefactor),
        Criterion::Coding(CodingCriterion::Throughput),
    ];

    pub fn key(self) -> &'static str {
        match self {
            Criterion::Dimension(Dimension::ScopeOfJudgement) => "scope_of_judgement",
            Criterion::Dimension(Dimension::ArchitecturalDecisions) => "architectural_decisions",
            Criterion::Dimension(Dimension::CrossTeamInfluence) => "cross_team_influence",
            Criterion::Dimension(Dimension::MentorshipAtDistance) => "mentorship_at_distance",
            Criterion::Coding(CodingCriterion::DiagnosticThinking) => "diagnostic_thinking",
            Criterion::Coding(CodingCriterion::CodeReviewQuality) => "code_review_quality",
            Criterion::Coding(CodingCriterion::SmallestSafeRefactor) => "smallest_safe_refactor",
            Criterion::Coding(CodingCriterion::Throughput) => "throughput",
        }
    }

    pub fn parse(key: &str) -> Option<Criterion> {
        Criterion::ALL.into_iter().find(|c| c.key() == key)
    }

    /// Weight in the card's average: diagnosis and code review count double.
    pub fn weight(self) -> u32 {
        match self {
            Criterion::Coding(
                CodingCriterion::DiagnosticThinking | CodingCriterion::CodeReviewQuality,
            ) => 2,
            _ => 1,
        }
    }

    /// What a stage's card scores, in order.
    pub fn for_stage(kind: StageKind) -> Vec<Criterion> {
        match kind.probe() {
            Probe::Dimensions(dims) => dims.iter().map(|d| Criterion::Dimension(*d)).collect(),
            Probe::CodingCard => Criterion::ALL
                .into_iter()
                .filter(|c| matches!(c, Criterion::Coding(_)))
                .collect(),
        }
    }
}

/// The level a score maps to.
pub fn level_of_score(score: u8) -> Level {
    match score {
        0 | 1 => Level::NoHire,
        2 => Level::Senior,
        3 => Level::Staff,
        _ => Level::SeniorStaff,
    }
}

/// A card as submitted, before any rule is checked.
#[derive(Clone, Debug, Default)]
pub struct CardDraft {
    /// (criterion, score if chosen, evidence).
    pub scores: Vec<(Criterion, Option<u8>, String)>,
    pub recommendation: Option<Level>,
    /// The bar raiser's "would I want to work with them?" and why.
    pub work_with: Option<(Option<bool>, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub criterion: String,
    pub score: u8,
    pub evidence: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkWith {
    pub answer: bool,
    pub reason: String,
}

/// A valid card: what is stored, locked, and revealed at the debrief.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub scores: Vec<Score>,
    pub recommendation: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub work_with: Option<WorkWith>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardField {
    Score(Criterion),
    Evidence(Criterion),
    Recommendation,
    WorkWith,
    WorkWithReason,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardProblem {
    ScoreMissing,
    EvidenceTooShort { min: usize },
    EvidenceTooLong { max: usize },
    RecommendationMissing,
    AnswerMissing,
}

pub type CardErrors = Vec<(CardField, CardProblem)>;

/// Characters that show nothing, not even a space: zero-width spaces and
/// joiners, direction marks, the byte-order mark, soft hyphens, variation
/// selectors, tag characters, fillers, blank patterns and control codes.
fn is_invisible(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5
            | 0x180B..=0x180F | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F
            | 0x2800 | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0
            | 0x1D173..=0x1D17A | 0xE0000..=0xE007F | 0xE0100..=0xE01EF)
}

/// Characters a reader sees: what counts toward the evidence minimum.
/// Invisible characters count for nothing, and a run of blanks (of any
/// kind) for one, as a space between words.
pub fn visible_chars(text: &str) -> usize {
    let mut n = 0;
    let mut after_blank = true; // leading blanks count for nothing
    for c in text.chars().filter(|c| !is_invisible(*c)) {
        if c.is_whitespace() {
            if !after_blank {
                n += 1;
            }
            after_blank = true;
        } else {
            n += 1;
            after_blank = false;
        }
    }
    n
}

fn check_text(text: &str, field: CardField, errors: &mut CardErrors) -> String {
    let text = text.trim();
    let n = text.chars().count();
    if visible_chars(text) < MIN_EVIDENCE_CHARS {
        errors.push((
            field,
            CardProblem::EvidenceTooShort {
                min: MIN_EVIDENCE_CHARS,
            },
        ));
    } else if n > MAX_EVIDENCE_CHARS {
        errors.push((
            field,
            CardProblem::EvidenceTooLong {
                max: MAX_EVIDENCE_CHARS,
            },
        ));
    }
    text.to_string()
}

impl CardDraft {
    pub fn validate(self, spec: &StageSpec) -> Result<Card, CardErrors> {
        let kind = spec.kind;
        let mut errors = Vec::new();
        let mut scores = Vec::new();
        for criterion in spec.criteria() {
            let (score, evidence) = self
                .scores
                .iter()
                .find(|(c, _, _)| *c == criterion)
                .map(|(_, s, e)| (*s, e.as_str()))
                .unwrap_or((None, ""));
            let score = score.filter(|s| (1..=4).contains(s));
            if score.is_none() {
                errors.push((CardField::Score(criterion), CardProblem::ScoreMissing));
            }
            let evidence = check_text(evidence, CardField::Evidence(criterion), &mut errors);
            scores.push(Score {
                criterion: criterion.key().to_string(),
                score: score.unwrap_or(0),
                evidence,
            });
        }
        let work_with = if kind == StageKind::BarRaiser {
            let (answer, reason) = self.work_with.clone().unwrap_or((None, String::new()));
            if answer.is_none() {
                errors.push((CardField::WorkWith, CardProblem::AnswerMissing));
            }
            let reason = check_text(&reason, CardField::WorkWithReason, &mut errors);
            Some(WorkWith {
                answer: answer.unwrap_or(false),
                reason,
            })
        } else {
            None
        };
        if self.recommendation.is_none() {
            errors.push((
                CardField::Recommendation,
                CardProblem::RecommendationMissing,
            ));
        }
        match self.recommendation {
            Some(level) if errors.is_empty() => Ok(Card {
                scores,
                recommendation: level.as_str().to_string(),
                work_with,
            }),
            _ => Err(errors),
        }
    }
}

impl Card {
    /// The weighted average of the card's scores (coding: diagnosis and
    /// review count double).
    pub fn weighted_average(&self) -> f64 {
        let (sum, weights) = self.scores.iter().fold((0u32, 0u32), |(s, w), score| {
            let weight = Criterion::parse(&score.criterion)
                .map(Criterion::weight)
                .unwrap_or(1);
            (s + score.score as u32 * weight, w + weight)
        });
        if weights == 0 {
            0.0
        } else {
            sum as f64 / weights as f64
        }
    }

    pub fn recommendation(&self) -> Option<Level> {
        Level::parse(&self.recommendation)
    }

    /// The design-document gate: a no-hire, or scores below the staff anchor
    /// on average.
    pub fn below_staff_bar(&self) -> bool {
        self.recommendation() == Some(Level::NoHire) || self.weighted_average() < STAFF_ANCHOR
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_do_not_count_toward_the_minimum() {
        let zero_width = "\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}".repeat(20);
        assert_eq!(visible_chars(&zero_width), 0);
        assert_eq!(visible_chars(&"\u{00A0}\u{3000} ".repeat(30)), 0);
        let padded = format!("too short{}", "\u{200B}".repeat(60));
        assert_eq!(visible_chars(&padded), 9);
        let spaced = format!("ok{}.", "\u{3000} ".repeat(30));
        assert_eq!(visible_chars(&spaced), 4);
        let mut errors = Vec::new();
        check_text(&padded, CardField::Recommendation, &mut errors);
        assert_eq!(
            errors,
            vec![(
                CardField::Recommendation,
                CardProblem::EvidenceTooShort {
                    min: MIN_EVIDENCE_CHARS
                }
            )]
        );
        let real = "Led the migration across three teams with a written plan.";
        assert_eq!(visible_chars(real), real.chars().count());
    }

    fn evidence() -> String {
        "Named the on-call cost of the queue and asked who owns it today.".into()
    }

    fn draft(kind: StageKind, score: u8, level: Level) -> CardDraft {
        CardDraft {
            scores: Criterion::for_stage(kind)
                .into_iter()
                .map(|c| (c, Some(score), evidence()))
                .collect(),
            recommendation: Some(level),
            work_with: Some((Some(true), evidence())),
        }
    }

    #[test]
    fn stages_score_what_they_probe() {
        assert_eq!(Criterion::for_stage(StageKind::BarRaiser).len(), 4);
        assert_eq!(Criterion::for_stage(StageKind::Coding).len(), 4);
        assert_eq!(Criterion::for_stage(StageKind::HmScreen).len(), 1);
        assert_eq!(Criterion::for_stage(StageKind::CrossTeam).len(), 2);
        for c in Criterion::ALL {
            assert_eq!(Criterion::parse(c.key()), Some(c));
        }
    }

    #[test]
    fn coding_weights_diagnosis_and_review_double() {
        let mut d = draft(StageKind::Coding, 2, Level::Senior);
        d.scores[0].1 = Some(4); // diagnostic thinking
        d.scores[1].1 = Some(4); // code review
        let card = d
            .validate(&StageSpec::default_for(StageKind::Coding))
            .unwrap();
        // (4*2 + 4*2 + 2 + 2) / 6
        assert!((card.weighted_average() - 20.0 / 6.0).abs() < 1e-9);
    }

    #[test]
    fn every_rule_is_checked() {
        let mut d = draft(StageKind::BarRaiser, 3, Level::Staff);
        d.scores[1].1 = None;
        d.scores[2].2 = "good".into();
        d.recommendation = None;
        d.work_with = Some((None, "short".into()));
        let errors = d
            .validate(&StageSpec::default_for(StageKind::BarRaiser))
            .unwrap_err();
        let fields: Vec<CardField> = errors.iter().map(|(f, _)| *f).collect();
        assert!(fields.contains(&CardField::Score(Criterion::Dimension(
            Dimension::ArchitecturalDecisions
        ))));
        assert!(fields.contains(&CardField::Evidence(Criterion::Dimension(
            Dimension::CrossTeamInfluence
        ))));
        assert!(fields.contains(&CardField::Recommendation));
        assert!(fields.contains(&CardField::WorkWith));
        assert!(fields.contains(&CardField::WorkWithReason));
    }

    #[test]
    fn the_document_gate() {
        let strong = draft(StageKind::DesignDoc, 3, Level::Staff)
            .validate(&StageSpec::default_for(StageKind::DesignDoc))
            .unwrap();
        assert!(!strong.below_staff_bar());
        let weak = draft(StageKind::DesignDoc, 2, Level::Staff)
            .validate(&StageSpec::default_for(StageKind::DesignDoc))
            .unwrap();
        assert!(weak.below_staff_bar());
        let no = draft(StageKind::DesignDoc, 4, Level::NoHire)
            .validate(&StageSpec::default_for(StageKind::DesignDoc))
            .unwrap();
        assert!(no.below_staff_bar());
        assert_eq!(level_of_score(3), Level::Staff);
    }
}
