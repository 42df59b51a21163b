//! The scorecard: opened from the prompt's button (by its interviewer only),
//! submitted once and locked, told to the channel as "who, never what", and
//! later thoughts kept as timestamped addenda.

use crate::domain::scorecard::Card;
use crate::domain::scorecard::CardField;
use crate::domain::StageSpec;
use crate::domain::{StageKind, StageState};
use crate::effects::{self, Effect};
use crate::messages as m;
use crate::slack::mrkdwn::date;
use crate::slack::payload::{BlockAction, ViewSubmission};
use crate::slack::views::scorecard;
use crate::slack::Reply;
use crate::store::cards::{self, StageRow};
use crate::store::group::{batch_or_each, GroupCommit};
use crate::store::{loops, Db, Tx};
use crate::AppState;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Loads the stage behind a button or modal, if `user` is its interviewer.
async fn own_stage(
    state: &AppState,
    stage_id: Option<i64>,
    user: &str,
) -> anyhow::Result<Option<(StageRow, StageSpec)>> {
    let Some(stage_id) = stage_id else {
        return Ok(None);
    };
    let stage = cards::stage_for_interviewer(&state.db, stage_id, user).await?;
    Ok(stage.and_then(|s| s.spec().map(|spec| (s, spec))))
}

async fn open_view(state: &AppState, trigger_id: &str, view: Value) {
    if let Err(e) = state
        .slack
        .call(
            "views.open",
            &json!({"trigger_id": trigger_id, "view": view}),
        )
        .await
    {
        tracing::warn!(error = %e, "views.open failed");
    }
}

/// The "Open scorecard" button (in the prompt DM or the App Home).
pub async fn open(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let user = action.user_id.as_str();
    let Some((stage, spec)) = own_stage(state, action.id_value(), user).await? else {
        tracing::warn!("scorecard opened by someone who is not its interviewer");
        return super::notice(state, action.team_id.as_str(), user, None, m::NOT_YOUR_CARD).await;
    };
    if !stage.is_open() {
        return super::notice(state, action.team_id.as_str(), user, None, m::STAGE_CLOSED).await;
    }
    let view = match cards::card_receipt(&state.db, stage.id, user).await? {
        Some(_) => scorecard::addendum_modal(&spec, &stage.candidate_name, stage.id),
        None => scorecard::modal(&state.rubric, &spec, &stage.candidate_name, stage.id),
    };
    open_view(state, &action.trigger_id, view).await;
    Ok(())
}

/// The "Add an addendum" button on a locked card's DM.
pub async fn open_addendum(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let user = action.user_id.as_str();
    let Some((stage, spec)) = own_stage(state, action.id_value(), user).await? else {
        return super::notice(state, action.team_id.as_str(), user, None, m::NOT_YOUR_CARD).await;
    };
    open_view(
        state,
        &action.trigger_id,
        scorecard::addendum_modal(&spec, &stage.candidate_name, stage.id),
    )
    .await;
    Ok(())
}

fn first_block(spec: &StageSpec) -> String {
    match spec.criteria().first() {
        Some(first) => scorecard::block_id(CardField::Score(*first)),
        None => scorecard::block_id(CardField::Recommendation),
    }
}

/// The block a refusal is shown on when the stage (so the form's first
/// field) is not known: the first block the submitted form really has.
fn any_block(sub: &ViewSubmission) -> String {
    sub.first_block()
        .unwrap_or_else(|| first_block(&StageSpec::default_for(StageKind::HmScreen)))
}

