//! `/staffloop stats [30d|90d|365d]`: the downlevel report, to the invoker
//! only; `/staffloop calibration [90d|365d]`: the interviewer calibration
//! report, to an admin only; and `/staffloop report-channel`, where an admin
//! sends the weekly post.

use crate::domain::calibration::Minimums;
use crate::error::{AppError, AppResult};
use crate::messages as m;
use crate::report;
use crate::slack::payload::SlashCommand;
use crate::slack::views::report as view;
use crate::slack::Reply;
use crate::store::{loops, metrics};
use crate::AppState;

/// The windows `/staffloop stats` offers, in days.
pub fn parse_window(text: &str) -> Option<i64> {
    match text.trim().to_lowercase().as_str() {
        "" | "90d" | "90" => Some(90),
        "30d" | "30" => Some(30),
        "365d" | "365" | "1y" => Some(365),
        _ => None,
    }
}

pub async fn stats(state: &AppState, cmd: &SlashCommand, rest: &str) -> AppResult<Reply> {
    // Decisions about people: admins and hiring managers only.
    let user = cmd.user_id.as_str();
    let admin = state.is_admin(user);
    if !admin && !loops::is_hiring_manager(&state.db, cmd.team_id.as_str(), user).await? {
        return Err(AppError::user(m::STATS_NOT_ALLOWED));
    }
    let Some(days) = parse_window(rest) else {
        return Err(AppError::user(m::stats_usage()));
    };
    let r = report::downlevel(
        &state.db,
        cmd.team_id.as_str(),
        days,
        state.clock.unix(),
        &state.report.thresholds,
    )
    .await?;
    Ok(Reply::Json(view::ephemeral(&r)))
}

pub async fn calibration(state: &AppState, cmd: &SlashCommand, rest: &str) -> AppResult<Reply> {
    // How named people score: admins only.
    if !state.is_admin(cmd.user_id.as_str()) {
        return Err(AppError::user(m::CALIBRATION_NOT_ALLOWED));
    }
    let days = match rest.trim().to_lowercase().as_str() {
        "" | "90d" | "90" => 90,
        "365d" | "365" | "1y" => 365,
        _ => return Err(AppError::user(m::calibration_usage())),
    };
    let r = report::calibration(
        &state.db,
        cmd.team_id.as_str(),
        days,
        state.clock.unix(),
        Minimums::default(),
    )
    .await?;
    let v = report::validity(&state.db, cmd.team_id.as_str()).await?;
    Ok(Reply::Json(view::calibration_ephemeral(&r, Some(&v))))
}

pub async fn report_channel(state: &AppState, cmd: &SlashCommand, rest: &str) -> AppResult<Reply> {
    if !state.is_admin(cmd.user_id.as_str()) {
        return Err(AppError::user(m::REPORT_CHANNEL_NOT_ALLOWED));
    }
    let rest = rest.trim();
    // `<#C123|name>` when Slack escapes the mention, `<#C123>`, a bare id, or `here`.
    let raw = if rest.eq_ignore_ascii_case("here") {
        cmd.channel_id.as_str()
    } else {
        rest.trim_start_matches("<#")
            .trim_end_matches('>')
            .split('|')
            .next()
            .unwrap_or_default()
    };
    let Some(channel) = crate::domain::ChannelId::parse(raw) else {
        return Err(AppError::user(m::report_channel_usage()));
    };
    metrics::set_report_channel(
        &state.db,
        cmd.team_id.as_str(),
        channel.as_str(),
        state.clock.unix(),
    )
    .await?;
    Ok(Reply::ephemeral(m::report_channel_set(channel.as_str())))
}
