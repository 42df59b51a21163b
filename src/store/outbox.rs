//! The outbox: Slack calls recorded in the same transaction as the state
//! change that caused them, then claimed and delivered by the worker.
//!
//! Rows with the same `ordering_key` are delivered strictly in the order their
//! transactions committed (an explicit per-key sequence); only a key's oldest
//! pending row is ready to claim. A claim is one statement over the ready rows
//! and writes a fresh lease token; complete, retry, fail and renew must
//! present it, so a delivery whose lease was taken over cannot finish twice.

use super::{Backend, Db, Tx};
use serde_json::Value;
use std::collections::HashSet;

/// One row to write: the effect already encoded by `effects::record`.
#[derive(Clone, Debug)]
pub struct NewRow {
    pub ordering_key: String,
    pub loop_id: Option<i64>,
    pub method: String,
    pub payload: String,
    /// A Home refresh, of this user's Home: written only if they have opened
    /// it, and skipped when one for the same key is already waiting.
    pub home_of: Option<String>,
    /// How long a Home refresh may wait for others to join it (0: now).
    pub settle_ms: i64,
}

/// An effect recorded in a transaction, written when it commits.
pub struct Queued {
    team_id: String,
    row: NewRow,
    created_ms: i64,
}

/// Records a row in the transaction; it is written at commit.
pub async fn enqueue(
    tx: &mut Tx,
    team_id: &str,
    row: NewRow,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    tx.queue(Queued {
        team_id: team_id.to_string(),
        row,
        created_ms: now_ms,
    });
    Ok(())
}

/// Of the Home refreshes in `queued`, whose Home is worth refreshing (its
/// user has opened it: `home_viewers`), and of those, whose already has a
/// refresh waiting that no worker has claimed yet, by ordering key.
async fn homes_to_refresh(
    conn: &mut super::Tx,
    queued: &[Queued],
) -> Result<(HashSet<String>, HashSet<String>), sqlx::Error> {
    let mut users: Vec<&str> = queued
        .iter()
        .filter_map(|q| q.row.home_of.as_deref())
        .collect();
    if users.is_empty() {
        return Ok(Default::default());
    }
    users.sort_unstable();
    users.dedup();
    let users = super::pad(&users);
    // 'home:' || user is `Effect::RefreshHome`'s ordering key.
    let sql = format!(
        "SELECT v.user_id, v.team_id, (SELECT o.ordering_key FROM outbox o \
           WHERE o.status = 'pending' AND o.lease_token IS NULL \
             AND o.ordering_key = 'home:' || v.user_id LIMIT 1) AS waiting \
         FROM home_viewers v WHERE v.user_id IN ({})",
        super::marks(1, users.len())
    );
    let mut q = sqlx::query_as::<_, (String, String, Option<String>)>(&sql);
    for u in users {
        q = q.bind(u);
    }
    let viewers = q.fetch_all(&mut *conn).await?;
    let viewer: HashSet<(&str, &str)> = viewers
        .iter()
        .map(|(user, team, _)| (user.as_str(), team.as_str()))
        .collect();
    let waiting: HashSet<&str> = viewers
        .iter()
        .filter(|(_, _, waiting)| waiting.is_some())
        .map(|(user, _, _)| user.as_str())
        .collect();
    let mut wanted = HashSet::new();
    let mut already = HashSet::new();
    for q in queued {
        let Some(user) = q.row.home_of.as_deref() else {
            continue;
        };
        if viewer.contains(&(user, q.team_id.as_str())) {
            wanted.insert(q.row.ordering_key.clone());
            if waiting.contains(user) {
                already.insert(q.row.ordering_key.clone());
            }
        }
    }
    Ok((wanted, already))
}

