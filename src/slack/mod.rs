//! The Slack transport: inbound HTTP routes and Socket Mode (both feeding the
//! same handlers), the outbound client, payload parsing and Block Kit views.

pub mod client;
pub mod http;
pub mod mrkdwn;
pub mod payload;
pub mod socket;
pub mod verify;
pub mod views;

use serde_json::Value;
use slack_morphism::blocks::{SlackViewSubmissionErrorsResponse, SlackViewSubmissionResponse};
use views::Envelope;

/// What a handler answers Slack with, whichever transport carried the request.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// An empty 200 (for a view submission: close the modal).
    Ack,
    /// A JSON body (ephemeral message, `response_action`, challenge, ...).
    Json(Value),
    /// Not handled this time: over HTTP a 500, over Socket Mode no
    /// acknowledgement, so that Slack delivers it again (events are
    /// deduplicated by id, so the retry is safe).
    Retry,
    /// From a workspace this service does not act for: over HTTP a 403,
    /// over Socket Mode a bare acknowledgement. Nothing was done.
    Refused,
}

impl Reply {
    pub fn ephemeral(text: impl Into<String>) -> Reply {
        Reply::Json(views::text(text).ephemeral())
    }

    /// `response_action: errors`, keyed by input block id.
    pub fn view_errors(errors: impl IntoIterator<Item = (String, String)>) -> Reply {
        let errors = SlackViewSubmissionErrorsResponse::new(errors.into_iter().collect());
        let body = SlackViewSubmissionResponse::Errors(errors);
        Reply::Json(serde_json::to_value(body).expect("a view submission response serializes"))
    }

    pub fn body(&self) -> Option<&Value> {
        match self {
            Reply::Ack | Reply::Retry | Reply::Refused => None,
            Reply::Json(v) => Some(v),
        }
    }
}
