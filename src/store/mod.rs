//! Storage: one sqlx `Any` pool over SQLite (the embedded default, in WAL mode)
//! or PostgreSQL (for several replicas). Every query here is written once in
//! the SQL both backends understand; a query only one of them accepts is a bug.

pub mod audits;
pub mod calibrations;
pub mod cards;
pub mod decisions;
pub mod direct;
pub mod events;
pub mod group;
pub mod jobs;
pub mod loops;
pub mod metrics;
pub mod outbox;
pub mod teams;
pub mod votes;

use anyhow::Context;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::any::{AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Connection, Either, Execute, Executor, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub static SQLITE_MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");
pub static POSTGRES_MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite: the store's own connections, where every query runs (see
    /// `direct`); the sqlx pool then serves migrations and maintenance only.
    direct: Option<Arc<direct::Direct>>,
    /// SQLite has one writer. Queueing write transactions here, in order,
    /// beats letting them spin in SQLite's sleep-and-retry busy handler.
    /// PostgreSQL needs no gate.
    write_gate: Option<Arc<Semaphore>>,
    /// Outbox deliveries that end at the same moment share one transaction.
    finishes: Arc<group::GroupCommit<Db, outbox::Finish, outbox::Finished>>,
    /// PostgreSQL: a connection for the outbox's claims, which commit without
    /// waiting for the disk (see `outbox::claim_due`).
    leases: Option<AnyPool>,
}

/// A write transaction; on SQLite it holds the write gate until it ends.
/// Effects recorded in it wait here and are written at commit, in one batch
/// and in ordering-key order (see `outbox::flush`). Run queries on it as on
/// any sqlx executor: `query.execute(&mut *tx)`.
pub struct Tx {
    inner: TxInner,
    effects: Vec<outbox::Queued>,
    backend: Backend,
    // After `inner`: the writer goes back before the gate opens.
    _gate: Option<OwnedSemaphorePermit>,
}

enum TxInner {
    Sqlx(Transaction<'static, Any>),
    Direct(Lent),
}

/// The SQLite writer, lent to one transaction; rolled back (unless
/// committed) and given back when it ends.
struct Lent {
    conn: Option<rusqlite::Connection>,
    home: Arc<direct::Direct>,
}

impl Lent {
    fn conn(&self) -> &rusqlite::Connection {
        self.conn
            .as_ref()
            .expect("the writer is lent until the transaction ends")
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            direct::rollback(&conn);
            self.home.give_back_writer(conn);
        }
    }
}

impl std::fmt::Debug for Tx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("effects", &self.effects.len())
            .finish_non_exhaustive()
    }
}

impl Tx {
    /// Writes the recorded effects, then commits: the change and what it
    /// causes land together or not at all.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let effects = std::mem::take(&mut self.effects);
        outbox::flush(&mut self, effects).await?;
        // Taken out first, so it opens only after the writer has gone back.
        let gate = self._gate.take();
        let committed = match self.inner {
            TxInner::Sqlx(t) => t.commit().await,
            TxInner::Direct(lent) => direct::commit(lent.conn()),
        };
        if committed.is_ok() {
            group::open_when_answered(gate);
        }
        committed
    }

    /// The database this transaction writes to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// `clause` (a row-locking clause such as ` FOR UPDATE`) on PostgreSQL;
    /// nothing on SQLite, where a write transaction already holds the only
    /// write lock.
    pub(crate) fn row_lock<'a>(&self, clause: &'a str) -> &'a str {
        match self.backend {
            Backend::Postgres => clause,
            Backend::Sqlite => "",
        }
    }

    pub(crate) fn queue(&mut self, effect: outbox::Queued) {
        self.effects.push(effect);
    }
}

impl<'c> Executor<'c> for &'c mut Tx {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        match &mut self.inner {
            TxInner::Sqlx(t) => (&mut **t).fetch_many(query),
            TxInner::Direct(lent) => direct::as_stream(direct::run(lent.conn(), query, false)),
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<AnyRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        match &mut self.inner {
            TxInner::Sqlx(t) => (&mut **t).fetch_optional(query),
            TxInner::Direct(lent) => direct::first(direct::run(lent.conn(), query, true)),
        }
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement<'q>, sqlx::Error>>
    where
        'c: 'e,
    {
        match &mut self.inner {
            TxInner::Sqlx(t) => (&mut **t).prepare_with(sql, parameters),
            TxInner::Direct(_) => Box::pin(std::future::ready(Err(unsupported()))),
        }
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<sqlx::Describe<Any>, sqlx::Error>>
    where
        'c: 'e,
    {
        match &mut self.inner {
            TxInner::Sqlx(t) => (&mut **t).describe(sql),
            TxInner::Direct(_) => Box::pin(std::future::ready(Err(unsupported()))),
        }
    }
}

