//! One file per slash subcommand, interaction and event, and the registry
//! that names them. Handlers turn our own payload values into domain calls,
//! stored state and recorded effects; they never touch HTTP.

pub mod help;
pub mod home;
pub mod open;
pub mod status;

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
        summary: "Open a loop: pick interviewers and times; I create the private channel and post the plan.",
    },
    CommandSpec {
        name: "status",
        usage: "/staffloop status",
        summary: "In a loop channel: the stages and whose scorecard is in (never what it says).",
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
            "status" if rest.is_empty() => Command::Status,
            "help" | "" => Command::Help,
            _ => Command::Unknown(text.to_string()),
        }
    }
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

pub async fn command(state: &AppState, cmd: SlashCommand) -> Reply {
    let span = tracing::info_span!("command", team = %cmd.team_id, user = %cmd.user_id);
    async move {
        let result: AppResult<Reply> = match Command::parse(&cmd.text) {
            Command::Open { candidate } => open::command(state, &cmd, &candidate).await,
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
    match interaction {
        Interaction::ViewSubmission(sub)
            if sub.callback_id == crate::slack::views::open_loop::CALLBACK_ID =>
        {
            let span =
                tracing::info_span!("open_loop_submit", team = %sub.team_id, user = %sub.user_id);
            open::submit(state, sub).instrument(span).await
        }
        Interaction::ViewSubmission(sub) => {
            tracing::warn!(callback_id = %sub.callback_id, "unknown view submission");
            Reply::Ack
        }
        Interaction::BlockActions(_) | Interaction::Ignored(_) => Reply::Ack,
    }
}

pub async fn event(state: &AppState, delivery: EventDelivery) -> Reply {
    match delivery {
        EventDelivery::UrlVerification { challenge } => {
            Reply::Json(json!({"challenge": challenge}))
        }
        EventDelivery::Callback(cb) => {
            let span = tracing::info_span!("event", team = %cb.team_id, event_id = %cb.event_id);
            match home::event(state, &cb).instrument(span).await {
                Ok(()) => Reply::Ack,
                Err(e) => {
                    // A non-2xx makes Slack retry later; dedupe keeps that safe.
                    if let AppError::Internal(err) = e {
                        tracing::error!(error = ?err, "event handling failed");
                    }
                    Reply::Json(json!({"ok": false}))
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
