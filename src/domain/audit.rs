//! The retrospective audit of past hires, and the validity of the loop:
//! how hires work today on each rubric dimension against what their loops
//! said, and the rank correlation between loop scores and on-the-job scores.
//! Pure maths; the store gathers the numbers.

use super::rubric::{Dimension, Level};
use serde::Serialize;

/// An on-the-job score at or below this is at the senior anchor or below.
pub const WEAK_ON_THE_JOB: u8 = 2;
/// A loop's median at or above this scored the dimension at staff.
pub const LOOP_SCORED_HIGH: f64 = 3.0;
/// Hires weak on one dimension that make it a finding.
pub const WEAK_HIRES_FOR_A_FINDING: usize = 2;

/// One audited hire: their on-the-job check-in and what their loop scored.
#[derive(Clone, Debug, PartialEq)]
pub struct Hire {
    pub name: String,
    pub on_job: Vec<(Dimension, u8)>,
    pub working_at: Option<Level>,
    /// (stage title, dimension, score) for every card sent before the
    /// loop's debrief.
    pub loop_scores: Vec<(String, Dimension, u8)>,
}

impl Hire {
    fn on_job(&self, d: Dimension) -> Option<u8> {
        self.on_job.iter().find(|(x, _)| *x == d).map(|(_, s)| *s)
    }

    /// Per stage that scored `d`: its title, the median, and how many cards.
    pub fn probed(&self, d: Dimension) -> Vec<(String, f64, usize)> {
        let mut out: Vec<(String, Vec<u8>)> = Vec::new();
        for (stage, dim, score) in &self.loop_scores {
            if *dim != d {
                continue;
            }
            match out.iter_mut().find(|(s, _)| s == stage) {
                Some((_, v)) => v.push(*score),
                None => out.push((stage.clone(), vec![*score])),
            }
        }
        out.into_iter()
            .map(|(s, mut v)| {
                v.sort_unstable();
                (s, super::reveal::median(&v), v.len())
            })
            .collect()
    }

    fn loop_median(&self, d: Dimension) -> Option<f64> {
        let mut v: Vec<u8> = self
            .loop_scores
            .iter()
            .filter(|(_, x, _)| *x == d)
            .map(|(_, _, s)| *s)
            .collect();
        v.sort_unstable();
        (!v.is_empty()).then(|| super::reveal::median(&v))
    }
}

/// What the audit says about one dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Fewer than two hires are weak on it: the loop's call holds.
    LoopWasRight,
    /// At least half the weak hires' loops never scored it: the round you
    /// are missing.
    NotTested,
    /// Their loops scored it, at staff or above: that round is miscalibrated.
    ScoredHigh,
    /// Their loops scored it low too: the loop saw it, and they were hired anyway.
    SawIt,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DimensionFinding {
    pub dimension: Dimension,
    /// Hires (indices) scored at the senior anchor or below on the job.
    pub weak: Vec<usize>,
    /// Hires with an on-the-job score on it.
    pub judged: usize,
    pub verdict: Verdict,
}

/// The audit's finding for each dimension, in rubric order.
pub fn audit(hires: &[Hire]) -> Vec<DimensionFinding> {
    Dimension::ALL
        .iter()
        .map(|d| {
            let judged = hires.iter().filter(|h| h.on_job(*d).is_some()).count();
            let weak: Vec<usize> = hires
                .iter()
                .enumerate()
                .filter(|(_, h)| h.on_job(*d).is_some_and(|s| s <= WEAK_ON_THE_JOB))
                .map(|(i, _)| i)
                .collect();
            let verdict = if weak.len() < WEAK_HIRES_FOR_A_FINDING {
                Verdict::LoopWasRight
            } else {
                let medians: Vec<f64> = weak
                    .iter()
                    .filter_map(|i| hires[*i].loop_median(*d))
                    .collect();
                let untested = weak.len() - medians.len();
                if untested >= medians.len() {
                    Verdict::NotTested
                } else {
                    let mut m = medians.clone();
                    m.sort_by(f64::total_cmp);
                    let mid = if m.len() % 2 == 1 {
                        m[m.len() / 2]
                    } else {
                        (m[m.len() / 2 - 1] + m[m.len() / 2]) / 2.0
                    };
                    if mid >= LOOP_SCORED_HIGH {
                        Verdict::ScoredHigh
                    } else {
                        Verdict::SawIt
                    }
                }
            };
            DimensionFinding {
                dimension: *d,
                weak,
                judged,
                verdict,
            }
        })
        .collect()
}

/// Ranks from 1, ties given the average of the ranks they span.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for k in &order[i..=j] {
            out[*k] = rank;
        }
        i = j + 1;
    }
    out
}

