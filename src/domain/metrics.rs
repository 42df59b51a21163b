//! The downlevel rate: where decided staff loops ended relative to the level
//! applied at, with honest intervals, the seed's diagnostics, and where the
//! downlevelled candidates fell short. Pure maths over counts.

use super::rubric::{Dimension, Level};
use super::stage::StageKind;
use serde::Serialize;

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A share of a total, with its count and a 95% Wilson interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Share {
    pub count: u64,
    pub total: u64,
    pub share: f64,
    pub low: f64,
    pub high: f64,
}

impl Share {
    pub fn of(count: u64, total: u64) -> Share {
        if total == 0 {
            return Share {
                count,
                total,
                share: 0.0,
                low: 0.0,
                high: 0.0,
            };
        }
        let n = total as f64;
        let p = count as f64 / n;
        let z2 = Z95 * Z95;
        let denom = 1.0 + z2 / n;
        let centre = (p + z2 / (2.0 * n)) / denom;
        let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
        Share {
            count,
            total,
            share: p,
            low: (centre - half).max(0.0),
            high: (centre + half).min(1.0),
        }
    }
}

/// Where a decision landed relative to the applied level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    AtLevel,
    OneDown,
    OneUp,
    NoHire,
    /// Two or more levels down, above no hire (e.g. senior staff → senior).
    FurtherDown,
}

pub fn outcome(applied: Level, decided: Level) -> Outcome {
    let idx = |l: Level| l as i32;
    match (decided, idx(decided) - idx(applied)) {
        (Level::NoHire, _) => Outcome::NoHire,
        (_, 0) => Outcome::AtLevel,
        (_, -1) => Outcome::OneDown,
        (_, d) if d > 0 => Outcome::OneUp,
        _ => Outcome::FurtherDown,
    }
}

/// The diagnostics' thresholds (configurable; the seed's numbers by default).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Thresholds {
    /// Offers at the applied level at or below this share...
    pub at_level_max: f64,
    /// ...while downlevel offers are at or above this share: the screen leaks.
    pub downlevel_min: f64,
    /// No-hire at or above this share: the inbound source is wrong.
    pub no_hire_min: f64,
    /// Fewer decisions than this and no diagnostic fires.
    pub min_sample: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            at_level_max: 0.30,
            downlevel_min: 0.50,
            no_hire_min: 0.60,
            min_sample: 5,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Diagnosis {
    SampleTooSmall { decisions: u64, needed: u64 },
    ScreenLetsSeniorsThrough { at_level: f64, downlevel: f64 },
    InboundSourceWrong { no_hire: f64 },
    NothingAlarming,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub applied: Level,
    pub decisions: u64,
    pub at_level: Share,
    pub one_down: Share,
    pub one_up: Share,
    pub no_hire: Share,
    pub further_down: Share,
    pub diagnoses: Vec<Diagnosis>,
}

/// Builds one row from (decided level, count) pairs for one applied level.
pub fn row(applied: Level, counts: &[(Level, u64)], t: &Thresholds) -> Row {
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let count = |o: Outcome| {
        counts
            .iter()
            .filter(|(d, _)| outcome(applied, *d) == o)
            .map(|(_, n)| n)
            .sum()
    };
    let at_level = Share::of(count(Outcome::AtLevel), total);
    let one_down = Share::of(count(Outcome::OneDown), total);
    let no_hire = Share::of(count(Outcome::NoHire), total);
    let mut diagnoses = Vec::new();
    if total < t.min_sample {
        diagnoses.push(Diagnosis::SampleTooSmall {
            decisions: total,
            needed: t.min_sample,
        });
    } else {
        if at_level.share <= t.at_level_max && one_down.share >= t.downlevel_min {
            diagnoses.push(Diagnosis::ScreenLetsSeniorsThrough {
                at_level: at_level.share,
                downlevel: one_down.share,
            });
        }
        if no_hire.share >= t.no_hire_min {
            diagnoses.push(Diagnosis::InboundSourceWrong {
                no_hire: no_hire.share,
            });
        }
        if diagnoses.is_empty() {
            diagnoses.push(Diagnosis::NothingAlarming);
        }
    }
    Row {
        applied,
        decisions: total,
        at_level,
        one_down,
        one_up: Share::of(count(Outcome::OneUp), total),
        no_hire,
        further_down: Share::of(count(Outcome::FurtherDown), total),
        diagnoses,
    }
}

