//! The interviewer calibration report: who scores harsher or more leniently
//! than the rest of the panel, whose level calls match the decisions, and
//! where the panel agrees (Krippendorff's alpha). Pure maths over the cards
//! of decided loops; small numbers are said to be small.

use super::agreement::{self, Metric};
use super::metrics::Share;
use super::rubric::{Dimension, Level};
use super::scorecard::Criterion;
use super::stage::StageKind;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One card of a decided loop, as the report needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct RatedCard {
    pub loop_id: i64,
    pub stage_id: i64,
    /// The stage's kind key.
    pub stage: String,
    pub interviewer: String,
    pub recommendation: Option<Level>,
    pub decided: Option<Level>,
    /// (criterion key, score 1–4).
    pub scores: Vec<(String, i64)>,
    /// Seconds from being asked for the card (the stage's end) to sending it.
    pub lag_s: i64,
    /// Characters of evidence written on the card.
    pub evidence_chars: usize,
}

/// The report's small-number rules.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Minimums {
    /// Cards an interviewer needs before the report says how they lean.
    pub cards: usize,
    /// Loops behind an alpha before it is read as a finding.
    pub loops: usize,
    /// Alpha below this is low agreement (Krippendorff: 0.667 is the least
    /// for tentative conclusions).
    pub alpha: f64,
}

impl Default for Minimums {
    fn default() -> Self {
        Minimums {
            cards: 5,
            loops: 5,
            alpha: 0.67,
        }
    }
}

/// An interviewer's mean offset from the rest of the panel, with a 95%
/// interval (Student's t over their offsets).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Offset {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    /// Scores compared.
    pub n: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Leaning {
    Harsher,
    InLine,
    MoreLenient,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InterviewerRow {
    pub user: String,
    pub cards: usize,
    /// `None` when no other card scored the same candidate and dimension.
    pub offset: Option<Offset>,
    /// `None` below the minimum sample: no verdict on a person from a few cards.
    pub leaning: Option<Leaning>,
    /// Recommendations that matched the decided level.
    pub level_match: Share,
    pub median_lag_hours: Option<f64>,
    pub median_evidence_chars: Option<f64>,
}

/// The panel's agreement on one dimension or one stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Agreement {
    pub key: String,
    pub title: String,
    /// Ordinal alpha; `None` when undefined (no unit rated twice, or no
    /// variation at all).
    pub alpha: Option<f64>,
    /// Loops with at least one unit rated by two or more cards.
    pub loops: usize,
    /// Units compared (a candidate on a dimension, or a stage on a criterion).
    pub units: usize,
}

