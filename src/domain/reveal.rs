//! The maths of the reveal: the interviewer × criterion grid, each
//! criterion's median and spread, the recommendations tallied, and the flags
//! a debrief panel should talk about first.

use super::rubric::{Dimension, Level};
use super::scorecard::{level_of_score, Criterion};
use super::states::DocGate;

/// Scores on one criterion this far apart are a disagreement to discuss.
pub const DISAGREEMENT_POINTS: u8 = 2;
/// Recommendations this many levels apart are a split panel.
pub const RECOMMENDATION_SPREAD_LEVELS: usize = 2;

#[derive(Clone, Debug, PartialEq)]
pub struct RevealCard {
    pub interviewer: String,
    /// The stage's name as people see it.
    pub stage: String,
    pub scores: Vec<(Criterion, u8)>,
    pub recommendation: Level,
    pub after_reveal: bool,
    pub addenda: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CriterionSummary {
    pub criterion: Criterion,
    pub scores: Vec<u8>,
    pub median: f64,
    pub spread: u8,
}

impl CriterionSummary {
    /// The level the median maps to (rounded down: a 2.5 is not yet staff).
    pub fn median_level(&self) -> Level {
        level_of_score(self.median.floor() as u8)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Flag {
    Disagreement {
        criterion: Criterion,
        low: u8,
        high: u8,
    },
    SplitRecommendations {
        low: Level,
        high: Level,
    },
    Missing {
        interviewer: String,
        stage: String,
    },
    AfterReveal {
        interviewer: String,
        stage: String,
    },
    Addenda {
        interviewer: String,
        stage: String,
        count: usize,
    },
    DocGate {
        outcome: DocGate,
    },
    Unscored(Dimension),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Reveal {
    /// Criteria any card scored, in rubric order.
    pub criteria: Vec<CriterionSummary>,
    /// (level, how many cards recommend it), from no hire up.
    pub tally: Vec<(Level, usize)>,
    pub flags: Vec<Flag>,
}

pub fn median(sorted: &[u8]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2] as f64,
        n => (sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0,
    }
}

const LEVELS: [Level; 4] = [
    Level::NoHire,
    Level::Senior,
    Level::Staff,
    Level::SeniorStaff,
];

fn level_index(l: Level) -> usize {
    LEVELS.iter().position(|x| *x == l).unwrap_or(0)
}

/// Everything the summary message shows. `missing` names expected cards
/// that are not in; `doc_gate` is the design-document gate's outcome, if any.
/// The figures are the cards in by the start; a card written after it is
/// flagged, not counted: the panel's blind judgement is what the figures
/// show.
pub fn summarize(
    all: &[RevealCard],
    missing: &[(String, String)],
    doc_gate: Option<DocGate>,
) -> Reveal {
    let cards: Vec<&RevealCard> = all.iter().filter(|c| !c.after_reveal).collect();
    let mut criteria = Vec::new();
    let mut flags = Vec::new();
    for criterion in Criterion::ALL {
        let mut scores: Vec<u8> = cards
            .iter()
            .flat_map(|c| {
                c.scores
                    .iter()
                    .filter(|(cr, _)| *cr == criterion)
                    .map(|(_, s)| *s)
            })
            .collect();
        if scores.is_empty() {
            if let Criterion::Dimension(d) = criterion {
                flags.push(Flag::Unscored(d));
            }
            continue;
        }
        scores.sort_unstable();
        let (low, high) = (scores[0], scores[scores.len() - 1]);
        if high - low >= DISAGREEMENT_POINTS {
            flags.push(Flag::Disagreement {
                criterion,
                low,
                high,
            });
        }
        criteria.push(CriterionSummary {
            criterion,
            median: median(&scores),
            spread: high - low,
            scores,
        });
    }
    let tally: Vec<(Level, usize)> = LEVELS
        .iter()
        .map(|l| (*l, cards.iter().filter(|c| c.recommendation == *l).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    if let (Some(low), Some(high)) = (tally.first(), tally.last()) {
        if level_index(high.0) - level_index(low.0) >= RECOMMENDATION_SPREAD_LEVELS {
            flags.push(Flag::SplitRecommendations {
                low: low.0,
                high: high.0,
            });
        }
    }
    for (interviewer, stage) in missing {
        flags.push(Flag::Missing {
            interviewer: interviewer.clone(),
            stage: stage.clone(),
        });
    }
    for c in all {
        if c.after_reveal {
            flags.push(Flag::AfterReveal {
                interviewer: c.interviewer.clone(),
                stage: c.stage.clone(),
            });
        }
        if c.addenda > 0 {
            flags.push(Flag::Addenda {
                interviewer: c.interviewer.clone(),
                stage: c.stage.clone(),
                count: c.addenda,
            });
        }
    }
    // Only an answered gate is worth a flag.
    if let Some(outcome) = doc_gate.filter(|g| g.is_settled()) {
        flags.push(Flag::DocGate { outcome });
    }
    Reveal {
        criteria,
        tally,
        flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::StageKind;
    use Dimension::*;

    fn card(who: &str, stage: StageKind, scores: &[(Dimension, u8)], rec: Level) -> RevealCard {
        RevealCard {
            interviewer: who.into(),
            stage: stage.title().to_string(),
            scores: scores
                .iter()
                .map(|(d, s)| (Criterion::Dimension(*d), *s))
                .collect(),
            recommendation: rec,
            after_reveal: false,
            addenda: 0,
        }
    }

    #[test]
    fn medians_and_spreads() {
        assert_eq!(median(&[1, 2, 3]), 2.0);
        assert_eq!(median(&[2, 3]), 2.5);
        assert_eq!(median(&[]), 0.0);
        let cards = [
            card(
                "A",
                StageKind::HmScreen,
                &[(ScopeOfJudgement, 2)],
                Level::Senior,
            ),
            card(
                "B",
                StageKind::DeepDive,
                &[(ScopeOfJudgement, 4), (ArchitecturalDecisions, 3)],
                Level::Staff,
            ),
            card(
                "C",
                StageKind::DeepDive,
                &[(ScopeOfJudgement, 3), (ArchitecturalDecisions, 3)],
                Level::Staff,
            ),
        ];
        let r = summarize(&cards, &[], None);
        let scope = &r.criteria[0];
        assert_eq!(scope.scores, vec![2, 3, 4]);
        assert_eq!((scope.median, scope.spread), (3.0, 2));
        assert_eq!(scope.median_level(), Level::Staff);
        assert_eq!(r.criteria[1].spread, 0);
        assert_eq!(r.tally, vec![(Level::Senior, 1), (Level::Staff, 2)]);
        assert!(r.flags.contains(&Flag::Disagreement {
            criterion: Criterion::Dimension(ScopeOfJudgement),
            low: 2,
            high: 4
        }));
        assert!(
            !r.flags
                .iter()
                .any(|f| matches!(f, Flag::SplitRecommendations { .. })),
            "senior vs staff is one level"
        );
        assert!(r.flags.contains(&Flag::Unscored(CrossTeamInfluence)));
        assert!(r.flags.contains(&Flag::Unscored(MentorshipAtDistance)));
    }

    #[test]
    fn every_flag() {
        let mut late = card(
            "D",
            StageKind::BarRaiser,
            &[(CrossTeamInfluence, 3)],
            Level::SeniorStaff,
        );
        late.after_reveal = true;
        late.addenda = 2;
        let cards = [
            card(
                "A",
                StageKind::HmScreen,
                &[(ScopeOfJudgement, 1)],
                Level::NoHire,
            ),
            card(
                "B",
                StageKind::Coding,
                &[(ScopeOfJudgement, 2)],
                Level::SeniorStaff,
            ),
            late,
        ];
        let r = summarize(
            &cards,
            &[("E".into(), "Coding round".into())],
            Some(DocGate::Continued),
        );
        assert!(r.flags.contains(&Flag::SplitRecommendations {
            low: Level::NoHire,
            high: Level::SeniorStaff
        }));
        assert!(r.flags.contains(&Flag::Missing {
            interviewer: "E".into(),
            stage: StageKind::Coding.title().into()
        }));
        assert!(r.flags.contains(&Flag::AfterReveal {
            interviewer: "D".into(),
            stage: StageKind::BarRaiser.title().into()
        }));
        assert!(r.flags.contains(&Flag::Addenda {
            interviewer: "D".into(),
            stage: StageKind::BarRaiser.title().into(),
            count: 2
        }));
        assert!(r.flags.contains(&Flag::DocGate {
            outcome: DocGate::Continued
        }));
        assert!(r.flags.contains(&Flag::Unscored(ArchitecturalDecisions)));
        // The late card is flagged, not counted.
        assert!(r.flags.contains(&Flag::Unscored(CrossTeamInfluence)));
        assert_eq!(r.tally, vec![(Level::NoHire, 1), (Level::SeniorStaff, 1)]);
        // No cards at all: every dimension unscored, no tally.
        let empty = summarize(&[], &[], None);
        assert!(empty.tally.is_empty() && empty.criteria.is_empty());
        assert_eq!(empty.flags.len(), 4);
    }
}