/// Makes the settling rows of `keys` due at `now_ms`: those due later that
/// were never tried (a row waiting out a 429 or a backoff keeps its time).
async fn hurry_waiting(
    conn: &mut super::Tx,
    keys: &[&str],
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    if keys.is_empty() {
        return Ok(());
    }
    let keys = super::pad(keys);
    let sql = format!(
        "UPDATE outbox SET next_attempt_ms = $1 \
         WHERE status = 'pending' AND lease_token IS NULL AND last_error IS NULL \
           AND next_attempt_ms > $1 AND ordering_key IN ({})",
        super::marks(2, keys.len())
    );
    let mut q = sqlx::query(&sql).bind(now_ms);
    for k in keys {
        q = q.bind(k);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// Hands each key its next `n` places, and says per key the first place and
/// whether the key had nothing pending before.
///
/// PostgreSQL: one upsert of `outbox_keys`, which locks the keys' rows (in key
/// order) until commit, so places follow commit order across replicas.
///
/// SQLite: one process writes at a time, so the places follow on from the
/// key's pending rows, read through `outbox_key_pending` (the index the new
/// rows go into anyway). No counter row is written: that was one more page
/// changed for every effect recorded and every delivery finished.
async fn take_places(
    conn: &mut super::Tx,
    groups: &[(String, i64)],
) -> Result<std::collections::HashMap<String, (i64, bool)>, sqlx::Error> {
    if conn.backend() == Backend::Sqlite {
        return follow_pending(conn, groups).await;
    }
    // Pieces in key order keep the locks in key order.
    let mut answered = Vec::with_capacity(groups.len());
    for piece in super::pieces(groups.len(), INSERT_CHUNK) {
        let piece = &groups[piece];
        let sql = format!(
            "INSERT INTO outbox_keys (ordering_key, last_seq, pending) VALUES {} \
             ON CONFLICT (ordering_key) DO UPDATE \
               SET last_seq = outbox_keys.last_seq + excluded.last_seq, \
                   pending = outbox_keys.pending + excluded.pending \
             RETURNING ordering_key, last_seq, pending",
            super::tuples(piece.len(), 3)
        );
        let mut q = sqlx::query_as::<_, (String, i64, i64)>(&sql);
        for (key, n) in piece {
            q = q.bind(key).bind(*n).bind(*n);
        }
        // All rows: SQLite keeps a RETURNING statement, and its write lock,
        // open until it has stepped to the end.
        answered.extend(q.fetch_all(&mut *conn).await?);
    }
    let taken: std::collections::HashMap<&str, i64> =
        groups.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    Ok(answered
        .into_iter()
        .map(|(key, last, pending)| {
            let n = taken.get(key.as_str()).copied().unwrap_or(1);
            (key, (last - n + 1, pending == n))
        })
        .collect())
}

/// SQLite's `take_places`: each key's places follow its last pending row.
async fn follow_pending(
    conn: &mut super::Tx,
    groups: &[(String, i64)],
) -> Result<std::collections::HashMap<String, (i64, bool)>, sqlx::Error> {
    let mut last: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for piece in super::pieces(groups.len(), INSERT_CHUNK) {
        let keys: Vec<&str> = groups[piece].iter().map(|(k, _)| k.as_str()).collect();
        let keys = super::pad(&keys);
        let sql = format!(
            "SELECT ordering_key, MAX(seq) FROM outbox \
             WHERE status = 'pending' AND ordering_key IN ({}) GROUP BY ordering_key",
            super::marks(1, keys.len())
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
        for key in keys {
            q = q.bind(key);
        }
        last.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(groups
        .iter()
        .map(|(key, _)| match last.get(key) {
            Some(&seq) => (key.clone(), (seq + 1, false)),
            None => (key.clone(), (1, true)),
        })
        .collect())
}

/// Rows written per INSERT statement.
const INSERT_CHUNK: usize = 64;

/// Writes a transaction's effects with three statements at most (four when
/// a Home refresh wanted now meets one still settling): one read of whose
/// Homes are worth a refresh and which already have one waiting, one
/// statement that hands out the keys' next places (`take_places`; on
/// PostgreSQL it locks the keys' rows, in key order, until commit), and one
/// INSERT per 64 rows. So places follow commit order, a worker finishing a
/// key's head waits for us (and then sees our rows), and two transactions
/// that touch the same keys cannot deadlock.
/// (On PostgreSQL two transactions at the same moment may both find no
/// refresh waiting and both add one: one extra publish, never a lost one.)
pub(crate) async fn flush(
    conn: &mut super::Tx,
    mut queued: Vec<Queued>,
) -> Result<(), sqlx::Error> {
    if queued.is_empty() {
        return Ok(());
    }
    // Stable: effects of one key keep the order they were recorded in.
    queued.sort_by(|a, b| a.row.ordering_key.cmp(&b.row.ordering_key));
    // One Home refresh per user per transaction is enough: the soonest.
    queued.dedup_by(|b, a| {
        let same = a.row.home_of.is_some()
            && b.row.home_of.is_some()
            && a.row.ordering_key == b.row.ordering_key;
        if same {
            a.row.settle_ms = a.row.settle_ms.min(b.row.settle_ms);
        }
        same
    });
    // A Home nobody has opened is not refreshed: Slack shows it only to
    // someone who opens it, and opening it publishes it fresh. A refresh
    // already waiting unclaimed makes another one redundant: it will read
    // the latest state when it is delivered.
    let (wanted, waiting) = homes_to_refresh(conn, &queued).await?;
    let due_ms = crate::clock::wall_ms();
    // One wanted now joins a waiting one that was settling: that one goes now.
    let hurry: Vec<&str> = queued
        .iter()
        .filter(|q| q.row.home_of.is_some() && q.row.settle_ms == 0)
        .map(|q| q.row.ordering_key.as_str())
        .filter(|k| waiting.contains(*k))
        .collect();
    hurry_waiting(conn, &hurry, due_ms).await?;
    queued.retain(|q| {
        q.row.home_of.is_none()
            || (wanted.contains(&q.row.ordering_key) && !waiting.contains(&q.row.ordering_key))
    });
    if queued.is_empty() {
        return Ok(());
    }
    // (key, how many rows it takes), in key order.
    let mut groups: Vec<(String, i64)> = Vec::new();
    for q in &queued {
        match groups.last_mut() {
            Some((key, n)) if *key == q.row.ordering_key => *n += 1,
            _ => groups.push((q.row.ordering_key.clone(), 1)),
        }
    }
    let places = take_places(conn, &groups).await?;
    let mut rows: Vec<(Queued, i64, bool)> = Vec::with_capacity(queued.len());
    let mut i_in_group = 0;
    for (i, q) in queued.into_iter().enumerate() {
        if i > 0 && rows.last().map(|(p, _, _)| &p.row.ordering_key) != Some(&q.row.ordering_key) {
            i_in_group = 0;
        }
        let (first_seq, head_free) = places[&q.row.ordering_key];
        rows.push((q, first_seq + i_in_group, head_free && i_in_group == 0));
        i_in_group += 1;
    }
    for piece in super::pieces(rows.len(), INSERT_CHUNK) {
        let chunk = &rows[piece];
        let sql = format!(
            "INSERT INTO outbox (team_id, loop_id, ordering_key, method, payload, next_attempt_ms, created_ms, seq, ready) VALUES {}",
            super::tuples(chunk.len(), 9)
        );
        let mut q = sqlx::query(&sql);
        for (row, seq, head) in chunk {
            q = q
                .bind(&row.team_id)
                .bind(row.row.loop_id)
                .bind(&row.row.ordering_key)
                .bind(&row.row.method)
                .bind(&row.row.payload)
                .bind(due_ms + row.row.settle_ms)
                .bind(row.created_ms)
                .bind(*seq)
                .bind(*head as i64);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub team_id: String,
    pub loop_id: Option<i64>,
    pub ordering_key: String,
    pub method: String,
    pub payload: String,
    pub attempts: i64,
    /// The proof of the claim: complete, retry, fail and renew need it.
    pub lease_token: String,
    /// Messages of a several-message effect already posted (a retry resumes).
    pub parts_done: i64,
}

/// The lease lives in `lease_token` and `lease_until_ms`, which no index
/// covers: on PostgreSQL a claim is then a HOT update (the new row version
/// stays on its page, no index entry is added; the table leaves room for it,
/// see the `lease_off_the_index` migration), and on SQLite it changes the row
/// only. A leased head stays where it is in `outbox_ready`; the claim steps
/// over those, at most one per delivery in flight.
const CLAIM_SQLITE: &str = "UPDATE outbox SET lease_token = $1, lease_until_ms = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND ready = 1 AND next_attempt_ms <= $3 \
                  AND lease_until_ms <= $3 ORDER BY next_attempt_ms, id LIMIT $4) \
     RETURNING id, team_id, loop_id, ordering_key, method, payload, attempts, lease_token, parts_done";

/// PostgreSQL: the same, and rows another replica is claiming are skipped
/// rather than waited for.
const CLAIM_POSTGRES: &str = "UPDATE outbox SET lease_token = $1, lease_until_ms = $2, attempts = attempts + 1 \
     WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND ready = 1 AND next_attempt_ms <= $3 \
                  AND lease_until_ms <= $3 ORDER BY next_attempt_ms, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
     RETURNING id, team_id, loop_id, ordering_key, method, payload, attempts, lease_token, parts_done";

/// Claims up to `limit` due deliveries, each the head of its ordering key,
/// for `lease_ms`, with one statement that reads only the due heads (through
/// the `outbox_ready` partial index), so its cost does not grow with the
/// backlog.
pub async fn claim_due(
    db: &Db,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<Delivery>, sqlx::Error> {
    if let Some(leases) = db.leases() {
        // One round trip: the statement is its own transaction, and one that
        // finds nothing due writes nothing. It commits without waiting for
        // the disk (its connection has `synchronous_commit` off): if the
        // database crashed before a lease reached the disk, the row would be
        // claimable at once instead of when the lease runs out, and the
        // holder's token would no longer match, as for any lease lost. A
        // crash while a delivery is under way can lose its completion
        // either way, so no guarantee is given up, and the claim does not
        // wait out a flush of the log.
        let mut rows: Vec<Delivery> = sqlx::query_as(CLAIM_POSTGRES)
            .bind(super::lease_token())
            .bind(now_ms + lease_ms)
            .bind(now_ms)
            .bind(limit)
            .fetch_all(leases)
            .await?;
        rows.sort_by_key(|d| d.id);
        return Ok(rows);
    }
    // SQLite. A read first: an idle worker polling must not take the write
    // lock (another process writing the same file would starve).
    let due: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM outbox WHERE status = 'pending' AND ready = 1 AND next_attempt_ms <= $1 \
           AND lease_until_ms <= $1 LIMIT 1",
    )
    .bind(now_ms)
    .fetch_optional(db)
    .await?;
    if due.is_none() {
        return Ok(Vec::new());
    }
    // An explicit transaction: SQLite ends a RETURNING statement's implicit
    // one only when the statement is reset, which would hold the write lock.
    let mut tx = db.begin().await?;
    let mut rows: Vec<Delivery> = sqlx::query_as(CLAIM_SQLITE)
        .bind(super::lease_token())
        .bind(now_ms + lease_ms)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&mut tx)
        .await?;
    tx.commit().await?;
    rows.sort_by_key(|d| d.id);
    Ok(rows)
}

/// Extends a held lease (a long upload); false when it is no longer held.
pub async fn renew(db: &Db, d: &Delivery, until_ms: i64) -> Result<bool, sqlx::Error> {
    let _gate = db.gate().await;
    let r = sqlx::query(
        "UPDATE outbox SET lease_until_ms = $1 WHERE id = $2 AND lease_token = $3 AND status = 'pending'",
    )
    .bind(until_ms)
    .bind(d.id)
    .bind(&d.lease_token)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A delivery to end (see `finish`).
pub struct Finish {
    id: i64,
    lease_token: String,
    status: &'static str,
    at_ms: i64,
    error: Option<String>,
}

/// Ends a delivery (`done` or `failed`) if this worker still holds its lease,
/// and makes the next pending row of its key ready. False: the lease was
/// lost (another holder has the row), nothing was changed. Deliveries that
/// end at the same moment share one transaction (see `finish_batch`).
async fn finish(
    db: &Db,
    d: &Delivery,
    status: &'static str,
    now_ms: i64,
    error: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let end = Finish {
        id: d.id,
        lease_token: d.lease_token.clone(),
        status,
        at_ms: now_ms,
        error: error.map(str::to_string),
    };
    match db.finishes.submit(db, end).await {
        Some(Ok(ended)) => Ok(ended),
        Some(Err(e)) => Err(sqlx::Error::Protocol(e)),
        None => Err(sqlx::Error::Protocol(
            "the outbox writer stopped before answering".into(),
        )),
    }
}

/// Answers of `finish_batch`: whether each delivery was ended, or why the
/// batch could not be written.
pub(crate) type Finished = Result<bool, String>;

/// Deliveries ended per transaction at most.
pub(crate) const FINISH_BATCH: usize = 64;

pub(crate) fn finish_batch(
    db: Db,
    batch: Vec<Finish>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<Finished>> + Send>> {
    Box::pin(async move {
        // One at a time if the batch fails, so one row's trouble (or a lost
        // deadlock on PostgreSQL) does not leave the others to be sent again.
        let db = &db;
        super::group::batch_or_each("outbox", batch.len(), |range| {
            let rows = &batch[range];
            async move {
                let ended = finish_all(db, rows).await.map_err(|e| e.to_string())?;
                Ok(rows.iter().map(|f| ended.contains(&f.id)).collect())
            }
        })
        .await
    })
}

/// Two or three statements for any number of deliveries: end those whose
/// lease is still held; on PostgreSQL, take them off their keys' counts
/// (locking the keys' rows, in key order, so an insert under way for one of
/// those keys commits first and the promotion sees it); and make each key's
/// next row ready.
async fn finish_all(
    db: &Db,
    batch: &[Finish],
) -> Result<std::collections::HashSet<i64>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut ended: Vec<(i64, String)> = Vec::with_capacity(batch.len());
    for piece in super::pieces(batch.len(), INSERT_CHUNK) {
        let piece = &batch[piece];
        let sql = format!(
            "UPDATE outbox SET status = v.column3, finished_ms = v.column4, \
               last_error = COALESCE(v.column5, outbox.last_error), ready = 0, lease_token = NULL \
             FROM (VALUES {}) AS v \
             WHERE outbox.id = v.column1 AND outbox.lease_token = v.column2 AND outbox.status = 'pending' \
             RETURNING outbox.id, outbox.ordering_key",
            super::tuples(piece.len(), 5)
        );
        let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
        for f in piece {
            q = q
                .bind(f.id)
                .bind(&f.lease_token)
                .bind(f.status)
                .bind(f.at_ms)
                .bind(f.error.as_deref());
        }
        ended.extend(q.fetch_all(&mut tx).await?);
    }
    if ended.is_empty() {
        return Ok(Default::default());
    }
    let mut keys: Vec<&str> = ended.iter().map(|(_, k)| k.as_str()).collect();
    keys.sort_unstable();
    // One delivery per key is ever in flight (only a key's head is claimed).
    keys.dedup();
    // Padding repeats the last key: IN and the promotion below see it once.
    let keys = super::pad(&keys);
    let marks = super::marks(1, keys.len());
    if db.backend() == Backend::Postgres {
        // The keys' counts, in one statement whose rows are locked in key
        // order first, as `flush` takes them: no deadlock. (SQLite keeps no
        // counts: see `take_places`.)
        let count = format!(
            "WITH locked AS (SELECT ordering_key FROM outbox_keys WHERE ordering_key IN ({marks}) \
                             ORDER BY ordering_key FOR UPDATE) \
             UPDATE outbox_keys k SET pending = k.pending - 1 \
             FROM locked WHERE k.ordering_key = locked.ordering_key"
        );
        let mut q = sqlx::query(&count);
        for k in &keys {
            q = q.bind(*k);
        }
        q.execute(&mut tx).await?;
    }
    let promote = format!(
        "UPDATE outbox SET ready = 1 WHERE id IN \
           (SELECT (SELECT o.id FROM outbox o WHERE o.ordering_key = k.column1 AND o.status = 'pending' \
                    ORDER BY o.seq LIMIT 1) \
            FROM (VALUES {}) AS k)",
        super::tuples(keys.len(), 1)
    );
    let mut q = sqlx::query(&promote);
    for k in &keys {
        q = q.bind(*k);
    }
    q.execute(&mut tx).await?;
    tx.commit().await?;
    Ok(ended.into_iter().map(|(id, _)| id).collect())
}

/// The delivery succeeded. False: the lease had been lost.
pub async fn complete(db: &Db, d: &Delivery, now_ms: i64) -> Result<bool, sqlx::Error> {
    finish(db, d, "done", now_ms, None).await
}

/// Gives up on the delivery. False: the lease had been lost.
pub async fn fail(db: &Db, d: &Delivery, now_ms: i64, error: &str) -> Result<bool, sqlx::Error> {
    finish(db, d, "failed", now_ms, Some(error)).await
}

/// Releases the lease and schedules another try. A rate-limited call does not
/// use up one of the bounded attempts.
pub async fn retry_at(
    db: &Db,
    d: &Delivery,
    at_ms: i64,
    error: &str,
    counts_as_attempt: bool,
) -> Result<bool, sqlx::Error> {
    let _gate = db.gate().await;
    let refund = if counts_as_attempt { 0 } else { 1 };
    let r = sqlx::query(
        "UPDATE outbox SET next_attempt_ms = $1, lease_token = NULL, lease_until_ms = 0, last_error = $2, \
           attempts = attempts - $3 \
         WHERE id = $4 AND lease_token = $5 AND status = 'pending'",
    )
    .bind(at_ms)
    .bind(error)
    .bind(refund as i64)
    .bind(d.id)
    .bind(&d.lease_token)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records that the first `parts` messages of the delivery are posted.
pub async fn note_parts(db: &Db, d: &Delivery, parts: i64) -> Result<bool, sqlx::Error> {
    let _gate = db.gate().await;
    let r = sqlx::query(
        "UPDATE outbox SET parts_done = $1 WHERE id = $2 AND lease_token = $3 AND status = 'pending'",
    )
    .bind(parts)
    .bind(d.id)
    .bind(&d.lease_token)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_payload(db: &Db, d: &Delivery, payload: &Value) -> Result<bool, sqlx::Error> {
    let _gate = db.gate().await;
    let r = sqlx::query("UPDATE outbox SET payload = $1 WHERE id = $2 AND lease_token = $3")
        .bind(payload.to_string())
        .bind(d.id)
        .bind(&d.lease_token)
        .execute(db)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Deliveries by status, for `/healthz` and operators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub pending: i64,
    pub done: i64,
    pub failed: i64,
}

pub async fn counts(db: &Db) -> Result<Counts, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status")
            .fetch_all(db)
            .await?;
    let mut c = Counts::default();
    for (status, n) in rows {
        match status.as_str() {
            "pending" => c.pending = n,
            "done" => c.done = n,
            "failed" => c.failed = n,
            _ => {}
        }
    }
    Ok(c)
}

/// Deletes up to `limit` of the workspace's delivered rows recorded before
/// `before_ms`, oldest first (walking the primary key, so no index is
/// needed). Pending and failed rows stay. Returns how many.
pub async fn purge_delivered(
    tx: &mut Tx,
    team_id: &str,
    before_ms: i64,
    limit: i64,
) -> Result<i64, sqlx::Error> {
    let r = sqlx::query(
        "DELETE FROM outbox WHERE id IN \
           (SELECT id FROM outbox WHERE status = 'done' AND team_id = $1 AND created_ms < $2 \
            ORDER BY id LIMIT $3)",
    )
    .bind(team_id)
    .bind(before_ms)
    .bind(limit)
    .execute(&mut *tx)
    .await?;
    Ok(r.rows_affected() as i64)
}
