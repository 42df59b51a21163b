//! Renders one effect from the current state, calls Slack, and records what
//! Slack answered (the channel's id, the prompt's and the reveal's messages)
//! through typed store functions. The outbox worker decides what a failure
//! means: wait, retry, or give up.

use super::reveal;
use super::Effect;
use crate::domain::{StageKind, UserId};
use crate::messages as m;
use crate::slack::client::CallError;
use crate::slack::mrkdwn::{escape, user as mention};
use crate::slack::views::{self, home::HomeLoop, Envelope};
use crate::store::outbox::{self, Delivery};
use crate::store::{cards, loops};
use crate::AppState;
use serde_json::{json, Value};

#[derive(Debug)]
pub enum Failure {
    /// Slack refused or could not be reached; the worker sorts it out.
    Slack(CallError),
    /// What this effect builds on never came to be: the worker gives up.
    Missing(&'static str),
    /// Try again at once (the channel name was taken; a new one is chosen).
    RetryNow(&'static str),
    /// Our own bookkeeping failed: the lease runs out and it is retried.
    Store(anyhow::Error),
    /// Another worker holds the delivery now.
    LeaseLost,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Store(e.into())
    }
}

pub(super) type Sent = Result<(), Failure>;

pub(super) async fn call(state: &AppState, method: &str, body: &Value) -> Result<Value, Failure> {
    state.slack.call(method, body).await.map_err(Failure::Slack)
}

async fn channel(state: &AppState, loop_id: i64) -> Result<String, Failure> {
    loops::channel_id(&state.db, loop_id)
        .await?
        .ok_or(Failure::Missing("the loop's channel was never created"))
}

/// The loop's channel and the reveal summary's message, to thread under.
pub(super) async fn thread(state: &AppState, loop_id: i64) -> Result<(String, String), Failure> {
    let channel = channel(state, loop_id).await?;
    let ts = loops::reveal_ts(&state.db, loop_id)
        .await?
        .ok_or(Failure::Missing("the reveal summary was never posted"))?;
    Ok((channel, ts))
}

/// A line of text as a message to `channel`.
pub(super) fn note(channel: &str, text: &str) -> Value {
    views::note(text).with("channel", channel)
}

fn mention_of(user: &str) -> String {
    UserId::parse(user)
        .map(|u| mention(&u))
        .unwrap_or_else(|| escape(user))
}

async fn stage(
    state: &AppState,
    stage_id: i64,
) -> Result<(cards::StageRow, crate::domain::StageSpec), Failure> {
    let stage = cards::stage(&state.db, stage_id)
        .await?
        .ok_or(Failure::Missing("the stage is gone"))?;
    let spec = stage
        .spec()
        .ok_or(Failure::Missing("the stage has an unknown kind"))?;
    Ok((stage, spec))
}

async fn loop_row(state: &AppState, loop_id: i64) -> Result<loops::LoopRow, Failure> {
    loops::by_id(&state.db, loop_id)
        .await?
        .ok_or(Failure::Missing("the loop is gone"))
}

/// An ephemeral message to `user` where they pressed (or in their DM).
async fn ephemeral(state: &AppState, mut body: Value, user: &str, channel: Option<&str>) -> Sent {
    body.set("channel", channel.unwrap_or(user));
    body.set("user", user);
    call(state, "chat.postEphemeral", &body).await.map(drop)
}

async fn plan(state: &AppState, loop_id: i64) -> Result<crate::domain::LoopPlan, Failure> {
    loops::plan(&state.db, loop_id)
        .await?
        .ok_or(Failure::Missing("the loop is gone"))
}

async fn snapshot(state: &AppState, loop_id: i64) -> Result<reveal::Snapshot, Failure> {
    reveal::snapshot(&state.db, loop_id)
        .await?
        .ok_or(Failure::Missing("the loop is gone"))
}

/// The reveal summary's messages: the snapshot, and beside the decision
/// buttons the mechanical results (read only here, not for every card).
async fn summary_parts(
    state: &AppState,
    snap: &reveal::Snapshot,
    loop_id: i64,
) -> Result<Vec<Value>, Failure> {
    let mechanical = super::votes::mechanical(&state.db, loop_id).await?;
    Ok(views::reveal::summary(
        &state.rubric,
        &snap.candidate,
        snap.applied,
        &snap.summary,
        &snap.views,
        snap.expected,
        views::reveal::DecideRow {
            loop_id,
            mechanical: &mechanical,
        },
    ))
}

/// A Slack error about one person (deactivated, unknown, not invitable),
/// not about the channel or the app.
pub(super) fn is_person_error(code: &str) -> bool {
    matches!(
        code,
        "user_not_found"
            | "user_disabled"
            | "user_is_inactive"
            | "cant_invite"
            | "user_is_restricted"
            | "user_is_ultra_restricted"
            | "cant_invite_self"
    )
}

/// The private channel named `name` that this bot created, if it is among
/// the channels the bot is in (Slack lists private channels to members only).
pub(super) async fn own_channel(state: &AppState, name: &str) -> Result<Option<String>, Failure> {
    /// Pages of 200 channels looked through at most.
    const PAGES: usize = 50;
    let mut cursor = String::new();
    for _ in 0..PAGES {
        let mut params = vec![
            ("types", "private_channel".to_string()),
            ("exclude_archived", "true".to_string()),
            ("limit", "200".to_string()),
        ];
        if !cursor.is_empty() {
            params.push(("cursor", cursor.clone()));
        }
        let page = state
            .slack
            .get("conversations.list", &params)
            .await
            .map_err(Failure::Slack)?;
        let found = page["channels"].as_array().into_iter().flatten().find(|c| {
            c["name"].as_str() == Some(name) && c["creator"].as_str() == Some(&state.bot_user_id)
        });
        if let Some(id) = found.and_then(|c| c["id"].as_str()) {
            return Ok(Some(id.to_string()));
        }
        cursor = page["response_metadata"]["next_cursor"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if cursor.is_empty() {
            break;
        }
    }
    Ok(None)
}

/// Records a note to whoever opened the loop: something could not be done.
async fn tell_opener(
    state: &AppState,
    loop_id: i64,
    what: String,
    why: String,
) -> anyhow::Result<()> {
    let Some(l) = loops::by_id(&state.db, loop_id).await? else {
        return Ok(());
    };
    let tell = Effect::TellOpenerOfFailure {
        loop_id,
        opener: l.opened_by,
        what,
        why,
    };
    let mut tx = state.db.begin().await?;
    super::record(&mut tx, &l.team_id, tell, crate::clock::wall_ms()).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}

/// After the worker gave up on `effect` because Slack refused it: tells
/// the loop's opener what could not be done and why, in plain words.
pub async fn report_give_up(state: &AppState, effect: &Effect, code: &str) -> anyhow::Result<()> {
    use Effect::*;
    let (loop_id, who) = match effect {
        // Notes about notes are not sent; Homes and answers to one person
        // concern only that person.
        TellOpenerOfFailure { .. } | RefreshHome { .. } | Notice { .. } => return Ok(()),
        CreateCalibrationChannel { calibration_id }
        | InviteToCalibrationChannel { calibration_id, .. }
        | PostCalibrationIntro { calibration_id }
        | NoteCalibrationCard { calibration_id, .. }
        | PostCalibrationReveal { calibration_id, .. }
        | PostCalibrationSummary { calibration_id } => {
            let what = m::effect_purpose(&effect.kind(), None);
            return super::practice::report_give_up(state, *calibration_id, what, code).await;
        }
        AskCheckIn {
            checkin_id, user, ..
        } => {
            let what = m::effect_purpose(&effect.kind(), Some(&mention_of(user)));
            return super::audit::report_give_up(state, *checkin_id, what, code).await;
        }
        SendPacket {
            calibration_id,
            user,
            ..
        } => {
            let what = m::effect_purpose(&effect.kind(), Some(&mention_of(user)));
            return super::practice::report_give_up(state, *calibration_id, what, code).await;
        }
        PromptInterviewer { stage_id, user, .. }
        | PrepInterviewer { stage_id, user }
        | RemindInterviewer { stage_id, user, .. }
        | MarkPromptLocked { stage_id, user, .. } => (
            cards::stage(&state.db, *stage_id).await?.map(|s| s.loop_id),
            Some(user.as_str()),
        ),
        TellOpenerLoopIsReady { opener, .. } => (effect.loop_id(), Some(opener.as_str())),
        AskGate { hiring_manager, .. } => (effect.loop_id(), Some(hiring_manager.as_str())),
        ConfirmDebriefStart { user, .. } => (effect.loop_id(), Some(user.as_str())),
        _ => (effect.loop_id(), None),
    };
    let Some(loop_id) = loop_id else {
        return Ok(());
    };
    let who = who.map(mention_of);
    let what = m::effect_purpose(&effect.kind(), who.as_deref());
    tell_opener(state, loop_id, what, m::slack_error_words(code)).await
}

/// Posts the messages of a several-message effect, resuming after the ones
/// a failed try already posted. The first message of the reveal summary
/// records where it landed; every other one goes in its thread.
async fn post_parts(
    state: &AppState,
    d: &Delivery,
    parts: Vec<Value>,
    channel: &str,
    summary_of: Option<i64>,
) -> Sent {
    for (i, mut msg) in parts.into_iter().enumerate().skip(d.parts_done as usize) {
        msg.set("channel", channel);
        let records = summary_of.filter(|_| i == 0);
        if records.is_none() {
            let loop_id = d
                .loop_id
                .ok_or(Failure::Missing("a reveal without a loop"))?;
            msg.set("thread_ts", thread(state, loop_id).await?.1);
        }
        let answer = call(state, "chat.postMessage", &msg).await?;
        if let (Some(loop_id), Some(ts)) = (records, answer["ts"].as_str()) {
            loops::set_reveal_ts(&state.db, loop_id, ts).await?;
        }
        if !outbox::note_parts(&state.db, d, i as i64 + 1).await? {
            return Err(Failure::LeaseLost);
        }
    }
    Ok(())
}

/// The Home for a user, from the current state: their loops with progress
/// counts, their pending and submitted cards (stage and time, never content).
pub(crate) async fn home_view(
    state: &AppState,
    team_id: &str,
    user: &str,
) -> anyhow::Result<Value> {
    let items = loops::home_rows(&state.db, team_id, user, views::home::MAX_HOME_LOOPS as i64)
        .await?
        .into_iter()
        .map(|l| HomeLoop {
            candidate_escaped: escape(&l.candidate_name),
            channel_id: l.channel_id,
            channel_name: l.channel_name,
            role: match (l.hiring_manager == user, l.interviews > 0) {
                (true, true) => "hiring manager and interviewer",
                (true, false) => "hiring manager",
                _ => "an interviewer",
            },
            submitted: l.submitted as usize,
            expected: l.expected as usize,
        })
        .collect::<Vec<_>>();
    let pending: Vec<views::home::Pending> = cards::pending_for_user(&state.db, team_id, user)
        .await?
        .into_iter()
        .map(|p| views::home::Pending {
            stage_id: p.stage_id,
            stage: crate::domain::stage::display_title(&p.kind),
            candidate: p.candidate_name,
        })
        .collect();
    let submitted: Vec<views::home::Submitted> = cards::submitted_by_user(&state.db, team_id, user)
        .await?
        .into_iter()
        .map(|s| views::home::Submitted {
            stage: crate::domain::stage::display_title(&s.kind),
            candidate: s.candidate_name,
            submitted_at: s.submitted_at,
        })
        .collect();
    Ok(views::home::view(&pending, &submitted, &items))
}

async fn weekly_report(
    state: &AppState,
    team_id: &str,
    window_days: i64,
    as_of: i64,
) -> anyhow::Result<crate::report::Report> {
    crate::report::downlevel(
        &state.db,
        team_id,
        window_days,
        as_of,
        &state.report.thresholds,
    )
    .await
}

/// Whether the workspace gets Slack's native table and charts: unless PNGs
/// are asked for, or Slack has refused them there before.
async fn native_blocks(state: &AppState, team_id: &str) -> Result<bool, Failure> {
    Ok(!state.tuning.charts_png
        && !crate::store::teams::native_blocks_refused(&state.db, team_id).await?)
}

/// Slack answered `invalid_blocks` to a table or chart: this message falls
/// back to its PNG, and the workspace gets PNGs from now on.
async fn refused_native_blocks(state: &AppState, team_id: &str) -> Result<(), Failure> {
    tracing::info!(
        team = team_id,
        "Slack refused a native table or chart; PNGs from now on"
    );
    crate::store::teams::refuse_native_blocks(&state.db, team_id, state.clock.unix()).await?;
    Ok(())
}

/// The reveal's heat map as a PNG in its thread.
async fn upload_heat_map(state: &AppState, loop_id: i64) -> Sent {
    let (channel, ts) = thread(state, loop_id).await?;
    let snap = snapshot(state, loop_id).await?;
    if snap.views.is_empty() {
        return Ok(());
    }
    let png = views::reveal::heatmap(&snap.views).to_png();
    let title = m::heatmap_title(&snap.candidate);
    state
        .slack
        .upload_png(
            "scores.png",
            &title,
            m::HEATMAP_COMMENT,
            png,
            &channel,
            Some(&ts),
        )
        .await
        .map_err(Failure::Slack)
}

/// The weekly trend as a PNG.
async fn upload_weekly_png(state: &AppState, r: &crate::report::Report, channel: &str) -> Sent {
    let png = crate::chart::weekly_png(&r.weeks);
    state
        .slack
        .upload_png(
            "downlevel-rate.png",
            m::REPORT_CHART_TITLE,
            m::REPORT_CHART_COMMENT,
            png,
            channel,
            None,
        )
        .await
        .map_err(Failure::Slack)
}

/// Renders `effect` and delivers it.
pub async fn send(state: &AppState, d: &Delivery, effect: &Effect) -> Sent {
    use Effect::*;
    let db = &state.db;
    match effect {
        CreateCalibrationChannel { .. }
        | InviteToCalibrationChannel { .. }
        | PostCalibrationIntro { .. }
        | SendPacket { .. }
        | NoteCalibrationCard { .. }
        | PostCalibrationReveal { .. }
        | PostCalibrationSummary { .. } => super::practice::send(state, d, effect).await,
        AskFinalVote { .. }
        | PostVoteOpened { .. }
        | NoteFinalVote { .. }
        | PostFinalVotes { .. } => super::votes::send(state, d, effect).await,
        AskCheckIn { .. }
        | TellAuditStarted { .. }
        | SendAuditReport { .. }
        | PostAuditReport { .. } => super::audit::send(state, d, effect).await,
        CreateLoopChannel { loop_id } => {
            let l = loop_row(state, *loop_id).await?;
            if l.channel_id.is_some() {
                return Ok(()); // made by an earlier try that crashed before finishing
            }
            let body = json!({"name": l.channel_name, "is_private": true});
            match call(state, "conversations.create", &body).await {
                Ok(answer) => {
                    let id = answer["channel"]["id"].as_str().ok_or(Failure::Slack(
                        CallError::Permanent("conversations.create gave no channel id".into()),
                    ))?;
                    loops::set_channel_id(db, *loop_id, id).await?;
                    Ok(())
                }
                Err(Failure::Slack(CallError::Api(code))) if code == "name_taken" => {
                    // A crash after Slack made the channel but before we
                    // noted it: adopt the channel this bot made, if it is it.
                    let own = match own_channel(state, &l.channel_name).await {
                        Ok(found) => found,
                        // Looking is a courtesy (an install without
                        // groups:read cannot): fall back to a new name.
                        Err(e) => {
                            tracing::warn!(loop_id, error = ?e, "could not look for a channel made earlier");
                            None
                        }
                    };
                    let adoptable = match own {
                        // Not if another loop already holds it.
                        Some(id) => loops::find_by_channel(db, &l.team_id, &id)
                            .await?
                            .is_none()
                            .then_some(id),
                        None => None,
                    };
                    if let Some(id) = adoptable {
                        tracing::info!(loop_id, "adopting the loop channel made by an earlier try");
                        loops::set_channel_id(db, *loop_id, &id).await?;
                        return Ok(());
                    }
                    loops::rename_channel(db, *loop_id, state.clock.unix()).await?;
                    tracing::info!(loop_id, "channel name taken; trying the next one");
                    Err(Failure::RetryNow("name_taken"))
                }
                Err(e) => Err(e),
            }
        }
        InviteToLoopChannel { loop_id, users } => {
            // `force`: one deactivated person does not keep the others out.
            let body = json!({"channel": channel(state, *loop_id).await?,
                              "users": users.join(","), "force": true});
            match call(state, "conversations.invite", &body).await {
                Err(Failure::Slack(CallError::Api(code))) if code == "already_in_channel" => Ok(()),
                // With `force`, Slack invites everyone it can and answers with
                // the first person it could not: the others are in.
                Err(Failure::Slack(CallError::Api(code))) if is_person_error(&code) => {
                    let what = "invite everyone on the panel to its channel".to_string();
                    tell_opener(state, *loop_id, what, m::slack_error_words(&code)).await?;
                    Ok(())
                }
                Ok(answer) => {
                    let skipped: Vec<(String, String)> = answer["errors"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|e| e["error"] != "already_in_channel")
                        .filter_map(|e| {
                            Some((
                                e["user"].as_str()?.to_string(),
                                e["error"].as_str()?.to_string(),
                            ))
                        })
                        .collect();
                    if let Some((_, code)) = skipped.first() {
                        let people = skipped
                            .iter()
                            .map(|(u, _)| mention_of(u))
                            .collect::<Vec<_>>()
                            .join(", ");
                        let what = format!("invite {people} to its channel");
                        tell_opener(state, *loop_id, what, m::slack_error_words(code)).await?;
                    }
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
        SetLoopTopic { loop_id } => {
            let body = json!({"channel": channel(state, *loop_id).await?,
                              "topic": views::plan::topic(&plan(state, *loop_id).await?)});
            call(state, "conversations.setTopic", &body).await.map(drop)
        }
        PostLoopPlan { loop_id } => {
            let mut body = views::plan::message(&plan(state, *loop_id).await?, *loop_id);
            body.set("channel", channel(state, *loop_id).await?);
            let answer = call(state, "chat.postMessage", &body).await?;
            if let Some(ts) = answer["ts"].as_str() {
                loops::set_plan_ts(db, *loop_id, ts).await?;
            }
            Ok(())
        }
        UpdateLoopPlan { loop_id } => {
            let mut body = views::plan::message(&plan(state, *loop_id).await?, *loop_id);
            body.set("channel", channel(state, *loop_id).await?);
            match loops::plan_ts(db, *loop_id).await? {
                Some(ts) => {
                    body.set("ts", ts);
                    call(state, "chat.update", &body).await.map(drop)
                }
                // A loop opened before the plan's place was recorded: post
                // the current plan afresh, and remember where it landed.
                None => {
                    let answer = call(state, "chat.postMessage", &body).await?;
                    if let Some(ts) = answer["ts"].as_str() {
                        loops::set_plan_ts(db, *loop_id, ts).await?;
                    }
                    Ok(())
                }
            }
        }
        RemoveFromLoopChannel { loop_id, user } => {
            let body = json!({"channel": channel(state, *loop_id).await?, "user": user});
            match call(state, "conversations.kick", &body).await {
                Err(Failure::Slack(CallError::Api(code))) if code == "not_in_channel" => Ok(()),
                other => other.map(drop),
            }
        }
        TellOpenerLoopIsReady { loop_id, opener } => {
            let channel = channel(state, *loop_id).await?;
            let mut body = views::plan::opened_dm(&plan(state, *loop_id).await?, &channel);
            body.set("channel", opener);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        PrepInterviewer { stage_id, user } => {
            if !cards::is_interviewer(db, *stage_id, user).await? {
                return Ok(()); // swapped off the panel meanwhile
            }
            let (stage, spec) = stage(state, *stage_id).await?;
            let kind = spec.kind;
            let starts_at = stage
                .starts_at
                .ok_or(Failure::Missing("the stage has no start"))?;
            let plan = plan(state, stage.loop_id).await?;
            let document = if kind == StageKind::DeepDive {
                let doc =
                    cards::stage_of_kind(db, stage.loop_id, StageKind::DesignDoc.key()).await?;
                match doc {
                    Some(d) if d.state != crate::domain::StageState::Scheduled => {
                        views::prep::Document::In {
                            prompt_url: plan.design_doc_url.as_deref(),
                        }
                    }
                    _ => views::prep::Document::NotYetIn,
                }
            } else {
                views::prep::Document::NotNeeded
            };
            let mut body = views::prep::message(
                &state.rubric,
                &spec,
                &stage.candidate_name,
                starts_at,
                document,
            );
            body.set("channel", user);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        PromptInterviewer {
            prompt_id,
            stage_id,
            user,
        } => {
            if !cards::is_interviewer(db, *stage_id, user).await? {
                return Ok(()); // swapped off the panel meanwhile
            }
            let (stage, spec) = stage(state, *stage_id).await?;
            let mut body = views::scorecard::prompt(&spec, &stage.candidate_name, stage.id, None);
            body.set("channel", user);
            let answer = call(state, "chat.postMessage", &body).await?;
            if let (Some(channel), Some(ts)) = (answer["channel"].as_str(), answer["ts"].as_str()) {
                let _gate = db.gate().await;
                cards::record_prompt_message(db, *prompt_id, channel, ts).await?;
            }
            Ok(())
        }
        RemindInterviewer {
            stage_id,
            user,
            hours_since_end,
        } => {
            if !cards::is_interviewer(db, *stage_id, user).await? {
                return Ok(()); // swapped off the panel meanwhile
            }
            let (stage, spec) = stage(state, *stage_id).await?;
            let mut body = views::scorecard::prompt(
                &spec,
                &stage.candidate_name,
                stage.id,
                Some(*hours_since_end),
            );
            body.set("channel", user);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        MarkPromptLocked {
            prompt_id,
            stage_id,
            submitted_at,
            ..
        } => {
            let Some((Some(channel), Some(ts))) = cards::prompt_message(db, *prompt_id).await?
            else {
                return Err(Failure::Missing("the prompt's DM was never posted"));
            };
            let (stage, spec) = stage(state, *stage_id).await?;
            let mut body =
                views::scorecard::locked(&spec, &stage.candidate_name, stage.id, *submitted_at);
            body.set("channel", channel);
            body.set("ts", ts);
            call(state, "chat.update", &body).await.map(drop)
        }
        NoteSubmission {
            loop_id,
            user,
            stage,
            stage_title,
            submitted,
            expected,
        } => {
            let title = match stage_title {
                Some(t) => escape(t),
                None => stage.title().to_string(),
            };
            let text = m::channel_submitted(&mention_of(user), &title, *submitted, *expected);
            let body = note(&channel(state, *loop_id).await?, &text);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        AskGate {
            loop_id,
            hiring_manager,
        } => {
            let l = loop_row(state, *loop_id).await?;
            let mut body = views::gate::ask(&l.candidate_name, *loop_id);
            body.set("channel", hiring_manager);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        ResolveMessage {
            channel, ts, text, ..
        } => {
            let mut body = note(channel, text);
            body.set("ts", ts);
            call(state, "chat.update", &body).await.map(drop)
        }
        ProposeDecision {
            user,
            channel,
            decision_id,
            applied,
            level,
        } => {
            let loop_id = crate::store::decisions::get(db, *decision_id)
                .await?
                .map(|d| d.loop_id)
                .ok_or(Failure::Missing("the decision is gone"))?;
            let mech = super::votes::mechanical(db, loop_id).await?;
            let body = views::decision::proposal(*applied, *level, *decision_id, &mech);
            ephemeral(state, body, user, channel.as_deref()).await
        }
        ConfirmDebriefStart {
            user,
            channel,
            loop_id,
        } => {
            let l = loop_row(state, *loop_id).await?;
            let not_held = loops::stages_not_held(db, *loop_id, state.clock.unix()).await?;
            let body = views::debrief::confirm(&l.candidate_name, *loop_id, &not_held);
            ephemeral(state, body, user, channel.as_deref()).await
        }
        TellOpenerOfFailure {
            loop_id,
            opener,
            what,
            why,
        } => {
            let l = loop_row(state, *loop_id).await?;
            let text = m::failure_notice(&escape(&l.candidate_name), what, why);
            call(state, "chat.postMessage", &note(opener, &text))
                .await
                .map(drop)
        }
        PostRevealSummary { loop_id } => {
            let channel = channel(state, *loop_id).await?;
            let parts = summary_parts(state, &snapshot(state, *loop_id).await?, *loop_id).await?;
            post_parts(state, d, parts, &channel, Some(*loop_id)).await
        }
        PostRevealCard {
            loop_id,
            scorecard_id,
        }
        | PostLateCard {
            loop_id,
            scorecard_id,
        } => {
            let (channel, _) = thread(state, *loop_id).await?;
            let snap = snapshot(state, *loop_id).await?;
            // A card in by the start goes out with the reveal, a late one on
            // its own; each only by its own effect.
            let late = matches!(effect, PostLateCard { .. });
            let Some(view) = snap
                .card(*scorecard_id)
                .filter(|v| v.late_by.is_some() == late)
            else {
                return Ok(()); // unreadable: the summary names it missing
            };
            let parts = views::reveal::card_replies(&state.rubric, view);
            post_parts(state, d, parts, &channel, None).await
        }
        PostLateAddendum {
            loop_id,
            addendum_id,
        } => {
            let (channel, _) = thread(state, *loop_id).await?;
            let snap = snapshot(state, *loop_id).await?;
            let found = snap
                .late_addenda
                .iter()
                .find(|a| a.id == *addendum_id)
                .and_then(|a| Some((a, snap.card(a.scorecard_id)?)));
            let Some((a, card)) = found else {
                return Err(Failure::Missing("the addendum or its card is gone"));
            };
            let late_by = (a.created_at - snap.started_at).max(0);
            let parts = views::reveal::late_addendum(card, &a.body, a.created_at, late_by);
            post_parts(state, d, parts, &channel, None).await
        }
        UpdateRevealSummary { loop_id } => {
            let (channel, ts) = thread(state, *loop_id).await?;
            let parts = summary_parts(state, &snapshot(state, *loop_id).await?, *loop_id).await?;
            // The summary's first message is the one whose place is known;
            // with the panel sizes a loop has, it is the whole summary.
            let Some(mut first) = parts.into_iter().next() else {
                return Ok(());
            };
            first.set("channel", channel);
            first.set("ts", ts);
            call(state, "chat.update", &first).await.map(drop)
        }
        UploadRevealHeatMap { loop_id } => upload_heat_map(state, *loop_id).await,
        PostRevealTable { loop_id } => {
            if !native_blocks(state, &d.team_id).await? {
                return upload_heat_map(state, *loop_id).await;
            }
            let (channel, ts) = thread(state, *loop_id).await?;
            let snap = snapshot(state, *loop_id).await?;
            if snap.views.is_empty() {
                return Ok(());
            }
            let mut body = views::reveal::score_table(&snap.views, &snap.candidate);
            body.set("channel", channel);
            body.set("thread_ts", ts);
            match call(state, "chat.postMessage", &body).await {
                Err(Failure::Slack(CallError::Api(code))) if code == "invalid_blocks" => {
                    refused_native_blocks(state, &d.team_id).await?;
                    upload_heat_map(state, *loop_id).await
                }
                other => other.map(drop),
            }
        }
        ArchiveLoopChannel { loop_id } => {
            let body = json!({"channel": channel(state, *loop_id).await?});
            call(state, "conversations.archive", &body).await.map(drop)
        }
        LoopChannelNote { loop_id, text } => {
            let body = note(&channel(state, *loop_id).await?, text);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        DirectMessage { user, text } => call(state, "chat.postMessage", &note(user, text))
            .await
            .map(drop),
        Notice {
            user,
            channel,
            text,
        } => match channel {
            Some(c) => call(
                state,
                "chat.postEphemeral",
                &views::text(text.as_str())
                    .with("channel", c)
                    .with("user", user),
            )
            .await
            .map(drop),
            None => call(
                state,
                "chat.postMessage",
                &views::text(text.as_str()).with("channel", user),
            )
            .await
            .map(drop),
        },
        RefreshHome { user } => {
            let view = home_view(state, &d.team_id, user).await.map_err(|_| {
                Failure::Slack(CallError::Transient("building the Home failed".into()))
            })?;
            call(
                state,
                "views.publish",
                &json!({"user_id": user, "view": view}),
            )
            .await
            .map(drop)
        }
        PostWeeklyReport {
            channel,
            window_days,
            as_of,
        } => {
            let r = weekly_report(state, &d.team_id, *window_days, *as_of).await?;
            let low = crate::report::low_agreement(db, &r).await?;
            let days = state.tuning.calibration_days;
            let stale = crate::report::calibration_stale(db, &d.team_id, *as_of, days).await?;
            let departures = crate::store::votes::departures(db, &d.team_id, r.from, r.to).await?;
            call(
                state,
                "chat.postMessage",
                &views::report::post(&r, &low, stale, departures, channel),
            )
            .await
            .map(drop)
        }
        UploadWeeklyChart {
            channel,
            window_days,
            as_of,
        } => {
            let r = weekly_report(state, &d.team_id, *window_days, *as_of).await?;
            upload_weekly_png(state, &r, channel).await
        }
        PostWeeklyChart {
            channel,
            window_days,
            as_of,
        } => {
            let r = weekly_report(state, &d.team_id, *window_days, *as_of).await?;
            if !native_blocks(state, &d.team_id).await? {
                return upload_weekly_png(state, &r, channel).await;
            }
            let body = views::report::weekly_charts(&r, channel);
            match call(state, "chat.postMessage", &body).await {
                Err(Failure::Slack(CallError::Api(code))) if code == "invalid_blocks" => {
                    refused_native_blocks(state, &d.team_id).await?;
                    upload_weekly_png(state, &r, channel).await
                }
                other => other.map(drop),
            }
        }
    }
}