impl Agreement {
    /// Low agreement, read only above the minimum number of loops.
    pub fn is_low(&self, min: &Minimums) -> bool {
        self.loops >= min.loops && self.alpha.is_some_and(|a| a < min.alpha)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Calibration {
    pub loops: usize,
    pub cards: usize,
    pub minimums: Minimums,
    pub interviewers: Vec<InterviewerRow>,
    pub dimensions: Vec<Agreement>,
    pub stages: Vec<Agreement>,
}

pub fn calibration(cards: &[RatedCard], min: Minimums) -> Calibration {
    // Scores per (loop, dimension): (card index, score).
    let mut by_candidate: BTreeMap<(i64, Dimension), Vec<(usize, i64)>> = BTreeMap::new();
    for (i, c) in cards.iter().enumerate() {
        for (key, score) in &c.scores {
            if let Some(Criterion::Dimension(d)) = Criterion::parse(key) {
                by_candidate
                    .entry((c.loop_id, d))
                    .or_default()
                    .push((i, *score));
            }
        }
    }
    // Each score against the mean of the other cards' on the same candidate
    // and dimension.
    let mut offsets: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for scores in by_candidate.values().filter(|s| s.len() >= 2) {
        let total: i64 = scores.iter().map(|(_, s)| s).sum();
        let others = (scores.len() - 1) as f64;
        for &(i, s) in scores {
            let rest = (total - s) as f64 / others;
            offsets
                .entry(cards[i].interviewer.as_str())
                .or_default()
                .push(s as f64 - rest);
        }
    }
    let mut people: BTreeMap<&str, Vec<&RatedCard>> = BTreeMap::new();
    for c in cards {
        people.entry(c.interviewer.as_str()).or_default().push(c);
    }
    let mut interviewers: Vec<InterviewerRow> = people
        .into_iter()
        .map(|(user, theirs)| {
            let offset = offsets.get(user).and_then(|o| mean_interval(o));
            let leaning = offset
                .filter(|o| theirs.len() >= min.cards && o.n >= 2)
                .map(|o| {
                    if o.high < 0.0 {
                        Leaning::Harsher
                    } else if o.low > 0.0 {
                        Leaning::MoreLenient
                    } else {
                        Leaning::InLine
                    }
                });
            let called: Vec<bool> = theirs
                .iter()
                .filter_map(|c| Some(c.recommendation? == c.decided?))
                .collect();
            let matched = called.iter().filter(|m| **m).count() as u64;
            InterviewerRow {
                user: user.to_string(),
                cards: theirs.len(),
                offset,
                leaning,
                level_match: Share::of(matched, called.len() as u64),
                median_lag_hours: median(theirs.iter().map(|c| c.lag_s.max(0) as f64 / 3600.0)),
                median_evidence_chars: median(theirs.iter().map(|c| c.evidence_chars as f64)),
            }
        })
        .collect();
    interviewers.sort_by(|a, b| b.cards.cmp(&a.cards).then_with(|| a.user.cmp(&b.user)));

    let dimensions = by_dimension(
        &by_candidate
            .iter()
            .map(|(k, s)| (*k, s.iter().map(|(_, v)| *v).collect()))
            .collect(),
    );

    // Per stage: the panel of one stage on one criterion is a unit.
    let mut by_stage: BTreeMap<&str, StageUnits> = BTreeMap::new();
    for c in cards {
        for (key, score) in &c.scores {
            by_stage
                .entry(c.stage.as_str())
                .or_default()
                .entry((c.stage_id, key.as_str()))
                .or_insert_with(|| (c.loop_id, Vec::new()))
                .1
                .push(*score);
        }
    }
    let mut stages: Vec<Agreement> = by_stage
        .into_iter()
        .map(|(kind, units)| {
            let units: Vec<(i64, Vec<i64>)> = units.into_values().collect();
            let title = StageKind::parse(kind).map_or(kind, |k| k.title());
            agreement_of(kind, title, &units)
        })
        .collect();
    let order = |key: &str| StageKind::parse(key).map_or(usize::MAX, |k| k as usize);
    stages.sort_by(|a, b| order(&a.key).cmp(&order(&b.key)).then(a.key.cmp(&b.key)));

    let loops: BTreeSet<i64> = cards.iter().map(|c| c.loop_id).collect();
    Calibration {
        loops: loops.len(),
        cards: cards.len(),
        minimums: min,
        interviewers,
        dimensions,
        stages,
    }
}

/// The panel's agreement per dimension from bare scores: (loop, criterion
/// key, score); scores of other criteria are ignored.
pub fn dimension_agreement<'a>(
    scores: impl Iterator<Item = (i64, &'a str, i64)>,
) -> Vec<Agreement> {
    let mut units: BTreeMap<(i64, Dimension), Vec<i64>> = BTreeMap::new();
    for (loop_id, key, score) in scores {
        if let Some(Criterion::Dimension(d)) = Criterion::parse(key) {
            units.entry((loop_id, d)).or_default().push(score);
        }
    }
    by_dimension(&units)
}

/// Alpha per dimension, in the rubric's order; a unit is one candidate on
/// one dimension.
fn by_dimension(units: &BTreeMap<(i64, Dimension), Vec<i64>>) -> Vec<Agreement> {
    Dimension::ALL
        .iter()
        .map(|d| {
            let units: Vec<(i64, Vec<i64>)> = units
                .iter()
                .filter(|((_, x), _)| x == d)
                .map(|((l, _), v)| (*l, v.clone()))
                .collect();
            agreement_of(Criterion::Dimension(*d).key(), d.title(), &units)
        })
        .collect()
}

/// A stage kind's units: (stage, criterion) → (its loop, the panel's scores).
type StageUnits<'a> = BTreeMap<(i64, &'a str), (i64, Vec<i64>)>;

/// Alpha over units tagged with their loop.
fn agreement_of(key: &str, title: &str, units: &[(i64, Vec<i64>)]) -> Agreement {
    let values: Vec<Vec<i64>> = units.iter().map(|(_, v)| v.clone()).collect();
    let loops: BTreeSet<i64> = units
        .iter()
        .filter(|(_, v)| v.len() >= 2)
        .map(|(l, _)| *l)
        .collect();
    Agreement {
        key: key.to_string(),
        title: title.to_string(),
        alpha: agreement::alpha(&values, Metric::Ordinal),
        loops: loops.len(),
        units: agreement::pairable(&values),
    }
}

/// The mean with a 95% interval (Student's t); the interval is the mean
/// itself with one value.
fn mean_interval(xs: &[f64]) -> Option<Offset> {
    let n = xs.len();
    if n == 0 {
        return None;
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let half = if n < 2 {
        0.0
    } else {
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        t95(n - 1) * (var / n as f64).sqrt()
    };
    Some(Offset {
        mean,
        low: mean - half,
        high: mean + half,
        n,
    })
}

/// Two-sided 95% critical value of Student's t with `df` degrees of freedom.
fn t95(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        // Cornish–Fisher's first correction to the normal quantile.
        _ => 1.959_964 + 2.372 / df as f64,
    }
}

fn median(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = xs.collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(loop_id: i64, stage: &str, who: &str, scores: &[(&str, i64)]) -> RatedCard {
        RatedCard {
            loop_id,
            stage_id: loop_id * 10 + StageKind::parse(stage).unwrap() as i64,
            stage: stage.into(),
            interviewer: who.into(),
            recommendation: Some(Level::Staff),
            decided: Some(Level::Staff),
            scores: scores.iter().map(|(k, s)| (k.to_string(), *s)).collect(),
            lag_s: 3600,
            evidence_chars: 100,
        }
    }

    #[test]
    fn offsets_compare_each_score_with_the_rest_of_the_panel() {
        // One candidate, scope of judgement: A 4, B 2, C 3.
        let cards = vec![
            card(1, "deep_dive", "A", &[("scope_of_judgement", 4)]),
            card(1, "deep_dive", "B", &[("scope_of_judgement", 2)]),
            card(1, "bar_raiser", "C", &[("scope_of_judgement", 3)]),
        ];
        let c = calibration(&cards, Minimums::default());
        let a = c.interviewers.iter().find(|r| r.user == "A").unwrap();
        // 4 - (2 + 3) / 2
        assert_eq!(a.offset.unwrap().mean, 1.5);
        assert_eq!(a.offset.unwrap().n, 1);
        assert_eq!(a.leaning, None, "one card says nothing about a person");
        let b = c.interviewers.iter().find(|r| r.user == "B").unwrap();
        assert_eq!(b.offset.unwrap().mean, -1.5);
        assert_eq!(c.loops, 1);
        let scope = &c.dimensions[0];
        assert_eq!(
            (scope.key.as_str(), scope.loops, scope.units),
            ("scope_of_judgement", 1, 1)
        );
        // One unit, every pair apart: no better than chance.
        assert!(scope.alpha.unwrap().abs() < 1e-12);
        assert_eq!(c.dimensions[1].alpha, None, "no scores on that dimension");
    }

    #[test]
    fn a_consistently_harsh_interviewer_is_named_only_with_enough_cards() {
        let mut cards = Vec::new();
        for l in 0..6 {
            cards.push(card(l, "deep_dive", "H", &[("scope_of_judgement", 2)]));
            cards.push(card(
                l,
                "deep_dive",
                "P",
                &[("scope_of_judgement", 3 + l % 2)],
            ));
            cards.push(card(l, "bar_raiser", "Q", &[("scope_of_judgement", 3)]));
        }
        let c = calibration(&cards, Minimums::default());
        let h = c.interviewers.iter().find(|r| r.user == "H").unwrap();
        assert_eq!(h.cards, 6);
        assert!(h.offset.unwrap().high < 0.0, "{:?}", h.offset);
        assert_eq!(h.leaning, Some(Leaning::Harsher));
        let strict = Minimums {
            cards: 7,
            ..Minimums::default()
        };
        let c = calibration(&cards, strict);
        assert!(c.interviewers.iter().all(|r| r.leaning.is_none()));
    }

    #[test]
    fn medians_matches_and_the_t_interval() {
        let mut cards = vec![
            card(1, "coding", "A", &[("code_review_quality", 3)]),
            card(2, "coding", "A", &[("code_review_quality", 3)]),
            card(3, "coding", "A", &[("code_review_quality", 3)]),
        ];
        cards[0].lag_s = 3600;
        cards[1].lag_s = 7200;
        cards[2].lag_s = 36_000;
        cards[2].decided = Some(Level::Senior);
        cards[1].evidence_chars = 300;
        let c = calibration(&cards, Minimums::default());
        let a = &c.interviewers[0];
        assert_eq!(a.median_lag_hours, Some(2.0));
        assert_eq!(a.median_evidence_chars, Some(100.0));
        assert_eq!((a.level_match.count, a.level_match.total), (2, 3));
        assert_eq!(a.offset, None, "no one else scored those candidates");
        // mean 1, sd 1 over three values: 1 ± 4.303 / sqrt(3)
        let o = mean_interval(&[0.0, 1.0, 2.0]).unwrap();
        assert!((o.high - (1.0 + 4.303 / 3f64.sqrt())).abs() < 1e-9);
        assert_eq!(median([4.0, 1.0].into_iter()), Some(2.5));
    }
}
