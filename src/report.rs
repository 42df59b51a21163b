//! The downlevel report for one workspace: the domain maths over the store's
//! aggregates, as one serialisable value that the weekly post, `/staffloop
//! stats` and the CLI all render.

use crate::domain::calibration::{self, Agreement, Calibration, Minimums, RatedCard};
use crate::domain::metrics::{self, Row, Shortfall, Thresholds, Week};
use crate::domain::{Card, Criterion, Dimension, Level, StageKind};
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
    /// The same weeks for those who applied at staff, then at senior staff.
    pub weeks_by_level: Vec<(Level, Vec<Week>)>,
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
    let empty: Vec<Week> = (0..CHART_WEEKS)
        .map(|i| Week {
            starts: chart_from + i * WEEK_SECONDS,
            decisions: 0,
            at_level: 0,
            downlevel: 0,
            no_hire: 0,
            other: 0,
        })
        .collect();
    let mut weeks = empty.clone();
    let mut weeks_by_level = vec![(Level::Staff, empty.clone()), (Level::SeniorStaff, empty)];
    for (week, applied, decided, n) in q::weekly(db, team, chart_from, now).await? {
        let (Some(a), Some(d)) = (Level::parse(&applied), Level::parse(&decided)) else {
            continue;
        };
        let own = weeks_by_level
            .iter_mut()
            .find(|(l, _)| *l == a)
            .and_then(|(_, w)| w.get_mut(week as usize));
        for w in [weeks.get_mut(week as usize), own].into_iter().flatten() {
            let n = n as u64;
            w.decisions += n;
            match metrics::outcome(a, d) {
                metrics::Outcome::AtLevel => w.at_level += n,
                metrics::Outcome::OneDown => w.downlevel += n,
                metrics::Outcome::NoHire => w.no_hire += n,
                _ => w.other += n,
            }
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
        weeks_by_level,
    })
}

/// The dimensions the panel agreed on too little in the report's window,
/// read only above the minimum number of loops. For the weekly post only,
/// which has no deadline to answer within: ordinal alpha over every counted
/// score is the costly part.
pub async fn low_agreement(db: &Db, r: &Report) -> anyhow::Result<Vec<Agreement>> {
    let min = Minimums::default();
    let scores = q::counted_scores(db, &r.team_id, r.from, r.to).await?;
    Ok(calibration::dimension_agreement(
        scores
            .iter()
            .map(|(_, loop_id, key, score)| (*loop_id, key.as_str(), *score)),
    )
    .into_iter()
    .filter(|a| a.is_low(&min))
    .collect())
}

/// How far practice debriefs have lapsed, for the weekly post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stale {
    /// People who interviewed in the last 90 days and have not calibrated
    /// in `days`...
    pub stale: usize,
    /// ...of this many who interviewed.
    pub active: usize,
    pub days: i64,
}

/// Days of interviewing that make someone part of the active panel.
const ACTIVE_PANEL_DAYS: i64 = 90;

/// Whether calibration has gone stale as of `now`: once the workspace has
/// held a practice debrief, anyone who interviewed lately without one in
/// `days` counts (none when `days` is 0).
pub async fn calibration_stale(
    db: &Db,
    team: &str,
    now: i64,
    days: i64,
) -> anyhow::Result<Option<Stale>> {
    if days == 0 || !crate::store::calibrations::any_revealed(db, team).await? {
        return Ok(None);
    }
    let active = crate::store::calibrations::recent_panelists(
        db,
        team,
        now - ACTIVE_PANEL_DAYS * 86_400,
        i64::MAX,
    )
    .await?;
    let calibrated = crate::store::calibrations::calibrated(db, team).await?;
    let stale = active
        .iter()
        .filter(|u| {
            calibrated
                .get(u.as_str())
                .is_none_or(|at| now - at > days * 86_400)
        })
        .count();
    Ok((stale > 0).then_some(Stale {
        stale,
        active: active.len(),
        days,
    }))
}

/// The interviewer calibration report for one workspace.
#[derive(Clone, Debug, Serialize)]
pub struct CalibrationReport {
    pub team_id: String,
    pub window_days: i64,
    pub from: i64,
    pub to: i64,
    #[serde(flatten)]
    pub calibration: Calibration,
    /// Final votes against cards, over loops whose vote closed in the window.
    pub drift: crate::domain::votes::DriftReport,
}

/// Drift after discussion over the loops whose final vote closed in
/// `[from, to)`.
pub async fn drift(
    db: &Db,
    team: &str,
    from: i64,
    to: i64,
) -> anyhow::Result<crate::domain::votes::DriftReport> {
    let mut loops = Vec::new();
    for (loop_id, hm) in crate::store::votes::closed_loops(db, team, from, to).await? {
        let Some(b) = crate::effects::votes::ballot(db, loop_id).await? else {
            continue;
        };
        let (_, moves) = crate::effects::votes::moves(db, loop_id, &b).await?;
        loops.push((moves, hm, b.anchors.hiring_manager.is_some()));
    }
    Ok(crate::domain::votes::drift(&loops))
}

