//! Delivers recorded Slack effects after the request that caused them has
//! been answered: retries 5xx and network errors with exponential backoff,
//! waits out `Retry-After` on 429, gives up after a bound, and keeps the
//! order of effects within a loop.

use crate::effects::{self, deliver::Failure, Effect};
use crate::slack::client::CallError;
use crate::store::outbox::{self, Delivery};
use crate::AppState;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

pub async fn run(state: Arc<AppState>, shutdown: CancellationToken) {
    let tuning = state.tuning.clone();
    let mut inflight: JoinSet<()> = JoinSet::new();
    loop {
        if shutdown.is_cancelled() {
            break;
        }
        let free = tuning.outbox_concurrency.saturating_sub(inflight.len());
        let mut claimed = 0;
        // Claim in batches: each claim is a write, so rather than one claim
        // per finished delivery, wait until a quarter of the slots are free
        // (or nothing is under way).
        let worth_claiming = free > 0 && (inflight.is_empty() || free >= claim_batch(&tuning));
        if worth_claiming {
            let now_ms = crate::clock::wall_ms();
            match outbox::claim_due(
                &state.db,
                now_ms,
                tuning.outbox_lease.as_millis() as i64,
                free as i64,
            )
            .await
            {
                Ok(rows) => {
                    claimed = rows.len();
                    for row in rows {
                        let state = state.clone();
                        inflight.spawn(async move { deliver(&state, row).await });
                    }
                }
                Err(e) => tracing::error!(error = %e, "outbox: claiming deliveries failed"),
            }
        }
        if claimed > 0 && inflight.len() < tuning.outbox_concurrency {
            // More may be waiting behind the ones just claimed.
            tokio::task::yield_now().await;
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = state.outbox_wakeup.notified() => {}
            _ = tokio::time::sleep(tuning.outbox_poll) => {}
            Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
        }
    }
    // Graceful stop: finish deliveries already under way, start no new ones.
    while inflight.join_next().await.is_some() {}
}

/// Fewest free slots worth a claim while deliveries are under way.
fn claim_batch(tuning: &crate::config::Tuning) -> usize {
    (tuning.outbox_concurrency / 4).max(1)
}

/// Another worker took the delivery over (our lease ran out): it finishes
/// it; we must not record anything more.
#[derive(Debug, thiserror::Error)]
#[error("the lease was lost to another worker")]
pub(crate) struct LeaseLost;

/// A bookkeeping step that needs the lease: false means it is no longer ours.
pub(crate) fn held(ok: bool) -> anyhow::Result<()> {
    if ok {
        Ok(())
    } else {
        Err(LeaseLost.into())
    }
}

pub(crate) fn backoff(state: &AppState, attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    state
        .tuning
        .outbox_retry_base
        .saturating_mul(2u32.saturating_pow(exp))
        .min(state.tuning.outbox_retry_max)
}

async fn deliver(state: &AppState, d: Delivery) {
    let span = tracing::info_span!("deliver", outbox_id = d.id, method = %d.method, loop_id = ?d.loop_id, team = %d.team_id);
    match try_deliver(state, &d).instrument(span.clone()).await {
        Ok(()) => {}
        Err(e) if e.is::<LeaseLost>() => {
            tracing::warn!(parent: &span, "outbox: lease lost; the new holder finishes this delivery")
        }
        Err(e) => {
            tracing::error!(parent: &span, error = %e, "outbox: bookkeeping failed; the lease will expire and it is retried")
        }
    }
}

async fn try_deliver(state: &AppState, d: &Delivery) -> anyhow::Result<()> {
    if !d.method.starts_with(effects::METHOD_PREFIX) {
        return effects::legacy::try_deliver(state, d).await;
    }
    let now_ms = crate::clock::wall_ms;
    let effect: Effect = match serde_json::from_str(&d.payload) {
        Ok(e) => e,
        Err(e) => {
            tracing::error!(error = %e, "outbox: a stored effect is unreadable; giving up on it");
            return held(
                outbox::fail(&state.db, d, now_ms(), "stored effect is unreadable").await?,
            );
        }
    };
    let result = renewing(state, d, effects::deliver::send(state, d, &effect)).await?;
    let db = &state.db;
    match result {
        Ok(()) => {
            held(outbox::complete(db, d, now_ms()).await?)?;
            tracing::debug!("delivered");
        }
        Err(Failure::Slack(CallError::RateLimited(wait))) => {
            tracing::info!(wait_s = wait.as_secs(), "outbox: rate limited; waiting");
            let at = now_ms() + wait.as_millis() as i64;
            held(outbox::retry_at(db, d, at, "rate limited", false).await?)?;
        }
        Err(Failure::Slack(CallError::Transient(e)))
            if d.attempts < state.tuning.outbox_max_attempts =>
        {
            let wait = backoff(state, d.attempts);
            tracing::warn!(attempt = d.attempts, error = %e, "outbox: delivery failed; will retry");
            let at = now_ms() + wait.as_millis() as i64;
            held(outbox::retry_at(db, d, at, &e, true).await?)?;
        }
        Err(Failure::RetryNow(why)) => {
            if d.attempts >= state.tuning.outbox_max_attempts * 4 {
                held(outbox::fail(db, d, now_ms(), &format!("{why} too often")).await?)?;
                effects::deliver::report_give_up(state, &effect, why).await?;
            } else {
                held(outbox::retry_at(db, d, now_ms(), why, true).await?)?;
                state.outbox_wakeup.notify_one();
            }
        }
        Err(Failure::Missing(why)) => {
            tracing::error!(
                reason = why,
                "outbox: what this delivery builds on is missing; giving up"
            );
            held(outbox::fail(db, d, now_ms(), why).await?)?;
        }
        Err(Failure::Slack(e)) => {
            tracing::error!(attempt = d.attempts, error = %e, "outbox: giving up on a delivery");
            held(outbox::fail(db, d, now_ms(), &e.to_string()).await?)?;
            let code = match &e {
                CallError::Api(code) => code.clone(),
                other => other.to_string(),
            };
            effects::deliver::report_give_up(state, &effect, &code).await?;
        }
        Err(Failure::Store(e)) => return Err(e),
        Err(Failure::LeaseLost) => return Err(LeaseLost.into()),
    }
    Ok(())
}

/// Runs a Slack call while renewing the delivery's lease every third of its
/// length, so a long delivery (an upload) is never claimed by a second
/// worker. If the lease is lost anyway, the call is dropped.
pub(crate) async fn renewing<T>(
    state: &AppState,
    d: &Delivery,
    call: impl std::future::Future<Output = T>,
) -> anyhow::Result<T> {
    let lease = state.tuning.outbox_lease;
    let mut tick = tokio::time::interval(lease / 3);
    tick.tick().await; // the first tick is immediate
    tokio::pin!(call);
    loop {
        tokio::select! {
            out = &mut call => return Ok(out),
            _ = tick.tick() => {
                let until = crate::clock::wall_ms() + lease.as_millis() as i64;
                held(outbox::renew(&state.db, d, until).await?)?;
            }
        }
    }
}