/// A submitted card. Nothing is read before the write: the card writer
/// reads the seat (stage, loop, panel) once for its whole batch, and checks
/// the sender, the stage and the form against that one read, inside the
/// transaction that stores the card.
pub async fn submit(state: &AppState, sub: ViewSubmission) -> anyhow::Result<Reply> {
    // A writer about to start a batch waits briefly for this card.
    let arriving = state.card_writes.arriving();
    let refusal_block = any_block(&sub);
    let Some(stage_id) = sub.private_metadata.trim().parse().ok() else {
        // A forged or misdirected submission: refuse it and store nothing.
        tracing::warn!("scorecard submission refused: no stage");
        return Ok(Reply::view_errors([(
            refusal_block,
            m::NOT_YOUR_CARD.to_string(),
        )]));
    };
    let user = sub.user_id.as_str().to_string();
    // The form itself moves to the writer, which reads it.
    let write = CardWrite {
        stage_id,
        user: user.clone(),
        values: sub.values,
        now: state.clock.unix(),
        home_settle_ms: state.tuning.home_settle_ms,
    };
    let now = write.now;
    let outcome = state
        .card_writes
        .submit_arrived(&state.db, write, Some(arriving))
        .await
        .ok_or_else(|| anyhow::anyhow!("the card writer stopped before answering"))??;
    match outcome {
        Written::Locked { loop_id } => {
            // Debug, like every other request answered as it should be:
            // the audit log keeps who sent which card, and a line per card
            // at info cost ~3% of the CPU under load.
            tracing::debug!(loop_id, stage_id, "scorecard locked");
            state.outbox_wakeup.notify_one();
            Ok(Reply::Ack)
        }
        Written::Invalid(errors) => Ok(Reply::view_errors(errors)),
        Written::AlreadyIn { block } => {
            let since = cards::card_receipt(&state.db, stage_id, &user)
                .await?
                .map(|(_, at)| at)
                .unwrap_or(now);
            Ok(Reply::view_errors([(
                block,
                m::already_locked(&date(since)),
            )]))
        }
        Written::Closed { block } => Ok(Reply::view_errors([(block, m::STAGE_CLOSED.to_string())])),
        Written::NotYours => {
            tracing::warn!("scorecard submission refused: not the stage's interviewer");
            Ok(Reply::view_errors([(
                refusal_block,
                m::NOT_YOUR_CARD.to_string(),
            )]))
        }
    }
}

/// A card on its way to the database, as the form sent it.
pub struct CardWrite {
    stage_id: i64,
    user: String,
    /// The form's `state.values`, read and checked against the stage by the
    /// writer.
    values: Value,
    now: i64,
    /// How long the hiring manager's Home refresh waits for more cards.
    home_settle_ms: i64,
}

/// What became of a card, decided inside the transaction that stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Written {
    Locked {
        loop_id: i64,
    },
    /// The form has problems: (block id, what to fix) for each.
    Invalid(Vec<(String, String)>),
    /// This interviewer's card for the stage was already in (and stays);
    /// `block` is the form's first field, where the answer is shown.
    AlreadyIn {
        block: String,
    },
    /// The stage or its loop closed before the card arrived.
    Closed {
        block: String,
    },
    /// The sender is not (or no longer) on the stage's panel, or there is
    /// no such stage.
    NotYours,
}

/// A card that passed its checks, ready to store.
struct Checked {
    card: Card,
    /// The card as stored (JSON).
    content: String,
    kind: StageKind,
    first_block: String,
}

/// Cards submitted at the same moment share one transaction (group commit).
pub type CardWriter = GroupCommit<Db, CardWrite, anyhow::Result<Written>>;

/// Cards per transaction at most.
const CARDS_PER_BATCH: usize = 64;

pub fn card_writer() -> CardWriter {
    GroupCommit::new(CARDS_PER_BATCH, |db, cards| {
        Box::pin(write_cards(db, cards))
    })
}

/// Writes a batch in one transaction; if that fails, writes each card in a
/// transaction of its own, so one bad card cannot take the others down.
async fn write_cards(db: Db, cards: Vec<CardWrite>) -> Vec<anyhow::Result<Written>> {
    batch_or_each("scorecards", cards.len(), |range| {
        write_batch(&db, &cards[range])
    })
    .await
}

/// Stores a batch of cards with a fixed number of statements, whatever its
/// size: one read of every seat (stage and loop, the seat's prompt, the
/// loop's progress; so a debrief that started or a stage that was stopped
/// meanwhile is seen), the cards, their scores, the stages they end (if any
/// was still scheduled), the audit entries, and the effects (see
/// `outbox::flush`).
async fn write_batch(db: &Db, batch: &[CardWrite]) -> anyhow::Result<Vec<Written>> {
    let mut tx = db.begin().await?;
    let written = write_batch_in(&mut tx, batch).await?;
    tx.commit().await?;
    Ok(written)
}

