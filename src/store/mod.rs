//! Storage: one sqlx `Any` pool over SQLite (the embedded default, in WAL mode)
//! or PostgreSQL (for several replicas). Every query here is written once in
//! the SQL both backends understand; a query only one of them accepts is a bug.

pub mod cards;
pub mod decisions;
pub mod events;
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
    backend: Backend,
    /// SQLite has one writer. Queueing write transactions here, in order,
    /// beats letting them spin in SQLite's sleep-and-retry busy handler.
    /// PostgreSQL needs no gate.
    write_gate: Option<Arc<Semaphore>>,
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
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL is persistent in the file; these two are per connection.
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .with_context(|| format!("connecting to the {backend:?} database"))?;
        let write_gate = (backend == Backend::Sqlite).then(|| Arc::new(Semaphore::new(1)));
        Ok(Db {
            pool,
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
            inner: self.pool.begin().await?,
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

    /// Cheap liveness probe for `/healthz`.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
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
