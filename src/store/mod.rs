//! Storage: one sqlx `Any` pool over SQLite (the embedded default, in WAL mode)
//! or PostgreSQL (for several replicas). Every query here is written once in
//! the SQL both backends understand; a query only one of them accepts is a bug.

pub mod cards;
pub mod decisions;
pub mod events;
pub mod group;
pub mod jobs;
pub mod loops;
pub mod metrics;
pub mod outbox;
pub mod teams;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};
use std::ops::{Deref, DerefMut};
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
    /// Where write transactions run. On SQLite one connection, so its page
    /// cache stays warm (no other connection's commit invalidates it); on
    /// PostgreSQL the same pool as reads.
    writer: AnyPool,
    backend: Backend,
    /// SQLite has one writer. Queueing write transactions here, in order,
    /// beats letting them spin in SQLite's sleep-and-retry busy handler.
    /// PostgreSQL needs no gate.
    write_gate: Option<Arc<Semaphore>>,
    /// Outbox deliveries that end at the same moment share one transaction.
    finishes: Arc<group::GroupCommit<Db, outbox::Finish, outbox::Finished>>,
}

/// A write transaction; on SQLite it holds the write gate until it ends.
/// Effects recorded in it wait here and are written at commit, in one batch
/// and in ordering-key order (see `outbox::flush`).
pub struct Tx {
    inner: Transaction<'static, Any>,
    _gate: Option<OwnedSemaphorePermit>,
    effects: Vec<outbox::Queued>,
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

impl Tx {
    /// Writes the recorded effects, then commits: the change and what it
    /// causes land together or not at all.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let effects = std::mem::take(&mut self.effects);
        outbox::flush(&mut self.inner, effects).await?;
        self.inner.commit().await
    }

    pub(crate) fn queue(&mut self, effect: outbox::Queued) {
        self.effects.push(effect);
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

/// The rows of `sql` for a list of ids: `{ids}` in it stands for one
/// numbered parameter per id. No ids, no query.
pub(crate) async fn fetch_for_ids<T>(
    conn: &mut AnyConnection,
    sql: &str,
    ids: &[i64],
) -> Result<Vec<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = sql.replace("{ids}", &marks(1, ids.len()));
    let mut q = sqlx::query_as::<_, T>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(conn).await
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
            prepare_sqlite_file(url).await?;
        }
        let options = AnyConnectOptions::from_str(url).context("parsing DATABASE_URL")?;
        // SQLite reads are short and local; beyond a few connections per core
        // more only add page caches (each up to 2 MB) and thread switches.
        let readers = match backend {
            Backend::Sqlite => max_connections.min(SQLITE_READERS),
            Backend::Postgres => max_connections,
        };
        let pool = pool_options(backend, readers)
            .connect_with(options)
            .await
            .with_context(|| format!("connecting to the {backend:?} database"))?;
        let write_gate = (backend == Backend::Sqlite).then(|| Arc::new(Semaphore::new(1)));
        let writer = match backend {
            Backend::Sqlite => pool_options(backend, 1)
                .connect_with(AnyConnectOptions::from_str(url).context("parsing DATABASE_URL")?)
                .await
                .context("connecting the SQLite writer")?,
            Backend::Postgres => pool.clone(),
        };
        Ok(Db {
            pool,
            writer,
            finishes: Arc::new(group::GroupCommit::new(
                outbox::FINISH_BATCH,
                outbox::finish_batch,
            )),
            backend,
            write_gate,
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

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a transaction that may write.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let gate = self.gate().await;
        Ok(Tx {
            inner: self.writer.begin().await?,
            _gate: gate,
            effects: Vec::new(),
        })
    }

    /// Holds SQLite's write gate for a single write statement outside a
    /// transaction (`None` on PostgreSQL).
    pub async fn gate(&self) -> Option<OwnedSemaphorePermit> {
        match &self.write_gate {
            Some(g) => g.clone().acquire_owned().await.ok(),
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
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&self.pool)
                .await
            {
                tracing::warn!(error = %e, "checkpointing the SQLite log failed");
            }
        }
    }

    /// Cheap liveness probe for `/healthz`.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// Most SQLite read connections (besides the one writer).
const SQLITE_READERS: u32 = 4;

fn pool_options(backend: Backend, max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Postgres {
                    // Our data sits in memory or on SSDs: an index probe costs
                    // about what a sequential page read does. With the default
                    // (4.0) the planner hash-joins whole tables for a Home that
                    // needs a handful of rows, and its cost grows with them.
                    conn.execute("SET random_page_cost = 1.1").await?;
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
