//! The scorecard: opened from the prompt's button (by its interviewer only),
//! submitted once and locked, told to the channel as "who, never what", and
//! later thoughts kept as timestamped addenda.

use crate::domain::scorecard::CardField;
use crate::domain::StageKind;
use crate::effects::{self, Effect};
use crate::messages as m;
use crate::slack::mrkdwn::date;
use crate::slack::payload::{BlockAction, ViewSubmission};
use crate::slack::views::scorecard;
use crate::slack::Reply;
use crate::store::cards::{self, StageRow};
use crate::store::loops;
use crate::AppState;
use serde_json::{json, Value};

/// Loads the stage behind a button or modal, if `user` is its interviewer.
async fn own_stage(
    state: &AppState,
    stage_id: Option<i64>,
    user: &str,
) -> anyhow::Result<Option<(StageRow, StageKind)>> {
    let Some(stage_id) = stage_id else {
        return Ok(None);
    };
    let Some(stage) = cards::stage(state.db.pool(), stage_id).await? else {
        return Ok(None);
    };
    if !cards::is_interviewer(state.db.pool(), stage_id, user).await? {
        return Ok(None);
    }
    Ok(stage.kind().map(|k| (stage, k)))
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
    let Some((stage, kind)) = own_stage(state, action.id_value(), user).await? else {
        tracing::warn!("scorecard opened by someone who is not its interviewer");
        return super::notice(state, action.team_id.as_str(), user, None, m::NOT_YOUR_CARD).await;
    };
    if !stage.is_open() {
        return super::notice(state, action.team_id.as_str(), user, None, m::STAGE_CLOSED).await;
    }
    let view = match cards::card_receipt(state.db.pool(), stage.id, user).await? {
        Some(_) => scorecard::addendum_modal(kind, &stage.candidate_name, stage.id),
        None => scorecard::modal(&state.rubric, kind, &stage.candidate_name, stage.id),
    };
    open_view(state, &action.trigger_id, view).await;
    Ok(())
}

/// The "Add an addendum" button on a locked card's DM.
pub async fn open_addendum(state: &AppState, action: &BlockAction) -> anyhow::Result<()> {
    let user = action.user_id.as_str();
    let Some((stage, kind)) = own_stage(state, action.id_value(), user).await? else {
        return super::notice(state, action.team_id.as_str(), user, None, m::NOT_YOUR_CARD).await;
    };
    open_view(
        state,
        &action.trigger_id,
        scorecard::addendum_modal(kind, &stage.candidate_name, stage.id),
    )
    .await;
    Ok(())
}

fn first_block(kind: StageKind) -> String {
    let first = crate::domain::Criterion::for_stage(kind)[0];
    scorecard::block_id(CardField::Score(first))
}

pub async fn submit(state: &AppState, sub: &ViewSubmission) -> anyhow::Result<Reply> {
    let user = sub.user_id.as_str();
    let stage_id = sub.private_metadata.trim().parse().ok();
    let Some((stage, kind)) = own_stage(state, stage_id, user).await? else {
        // A forged or misdirected submission: refuse it and store nothing.
        tracing::warn!("scorecard submission refused: not the stage's interviewer");
        // Attach the refusal to a block the submitted form really has.
        let block = sub
            .values
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .unwrap_or_else(|| first_block(StageKind::HmScreen));
        return Ok(Reply::view_errors([(block, m::NOT_YOUR_CARD.to_string())]));
    };
    if !stage.is_open() {
        return Ok(Reply::view_errors([(
            first_block(kind),
            m::STAGE_CLOSED.to_string(),
        )]));
    }
    let card = match scorecard::read(kind, &sub.values).validate(kind) {
        Ok(card) => card,
        Err(errors) => {
            return Ok(Reply::view_errors(
                errors
                    .iter()
                    .map(|(f, p)| (scorecard::block_id(*f), m::card_problem(p))),
            ))
        }
    };
    let now = state.clock.unix();
    let content = serde_json::to_string(&card)?;
    // The loop's workspace is known already (opening it recorded the team).
    let mut tx = state.db.begin().await?;
    let after_reveal = stage.debrief_started_at.is_some();
    let inserted = cards::insert_card(
        &mut tx,
        stage.loop_id,
        stage.id,
        user,
        &card.recommendation,
        &content,
        now,
        after_reveal,
    )
    .await?;
    let Some(card_id) = inserted else {
        drop(tx);
        let since = cards::card_receipt(state.db.pool(), stage.id, user)
            .await?
            .map(|(_, at)| at)
            .unwrap_or(now);
        return Ok(Reply::view_errors([(
            first_block(kind),
            m::already_locked(&date(since)),
        )]));
    };
    cards::insert_scores(&mut tx, card_id, stage.loop_id, kind.key(), &card.scores).await?;
    // The stage may have been scored before its scheduled end (e.g. the document).
    cards::end_stage(&mut tx, stage.id, now).await?;
    let (submitted, expected) = cards::progress(&mut *tx, stage.loop_id).await?;
    let team = stage.team_id.as_str();
    if let Some(prompt_id) = cards::prompt_id(&mut *tx, stage.id, user).await? {
        let locked = Effect::MarkPromptLocked {
            prompt_id,
            stage_id: stage.id,
            user: user.to_string(),
            submitted_at: now,
        };
        effects::record(&mut tx, team, locked, now * 1000).await?;
    }
    let note = Effect::NoteSubmission {
        loop_id: stage.loop_id,
        user: user.to_string(),
        stage: kind,
        submitted,
        expected,
    };
    effects::record(&mut tx, team, note, now * 1000).await?;
    if kind == StageKind::DesignDoc && card.below_staff_bar() {
        super::gate::ask(state, &mut tx, &stage, now).await?;
    }
    loops::audit(
        &mut tx,
        team,
        Some(stage.loop_id),
        user,
        &format!("submitted the {} scorecard", kind.key()),
        now,
    )
    .await?;
    // The author's Home lists the card; the HM's shows the loop's progress.
    let home = |user: &str| Effect::RefreshHome {
        user: user.to_string(),
    };
    effects::record(&mut tx, team, home(user), now * 1000).await?;
    if stage.hiring_manager != user {
        effects::record(&mut tx, team, home(&stage.hiring_manager), now * 1000).await?;
    }
    tx.commit().await?;
    tracing::info!(
        loop_id = stage.loop_id,
        stage_id = stage.id,
        "scorecard locked"
    );
    state.outbox_wakeup.notify_one();
    Ok(Reply::Ack)
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
    let n = text.chars().count();
    if n < ADDENDUM_CHARS.0 || n > ADDENDUM_CHARS.1 {
        return Ok(Reply::view_errors([(block, m::ADDENDUM_EMPTY.to_string())]));
    }
    let Some((card_id, _)) = cards::card_receipt(state.db.pool(), stage.id, user).await? else {
        return Ok(Reply::view_errors([(block, m::NOT_YOUR_CARD.to_string())]));
    };
    let now = state.clock.unix();
    let mut tx = state.db.begin().await?;
    cards::add_addendum(&mut tx, card_id, &text, now).await?;
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
    Ok(Reply::Ack)
}
