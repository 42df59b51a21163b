//! The downlevel report as text (for `/staffloop stats` and the CLI) and as
//! the weekly post's blocks.

use super::section;
use crate::domain::metrics::{Diagnosis, Share};
use crate::messages::{self as m, Markup};
use crate::report::Report;
use serde_json::{json, Value};

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
    json!({"response_type": "ephemeral", "text": parts[0], "blocks": parts.iter().map(|s| section(s)).collect::<Vec<_>>()})
}

/// The weekly post (the chart follows as an upload).
pub fn post(r: &Report, channel: &str) -> Value {
    let parts = sections(r, Markup::Slack);
    json!({"channel": channel, "text": parts[0], "blocks": parts.iter().map(|s| section(s)).collect::<Vec<_>>(),
           "unfurl_links": false})
}