/// Spearman's rank correlation (Pearson's over average ranks, so ties are
/// handled); `None` below two pairs or when either side never varies.
pub fn spearman(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.len() < 2 {
        return None;
    }
    let x = ranks(&pairs.iter().map(|p| p.0).collect::<Vec<_>>());
    let y = ranks(&pairs.iter().map(|p| p.1).collect::<Vec<_>>());
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    (vx > 0.0 && vy > 0.0).then(|| cov / (vx * vy).sqrt())
}

/// A 95% interval for a correlation of `n` pairs, through Fisher's z
/// (standard error 1/√(n−3)); `None` below four pairs.
pub fn interval(r: f64, n: usize) -> Option<(f64, f64)> {
    if n < 4 {
        return None;
    }
    let z = r.clamp(-0.999_999, 0.999_999).atanh();
    let se = 1.0 / ((n - 3) as f64).sqrt();
    Some(((z - 1.96 * se).tanh(), (z + 1.96 * se).tanh()))
}

/// Pairs a correlation needs before it is shown.
pub const MIN_VALIDITY_PAIRS: usize = 5;

/// One correlation, as reported.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Correlation {
    pub dimension: Dimension,
    pub n: usize,
    /// `None` when undefined, or below `MIN_VALIDITY_PAIRS` (not shown).
    pub rho: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// The correlation over `pairs` (loop score, on-the-job score), shown only
/// from `min` pairs on.
pub fn correlation(dimension: Dimension, pairs: &[(f64, f64)], min: usize) -> Correlation {
    let n = pairs.len();
    let rho = (n >= min).then(|| spearman(pairs)).flatten();
    let ci = rho.and_then(|r| interval(r, n));
    Correlation {
        dimension,
        n,
        rho,
        low: ci.map(|c| c.0),
        high: ci.map(|c| c.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Dimension::*;

    #[test]
    fn spearman_by_hand() {
        // No ties: d² = 0+1+1+0+0 → 1 − 6·2/(5·24) = 0.9.
        let p = [(1.0, 1.0), (2.0, 3.0), (3.0, 2.0), (4.0, 4.0), (5.0, 5.0)];
        assert!((spearman(&p).unwrap() - 0.9).abs() < 1e-12);
        // Ties take average ranks.
        let t = [(1.0, 2.0), (1.0, 1.0), (2.0, 3.0), (3.0, 3.0)];
        let r = spearman(&t).unwrap();
        assert!((r - 8.0 / 9.0).abs() < 1e-9, "{r}");
        assert_eq!(spearman(&[(1.0, 1.0)]), None);
        assert_eq!(spearman(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]), None);
        let (lo, hi) = interval(0.9, 5).unwrap();
        assert!(
            (lo - 0.0861).abs() < 1e-3 && (hi - 0.9934).abs() < 1e-3,
            "{lo} {hi}"
        );
        assert_eq!(interval(0.5, 3), None);
        let c = correlation(ScopeOfJudgement, &p[..4], 5);
        assert_eq!((c.n, c.rho), (4, None));
    }

    fn hire(on_job: [u8; 4], loop_scores: &[(&str, Dimension, u8)]) -> Hire {
        Hire {
            name: "h".into(),
            on_job: Dimension::ALL.iter().copied().zip(on_job).collect(),
            working_at: Some(Level::Staff),
            loop_scores: loop_scores
                .iter()
                .map(|(s, d, v)| (s.to_string(), *d, *v))
                .collect(),
        }
    }

    #[test]
    fn the_round_you_are_missing_and_the_miscalibrated_round() {
        let seen = [
            ("Deep-dive", ScopeOfJudgement, 3),
            ("Deep-dive", ArchitecturalDecisions, 4),
            ("Bar raiser", ArchitecturalDecisions, 3),
            ("Bar raiser", MentorshipAtDistance, 3),
        ];
        let hires = [
            hire([3, 2, 1, 3], &seen),
            hire([3, 2, 2, 3], &seen),
            hire([4, 3, 3, 3], &seen),
        ];
        let f = audit(&hires);
        assert_eq!(f[0].verdict, Verdict::LoopWasRight);
        assert_eq!(f[1].verdict, Verdict::ScoredHigh);
        assert_eq!(f[1].weak, vec![0, 1]);
        assert_eq!(f[2].verdict, Verdict::NotTested);
        assert_eq!(f[3].verdict, Verdict::LoopWasRight);
        assert_eq!(
            hires[0].probed(ArchitecturalDecisions),
            vec![
                ("Deep-dive".to_string(), 4.0, 1),
                ("Bar raiser".to_string(), 3.0, 1)
            ]
        );
        let low = [("Deep-dive", ArchitecturalDecisions, 2)];
        let saw = [hire([3, 1, 3, 3], &low), hire([3, 2, 3, 3], &low)];
        assert_eq!(audit(&saw)[1].verdict, Verdict::SawIt);
    }
}
