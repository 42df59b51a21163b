//! The downlevel report for one workspace: the domain maths over the store's
//! aggregates, as one serialisable value that the weekly post, `/staffloop
//! stats` and the CLI all render.

use crate::domain::metrics::{self, Row, Shortfall, Thresholds, Week};
use crate::domain::{Criterion, Dimension, Level, StageKind};
use crate::store::{metrics as q, Db};
use serde::Serialize;

pub const DAY_SECONDS: i64 = 86_400;
pub const WEEK_SECONDS: i64 = 7 * DAY_SECONDS;
/// Weeks in the chart.
pub const CHART_WEEKS: i64 = 12;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub team_id: String,
    pub window_days: i64,
    pub from: i64,
    pub to: i64,
    pub thresholds: Thresholds,
    /// Applied at staff, then applied at senior staff.
    pub rows: Vec<Row>,
    pub shortfall: Shortfall,
    pub weeks: Vec<Week>,
}

pub async fn downlevel(
    db: &Db,
    team: &str,
    window_days: i64,
    now: i64,
    thresholds: &Thresholds,
) -> anyhow::Result<Report> {
    let from = now - window_days * DAY_SECONDS;
    let counts = q::decisions(db, team, from, now).await?;
    let rows = [Level::Staff, Level::SeniorStaff]
        .iter()
        .map(|applied| {
            let pairs: Vec<(Level, u64)> = counts
                .iter()
                .filter(|(a, _, _)| Level::parse(a) == Some(*applied))
                .filter_map(|(_, d, n)| Some((Level::parse(d)?, *n as u64)))
                .collect();
            metrics::row(*applied, &pairs, thresholds)
        })
        .collect();
    let downlevels: u64 = counts
        .iter()
        .filter(|(a, d, _)| match (Level::parse(a), Level::parse(d)) {
            (Some(a), Some(d)) => metrics::outcome(a, d) == metrics::Outcome::OneDown,
            _ => false,
        })
        .map(|(_, _, n)| *n as u64)
        .sum();
    let mut by_dimension: Vec<(Dimension, u64, u64)> = Vec::new();
    let mut by_stage: Vec<(StageKind, u64, u64)> = Vec::new();
    for (stage, criterion, low, sum, n) in q::shortfall(db, team, from, now).await? {
        if let Some(Criterion::Dimension(d)) = Criterion::parse(&criterion) {
            match by_dimension.iter_mut().find(|(x, _, _)| *x == d) {
                Some(e) => (e.1, e.2) = (e.1 + low as u64, e.2 + n as u64),
                None => by_dimension.push((d, low as u64, n as u64)),
            }
        }
        if let Some(k) = StageKind::parse(&stage) {
            match by_stage.iter_mut().find(|(x, _, _)| *x == k) {
                Some(e) => (e.1, e.2) = (e.1 + sum as u64, e.2 + n as u64),
                None => by_stage.push((k, sum as u64, n as u64)),
            }
        }
    }
    let chart_from = now - CHART_WEEKS * WEEK_SECONDS;
    let mut weeks: Vec<Week> = (0..CHART_WEEKS)
        .map(|i| Week {
            starts: chart_from + i * WEEK_SECONDS,
            decisions: 0,
            at_level: 0,
            downlevel: 0,
            no_hire: 0,
            other: 0,
        })
        .collect();
    for (week, applied, decided, n) in q::weekly(db, team, chart_from, now).await? {
        let (Some(w), Some(a), Some(d)) = (
            weeks.get_mut(week as usize),
            Level::parse(&applied),
            Level::parse(&decided),
        ) else {
            continue;
        };
        let n = n as u64;
        w.decisions += n;
        match metrics::outcome(a, d) {
            metrics::Outcome::AtLevel => w.at_level += n,
            metrics::Outcome::OneDown => w.downlevel += n,
            metrics::Outcome::NoHire => w.no_hire += n,
            _ => w.other += n,
        }
    }
    Ok(Report {
        team_id: team.to_string(),
        window_days,
        from,
        to: now,
        thresholds: *thresholds,
        rows,
        shortfall: metrics::shortfall(&by_dimension, &by_stage, downlevels),
        weeks,
    })
}

/// Picks the workspace for the command line: the one named, or the only one.
pub async fn pick_team(db: &Db, team: Option<&str>) -> anyhow::Result<String> {
    let teams = q::teams(db).await?;
    match (team, teams.as_slice()) {
        (Some(t), _) => Ok(t.to_string()),
        (None, [(only, _)]) => Ok(only.clone()),
        (None, []) => anyhow::bail!("no workspace has used staffloop yet"),
        (None, _) => anyhow::bail!("several workspaces use this database; pass --team"),
    }
}

/// A window like `90d` (or plain `90`), in days.
pub fn parse_window_days(raw: &str) -> Option<i64> {
    raw.trim()
        .trim_end_matches('d')
        .parse()
        .ok()
        .filter(|d| (1..=3650).contains(d))
}
