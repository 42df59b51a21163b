//! Delivering a practice debrief's effects, rendered from the store at
//! delivery: its channel, the packets (every name masked, nothing scored),
//! the notes of who sent a card, and the reveal.

use super::deliver::{call, is_person_error, note, own_channel, Failure, Sent};
use super::Effect;
use crate::domain::practice::{self, code, Scored};
use crate::domain::scorecard::Card;
use crate::domain::{CalibrationState, Criterion, Level};
use crate::messages as m;
use crate::slack::client::CallError;
use crate::slack::views::practice as views;
use crate::slack::views::Envelope;
use crate::store::calibrations::{self, Calibration};
use crate::store::cards;
use crate::store::outbox::{self, Delivery};
use crate::AppState;
use serde_json::{json, Value};

/// How long a person's names, read from Slack, are reused.
const NAMES_FOR_SECONDS: i64 = 600;

async fn calibration(state: &AppState, id: i64) -> Result<Calibration, Failure> {
    calibrations::by_id(&state.db, id)
        .await?
        .ok_or(Failure::Missing("the practice debrief is gone"))
}

fn channel_of(c: &Calibration) -> Result<String, Failure> {
    c.channel_id.clone().ok_or(Failure::Missing(
        "the calibration channel was never created",
    ))
}

/// Records a DM to whoever set the practice debrief up.
async fn tell_creator(state: &AppState, c: &Calibration, text: String) -> anyhow::Result<()> {
    let dm = Effect::DirectMessage {
        user: c.created_by.clone(),
        text,
    };
    let mut tx = state.db.begin().await?;
    super::record(&mut tx, &c.team_id, dm, crate::clock::wall_ms()).await?;
    tx.commit().await?;
    state.outbox_wakeup.notify_one();
    Ok(())
}

/// After the worker gave up on one of these effects: tells whoever set the
/// practice debrief up what could not be done and why.
pub async fn report_give_up(
    state: &AppState,
    calibration_id: i64,
    what: String,
    code: &str,
) -> anyhow::Result<()> {
    let Some(c) = calibrations::by_id(&state.db, calibration_id).await? else {
        return Ok(());
    };
    let text = m::calibration_failure(&what, &m::slack_error_words(code));
    tell_creator(state, &c, text).await
}

/// A person's names as Slack knows them (real and display name), cached
/// for a while; none when Slack does not know the person or the app may not
/// read profiles.
async fn names_of(state: &AppState, user: &str) -> Result<Vec<String>, Failure> {
    let now = state.clock.unix();
    if let Some((names, at)) = state
        .names
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(user)
    {
        if now - at < NAMES_FOR_SECONDS {
            return Ok(names.clone());
        }
    }
    let names = match state
        .slack
        .get("users.info", &[("user", user.to_string())])
        .await
    {
        Ok(v) => {
            let u = &v["user"];
            [
                &u["real_name"],
                &u["name"],
                &u["profile"]["real_name"],
                &u["profile"]["display_name"],
            ]
            .iter()
            .filter_map(|n| n.as_str())
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
        }
        Err(CallError::Api(code)) if code == "user_not_found" || code == "missing_scope" => {
            if code == "missing_scope" {
                tracing::warn!("users:read is missing: panel names in practice packets are masked only where they are mentions");
            }
            Vec::new()
        }
        Err(e) => return Err(Failure::Slack(e)),
    };
    let mut cache = state.names.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() > 10_000 {
        cache.clear();
    }
    cache.insert(user.to_string(), (names.clone(), now));
    Ok(names)
}

/// The original panel's cards on a past loop, as sent before its debrief.
async fn original_cards(
    state: &AppState,
    loop_id: i64,
) -> Result<Vec<(cards::RevealRow, Card)>, Failure> {
    Ok(cards::reveal_rows(&state.db, loop_id)
        .await?
        .into_iter()
        .filter(|r| r.after_reveal == 0)
        .filter_map(|r| {
            let card = serde_json::from_str::<Card>(&r.content).ok()?;
            Some((r, card))
        })
        .collect())
}

fn dimension_scores(card: &Card) -> Vec<(crate::domain::Dimension, u8)> {
    card.scores
        .iter()
        .filter_map(|s| match Criterion::parse(&s.criterion) {
            Some(Criterion::Dimension(d)) => Some((d, s.score)),
            _ => None,
        })
        .collect()
}

/// Where the messages of a several-message effect go.
enum Parts {
    /// One after the other, as they are (a packet in a DM).
    Plain,
    /// A packet's reveal: the first in the channel, its place kept, the
    /// others in its thread.
    Reveal {
        calibration_id: i64,
        position: i64,
        thread_ts: Option<String>,
    },
}