async fn write_batch_in(tx: &mut Tx, batch: &[CardWrite]) -> anyhow::Result<Vec<Written>> {
    let mut stage_ids: Vec<i64> = batch.iter().map(|c| c.stage_id).collect();
    stage_ids.sort_unstable();
    stage_ids.dedup();
    let mut users: Vec<&str> = batch.iter().map(|c| c.user.as_str()).collect();
    users.sort_unstable();
    users.dedup();
    let seats: HashMap<(i64, String), cards::Seat> = cards::seats(tx, &stage_ids, &users)
        .await?
        .into_iter()
        .map(|seat| ((seat.stage.id, seat.interviewer.clone()), seat))
        .collect();
    let stages: HashMap<i64, &StageRow> = seats.values().map(|s| (s.stage.id, &s.stage)).collect();
    let mut written = vec![Written::NotYours; batch.len()];
    // The cards that passed their checks, by batch index (so in arrival
    // order).
    let mut checked: BTreeMap<usize, Checked> = BTreeMap::new();
    let mut seen = HashSet::new();
    for (i, c) in batch.iter().enumerate() {
        let Some(seat) = seats.get(&(c.stage_id, c.user.clone())) else {
            continue; // not (or no longer) on the stage's panel
        };
        let stage = &seat.stage;
        let Some(spec) = stage.spec() else {
            continue;
        };
        if !stage.is_open() {
            written[i] = Written::Closed {
                block: first_block(&spec),
            };
            continue;
        }
        let card = match scorecard::read(&spec, &c.values).validate(&spec) {
            Ok(card) => card,
            Err(errors) => {
                written[i] = Written::Invalid(
                    errors
                        .iter()
                        .map(|(f, p)| (scorecard::block_id(*f), m::card_problem(p)))
                        .collect(),
                );
                continue;
            }
        };
        if !seen.insert((c.stage_id, c.user.as_str())) {
            // The same card twice in one batch.
            written[i] = Written::AlreadyIn {
                block: first_block(&spec),
            };
            continue;
        }
        let content = serde_json::to_string(&card)?;
        checked.insert(
            i,
            Checked {
                card,
                content,
                kind: spec.kind,
                first_block: first_block(&spec),
            },
        );
    }
    let rows: Vec<cards::NewCard> = checked
        .iter()
        .map(|(&i, checked)| {
            let c = &batch[i];
            let stage = stages[&c.stage_id];
            cards::NewCard {
                loop_id: stage.loop_id,
                stage_id: c.stage_id,
                interviewer: &c.user,
                recommendation: &checked.card.recommendation,
                content: &checked.content,
                submitted_at: c.now,
                after_reveal: stage.debrief_started_at.is_some(),
            }
        })
        .collect();
    let ids: HashMap<(i64, String), i64> = cards::insert_cards(tx, &rows)
        .await?
        .into_iter()
        .map(|(id, stage, user)| ((stage, user), id))
        .collect();
    // (batch index, card id) of the cards stored now, in arrival order.
    let mut locked = Vec::new();
    for (&i, checked) in &checked {
        let c = &batch[i];
        match ids.get(&(c.stage_id, c.user.clone())) {
            Some(&id) => {
                written[i] = Written::Locked {
                    loop_id: stages[&c.stage_id].loop_id,
                };
                locked.push((i, id));
            }
            None => {
                written[i] = Written::AlreadyIn {
                    block: checked.first_block.clone(),
                }
            }
        }
    }
    if locked.is_empty() {
        return Ok(written);
    }
    let scores: Vec<cards::CardScores> = locked
        .iter()
        .map(|&(i, id)| cards::CardScores {
            card_id: id,
            loop_id: stages[&batch[i].stage_id].loop_id,
            stage_kind: checked[&i].kind.key(),
            scores: &checked[&i].card.scores,
        })
        .collect();
    cards::insert_scores(tx, &scores).await?;
    // A stage may be scored before its scheduled end (e.g. the document).
    let mut ended: Vec<i64> = locked
        .iter()
        .map(|&(i, _)| batch[i].stage_id)
        .filter(|s| stages[s].state == StageState::Scheduled)
        .collect();
    ended.sort_unstable();
    ended.dedup();
    let now = batch.iter().map(|c| c.now).max().unwrap_or_default();
    cards::end_stages(tx, &ended, now).await?;
    // Cards in per loop before this batch, (in, expected); the batch's own
    // cards count up from there, in arrival order.
    let mut progress: HashMap<i64, (i64, i64)> = seats
        .values()
        .map(|s| (s.stage.loop_id, (s.loop_submitted, s.loop_expected)))
        .collect();
    let mut audit = Vec::with_capacity(locked.len());
    for &(i, id) in &locked {
        let c = &batch[i];
        let Checked { card, kind, .. } = &checked[&i];
        let kind = *kind;
        let seat = &seats[&(c.stage_id, c.user.clone())];
        let stage = &seat.stage;
        let team = stage.team_id.as_str();
        let at_ms = c.now * 1000;
        if let Some(prompt_id) = seat.prompt_id {
            let locked = Effect::MarkPromptLocked {
                prompt_id,
                stage_id: c.stage_id,
                user: c.user.clone(),
                submitted_at: c.now,
            };
            effects::record(tx, team, locked, at_ms).await?;
        }
        let (submitted, expected) = progress
            .get_mut(&stage.loop_id)
            .map(|p| {
                p.0 += 1;
                *p
            })
            .unwrap_or_default();
        let note = Effect::NoteSubmission {
            loop_id: stage.loop_id,
            user: c.user.clone(),
            stage: kind,
            stage_title: Some(stage.title()),
            submitted,
            expected,
        };
        effects::record(tx, team, note, at_ms).await?;
        if stage.debrief_started_at.is_some() {
            // Too late for the reveal: posted in its thread, and the summary
            // stops naming this card missing.
            let late = Effect::PostLateCard {
                loop_id: stage.loop_id,
                scorecard_id: id,
            };
            effects::record(tx, team, late, at_ms).await?;
            let update = Effect::UpdateRevealSummary {
                loop_id: stage.loop_id,
            };
            effects::record(tx, team, update, at_ms).await?;
        }
        if kind == StageKind::DesignDoc && card.below_staff_bar() {
            super::gate::ask(tx, stage, c.now).await?;
        }
        // The author's Home lists the card at once; the HM's shows the
        // loop's progress, and may gather a few cards first.
        let home = Effect::RefreshHome {
            user: c.user.clone(),
        };
        effects::record(tx, team, home, at_ms).await?;
        if stage.hiring_manager != c.user {
            effects::record_home_refresh_later(
                tx,
                team,
                &stage.hiring_manager,
                at_ms,
                c.home_settle_ms,
            )
            .await?;
        }
        audit.push(loops::AuditEntry {
            team_id: team,
            loop_id: Some(stage.loop_id),
            actor: &c.user,
            action: format!("submitted the {} scorecard", kind.key()),
            at: c.now,
        });
    }
    loops::audit_many(tx, &audit).await?;
    Ok(written)
}

