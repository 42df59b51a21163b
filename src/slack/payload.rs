//! Slack's inbound payloads turned into our own values. Both transports (HTTP
//! and Socket Mode) feed the same parsers, so there is one adapter, not two.

use crate::domain::{TeamId, UserId};
use serde_json::Value;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlashCommand {
    pub team_id: TeamId,
    pub user_id: UserId,
    /// Where the command was typed (a raw id; may be a DM).
    pub channel_id: String,
    pub command: String,
    pub text: String,
    pub trigger_id: String,
}

#[derive(Debug, PartialEq, Eq)]
pub struct PayloadError(pub &'static str);

impl SlashCommand {
    /// From the form fields of an HTTP post or the JSON object Socket Mode sends.
    pub fn from_fields(fields: &HashMap<String, String>) -> Result<SlashCommand, PayloadError> {
        let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
        Ok(SlashCommand {
            team_id: TeamId::parse(get("team_id")).ok_or(PayloadError("team_id"))?,
            user_id: UserId::parse(get("user_id")).ok_or(PayloadError("user_id"))?,
            channel_id: get("channel_id").to_string(),
            command: get("command").to_string(),
            // The command is escaped (`should_escape`): mentions arrive as
            // `<@U123|name>`, and `&`, `<`, `>` typed as text as entities.
            text: super::mrkdwn::unescape(get("text")),
            trigger_id: get("trigger_id").to_string(),
        })
    }

    pub fn from_form(body: &[u8]) -> Result<SlashCommand, PayloadError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(body).map_err(|_| PayloadError("form"))?;
        SlashCommand::from_fields(&pairs.into_iter().collect())
    }

    pub fn from_json(v: &Value) -> Result<SlashCommand, PayloadError> {
        let obj = v.as_object().ok_or(PayloadError("payload"))?;
        let fields = obj
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect();
        SlashCommand::from_fields(&fields)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ViewSubmission {
    pub team_id: TeamId,
    pub user_id: UserId,
    pub view_id: String,
    pub callback_id: String,
    pub private_metadata: String,
    /// `view.state.values`: block_id → action_id → value object.
    pub values: Value,
}

impl ViewSubmission {
    /// The first block the submitted form has: where an answer about the
    /// whole form (a refusal, an apology) is shown.
    pub fn first_block(&self) -> Option<String> {
        self.values
            .as_object()
            .and_then(|o| o.keys().next().cloned())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct BlockAction {
    pub team_id: TeamId,
    pub user_id: UserId,
    pub action_id: String,
    pub value: Option<String>,
    pub trigger_id: String,
    pub channel_id: Option<String>,
    /// The message the button sits on, when it sits on one.
    pub message_ts: Option<String>,
    /// The modal the element sits in, when it sits in one: its id, its
    /// hash (so an update cannot overwrite a newer one) and its values.
    pub view: Option<ActionView>,
    /// A select's chosen option (its value).
    pub selected: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionView {
    pub id: String,
    pub hash: String,
    pub callback_id: String,
    pub values: Value,
}

impl BlockAction {
    /// The action's value as an id (our buttons carry loop or stage ids).
    pub fn id_value(&self) -> Option<i64> {
        self.value.as_deref()?.parse().ok()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Interaction {
    ViewSubmission(ViewSubmission),
    BlockActions(BlockAction),
    /// Anything we do not act on (view_closed, shortcuts, ...), by type.
    Ignored(String),
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

impl Interaction {
    pub fn from_form(body: &[u8]) -> Result<Interaction, PayloadError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(body).map_err(|_| PayloadError("form"))?;
        let raw = pairs
            .into_iter()
            .find(|(k, _)| k == "payload")
            .map(|(_, v)| v)
            .ok_or(PayloadError("payload"))?;
        if let Some(sub) = fast_view_submission(&raw) {
            return Ok(Interaction::ViewSubmission(sub));
        }
        let json: Value = serde_json::from_str(&raw).map_err(|_| PayloadError("payload json"))?;
        Interaction::from_json(&json)
    }

    pub fn from_json(v: &Value) -> Result<Interaction, PayloadError> {
        let kind = str_at(v, &["type"]).ok_or(PayloadError("type"))?;
        let user_id = str_at(v, &["user", "id"]).and_then(UserId::parse);
        // `team` may be null (e.g. org-wide installs); fall back to the user's.
        let team_id = str_at(v, &["team", "id"])
            .or_else(|| str_at(v, &["user", "team_id"]))
            .or_else(|| str_at(v, &["view", "team_id"]))
            .and_then(TeamId::parse);
        match kind {
            "view_submission" => {
                let view = v.get("view").ok_or(PayloadError("view"))?;
                Ok(Interaction::ViewSubmission(ViewSubmission {
                    team_id: team_id.ok_or(PayloadError("team"))?,
                    user_id: user_id.ok_or(PayloadError("user"))?,
                    view_id: str_at(view, &["id"]).unwrap_or_default().to_string(),
                    callback_id: owned(view, &["callback_id"]),
                    private_metadata: owned(view, &["private_metadata"]),
                    values: state_values(view),
                }))
            }
            "block_actions" => {
                let action = v
                    .get("actions")
                    .and_then(|a| a.get(0))
                    .ok_or(PayloadError("actions"))?;
                Ok(Interaction::BlockActions(BlockAction {
                    team_id: team_id.ok_or(PayloadError("team"))?,
                    user_id: user_id.ok_or(PayloadError("user"))?,
                    action_id: str_at(action, &["action_id"])
                        .unwrap_or_default()
                        .to_string(),
                    value: str_at(action, &["value"]).map(str::to_string),
                    trigger_id: str_at(v, &["trigger_id"]).unwrap_or_default().to_string(),
                    channel_id: str_at(v, &["channel", "id"])
                        .or_else(|| str_at(v, &["container", "channel_id"]))
                        .map(str::to_string),
                    message_ts: str_at(v, &["container", "message_ts"])
                        .or_else(|| str_at(v, &["message", "ts"]))
                        .map(str::to_string),
                    view: v.get("view").and_then(|view| {
                        Some(ActionView {
                            id: str_at(view, &["id"])?.to_string(),
                            hash: owned(view, &["hash"]),
                            callback_id: owned(view, &["callback_id"]),
                            values: state_values(view),
                        })
                    }),
                    selected: str_at(action, &["selected_option", "value"]).map(str::to_string),
                }))
            }
            other => Ok(Interaction::Ignored(other.to_string())),
        }
    }
}

/// The fields of a view submission that `from_json` reads, and nothing
/// else: the view's blocks (most of the payload) are skipped rather than
/// built into a tree.
#[derive(serde::Deserialize)]
struct FastSubmission {
    #[serde(rename = "type")]
    kind: String,
    user: Option<FastUser>,
    team: Option<FastTeam>,
    view: Option<FastView>,
}

#[derive(serde::Deserialize)]
struct FastUser {
    id: Option<String>,
    team_id: Option<String>,
}

#[derive(serde::Deserialize)]
struct FastTeam {
    id: Option<String>,
}

#[derive(serde::Deserialize)]
struct FastView {
    id: Option<String>,
    team_id: Option<String>,
    callback_id: Option<String>,
    private_metadata: Option<String>,
    state: Option<FastState>,
}

#[derive(serde::Deserialize)]
struct FastState {
    values: Option<Value>,
}

/// A well-formed view submission read straight into its fields; `None`
/// for anything else (another kind, a missing view or id, a field of an
/// unexpected type), which then takes the general path and gets the same
/// answer it always had.
fn fast_view_submission(raw: &str) -> Option<ViewSubmission> {
    let p: FastSubmission = serde_json::from_str(raw).ok()?;
    if p.kind != "view_submission" {
        return None;
    }
    let view = p.view?;
    let user = p.user?;
    let team = p.team.and_then(|t| t.id);
    let team_id = team.or(user.team_id).or(view.team_id)?;
    Some(ViewSubmission {
        team_id: TeamId::parse(&team_id)?,
        user_id: UserId::parse(user.id.as_deref()?)?,
        view_id: view.id.unwrap_or_default(),
        callback_id: view.callback_id.unwrap_or_default(),
        private_metadata: view.private_metadata.unwrap_or_default(),
        values: view.state.and_then(|s| s.values).unwrap_or(Value::Null),
    })
}

/// A view's `state.values` (block_id → action_id → value object).
fn state_values(view: &Value) -> Value {
    view.get("state")
        .and_then(|s| s.get("values"))
        .cloned()
        .unwrap_or(Value::Null)
}

/// The string at `path`, or an empty one.
fn owned(v: &Value, path: &[&str]) -> String {
    str_at(v, path).unwrap_or_default().to_string()
}

/// A typed view of `view.state.values`, tolerant of missing and null entries.
pub struct ViewState<'a>(pub &'a Value);

impl<'a> ViewState<'a> {
    fn field(&self, block: &str, action: &str) -> Option<&'a Value> {
        self.0.get(block)?.get(action).filter(|v| !v.is_null())
    }

    pub fn text(&self, block: &str, action: &str) -> Option<&'a str> {
        self.field(block, action)?.get("value")?.as_str()
    }

    pub fn selected_option(&self, block: &str, action: &str) -> Option<&'a str> {
        self.field(block, action)?
            .get("selected_option")?
            .get("value")?
            .as_str()
    }

    pub fn selected_user(&self, block: &str, action: &str) -> Option<&'a str> {
        self.field(block, action)?.get("selected_user")?.as_str()
    }

    pub fn selected_users(&self, block: &str, action: &str) -> Vec<&'a str> {
        self.field(block, action)
            .and_then(|f| f.get("selected_users"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// `datetimepicker`: unix seconds.
    pub fn selected_date_time(&self, block: &str, action: &str) -> Option<i64> {
        self.field(block, action)?
            .get("selected_date_time")?
            .as_i64()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventDelivery {
    UrlVerification { challenge: String },
    Callback(EventCallback),
    Other(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventCallback {
    pub event_id: String,
    pub team_id: TeamId,
    pub event: Value,
}

impl EventDelivery {
    pub fn from_json(v: &Value) -> Result<EventDelivery, PayloadError> {
        match str_at(v, &["type"]).ok_or(PayloadError("type"))? {
            "url_verification" => Ok(EventDelivery::UrlVerification {
                challenge: str_at(v, &["challenge"])
                    .ok_or(PayloadError("challenge"))?
                    .to_string(),
            }),
            "event_callback" => Ok(EventDelivery::Callback(EventCallback {
                event_id: str_at(v, &["event_id"])
                    .filter(|id| !id.is_empty() && id.len() <= 255)
                    .ok_or(PayloadError("event_id"))?
                    .to_string(),
                team_id: str_at(v, &["team_id"])
                    .and_then(TeamId::parse)
                    .ok_or(PayloadError("team_id"))?,
                event: v.get("event").cloned().ok_or(PayloadError("event"))?,
            })),
            other => Ok(EventDelivery::Other(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_the_signing_vector_form() {
        let body = b"token=x&team_id=T1DC2JH3J&channel_id=G8PSS9T3V&user_id=U2CERLKJA&command=%2Fstaffloop&text=open+Jos%C3%A9&trigger_id=1.2.3";
        let c = SlashCommand::from_form(body).unwrap();
        assert_eq!(c.text, "open José");
        assert_eq!(c.user_id.as_str(), "U2CERLKJA");
        assert!(SlashCommand::from_form(b"team_id=T1&user_id=<!x>").is_err());
    }

    /// The view-submission fast path gives what the general path gives, or
    /// steps aside for it.
    #[test]
    fn the_fast_view_submission_path_agrees_with_the_general_one() {
        let values = json!({"b1": {"a1": {"type": "plain_text_input", "value": "evidence"}}});
        let view = json!({"id": "V1", "team_id": "T0VIEW001", "callback_id": "scorecard",
            "private_metadata": "42", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}],
            "state": {"values": values}});
        let cases = [
            json!({"type": "view_submission", "team": {"id": "T0TEAM001"}, "user": {"id": "U0USER001", "team_id": "T0USER001"}, "view": view}),
            json!({"type": "view_submission", "team": null, "user": {"id": "U0USER001", "team_id": "T0USER001"}, "view": view}),
            json!({"type": "view_submission", "user": {"id": "U0USER001"}, "view": view}),
            json!({"type": "view_submission", "team": {"id": 7}, "user": {"id": "U0USER001", "team_id": "T0USER001"}, "view": view}),
            json!({"type": "view_submission", "team": {"id": "T0TEAM001"}, "user": {"id": "U0USER001"}, "view": {"id": "V1"}}),
            json!({"type": "view_submission", "team": {"id": "T0TEAM001"}, "user": {"id": "U0USER001"}, "view": {"state": {"values": null}}}),
            json!({"type": "view_submission", "team": {"id": "T0TEAM001"}, "user": {"id": "<!x>"}, "view": view}),
            json!({"type": "view_submission", "team": {"id": "T0TEAM001"}, "user": {"id": "U0USER001"}}),
            json!({"type": "view_submission", "team": {"id": "T0TEAM001"}, "view": view}),
            json!({"type": "block_actions", "team": {"id": "T0TEAM001"}, "user": {"id": "U0USER001"}, "trigger_id": "t", "actions": [{"action_id": "a", "value": "1"}]}),
        ];
        let mut fast = 0;
        for case in cases {
            let raw = case.to_string();
            let general = Interaction::from_json(&case);
            if let Some(sub) = fast_view_submission(&raw) {
                fast += 1;
                assert_eq!(general, Ok(Interaction::ViewSubmission(sub)), "{raw}");
            }
            let form = serde_urlencoded::to_string([("payload", raw.as_str())]).unwrap();
            assert_eq!(Interaction::from_form(form.as_bytes()), general, "{raw}");
        }
        assert_eq!(fast, 5, "the well-formed submissions take the fast path");
    }

    #[test]
    fn interaction_with_null_team_uses_the_user_team() {
        let v = json!({"type":"view_submission","team":null,
            "user":{"id":"U1ABC","team_id":"T9XYZ"},
            "view":{"id":"V1","callback_id":"cb","private_metadata":"","state":{"values":{
                "b":{"a":{"type":"plain_text_input","value":null}}}}}});
        let Interaction::ViewSubmission(s) = Interaction::from_json(&v).unwrap() else {
            panic!("not a submission")
        };
        assert_eq!(s.team_id.as_str(), "T9XYZ");
        assert_eq!(ViewState(&s.values).text("b", "a"), None);
        assert_eq!(
            ViewState(&s.values).selected_users("x", "y"),
            Vec::<&str>::new()
        );
        assert!(Interaction::from_form(b"payload=%7Bnot+json").is_err());
        assert_eq!(
            Interaction::from_json(&json!({"type":"view_closed"})).unwrap(),
            Interaction::Ignored("view_closed".into())
        );
    }
}