/// Where downlevelled candidates fell short.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Shortfall {
    /// Per dimension: cards scoring it at the senior anchor or below, of the
    /// downlevelled candidates' cards that scored it.
    pub dimensions: Vec<(Dimension, Share)>,
    /// The stage whose cards scored lowest on average, with that average.
    pub lowest_stage: Option<(StageKind, f64)>,
    /// Downlevelled candidates behind these figures.
    pub downlevels: u64,
}

/// `by_dimension`: (dimension, at-or-below-senior count, scored count);
/// `by_stage`: (stage, sum of scores, number of scores).
pub fn shortfall(
    by_dimension: &[(Dimension, u64, u64)],
    by_stage: &[(StageKind, u64, u64)],
    downlevels: u64,
) -> Shortfall {
    let dimensions = Dimension::ALL
        .iter()
        .map(|d| {
            let (low, n) = by_dimension
                .iter()
                .find(|(x, _, _)| x == d)
                .map(|(_, l, n)| (*l, *n))
                .unwrap_or((0, 0));
            (*d, Share::of(low, n))
        })
        .collect();
    let lowest_stage = by_stage
        .iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(k, sum, n)| (*k, *sum as f64 / *n as f64))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    Shortfall {
        dimensions,
        lowest_stage,
        downlevels,
    }
}

/// One week of the 12-week chart.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Week {
    pub starts: i64,
    pub decisions: u64,
    pub at_level: u64,
    pub downlevel: u64,
    pub no_hire: u64,
    pub other: u64,
}