/// Shortest and longest addendum, in characters.
const ADDENDUM_CHARS: (usize, usize) = (1, 3000);

pub async fn submit_addendum(state: &AppState, sub: &ViewSubmission) -> anyhow::Result<Reply> {
    let user = sub.user_id.as_str();
    let stage_id = sub.private_metadata.trim().parse().ok();
    let block = scorecard::ADDENDUM_BLOCK.to_string();
    let Some((stage, _)) = own_stage(state, stage_id, user).await? else {
        tracing::warn!("addendum refused: not the stage's interviewer");
        return Ok(Reply::view_errors([(block, m::NOT_YOUR_CARD.to_string())]));
    };
    let text = scorecard::read_addendum(&sub.values);
    let visible = crate::domain::scorecard::visible_chars(&text);
    if visible < ADDENDUM_CHARS.0 || text.chars().count() > ADDENDUM_CHARS.1 {
        return Ok(Reply::view_errors([(block, m::ADDENDUM_EMPTY.to_string())]));
    }
    let Some((card_id, _)) = cards::card_receipt(&state.db, stage.id, user).await? else {
        return Ok(Reply::view_errors([(block, m::NOT_YOUR_CARD.to_string())]));
    };
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    // Read in the transaction: an addendum is in the reveal or posted late.
    let started = loops::debrief_started_at(&mut tx, stage.loop_id).await?;
    let id = cards::add_addendum(&mut tx, card_id, &text, started.is_some(), now).await?;
    if started.is_some() {
        let late = Effect::PostLateAddendum {
            loop_id: stage.loop_id,
            addendum_id: id,
        };
        effects::record(&mut tx, &stage.team_id, late, now * 1000).await?;
    }
    loops::audit(
        &mut tx,
        &stage.team_id,
        Some(stage.loop_id),
        user,
        "added an addendum",
        now,
    )
    .await?;
    tx.commit().await?;
    if started.is_some() {
        state.outbox_wakeup.notify_one();
    }
    Ok(Reply::Ack)
}
