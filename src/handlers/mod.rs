//! One file per slash subcommand, interaction and event, and the registry
//! that names them. Handlers turn our own payload values into domain calls,
//! stored state and recorded effects; they never touch HTTP.

pub mod audit;
pub mod calibrate;
pub mod debrief;
pub mod decide;
pub mod done;
pub mod gate;
pub mod help;
pub mod home;
pub mod open;
pub mod reschedule;
pub mod scorecard;
pub mod stats;
pub mod status;
pub mod swap;
pub mod votes;

use crate::effects::{self, Effect};
use crate::error::{AppError, AppResult};
use crate::messages as m;
use crate::slack::payload::{EventDelivery, Interaction, SlashCommand};
use crate::slack::Reply;
use crate::AppState;
use serde_json::json;
use tracing::Instrument;

/// A `/staffloop` subcommand, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Open { candidate: String },
    Done { stage: String },
    Debrief,
    Decide { rest: String },
    Swap { rest: String },
    Reschedule { rest: String },
    Outcome { rest: String },
    Stats { rest: String },
    Calibration { rest: String },
    Calibrate { rest: String },
    Audit { rest: String },
    ReportChannel { rest: String },
    Status,
    Help,
    Unknown(String),
}

/// The registry: every subcommand with its usage line, in help order.
pub struct CommandSpec {
    pub name: &'static str,
    pub usage: &'static str,
    pub summary: &'static str,
}

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "open",
        usage: "/staffloop open [candidate name]",
        summary: "Open a loop: pick its template, interviewers and times; I check its shape, create the private channel and post the plan.",
    },
    CommandSpec {
        name: "done",
        usage: "/staffloop done <stage>",
        summary: "In a loop channel: end a stage early and ask its interviewers for scorecards now. A stage is its number in the plan, its title, or a name such as `coding`. `done doc` marks the design document received (hiring manager).",
    },
    CommandSpec {
        name: "debrief",
        usage: "/staffloop debrief",
        summary: "Hiring manager, in a loop channel: start the debrief now (I ask you to confirm first) and reveal every scorecard at once.",
    },
    CommandSpec {
        name: "swap",
        usage: "/staffloop swap <stage> @old @new",
        summary: "Hiring manager or admin, before the debrief: give a seat whose card is not in to someone else (they are invited and briefed; the plan is updated).",
    },
    CommandSpec {
        name: "reschedule",
        usage: "/staffloop reschedule <stage> <YYYY-MM-DD HH:MM>",
        summary: "Hiring manager or admin: move a live stage not yet held (its prompts and prep move with it; the plan is updated).",
    },
    CommandSpec {
        name: "decide",
        usage: "/staffloop decide <no-hire|senior|staff|senior-staff> [note]",
        summary: "Hiring manager, after the reveal: record the decision (a second use, with a reason, corrects it once).",
    },
    CommandSpec {
        name: "outcome",
        usage: "/staffloop outcome <accepted [YYYY-MM-DD]|declined>",
        summary: "Hiring manager: record how the offer ended, and the day the hire starts (the loop's hiring manager then gets on-the-job check-ins some months later: STAFFLOOP_CHECKIN_MONTHS, 6 and 12 by default).",
    },
    CommandSpec {
        name: "status",
        usage: "/staffloop status",
        summary: "In a loop channel: the stages and whose scorecard is in (never what it says).",
    },
    CommandSpec {
        name: "stats",
        usage: "/staffloop stats [30d|90d|365d]",
        summary: "The downlevel rate and where the loop leaks, just for you.",
    },
    CommandSpec {
        name: "calibration",
        usage: "/staffloop calibration [90d|365d]",
        summary: "Admins: how each interviewer scores against the rest of the panel, and how far the panel agrees, just for you.",
    },
    CommandSpec {
        name: "calibrate",
        usage: "/staffloop calibrate",
        summary: "Admins and hiring managers: a practice debrief. Pick two past candidates and a panel; everyone scores them blind from what their panels wrote, and all cards are revealed at once beside the original scores.",
    },
    CommandSpec {
        name: "audit",
        usage: "/staffloop audit",
        summary: "Admins: how the last three staff hires work today, from private check-ins by who sees their work, against what their loops tested. Shows the round you are missing.",
    },
    CommandSpec {
        name: "report-channel",
        usage: "/staffloop report-channel <#channel|here>",
        summary: "Admins: where the weekly downlevel report is posted.",
    },
    CommandSpec {
        name: "help",
        usage: "/staffloop help",
        summary: "This list.",
    },
];