pub async fn calibration(
    db: &Db,
    team: &str,
    window_days: i64,
    now: i64,
    min: Minimums,
) -> anyhow::Result<CalibrationReport> {
    let from = now - window_days * DAY_SECONDS;
    Ok(CalibrationReport {
        team_id: team.to_string(),
        window_days,
        from,
        to: now,
        calibration: rated(db, team, from, now, min).await?,
        drift: drift(db, team, from, now).await?,
    })
}

/// The calibration maths over the decided loops' cards in `[from, to)`.
async fn rated(
    db: &Db,
    team: &str,
    from: i64,
    to: i64,
    min: Minimums,
) -> anyhow::Result<Calibration> {
    let mut scores: std::collections::HashMap<i64, Vec<(String, i64)>> = Default::default();
    for (card, _, criterion, score) in q::counted_scores(db, team, from, to).await? {
        scores.entry(card).or_default().push((criterion, score));
    }
    let cards: Vec<RatedCard> = q::rated_cards(db, team, from, to)
        .await?
        .into_iter()
        .map(|r| {
            // Only the evidence's length is read, never its words.
            let evidence_chars = serde_json::from_str::<Card>(&r.content)
                .map(|c| {
                    c.scores
                        .iter()
                        .map(|s| crate::domain::scorecard::visible_chars(&s.evidence))
                        .sum()
                })
                .unwrap_or(0);
            RatedCard {
                loop_id: r.loop_id,
                stage_id: r.stage_id,
                stage: r.kind,
                interviewer: r.interviewer,
                recommendation: Level::parse(&r.recommendation),
                decided: Level::parse(&r.decided_level),
                scores: scores.remove(&r.id).unwrap_or_default(),
                lag_s: r.submitted_at - r.asked_at,
                evidence_chars,
            }
        })
        .collect();
    Ok(calibration::calibration(&cards, min))
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

/// One row of the validity figures: a stage or an interviewer, with the
/// correlation per rubric dimension.
#[derive(Clone, Debug, Serialize)]
pub struct ValidityRow {
    pub key: String,
    pub title: String,
    pub dimensions: Vec<crate::domain::audit::Correlation>,
}

/// What the loop predicted: per stage and per interviewer, Spearman's rho
/// between loop scores and on-the-job scores, per dimension.
#[derive(Clone, Debug, Serialize)]
pub struct ValidityReport {
    pub team_id: String,
    pub hires: i64,
    pub checkins: i64,
    pub min_pairs: usize,
    pub stages: Vec<ValidityRow>,
    pub interviewers: Vec<ValidityRow>,
}

pub async fn validity(db: &Db, team: &str) -> anyhow::Result<ValidityReport> {
    use crate::domain::audit::{correlation, MIN_VALIDITY_PAIRS};
    use crate::domain::{Criterion, Dimension, StageKind};
    let pairs = crate::store::audits::validity_pairs(db, team).await?;
    let (hires, checkins) = crate::store::audits::checkin_counts(db, team).await?;
    // One pair per hire in each row: the median of the row's loop scores for
    // that hire (a stage with two interviewers, or an interviewer on two
    // stages, scores a hire more than once), against their on-the-job score.
    type PerHire = std::collections::BTreeMap<(String, Dimension, i64), (Vec<u8>, f64)>;
    let (mut stage_hires, mut person_hires): (PerHire, PerHire) = Default::default();
    for p in &pairs {
        let Some(Criterion::Dimension(d)) = Criterion::parse(&p.criterion) else {
            continue;
        };
        for (map, key) in [
            (&mut stage_hires, p.stage_kind.clone()),
            (&mut person_hires, p.interviewer.clone()),
        ] {
            let e = map
                .entry((key, d, p.loop_id))
                .or_insert_with(|| (Vec::new(), p.job_score as f64));
            e.0.push(p.loop_score as u8);
        }
    }
    // (row key, dimension) → pairs.
    type Groups = std::collections::BTreeMap<(String, Dimension), Vec<(f64, f64)>>;
    let collapse = |per: PerHire| -> Groups {
        let mut out = Groups::new();
        for ((key, d, _), (mut scores, job)) in per {
            scores.sort_unstable();
            let loop_score = crate::domain::reveal::median(&scores);
            out.entry((key, d)).or_default().push((loop_score, job));
        }
        out
    };
    let (by_stage, by_person) = (collapse(stage_hires), collapse(person_hires));
    let rows = |groups: &Groups| -> Vec<ValidityRow> {
        let mut keys: Vec<&String> = groups.keys().map(|(k, _)| k).collect();
        keys.dedup();
        keys.into_iter()
            .map(|k| ValidityRow {
                key: k.clone(),
                title: crate::domain::stage::display_title(k),
                dimensions: Dimension::ALL
                    .iter()
                    .filter_map(|d| {
                        let pairs = groups.get(&(k.clone(), *d))?;
                        Some(correlation(*d, pairs, MIN_VALIDITY_PAIRS))
                    })
                    .collect(),
            })
            .collect()
    };
    let mut stages = rows(&by_stage);
    stages.sort_by_key(|r| {
        StageKind::parse(&r.key)
            .map(|k| k.position())
            .unwrap_or(u8::MAX)
    });
    Ok(ValidityReport {
        team_id: team.to_string(),
        hires,
        checkins,
        min_pairs: MIN_VALIDITY_PAIRS,
        stages,
        interviewers: rows(&by_person),
    })
}
