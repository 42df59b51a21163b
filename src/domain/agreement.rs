//! Krippendorff's alpha: how far raters agree beyond what chance would give,
//! for any number of raters, missing ratings, and nominal, ordinal or
//! interval values. Pure maths over the ratings of each unit (one unit is,
//! say, one candidate on one dimension; its values are the panel's scores).
//!
//! Computed through the coincidence matrix (Krippendorff, "Computing
//! Krippendorff's Alpha-Reliability", 2011): every ordered pair of values
//! within a unit of `m` values adds `1 / (m - 1)`; units with fewer than two
//! values cannot be paired and do not count.

use serde::Serialize;

/// How different two values are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Equal or not.
    Nominal,
    /// Ranked: a difference counts by how many values lie between.
    Ordinal,
    /// Numbers: a difference counts by its square.
    Interval,
}

/// Alpha over `units`, each the values given to one unit (missing ratings
/// left out). `None` when alpha is undefined: no unit has two values, or the
/// values never vary (no disagreement is possible to measure).
pub fn alpha(units: &[Vec<i64>], metric: Metric) -> Option<f64> {
    let mut values: Vec<i64> = units
        .iter()
        .filter(|u| u.len() >= 2)
        .flatten()
        .copied()
        .collect();
    values.sort_unstable();
    values.dedup();
    if values.len() < 2 {
        return None;
    }
    let index = |v: i64| values.binary_search(&v).expect("a value of some unit");
    let k = values.len();
    // The coincidence matrix.
    let mut o = vec![vec![0.0_f64; k]; k];
    for unit in units.iter().filter(|u| u.len() >= 2) {
        let weight = 1.0 / (unit.len() as f64 - 1.0);
        for (i, &a) in unit.iter().enumerate() {
            for (j, &b) in unit.iter().enumerate() {
                if i != j {
                    o[index(a)][index(b)] += weight;
                }
            }
        }
    }
    let n_c: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = n_c.iter().sum();
    let delta = |c: usize, d: usize| -> f64 {
        match metric {
            Metric::Nominal => f64::from(u8::from(c != d)),
            Metric::Interval => {
                let diff = (values[c] - values[d]) as f64;
                diff * diff
            }
            Metric::Ordinal => {
                let (lo, hi) = (c.min(d), c.max(d));
                let between: f64 = n_c[lo..=hi].iter().sum::<f64>() - (n_c[lo] + n_c[hi]) / 2.0;
                between * between
            }
        }
    };
    let mut observed = 0.0;
    let mut expected = 0.0;
    for c in 0..k {
        for d in 0..k {
            let dd = delta(c, d);
            observed += o[c][d] * dd;
            expected += n_c[c] * n_c[d] * dd;
        }
    }
    if expected <= 0.0 {
        return None;
    }
    Some(1.0 - (n - 1.0) * observed / expected)
}

/// Units with at least two values: what alpha was computed over.
pub fn pairable(units: &[Vec<i64>]) -> usize {
    units.iter().filter(|u| u.len() >= 2).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Krippendorff's worked example: four observers, twelve units, values
    /// 1–5, some missing (a `0` here is a missing rating).
    fn example() -> Vec<Vec<i64>> {
        let observers: [[i64; 12]; 4] = [
            [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3],
            [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0],
        ];
        (0..12)
            .map(|u| observers.iter().map(|o| o[u]).filter(|&v| v != 0).collect())
            .collect()
    }

    fn three(x: Option<f64>) -> f64 {
        (x.expect("defined") * 1000.0).round() / 1000.0
    }

    #[test]
    fn reproduces_krippendorffs_worked_example() {
        let units = example();
        assert_eq!(three(alpha(&units, Metric::Nominal)), 0.743);
        assert_eq!(three(alpha(&units, Metric::Ordinal)), 0.815);
        assert_eq!(three(alpha(&units, Metric::Interval)), 0.849);
        // The last unit has one value: it cannot be paired.
        assert_eq!(pairable(&units), 11);
    }

    #[test]
    fn perfect_agreement_is_one_and_no_variation_is_undefined() {
        let agree = vec![vec![1, 1], vec![3, 3, 3], vec![4, 4]];
        assert_eq!(alpha(&agree, Metric::Ordinal), Some(1.0));
        let flat = vec![vec![3, 3], vec![3, 3, 3]];
        assert_eq!(alpha(&flat, Metric::Ordinal), None);
        assert_eq!(alpha(&flat, Metric::Nominal), None);
    }

    #[test]
    fn one_rater_or_nothing_is_undefined() {
        assert_eq!(alpha(&[], Metric::Interval), None);
        let single = vec![vec![1], vec![4], vec![2]];
        assert_eq!(alpha(&single, Metric::Ordinal), None);
        assert_eq!(pairable(&single), 0);
    }

    #[test]
    fn systematic_disagreement_is_below_zero() {
        let opposed = vec![vec![1, 4], vec![4, 1], vec![1, 4], vec![4, 1]];
        let a = alpha(&opposed, Metric::Interval).unwrap();
        assert!(a < 0.0, "{a}");
    }
}
