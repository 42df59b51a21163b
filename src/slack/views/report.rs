//! The downlevel report as text (for `/staffloop stats` and the CLI) and as
//! the weekly post's blocks.

use super::{message, section, Envelope};
use crate::domain::calibration::{Agreement, InterviewerRow, Leaning, Minimums};
use crate::domain::metrics::{Diagnosis, Share};
use crate::messages::{self as m, Markup};
use crate::report::{CalibrationReport, Report, ValidityReport};
use serde_json::Value;

fn day(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn share_line(label: &str, s: &Share) -> String {
    m::report_share(label, s.count, s.share, s.low, s.high)
}

/// The report as sections, in reading order, marked up for Slack or a terminal.
pub fn sections(r: &Report, mk: Markup) -> Vec<String> {
    let mut out = vec![m::report_title(mk, r.window_days, &day(r.from), &day(r.to))];
    for row in &r.rows {
        let mut lines = vec![m::report_row_title(mk, row.applied.title(), row.decisions)];
        if row.decisions > 0 {
            lines.push(share_line(m::REPORT_AT_LEVEL, &row.at_level));
            lines.push(share_line(m::REPORT_ONE_DOWN, &row.one_down));
            lines.push(share_line(m::REPORT_ONE_UP, &row.one_up));
            lines.push(share_line(m::REPORT_NO_HIRE, &row.no_hire));
            if row.further_down.count > 0 {
                lines.push(share_line(m::REPORT_FURTHER_DOWN, &row.further_down));
            }
        }
        for d in &row.diagnoses {
            lines.push(match d {
                Diagnosis::SampleTooSmall { decisions, needed } => {
                    m::diag_small(mk, *decisions, *needed)
                }
                Diagnosis::ScreenLetsSeniorsThrough {
                    at_level,
                    downlevel,
                } => m::diag_screen(mk, *at_level, *downlevel),
                Diagnosis::InboundSourceWrong { no_hire } => m::diag_inbound(mk, *no_hire),
                Diagnosis::NothingAlarming => m::DIAG_NOTHING.to_string(),
            });
        }
        out.push(lines.join("\n"));
    }
    let mut lines = vec![m::report_shortfall(mk)];
    let any = r.shortfall.dimensions.iter().any(|(_, s)| s.total > 0);
    let needed = r.thresholds.min_sample;
    if any && r.shortfall.downlevels < needed {
        // Too few to stay anonymous: one downlevel's scores would be one
        // identifiable candidate's.
        lines.push(m::shortfall_small(mk, r.shortfall.downlevels, needed));
    } else if any {
        for (d, s) in &r.shortfall.dimensions {
            lines.push(m::shortfall_line(d.title(), s.count, s.total, s.share));
        }
        if let Some((stage, avg)) = r.shortfall.lowest_stage {
            lines.push(m::lowest_stage(mk, stage.title(), avg));
        }
    } else {
        lines.push(m::REPORT_NO_DOWNLEVELS.to_string());
    }
    out.push(lines.join("\n"));
    out
}

/// Plain text for the command line, written plain from the report's data.
pub fn text(r: &Report) -> String {
    sections(r, Markup::Plain).join("\n\n")
}

/// `/staffloop stats`: the same report, ephemeral.
pub fn ephemeral(r: &Report) -> Value {
    let parts = sections(r, Markup::Slack);
    message(&parts[0], parts.iter().map(|s| section(s)).collect()).ephemeral()
}

/// The weekly post (the chart follows as an upload), with one line more
/// when the panel agreed too little on some dimensions (`low`).
pub fn post(
    r: &Report,
    low: &[Agreement],
    stale: Option<crate::report::Stale>,
    departures: (i64, i64),
    channel: &str,
) -> Value {
    let mut parts = sections(r, Markup::Slack);
    if !low.is_empty() {
        let which: Vec<(String, f64, usize)> = low
            .iter()
            .filter_map(|a| Some((a.title.clone(), a.alpha?, a.loops)))
            .collect();
        parts.push(m::low_agreement(
            Markup::Slack,
            &which,
            Minimums::default().alpha,
        ));
    }
    if departures.0 > 0 {
        parts.push(m::departure_counted(departures.0, departures.1));
    }
    if let Some(s) = stale {
        parts.push(m::calibration_stale(
            Markup::Slack,
            s.stale,
            s.active,
            s.days,
        ));
    }
    message(&parts[0], parts.iter().map(|s| section(s)).collect())
        .with("channel", channel)
        .with("unfurl_links", false)
}

/// Interviewers listed in Slack (the command line lists everyone).
const MAX_INTERVIEWERS_IN_SLACK: usize = 60;

fn agreement_lines(mk: Markup, rows: &[Agreement], min: &Minimums) -> Vec<String> {
    rows.iter()
        .map(|a| m::agreement_line(mk, &a.title, a.alpha, a.loops, min.loops, a.is_low(min)))
        .collect()
}

fn interviewer_line(mk: Markup, r: &InterviewerRow, min: &Minimums) -> String {
    let who = match mk {
        Markup::Slack => format!("<@{}>", r.user),
        Markup::Plain => r.user.clone(),
    };
    let verdict = r.leaning.map(|l| match l {
        Leaning::Harsher => m::LEANS_HARSHER,
        Leaning::MoreLenient => m::LEANS_LENIENT,
        Leaning::InLine => m::LEANS_IN_LINE,
    });
    let s = &r.level_match;
    m::interviewer_line(
        &who,
        r.cards,
        r.offset.map(|o| (o.mean, o.low, o.high, o.n)),
        verdict,
        min.cards,
        (s.count, s.total, s.share),
        r.median_lag_hours
            .map(|h| super::duration((h * 60.0).round() as i64)),
        r.median_evidence_chars,
    )
}

/// The calibration report as sections, marked up for Slack or a terminal.
pub fn calibration_sections(r: &CalibrationReport, mk: Markup) -> Vec<String> {
    let c = &r.calibration;
    let min = &c.minimums;
    let mut out = vec![format!(
        "{}\n{}",
        m::calibration_title(mk, r.window_days, &day(r.from), &day(r.to)),
        m::calibration_scope(mk, c.loops, c.cards)
    )];
    if c.cards == 0 {
        out.push(m::CALIBRATION_NO_CARDS.to_string());
        return out;
    }
    for (by, rows) in [("dimension", &c.dimensions), ("stage", &c.stages)] {
        let mut lines = vec![m::agreement_heading(mk, by, min.alpha)];
        lines.extend(agreement_lines(mk, rows, min));
        out.extend(super::pack_sections(lines));
    }
    let shown = match mk {
        Markup::Slack => MAX_INTERVIEWERS_IN_SLACK,
        Markup::Plain => usize::MAX,
    };
    let mut lines = vec![m::interviewers_heading(mk)];
    lines.extend(
        c.interviewers
            .iter()
            .take(shown)
            .map(|i| interviewer_line(mk, i, min)),
    );
    if c.interviewers.len() > shown {
        lines.push(m::interviewers_more(c.interviewers.len() - shown));
    }
    out.extend(super::pack_sections(lines));
    out.extend(drift_sections(&r.drift, mk));
    out
}

/// Final votes against cards: the panel, each interviewer, each hiring
/// manager's pull. Nothing when no vote closed in the window.
fn drift_sections(d: &crate::domain::votes::DriftReport, mk: Markup) -> Vec<String> {
    if d.panel.votes == 0 {
        return Vec::new();
    }
    let who = |u: &str| match mk {
        Markup::Slack => format!("<@{u}>"),
        Markup::Plain => u.to_string(),
    };
    let p = &d.panel;
    let mut lines = vec![
        m::drift_heading(mk),
        m::drift_panel(
            d.loops,
            p.votes,
            p.moved,
            p.toward_hiring_manager,
            p.toward_bar_raiser,
            p.toward_median,
        ),
    ];
    let shown = match mk {
        Markup::Slack => MAX_INTERVIEWERS_IN_SLACK,
        Markup::Plain => usize::MAX,
    };
    for i in d.interviewers.iter().take(shown) {
        lines.push(m::drift_person(
            &who(&i.user),
            i.votes,
            i.moved,
            i.toward_hiring_manager,
            i.toward_bar_raiser,
            i.toward_median,
            i.readable(),
        ));
    }
    for h in &d.hiring_managers {
        lines.push(m::drift_hm(
            &who(&h.hiring_manager),
            h.votes,
            h.toward,
            h.votes >= crate::domain::votes::MIN_VOTES,
        ));
    }
    super::pack_sections(lines)
}

pub fn calibration_text(r: &CalibrationReport) -> String {
    calibration_sections(r, Markup::Plain).join("\n\n")
}

/// `/staffloop calibration`: to the admin who asked, with what the loop
/// predicted when on-the-job check-ins exist.
pub fn calibration_ephemeral(r: &CalibrationReport, v: Option<&ValidityReport>) -> Value {
    let mut parts = calibration_sections(r, Markup::Slack);
    if let Some(v) = v.filter(|v| v.checkins > 0) {
        parts.extend(validity_sections(v, Markup::Slack));
    }
    parts.truncate(MAX_MESSAGE_BLOCKS);
    message(&parts[0], parts.iter().map(|s| section(s)).collect()).ephemeral()
}

/// Blocks in one message (Slack's limit).
const MAX_MESSAGE_BLOCKS: usize = super::limits::MESSAGE_BLOCKS;

/// What the loop predicted, as sections.
pub fn validity_sections(v: &ValidityReport, mk: Markup) -> Vec<String> {
    let mut out = vec![format!(
        "{}\n{}",
        m::validity_title(mk),
        m::validity_scope(v.hires, v.checkins, v.min_pairs)
    )];
    if v.checkins == 0 {
        out.push(m::VALIDITY_NONE.to_string());
        return out;
    }
    for (by, rows, people) in [
        ("stage", &v.stages, false),
        ("interviewer", &v.interviewers, true),
    ] {
        let mut lines = vec![m::validity_heading(mk, by)];
        for r in rows {
            let who = match (people, mk) {
                (true, Markup::Slack) => format!("<@{}>", r.key),
                _ => r.title.clone(),
            };
            let cells: Vec<String> = r
                .dimensions
                .iter()
                .map(|c| {
                    let ci = c.low.zip(c.high);
                    m::validity_cell(c.dimension.title(), c.rho, c.n, ci, v.min_pairs)
                })
                .collect();
            lines.push(format!("{who}: {}", cells.join(" · ")));
        }
        out.extend(super::pack_sections(lines));
    }
    out
}

pub fn validity_text(v: &ValidityReport) -> String {
    validity_sections(v, Markup::Plain).join("\n\n")
}

/// Charts a message holds at most (Slack's limit), and the longest chart
/// title and category label.
const MAX_CHARTS: usize = super::limits::CHARTS;
const MAX_CHART_TITLE: usize = super::limits::CHART_TITLE;
const MAX_CATEGORY_CHARS: usize = 20;

/// The weekly trend as Slack's native line charts, one per applied level
/// (staff, senior staff): each week's count of decisions at the level,
/// downlevelled, no hire and other, so a quiet week looks quiet. Built from
/// slack-morphism's Block Kit types; `text` carries the counts.
pub fn weekly_charts(r: &Report, channel: &str) -> Value {
    use slack_morphism::blocks::*;
    let number = |n: u64| serde_json::Number::from(n);
    let mut blocks: Vec<SlackBlock> = Vec::new();
    let mut text = vec![m::REPORT_CHART_TITLE.to_string()];
    for (level, weeks) in r.weeks_by_level.iter().take(MAX_CHARTS) {
        let categories: Vec<String> = weeks
            .iter()
            .map(|w| {
                let day = chrono::DateTime::from_timestamp(w.starts, 0)
                    .map(|d| d.format("%m-%d").to_string())
                    .unwrap_or_default();
                crate::slack::mrkdwn::truncate(&day, MAX_CATEGORY_CHARS)
            })
            .collect();
        let series = [
            (
                m::CHART_AT_LEVEL,
                weeks.iter().map(|w| w.at_level).collect::<Vec<_>>(),
            ),
            (
                m::CHART_DOWNLEVEL,
                weeks.iter().map(|w| w.downlevel).collect(),
            ),
            (m::CHART_NO_HIRE, weeks.iter().map(|w| w.no_hire).collect()),
            (m::CHART_OTHER, weeks.iter().map(|w| w.other).collect()),
        ]
        .into_iter()
        .map(|(name, counts)| {
            SlackChartDataSeries::new(
                name.to_string(),
                categories
                    .iter()
                    .zip(&counts)
                    .map(|(c, n)| SlackChartDataPoint::new(c.clone(), number(*n)))
                    .collect(),
            )
        })
        .collect();
        let axis = SlackChartAxisConfig::new(categories.clone())
            .with_x_label(m::CHART_X.to_string())
            .with_y_label(m::CHART_Y.to_string());
        let title = crate::slack::mrkdwn::truncate(&m::chart_title(level.title()), MAX_CHART_TITLE);
        blocks.push(SlackBlock::from(SlackDataVisualizationBlock::new(
            title,
            SlackChart::Line(SlackSeriesChart::new(series, axis)),
        )));
        let counts: Vec<String> = weeks
            .iter()
            .zip(&categories)
            .map(|(w, c)| {
                format!(
                    "{c} {}/{}/{}/{}",
                    w.at_level, w.downlevel, w.no_hire, w.other
                )
            })
            .collect();
        text.push(m::chart_fallback(level.title(), &counts.join(", ")));
    }
    message(text.join("\n"), blocks)
        .with("channel", channel)
        .with("unfurl_links", false)
}