/// The next report slot strictly after `now`: `weekday` at `hour:minute`
/// local time in `tz`. A time skipped by a DST change moves to the first
/// valid instant after it; a repeated one uses its first occurrence.
pub fn next_slot(
    now: i64,
    weekday: chrono::Weekday,
    hour: u32,
    minute: u32,
    tz: chrono_tz::Tz,
) -> i64 {
    use chrono::{Datelike, LocalResult, TimeZone};
    let local_now = tz
        .timestamp_opt(now, 0)
        .single()
        .unwrap_or_else(|| tz.timestamp_opt(0, 0).unwrap());
    let mut day = local_now.date_naive();
    for _ in 0..15 {
        if day.weekday() == weekday {
            let naive = day
                .and_hms_opt(hour, minute, 0)
                .expect("validated hour and minute");
            let instant = match tz.from_local_datetime(&naive) {
                LocalResult::Single(t) => t.timestamp(),
                LocalResult::Ambiguous(first, _) => first.timestamp(),
                // In a DST gap: an hour later always exists.
                LocalResult::None => tz
                    .from_local_datetime(&(naive + chrono::Duration::hours(1)))
                    .earliest()
                    .map(|t| t.timestamp())
                    .unwrap_or(now + 1),
            };
            if instant > now {
                return instant;
            }
        }
        day = day.succ_opt().expect("not the end of time");
    }
    now + 7 * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_intervals() {
        let s = Share::of(3, 10);
        assert!((s.share - 0.3).abs() < 1e-12);
        // Published value for 3/10: 0.1078 .. 0.6032.
        assert!(
            (s.low - 0.1078).abs() < 1e-3 && (s.high - 0.6032).abs() < 1e-3,
            "{s:?}"
        );
        let all = Share::of(5, 5);
        assert_eq!(all.high, 1.0);
        assert!(all.low > 0.5 && all.low < 0.6);
        assert_eq!(
            Share::of(0, 0),
            Share {
                count: 0,
                total: 0,
                share: 0.0,
                low: 0.0,
                high: 0.0
            }
        );
        assert_eq!(Share::of(0, 4).low, 0.0);
    }

    #[test]
    fn outcomes_relative_to_the_applied_level() {
        assert_eq!(outcome(Level::Staff, Level::Staff), Outcome::AtLevel);
        assert_eq!(outcome(Level::Staff, Level::Senior), Outcome::OneDown);
        assert_eq!(outcome(Level::Staff, Level::SeniorStaff), Outcome::OneUp);
        assert_eq!(outcome(Level::Staff, Level::NoHire), Outcome::NoHire);
        assert_eq!(
            outcome(Level::SeniorStaff, Level::Senior),
            Outcome::FurtherDown
        );
        assert_eq!(outcome(Level::SeniorStaff, Level::Staff), Outcome::OneDown);
    }

    #[test]
    fn diagnostics_fire_on_the_seeds_patterns_and_not_on_small_samples() {
        let t = Thresholds::default();
        let leaky = row(
            Level::Staff,
            &[(Level::Staff, 3), (Level::Senior, 5), (Level::NoHire, 2)],
            &t,
        );
        assert_eq!(leaky.decisions, 10);
        assert!(
            matches!(
                leaky.diagnoses[0],
                Diagnosis::ScreenLetsSeniorsThrough { .. }
            ),
            "{:?}",
            leaky.diagnoses
        );
        let inbound = row(
            Level::Staff,
            &[(Level::Staff, 2), (Level::Senior, 2), (Level::NoHire, 6)],
            &t,
        );
        assert!(inbound
            .diagnoses
            .iter()
            .any(|d| matches!(d, Diagnosis::InboundSourceWrong { .. })));
        let healthy = row(
            Level::Staff,
            &[(Level::Staff, 6), (Level::Senior, 2), (Level::NoHire, 2)],
            &t,
        );
        assert_eq!(healthy.diagnoses, vec![Diagnosis::NothingAlarming]);
        let small = row(Level::Staff, &[(Level::Senior, 4)], &t);
        assert_eq!(
            small.diagnoses,
            vec![Diagnosis::SampleTooSmall {
                decisions: 4,
                needed: 5
            }]
        );
        let empty = row(Level::SeniorStaff, &[], &t);
        assert_eq!(empty.decisions, 0);
        assert_eq!(empty.at_level.share, 0.0);
        assert!(matches!(
            empty.diagnoses[0],
            Diagnosis::SampleTooSmall { decisions: 0, .. }
        ));
    }

    #[test]
    fn shortfall_finds_the_weak_dimension_and_stage() {
        let s = shortfall(
            &[
                (Dimension::CrossTeamInfluence, 8, 10),
                (Dimension::ScopeOfJudgement, 1, 10),
            ],
            &[
                (StageKind::CrossTeam, 18, 10),
                (StageKind::DeepDive, 30, 10),
            ],
            6,
        );
        assert_eq!(s.dimensions.len(), 4);
        assert_eq!(s.dimensions[2].1.count, 8);
        assert_eq!(s.dimensions[3].1.total, 0);
        assert_eq!(s.lowest_stage, Some((StageKind::CrossTeam, 1.8)));
        assert_eq!(shortfall(&[], &[], 0).lowest_stage, None);
    }

    #[test]
    fn the_weekly_slot_follows_local_time_across_dst() {
        use chrono::{TimeZone, Weekday};
        let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        // Wednesday 2026-03-25: the next Monday 09:00 in Berlin is 2026-03-30,
        // after the change to summer time (UTC+2): 07:00 UTC.
        let wed = chrono::Utc
            .with_ymd_and_hms(2026, 3, 25, 12, 0, 0)
            .unwrap()
            .timestamp();
        let slot = next_slot(wed, Weekday::Mon, 9, 0, berlin);
        assert_eq!(
            slot,
            chrono::Utc
                .with_ymd_and_hms(2026, 3, 30, 7, 0, 0)
                .unwrap()
                .timestamp()
        );
        // A week earlier, still winter time (UTC+1): 08:00 UTC.
        let slot = next_slot(wed - 7 * 86_400, Weekday::Mon, 9, 0, berlin);
        assert_eq!(
            slot,
            chrono::Utc
                .with_ymd_and_hms(2026, 3, 23, 8, 0, 0)
                .unwrap()
                .timestamp()
        );
        // Exactly at a slot, the next one is the following Monday 09:00 local,
        // which across the change is an hour less than a week later.
        assert_eq!(
            next_slot(slot, Weekday::Mon, 9, 0, berlin),
            slot + 7 * 86_400 - 3600
        );
        // A local time that does not exist (02:30 on the spring-forward Sunday) moves on.
        let sat = chrono::Utc
            .with_ymd_and_hms(2026, 3, 28, 12, 0, 0)
            .unwrap()
            .timestamp();
        let gap = next_slot(sat, Weekday::Sun, 2, 30, berlin);
        assert_eq!(
            gap,
            chrono::Utc
                .with_ymd_and_hms(2026, 3, 29, 1, 30, 0)
                .unwrap()
                .timestamp()
        );
    }
}