/// Posts `parts` in order, resuming after those a failed try posted.
async fn post_parts(
    state: &AppState,
    d: &Delivery,
    parts: Vec<Value>,
    channel: &str,
    mut how: Parts,
) -> Sent {
    for (i, mut msg) in parts.into_iter().enumerate().skip(d.parts_done as usize) {
        msg.set("channel", channel);
        if let (true, Parts::Reveal { thread_ts, .. }) = (i > 0, &how) {
            let ts = thread_ts.clone().ok_or(Failure::Missing(
                "the reveal's first message was never posted",
            ))?;
            msg.set("thread_ts", ts);
        }
        let answer = call(state, "chat.postMessage", &msg).await?;
        if let (
            0,
            Some(ts),
            Parts::Reveal {
                calibration_id,
                position,
                thread_ts,
            },
        ) = (i, answer["ts"].as_str(), &mut how)
        {
            calibrations::set_packet_reveal_ts(&state.db, *calibration_id, *position, ts).await?;
            *thread_ts = Some(ts.to_string());
        }
        if !outbox::note_parts(&state.db, d, i as i64 + 1).await? {
            return Err(Failure::LeaseLost);
        }
    }
    Ok(())
}

pub async fn send(state: &AppState, d: &Delivery, effect: &Effect) -> Sent {
    use Effect::*;
    let db = &state.db;
    match effect {
        CreateCalibrationChannel { calibration_id } => {
            let c = calibration(state, *calibration_id).await?;
            if c.channel_id.is_some() {
                return Ok(());
            }
            let body = json!({"name": c.channel_name, "is_private": true});
            match call(state, "conversations.create", &body).await {
                Ok(answer) => {
                    let id = answer["channel"]["id"].as_str().ok_or(Failure::Slack(
                        CallError::Permanent("conversations.create gave no channel id".into()),
                    ))?;
                    calibrations::set_channel_id(db, c.id, id).await?;
                    Ok(())
                }
                Err(Failure::Slack(CallError::Api(code))) if code == "name_taken" => {
                    // Made by an earlier try whose answer was lost? The
                    // name carries this practice debrief's number.
                    if let Ok(Some(id)) = own_channel(state, &c.channel_name).await {
                        calibrations::set_channel_id(db, c.id, &id).await?;
                        return Ok(());
                    }
                    let attempt = state.clock.unix() % 100_000 + 1;
                    calibrations::rename_channel(db, &c, attempt).await?;
                    Err(Failure::RetryNow("name_taken"))
                }
                Err(e) => Err(e),
            }
        }
        InviteToCalibrationChannel {
            calibration_id,
            users,
        } => {
            let c = calibration(state, *calibration_id).await?;
            let body = json!({"channel": channel_of(&c)?, "users": users.join(","), "force": true});
            match call(state, "conversations.invite", &body).await {
                Ok(_) => Ok(()),
                Err(Failure::Slack(CallError::Api(code))) if code == "already_in_channel" => Ok(()),
                Err(Failure::Slack(CallError::Api(code))) if is_person_error(&code) => {
                    let what = "invite everyone to the calibration channel".to_string();
                    let text = m::calibration_failure(&what, &m::slack_error_words(&code));
                    tell_creator(state, &c, text).await?;
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
        PostCalibrationIntro { calibration_id } => {
            let c = calibration(state, *calibration_id).await?;
            let people = calibrations::participants(db, c.id).await?;
            let mut body = views::intro(c.id, &c.created_by, &people, c.debrief_at);
            body.set("channel", channel_of(&c)?);
            let answer = call(state, "chat.postMessage", &body).await?;
            if let Some(ts) = answer["ts"].as_str() {
                calibrations::set_intro_ts(db, c.id, ts).await?;
            }
            Ok(())
        }
        SendPacket {
            calibration_id,
            position,
            user,
        } => {
            let c = calibration(state, *calibration_id).await?;
            if c.state != CalibrationState::Open
                || !calibrations::is_participant(db, c.id, user).await?
            {
                return Ok(()); // revealed meanwhile: a packet is no use now
            }
            let packets = calibrations::packets(db, c.id).await?;
            let packet = packets
                .iter()
                .find(|p| p.position == *position)
                .ok_or(Failure::Missing("the packet is gone"))?;
            let source = calibrations::source(db, packet.loop_id)
                .await?
                .ok_or(Failure::Missing("the packet's loop is gone"))?;
            let originals = original_cards(state, packet.loop_id).await?;
            // Who to mask: the candidate as their code name; the original
            // panel and the hiring manager by id and by every name Slack
            // has for them.
            let mut names = vec![(
                source.candidate_name.clone(),
                m::packet_name(code(*position)),
            )];
            let mut people: Vec<&str> = originals
                .iter()
                .map(|(r, _)| r.interviewer.as_str())
                .collect();
            people.push(&source.hiring_manager);
            people.sort_unstable();
            people.dedup();
            for person in people {
                names.push((person.to_string(), m::MASKED_PERSON.to_string()));
                for name in names_of(state, person).await? {
                    names.push((name, m::MASKED_PERSON.to_string()));
                }
            }
            let cards: Vec<views::PacketCard> = originals
                .iter()
                .map(|(r, card)| views::PacketCard {
                    stage: crate::domain::stage::display_title(&r.title),
                    evidence: card
                        .scores
                        .iter()
                        .filter_map(|s| {
                            let c = Criterion::parse(&s.criterion)?;
                            let title = state.rubric.criterion(c).title.clone();
                            Some((title, practice::mask(&s.evidence, &names)))
                        })
                        .collect(),
                })
                .collect();
            // A link that names someone would undo the masking: it is
            // left out, and the packet says why.
            let link = match source.design_doc_url.as_deref() {
                Some(url) if practice::names_anyone(url, &names) => views::Link::Withheld,
                Some(url) => views::Link::Given(url),
                None => views::Link::None,
            };
            let parts = views::packet(c.id, *position, c.debrief_at, link, &cards);
            post_parts(state, d, parts, user, Parts::Plain).await
        }
        NoteCalibrationCard {
            calibration_id,
            user,
            position,
            submitted,
            expected,
        } => {
            let c = calibration(state, *calibration_id).await?;
            let text = m::practice_card_note(
                &format!("<@{user}>"),
                code(*position),
                *submitted,
                *expected,
            );
            call(state, "chat.postMessage", &note(&channel_of(&c)?, &text))
                .await
                .map(drop)
        }
        PostCalibrationReveal {
            calibration_id,
            position,
        } => {
            let c = calibration(state, *calibration_id).await?;
            let channel = channel_of(&c)?;
            let packets = calibrations::packets(db, c.id).await?;
            let packet = packets
                .iter()
                .find(|p| p.position == *position)
                .ok_or(Failure::Missing("the packet is gone"))?;
            let source = calibrations::source(db, packet.loop_id)
                .await?
                .ok_or(Failure::Missing("the packet's loop is gone"))?;
            let original: Vec<Scored> = original_cards(state, packet.loop_id)
                .await?
                .iter()
                .filter_map(|(r, card)| {
                    Some(Scored {
                        who: r.interviewer.clone(),
                        scores: dimension_scores(card),
                        level: Level::parse(&card.recommendation)?,
                    })
                })
                .collect();
            let mine = practice_cards(state, c.id).await?;
            let here: Vec<&(i64, String, Card)> =
                mine.iter().filter(|(p, _, _)| p == position).collect();
            let scored: Vec<Scored> = here
                .iter()
                .filter_map(|(_, who, card)| scored(who, card))
                .collect();
            let decided = source.decided_level.as_deref().and_then(Level::parse);
            let reveal = practice::packet(&scored, &original, decided);
            let expected = calibrations::participants(db, c.id).await?.len();
            let views_of: Vec<views::PracticeCardView> = here
                .iter()
                .map(|(_, who, card)| views::PracticeCardView {
                    participant: who.clone(),
                    card: card.clone(),
                })
                .collect();
            let parts = views::reveal(
                *position,
                &reveal,
                expected,
                source.offer_outcome.as_deref(),
                &views_of,
            );
            let how = Parts::Reveal {
                calibration_id: c.id,
                position: *position,
                thread_ts: packet.reveal_ts.clone(),
            };
            post_parts(state, d, parts, &channel, how).await
        }
        PostCalibrationSummary { calibration_id } => {
            let c = calibration(state, *calibration_id).await?;
            let people = calibrations::participants(db, c.id).await?;
            let mine = practice_cards(state, c.id).await?;
            let packets = calibrations::packets(db, c.id).await?;
            let by_packet: Vec<Vec<Scored>> = packets
                .iter()
                .map(|p| {
                    mine.iter()
                        .filter(|(pos, _, _)| *pos == p.position)
                        .filter_map(|(_, who, card)| scored(who, card))
                        .collect()
                })
                .collect();
            let reveals: Vec<practice::PacketReveal> = by_packet
                .iter()
                .map(|cards| practice::packet(cards, &[], None))
                .collect();
            let (recorded, no_card): (Vec<String>, Vec<String>) = people
                .into_iter()
                .partition(|u| mine.iter().any(|(_, who, _)| who == u));
            let mut body = views::summary(
                practice::overall_alpha(&by_packet),
                &practice::mean_offsets(&reveals),
                &recorded,
                &no_card,
            );
            body.set("channel", channel_of(&c)?);
            call(state, "chat.postMessage", &body).await.map(drop)
        }
        _ => Err(Failure::Missing("not a practice debrief's effect")),
    }
}

fn scored(who: &str, card: &Card) -> Option<Scored> {
    Some(Scored {
        who: who.to_string(),
        scores: dimension_scores(card),
        level: Level::parse(&card.recommendation)?,
    })
}

/// Every practice card of a practice debrief: (packet, participant, card).
async fn practice_cards(state: &AppState, id: i64) -> Result<Vec<(i64, String, Card)>, Failure> {
    Ok(calibrations::cards(&state.db, id)
        .await?
        .into_iter()
        .filter_map(|r| {
            let card = serde_json::from_str::<Card>(&r.content).ok()?;
            Some((r.position, r.participant, card))
        })
        .collect())
}