impl Command {
    pub fn parse(text: &str) -> Command {
        let text = text.trim();
        let (word, rest) = match text.split_once(char::is_whitespace) {
            Some((w, r)) => (w, r.trim()),
            None => (text, ""),
        };
        match word.to_lowercase().as_str() {
            "open" => Command::Open {
                candidate: rest.to_string(),
            },
            "done" => Command::Done {
                stage: rest.to_string(),
            },
            "debrief" if rest.is_empty() => Command::Debrief,
            "decide" => Command::Decide {
                rest: rest.to_string(),
            },
            "swap" => Command::Swap {
                rest: rest.to_string(),
            },
            "reschedule" => Command::Reschedule {
                rest: rest.to_string(),
            },
            "outcome" => Command::Outcome {
                rest: rest.to_string(),
            },
            "stats" => Command::Stats {
                rest: rest.to_string(),
            },
            "calibration" => Command::Calibration {
                rest: rest.to_string(),
            },
            "calibrate" => Command::Calibrate {
                rest: rest.to_string(),
            },
            "audit" => Command::Audit {
                rest: rest.to_string(),
            },
            "report-channel" => Command::ReportChannel {
                rest: rest.to_string(),
            },
            "status" if rest.is_empty() => Command::Status,
            "help" | "" => Command::Help,
            _ => Command::Unknown(text.to_string()),
        }
    }
}

/// The loop a button's value names, if it belongs to the presser's workspace.
pub(crate) async fn action_loop(
    state: &AppState,
    action: &crate::slack::payload::BlockAction,
) -> anyhow::Result<Option<crate::store::loops::LoopRow>> {
    Ok(match action.id_value() {
        Some(id) => crate::store::loops::by_id(&state.db, id)
            .await?
            .filter(|l| l.team_id == action.team_id.as_str()),
        None => None,
    })
}

/// The loop of the channel a command was typed in, when `user` may change
/// its panel or times (its hiring manager or an admin).
pub(crate) async fn panel_loop(
    state: &AppState,
    cmd: &SlashCommand,
) -> AppResult<crate::store::loops::LoopRow> {
    let by = cmd.user_id.as_str();
    let Some(l) =
        crate::store::loops::find_by_channel(&state.db, cmd.team_id.as_str(), &cmd.channel_id)
            .await?
    else {
        return Err(AppError::user(m::NOT_A_LOOP_CHANNEL));
    };
    if l.hiring_manager != by && !state.is_admin(by) {
        return Err(AppError::user(m::PANEL_NOT_ALLOWED));
    }
    Ok(l)
}

fn apology(e: AppError, context: &'static str) -> Reply {
    match e {
        AppError::User(msg) => Reply::ephemeral(msg),
        AppError::Internal(err) => {
            tracing::error!(error = ?err, context, "handler failed");
            Reply::ephemeral(m::GENERIC_APOLOGY)
        }
    }
}

/// `views.open` must land before the trigger's 3 s run out.
const VIEWS_OPEN_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(2500);

/// Opens a modal on a trigger; on failure, Slack's error code (or
/// "timeout", "unavailable") to tell the user.
pub(crate) async fn open_form(
    state: &AppState,
    trigger_id: &str,
    view: serde_json::Value,
) -> Result<(), String> {
    use crate::slack::client::CallError;
    let body = json!({"trigger_id": trigger_id, "view": view});
    let call = state.slack.call("views.open", &body);
    match tokio::time::timeout(VIEWS_OPEN_TIMEOUT, call).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(CallError::Api(code))) => Err(code),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "views.open failed");
            Err("unavailable".to_string())
        }
        Err(_) => Err("timeout".to_string()),
    }
}

/// A short note to one user, as an ephemeral message where the button was.
pub async fn notice(
    state: &AppState,
    team: &str,
    user: &str,
    channel: Option<&str>,
    text: &str,
) -> anyhow::Result<()> {
    let notice = Effect::Notice {
        user: user.to_string(),
        channel: channel.map(str::to_string),
        text: text.to_string(),
    };
    let mut tx = state.db.begin().await?;
    effects::record(&mut tx, team, notice, state.clock.unix_ms()).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}