fn unsupported() -> sqlx::Error {
    sqlx::Error::Protocol("prepared statements are not handed out on SQLite".into())
}

/// Reads (and single writes behind `Db::gate`) run on the database itself:
/// `query.fetch_all(&db)`.
impl<'c> Executor<'c> for &'c Db {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        match &self.direct {
            Some(d) => direct::as_stream(d.read(|conn| direct::run(conn, query, false))),
            None => self.pool.fetch_many(query),
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<AnyRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        match &self.direct {
            Some(d) => direct::first(d.read(|conn| direct::run(conn, query, true))),
            None => self.pool.fetch_optional(query),
        }
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement<'q>, sqlx::Error>>
    where
        'c: 'e,
    {
        self.pool.prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<sqlx::Describe<Any>, sqlx::Error>>
    where
        'c: 'e,
    {
        self.pool.describe(sql)
    }
}

/// A fresh lease token: unique across claims in this process (a counter) and
/// across replicas (a per-process random seed), so two workers that claim in
/// the same millisecond still hold different proofs.
pub fn lease_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static SEED: OnceLock<u64> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let seed = *SEED.get_or_init(|| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        h.finish()
    });
    format!("{seed:016x}-{:x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The domain's states cross the store's edge as their stored spelling and
/// come back parsed: a column holding a spelling we do not know is an error
/// when the row is read, not a silent mismatch later.
macro_rules! stored_as_text {
    ($($state:ty),+) => {$(
        impl sqlx::Type<Any> for $state {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<Any>>::type_info()
            }
        }

        impl<'q> sqlx::Encode<'q, Any> for $state {
            fn encode_by_ref(
                &self,
                buf: &mut <Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, Any>>::encode(self.as_str(), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, Any> for $state {
            fn decode(
                value: <Any as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, Any>>::decode(value)?;
                <$state>::parse(&text).ok_or_else(|| {
                    format!("unknown {} {text:?}", stringify!($state)).into()
                })
            }
        }
    )+};
}

stored_as_text!(
    crate::domain::LoopState,
    crate::domain::StageState,
    crate::domain::DocGate,
    crate::domain::DecisionStatus,
    crate::domain::CalibrationState,
    crate::domain::AuditState,
    crate::domain::JobKind
);

/// `n` numbered parameters from `$first` on, comma-separated: `$3, $4, $5`.
pub(crate) fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `rows` parenthesised tuples of `cols` numbered parameters from `$1` on,
/// for a multi-row VALUES: `($1, $2), ($3, $4)`.
pub(crate) fn tuples(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", marks(r * cols + 1, cols)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `n` rows cut into pieces whose sizes are powers of two, largest first,
/// none above `max` (itself a power of two). A batch's statements then come
/// in a handful of shapes, which stay prepared on SQLite's connections,
/// rather than one shape per batch size, each parsed afresh.
pub(crate) fn pieces(n: usize, max: usize) -> Vec<std::ops::Range<usize>> {
    debug_assert!(max.is_power_of_two());
    let mut out = Vec::new();
    let mut start = 0;
    while start < n {
        let left = n - start;
        let size = if left >= max {
            max
        } else {
            1 << (usize::BITS - 1 - left.leading_zeros())
        };
        out.push(start..start + size);
        start += size;
    }
    out
}

/// How many values an IN list of `n` values is given: the next power of
/// two, the last value repeated (harmless in IN), for the same reason.
pub(crate) fn padded(n: usize) -> usize {
    n.max(1).next_power_of_two()
}

/// SQL for the number of cards in for the loop `loop_id` (an expression),
/// leaving out cards of cancelled stages: the loop's stages, each with its
/// cards counted on the cards' (stage, interviewer) key. A loop's stages
/// are made together, so their cards sit side by side in that key.
pub(crate) fn cards_in_sql(loop_id: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM stages xs JOIN scorecards xc ON xc.stage_id = xs.id \
            WHERE xs.loop_id = {loop_id} AND xs.state <> 'cancelled')"
    )
}

/// SQL for the number of cards expected for the loop `loop_id` (an
/// expression): its seats on stages that were not cancelled.
pub(crate) fn cards_expected_sql(loop_id: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM stage_interviewers yi JOIN stages ys ON ys.id = yi.stage_id \
            WHERE ys.loop_id = {loop_id} AND ys.state <> 'cancelled')"
    )
}