/// False (and logged) when a request comes from a workspace other than the
/// bot token's: it is refused before anything reads or stores it.
fn ours(state: &AppState, team: &str, what: &'static str) -> bool {
    let ours = team == state.team_id;
    if !ours {
        tracing::warn!(team, what, "refused a request from another workspace");
    }
    ours
}

pub async fn command(state: &AppState, cmd: SlashCommand) -> Reply {
    if !ours(state, cmd.team_id.as_str(), "slash command") {
        return Reply::ephemeral(m::OTHER_WORKSPACE);
    }
    let span = tracing::info_span!("command", team = %cmd.team_id, user = %cmd.user_id);
    async move {
        let result: AppResult<Reply> = match Command::parse(&cmd.text) {
            Command::Open { candidate } => open::command(state, &cmd, &candidate).await,
            Command::Done { stage } => done::command(state, &cmd, &stage).await,
            Command::Debrief => debrief::command(state, &cmd).await,
            Command::Decide { rest } => decide::command(state, &cmd, &rest).await,
            Command::Swap { rest } => swap::command(state, &cmd, &rest).await,
            Command::Reschedule { rest } => reschedule::command(state, &cmd, &rest).await,
            Command::Outcome { rest } => decide::outcome(state, &cmd, &rest).await,
            Command::Stats { rest } => stats::stats(state, &cmd, &rest).await,
            Command::Calibration { rest } => stats::calibration(state, &cmd, &rest).await,
            Command::Calibrate { rest } => calibrate::command(state, &cmd, &rest).await,
            Command::Audit { rest } => audit::command(state, &cmd, &rest).await,
            Command::ReportChannel { rest } => stats::report_channel(state, &cmd, &rest).await,
            Command::Status => status::command(state, &cmd).await,
            Command::Help => Ok(help::reply(None)),
            Command::Unknown(text) => Ok(help::reply(Some(&text))),
        };
        result.unwrap_or_else(|e| apology(e, "slash command"))
    }
    .instrument(span)
    .await
}

pub async fn interaction(state: &AppState, interaction: Interaction) -> Reply {
    use crate::slack::views::{self, open_loop, scorecard as card_view};
    let team = match &interaction {
        Interaction::ViewSubmission(sub) => Some(sub.team_id.as_str()),
        Interaction::BlockActions(action) => Some(action.team_id.as_str()),
        Interaction::Ignored(_) => None,
    };
    if let Some(team) = team {
        if !ours(state, team, "interaction") {
            return Reply::Refused;
        }
    }
    match interaction {
        Interaction::ViewSubmission(sub) => {
            let span = tracing::info_span!("view_submission", team = %sub.team_id, user = %sub.user_id, callback = %sub.callback_id);
            async {
                // Taken now: the card's form moves to its writer below.
                let apology_block = sub.first_block().unwrap_or_default();
                let result = match sub.callback_id.as_str() {
                    open_loop::CALLBACK_ID => return open::submit(state, sub).await,
                    card_view::CALLBACK_ID => scorecard::submit(state, sub).await,
                    card_view::ADDENDUM_CALLBACK_ID => {
                        scorecard::submit_addendum(state, &sub).await
                    }
                    views::practice::CALLBACK_ID => calibrate::submit(state, &sub).await,
                    views::practice::CARD_CALLBACK_ID => calibrate::submit_card(state, &sub).await,
                    views::audit::CALLBACK_ID => audit::submit(state, &sub).await,
                    views::audit::CHECKIN_CALLBACK_ID => audit::submit_checkin(state, &sub).await,
                    views::votes::CALLBACK_ID => votes::submit(state, &sub).await,
                    other => {
                        tracing::warn!(callback_id = %other, "unknown view submission");
                        return Reply::Ack;
                    }
                };
                result.unwrap_or_else(|e| {
                    tracing::error!(error = ?e, "view submission failed");
                    // Keep the modal open so nothing typed is lost.
                    Reply::view_errors([(apology_block, m::GENERIC_APOLOGY.to_string())])
                })
            }
            .instrument(span)
            .await
        }
        Interaction::BlockActions(action) => {
            let span = tracing::info_span!("block_action", team = %action.team_id, user = %action.user_id, action = %action.action_id);
            let result = async {
                match action.action_id.as_str() {
                    card_view::OPEN_ACTION => scorecard::open(state, &action).await,
                    views::open_loop::TEMPLATE_ACTION => {
                        open::template_picked(state, &action).await
                    }
                    card_view::ADDENDUM_ACTION => scorecard::open_addendum(state, &action).await,
                    crate::slack::views::plan::DOC_RECEIVED_ACTION => {
                        done::doc_received(state, &action).await
                    }
                    views::gate::CONTINUE_ACTION => gate::decide(state, &action, false).await,
                    views::gate::STOP_ACTION => gate::decide(state, &action, true).await,
                    views::plan::START_DEBRIEF_ACTION => debrief::button(state, &action).await,
                    views::debrief::CONFIRM_ACTION => debrief::confirm(state, &action, false).await,
                    views::debrief::ANYWAY_ACTION => debrief::confirm(state, &action, true).await,
                    views::decision::CONFIRM_ACTION => decide::settle(state, &action, true).await,
                    views::decision::CANCEL_ACTION => decide::settle(state, &action, false).await,
                    views::practice::SCORE_ACTION => calibrate::open_card(state, &action).await,
                    views::practice::REVEAL_ACTION => {
                        calibrate::reveal_button(state, &action).await
                    }
                    views::audit::CHECKIN_ACTION => audit::open_checkin(state, &action).await,
                    views::audit::CLOSE_ACTION => audit::close_button(state, &action).await,
                    views::votes::COLLECT_ACTION => votes::collect(state, &action).await,
                    views::votes::VOTE_ACTION => votes::open_vote(state, &action).await,
                    views::votes::CLOSE_ACTION => votes::close(state, &action).await,
                    other => match other
                        .strip_prefix(crate::slack::views::reveal::DECIDE_ACTION_PREFIX)
                        .and_then(crate::domain::Level::parse)
                    {
                        Some(level) => decide::button(state, &action, level).await,
                        None => Ok(()),
                    },
                }
            }
            .instrument(span.clone())
            .await;
            if let Err(e) = result {
                tracing::error!(parent: &span, error = ?e, "button handling failed");
                // Never silence: the presser hears something short, where
                // they pressed (or in a DM).
                let told = notice(
                    state,
                    action.team_id.as_str(),
                    action.user_id.as_str(),
                    action.channel_id.as_deref(),
                    m::GENERIC_APOLOGY,
                )
                .await;
                if let Err(e) = told {
                    tracing::error!(parent: &span, error = ?e, "could not record the apology either");
                }
            }
            Reply::Ack
        }
        Interaction::Ignored(_) => Reply::Ack,
    }
}