/// `values` padded (see `padded`) by repeating the last one.
pub(crate) fn pad<T: Clone>(values: &[T]) -> Vec<T> {
    let mut out = values.to_vec();
    if let Some(last) = values.last() {
        out.resize(padded(values.len()), last.clone());
    }
    out
}

/// True when the error is a unique-constraint violation (a lost race or a
/// duplicate delivery), which callers turn into "already done".
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl Db {
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        if backend == Backend::Sqlite {
            direct::without_memory_statistics();
            prepare_sqlite_file(url).await?;
        }
        let options = AnyConnectOptions::from_str(url).context("parsing DATABASE_URL")?;
        // SQLite reads are short and local; beyond a few connections per core
        // more only add page caches (each up to 2 MB) and thread switches.
        let readers = match backend {
            Backend::Sqlite => max_connections.min(SQLITE_POOL),
            Backend::Postgres => max_connections,
        };
        let pool = pool_options(backend, readers)
            .connect_with(options.clone())
            .await
            .with_context(|| format!("connecting to the {backend:?} database"))?;
        let leases = match backend {
            Backend::Postgres => Some(
                pool_options(backend, 1)
                    // In place of `pool_options`'s own hook: the same
                    // settings, and two of its own.
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            set_up_postgres(conn).await?;
                            conn.execute("SET synchronous_commit = off").await?;
                            // See `GENERIC_PLAN`: the claim's `LIMIT $4`
                            // would have it planned afresh every time.
                            conn.execute(format!("SET {GENERIC_PLAN}").as_str()).await?;
                            Ok(())
                        })
                    })
                    .connect_lazy_with(options),
            ),
            Backend::Sqlite => None,
        };
        let write_gate = (backend == Backend::Sqlite).then(|| Arc::new(Semaphore::new(1)));
        let direct = match backend {
            Backend::Sqlite => {
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                    .context("parsing DATABASE_URL")?;
                let path = options.get_filename().to_path_buf();
                Some(Arc::new(direct::Direct::open(&path).with_context(
                    || format!("opening {} for the store", path.display()),
                )?))
            }
            Backend::Postgres => None,
        };
        Ok(Db {
            pool,
            direct,
            finishes: Arc::new(group::GroupCommit::new(
                outbox::FINISH_BATCH,
                outbox::finish_batch,
            )),
            backend,
            write_gate,
            leases,
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator
            .run(&self.pool)
            .await
            .context("running migrations")?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// PostgreSQL: the connection the outbox claims on (`None` on SQLite).
    pub(crate) fn leases(&self) -> Option<&AnyPool> {
        self.leases.as_ref()
    }

    /// The sqlx pool itself, for maintenance, tools and tests. The service
    /// runs its queries on `&Db` or a `Tx` instead: on SQLite those use the
    /// store's own connections and respect the write gate; this does not.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a transaction that may write.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let gate = self.gate().await;
        let inner = match &self.direct {
            Some(home) => {
                let (conn, begun) = direct::begin_immediate(home.take_writer()?).await;
                // From here the writer goes back however this ends.
                let lent = Lent {
                    conn: Some(conn),
                    home: home.clone(),
                };
                begun?;
                TxInner::Direct(lent)
            }
            None => TxInner::Sqlx(self.pool.begin().await?),
        };
        Ok(Tx {
            inner,
            _gate: gate,
            effects: Vec::new(),
            backend: self.backend,
        })
    }

    /// Holds SQLite's write gate for a single write statement outside a
    /// transaction (`None` on PostgreSQL). `begin` takes it too. Inside a
    /// group-commit writer that has committed and not yet answered, this is
    /// the gate that writer still keeps shut (see `group::take_gate`).
    pub async fn gate(&self) -> Option<OwnedSemaphorePermit> {
        match &self.write_gate {
            Some(g) => group::take_gate(g).await,
            None => None,
        }
    }

    /// SQLite: refreshes the query planner's statistics where they are
    /// missing or stale (a quick, sampled ANALYZE), so plans follow the data:
    /// the Home's loop list, for one, then costs the same with 10 or 10,000
    /// open loops. Run at start and hourly by `checkpoints`; PostgreSQL's
    /// autovacuum does the same there.
    pub async fn optimize(&self) -> Result<(), sqlx::Error> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        // ANALYZE writes its statistics: one writer at a time.
        let _gate = self.gate().await;
        let mut conn = self.pool.acquire().await?;
        conn.execute("PRAGMA analysis_limit = 1000").await?;
        conn.execute("PRAGMA optimize = 0x10002").await?;
        Ok(())
    }

    /// SQLite: copies the write-ahead log back into the database file every
    /// `every` until `stop`, without blocking writers (a passive checkpoint),
    /// so commits never pay for it and the log stays small. A process that
    /// does not run this (the CLI) checkpoints when its last connection
    /// closes. Nothing to do on PostgreSQL.
    pub async fn checkpoints(&self, every: Duration, stop: tokio_util::sync::CancellationToken) {
        if self.backend != Backend::Sqlite {
            return;
        }
        let mut last_optimized = std::time::Instant::now();
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
            if last_optimized.elapsed() >= Duration::from_secs(3600) {
                last_optimized = std::time::Instant::now();
                if let Err(e) = self.optimize().await {
                    tracing::warn!(error = %e, "refreshing SQLite's planner statistics failed");
                }
            }
            if let Err(e) = self.checkpoint().await {
                tracing::warn!(error = %e, "checkpointing the SQLite log failed");
            }
        }
    }

    /// Copies the log back in two passes: the bulk while writers go on, then
    /// what they added meanwhile with the write gate held (a moment), in
    /// RESTART mode, which also waits for readers still on the log's older
    /// frames; the next write then starts the log again from the top. Under
    /// steady writes a passive pass alone never catches up, and the log (and
    /// its index, mapped by every connection) grows as long as the load lasts.
    async fn checkpoint(&self) -> Result<(), sqlx::Error> {
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&self.pool)
            .await?;
        let _gate = self.gate().await;
        sqlx::query("PRAGMA wal_checkpoint(RESTART)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Cheap liveness probe for `/healthz`.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        if let Some(leases) = &self.leases {
            leases.close().await;
        }
        self.pool.close().await;
    }
}