pub async fn event(state: &AppState, delivery: EventDelivery) -> Reply {
    match delivery {
        EventDelivery::UrlVerification { challenge } => {
            Reply::Json(json!({"challenge": challenge}))
        }
        EventDelivery::Callback(cb) => {
            if !ours(state, cb.team_id.as_str(), "event") {
                return Reply::Refused;
            }
            let span = tracing::info_span!("event", team = %cb.team_id, event_id = %cb.event_id);
            match home::event(state, &cb).instrument(span).await {
                Ok(()) => Reply::Ack,
                // Nothing was stored (the dedupe row rolled back with the
                // rest), so Slack's retry handles it afresh.
                Err(AppError::Internal(err)) => {
                    tracing::error!(error = ?err, "event handling failed; Slack will retry");
                    Reply::Retry
                }
                // Refused for good: a retry would be refused the same way.
                Err(AppError::User(msg)) => {
                    tracing::warn!(%msg, "event refused");
                    Reply::Ack
                }
            }
        }
        EventDelivery::Other(_) => Reply::Ack,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_subcommands() {
        assert_eq!(
            Command::parse("  open  José Núñez "),
            Command::Open {
                candidate: "José Núñez".into()
            }
        );
        assert_eq!(
            Command::parse("OPEN"),
            Command::Open {
                candidate: "".into()
            }
        );
        assert_eq!(Command::parse("status"), Command::Status);
        assert_eq!(
            Command::parse("done coding"),
            Command::Done {
                stage: "coding".into()
            }
        );
        assert_eq!(Command::parse(""), Command::Help);
        assert_eq!(Command::parse("help"), Command::Help);
        assert_eq!(
            Command::parse("status now"),
            Command::Unknown("status now".into())
        );
        assert_eq!(
            Command::parse("frobnicate x"),
            Command::Unknown("frobnicate x".into())
        );
        for spec in COMMANDS {
            assert!(spec.usage.starts_with("/staffloop "));
            assert!(!matches!(Command::parse(spec.name), Command::Unknown(_)));
        }
    }
}