/// sqlx connections to SQLite: for migrations and maintenance only.
const SQLITE_POOL: u32 = 2;

/// Settings of every PostgreSQL connection.
async fn set_up_postgres(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    // Our data sits in memory or on SSDs: an index probe costs about what a
    // sequential page read does. With the default (4.0) the planner
    // hash-joins whole tables for a Home that needs a handful of rows, and
    // its cost grows with them.
    conn.execute("SET random_page_cost = 1.1").await?;
    Ok(())
}

/// PostgreSQL, for a statement run many times whose plan does not depend on
/// its values: plan it once. Left to choose, PostgreSQL plans a prepared
/// statement afresh on every run when its first runs looked cheaper with the
/// values in hand, as they do with a `LIMIT $n` (the outbox's claim) or for
/// a user on few loops (the Home): about half a millisecond each time, more
/// than running it. Not for every statement: the reports' date windows want
/// a plan made for the window at hand.
pub(crate) const GENERIC_PLAN: &str = "plan_cache_mode = force_generic_plan";

/// How long a pooled connection may sit idle before it is pinged on loan.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

fn pool_options(backend: Backend, max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        // sqlx already pings a connection when it is given back (and closes
        // it if that fails); by default it pings it again before lending it,
        // one more round trip before every query on PostgreSQL. Only one that
        // sat idle for a while is pinged now. One that died anyway fails its
        // query, and the pool drops it.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Postgres {
                    set_up_postgres(conn).await?;
                }
                if backend == Backend::Sqlite {
                    // WAL is persistent in the file; these are per connection.
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    // No checkpoint inside a commit: `checkpoints` copies the
                    // log back in the background, so a write never waits on it.
                    conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                    // 1 MB of pages per connection; the OS caches the file too.
                    conn.execute("PRAGMA cache_size = -1024").await?;
                }
                Ok(())
            })
        })
}

/// Creates the SQLite file if missing and switches it to WAL (a property of
/// the file, so one connection is enough).
async fn prepare_sqlite_file(url: &str) -> anyhow::Result<()> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
    let options = SqliteConnectOptions::from_str(url)
        .context("parsing DATABASE_URL")?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    let conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .with_context(|| format!("opening {url}"))?;
    conn.close().await?;
    Ok(())
}

#[cfg(test)]
mod shape_tests {
    use super::*;

    #[test]
    fn batches_come_in_few_shapes() {
        let sizes = |n| pieces(n, 64).iter().map(|r| r.len()).collect::<Vec<_>>();
        assert_eq!(sizes(0), Vec::<usize>::new());
        assert_eq!(sizes(1), [1]);
        assert_eq!(sizes(13), [8, 4, 1]);
        assert_eq!(sizes(64), [64]);
        assert_eq!(sizes(150), [64, 64, 16, 4, 2]);
        let covered: Vec<usize> = pieces(150, 64).into_iter().flatten().collect();
        assert_eq!(covered, (0..150).collect::<Vec<_>>());
        assert_eq!(pad(&[3, 5, 9]), [3, 5, 9, 9]);
        assert_eq!(pad(&[7]), [7]);
        assert!(pad::<i64>(&[]).is_empty());
    }
}
