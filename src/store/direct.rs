//! SQLite without thread hand-offs. sqlx runs every SQLite connection on a
//! worker thread of its own and passes each statement and each row across
//! to it and back: under load, more CPU went into those hand-offs than into
//! SQLite. Here the same queries, built and decoded with sqlx as everywhere
//! else, run on connections owned by the store and called in place: a
//! statement on a warm cache costs microseconds, less than one hand-off.
//!
//! - Reads take a connection from a small free list (one per thread that is
//!   reading at that moment) and give it back. In WAL mode a reader never
//!   waits for the writer.
//! - Write transactions run on the one writer connection, which `Db::begin`
//!   hands out behind the write gate, so in this process it is never busy.
//!   Another process (the CLI) can hold SQLite's write lock for a moment:
//!   `BEGIN IMMEDIATE` then waits asynchronously, never on the runtime's
//!   threads.
//!
//! PostgreSQL is untouched: its driver talks to a socket, with no hand-off to
//! avoid.

use futures::stream::BoxStream;
use futures::StreamExt;
use rusqlite::types::ValueRef;
use rusqlite::{ffi, Connection, OpenFlags};
use sqlx::any::{AnyArguments, AnyQueryResult, AnyRow, AnyTypeInfo, AnyTypeInfoKind, AnyValue};
use sqlx::error::{DatabaseError, ErrorKind};
use sqlx::{Any, Either, Error, Execute};
use sqlx_core::any::{AnyColumn, AnyValueKind};
use sqlx_core::ext::ustr::UStr;
use std::borrow::Cow;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Statements kept prepared per connection: the hot queries, and the
/// multi-row statements in their power-of-two shapes (see `store::pieces`).
const STATEMENT_CACHE: usize = 64;

/// How long a statement waits for a lock another process holds before it
/// fails, as with the sqlx connections. Only single writes outside a
/// transaction (behind the write gate) can wait here; transactions wait
/// for the lock in `begin_immediate`, without blocking a thread.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The store's own SQLite connections.
#[derive(Debug)]
pub struct Direct {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    /// The writer, while no transaction holds it.
    writer: Mutex<Option<Connection>>,
}

impl Direct {
    pub fn open(path: &Path) -> rusqlite::Result<Direct> {
        Ok(Direct {
            path: path.to_path_buf(),
            readers: Mutex::new(vec![connect(path)?]),
            writer: Mutex::new(Some(connect_writer(path)?)),
        })
    }

    /// Runs `f` on a read connection: a free one, or a new one when every
    /// connection is in use on another thread.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, Error>) -> Result<T, Error> {
        let free = lock(&self.readers).pop();
        let conn = match free {
            Some(conn) => conn,
            None => connect(&self.path).map_err(to_sqlx)?,
        };
        let out = f(&conn);
        let mut readers = lock(&self.readers);
        if readers.len() < MAX_IDLE_READERS {
            readers.push(conn);
        }
        out
    }

    /// Takes the writer; the caller holds the write gate, so it is there.
    pub fn take_writer(&self) -> Result<Connection, Error> {
        match lock(&self.writer).take() {
            Some(conn) => Ok(conn),
            // Only if a transaction was lost mid-way without its drop
            // running: a fresh one is as good.
            None => connect_writer(&self.path).map_err(to_sqlx),
        }
    }

    pub fn give_back_writer(&self, conn: Connection) {
        *lock(&self.writer) = Some(conn);
    }
}

/// The writer's page cache, in KiB (readers keep SQLite's 1 MiB each).
const WRITER_CACHE_KB: u32 = 2048;

/// Read connections kept open between reads.
const MAX_IDLE_READERS: usize = 4;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Turns off SQLite's memory statistics, which it keeps by default and which
/// take a process-wide mutex on every allocation and free (SQLite's own
/// advice for speed: `SQLITE_DEFAULT_MEMSTATUS=0`). Nothing here reads them.
/// SQLite takes this only before it first initializes, so `Db::connect`
/// calls it before opening anything; a later call (a second database in
/// the same process) is refused, and changes nothing.
pub fn without_memory_statistics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config is documented as callable before
        // sqlite3_initialize (and returns SQLITE_MISUSE after it); MEMSTATUS
        // takes one int.
        let rc = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int) };
        if rc != ffi::SQLITE_OK {
            tracing::debug!(
                rc,
                "SQLite was already initialized; memory statistics stay on"
            );
        }
    });
}

fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // The same settings as the sqlx connections (see `store::pool_options`).
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
         PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -1024;",
    )?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

fn connect_writer(path: &Path) -> rusqlite::Result<Connection> {
    let conn = connect(path)?;
    // Every write reads the pages it changes: they stay cached here, since
    // no other connection writes (and so none invalidates them).
    // A statement that writes several rows inside a transaction keeps the
    // pages it changes in a statement journal, to undo itself alone if it
    // fails. By default that journal spills to a temporary file past 64 KiB,
    // and a batch of cards passes that: each batch opened, wrote and deleted
    // a file (~5% of the server's CPU flat out). In memory it lives only as
    // long as the statement.
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -{WRITER_CACHE_KB}; PRAGMA temp_store = MEMORY;"
    ))?;
    Ok(conn)
}

/// Starts a write transaction on `conn` (and hands it back). SQLite's write
/// lock is free unless another process holds it; then this waits without
/// holding up the runtime's threads, for as long as the sqlx pools would
/// (10 s).
pub async fn begin_immediate(conn: Connection) -> (Connection, Result<(), Error>) {
    let deadline = tokio::time::Instant::now() + BUSY_TIMEOUT;
    let begun = loop {
        // Fail at once when busy, and wait here instead.
        let attempt = conn
            .busy_timeout(Duration::ZERO)
            .and_then(|()| conn.execute_batch("BEGIN IMMEDIATE"));
        let busy = match attempt {
            Ok(()) => break Ok(()),
            Err(e) if is_busy(&e) && tokio::time::Instant::now() < deadline => true,
            Err(e) => break Err(to_sqlx(e)),
        };
        if busy {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    let begun = begun.and(conn.busy_timeout(BUSY_TIMEOUT).map_err(to_sqlx));
    (conn, begun)
}

pub fn commit(conn: &Connection) -> Result<(), Error> {
    conn.execute_batch("COMMIT").map_err(to_sqlx)
}

/// Rolls back whatever transaction `conn` is in (none: nothing to do).
pub fn rollback(conn: &Connection) {
    if !conn.is_autocommit() {
        if let Err(e) = conn.execute_batch("ROLLBACK") {
            tracing::warn!(error = %e, "rolling back a SQLite transaction failed");
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::DatabaseBusy || f.code == rusqlite::ErrorCode::DatabaseLocked)
}

/// What a statement's text fixes once and for all: its columns, as sqlx's
/// `Any` rows carry them, and the order in which its `$N` parameters first
/// appear. Worked out once per text and thread, not on every run.
struct Shape {
    columns: Vec<AnyColumn>,
    names: Arc<sqlx_core::HashMap<UStr, usize>>,
    order: Option<Vec<usize>>,
}

/// Statement texts remembered per thread; the store's texts are a bounded
/// set (multi-row statements come in power-of-two sizes), so this is a cap
/// against surprises, not a working limit.
const SHAPES_PER_THREAD: usize = 512;

fn shape_of(sql: &str, stmt: &rusqlite::Statement<'_>) -> Rc<Shape> {
    thread_local! {
        static SHAPES: RefCell<std::collections::HashMap<String, Rc<Shape>>> =
            RefCell::default();
    }
    SHAPES.with(|shapes| {
        // (One whose column count no longer matches, such as a `SELECT *`
        // after a migration added a column, is worked out again.)
        if let Some(shape) = shapes.borrow().get(sql) {
            if shape.columns.len() == stmt.column_count() {
                return shape.clone();
            }
        }
        let columns: Vec<AnyColumn> = stmt
            .column_names()
            .into_iter()
            .enumerate()
            .map(|(ordinal, name)| AnyColumn {
                ordinal,
                name: UStr::new(name),
                // Values carry their own type, as in sqlx's SQLite driver.
                type_info: AnyTypeInfo {
                    kind: AnyTypeInfoKind::Null,
                },
            })
            .collect();
        let names = Arc::new(
            columns
                .iter()
                .map(|c| (c.name.clone(), c.ordinal))
                .collect(),
        );
        let shape = Rc::new(Shape {
            columns,
            names,
            order: first_appearances(sql),
        });
        let mut shapes = shapes.borrow_mut();
        if shapes.len() >= SHAPES_PER_THREAD {
            shapes.clear();
        }
        shapes.insert(sql.to_string(), shape.clone());
        shape
    })
}

/// Runs one sqlx query on `conn`: its rows (all of them, or the first
/// only), then how many rows it changed.
pub fn run<'q>(
    conn: &Connection,
    mut query: impl Execute<'q, Any>,
    first_only: bool,
) -> Result<(Vec<AnyRow>, AnyQueryResult), Error> {
    let sql = query.sql();
    let args = query.take_arguments().map_err(Error::Encode)?;
    let mut stmt = conn.prepare_cached(sql).map_err(to_sqlx)?;
    let shape = shape_of(sql, &stmt);
    bind(&mut stmt, sql, shape.order.as_deref(), args)?;
    let (columns, names) = (&shape.columns, &shape.names);
    let readonly = stmt.readonly();
    let width = columns.len();
    let mut out = Vec::new();
    {
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next().map_err(to_sqlx)? {
            if first_only && !out.is_empty() {
                continue; // step on to the end, so the statement completes
            }
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(AnyValue {
                    kind: value(row.get_ref(i).map_err(to_sqlx)?),
                });
            }
            out.push(AnyRow {
                column_names: names.clone(),
                columns: columns.clone(),
                values,
            });
        }
    }
    let rows_affected = if readonly { 0 } else { conn.changes() };
    Ok((
        out,
        AnyQueryResult {
            rows_affected,
            last_insert_id: None,
        },
    ))
}

/// As sqlx's SQLite driver maps a value for `Any`: by the value's own type.
fn value(v: ValueRef<'_>) -> AnyValueKind<'static> {
    match v {
        ValueRef::Null => AnyValueKind::Null(AnyTypeInfoKind::Null),
        ValueRef::Integer(i) => AnyValueKind::BigInt(i),
        ValueRef::Real(f) => AnyValueKind::Double(f),
        ValueRef::Text(t) => {
            AnyValueKind::Text(Cow::Owned(String::from_utf8_lossy(t).into_owned()))
        }
        ValueRef::Blob(b) => AnyValueKind::Blob(Cow::Owned(b.to_vec())),
    }
}

/// Binds the arguments as sqlx's SQLite driver does: `$N` takes the N-th
/// argument wherever it appears. SQLite numbers a statement's parameters in
/// the order their names first appear; asking it for each name costs a scan
/// of all of them (quadratic on a 640-parameter insert), so the order is read
/// from the SQL text once instead, and checked against SQLite's count.
fn bind(
    stmt: &mut rusqlite::CachedStatement<'_>,
    sql: &str,
    first_appearances: Option<&[usize]>,
    args: Option<AnyArguments<'_>>,
) -> Result<(), Error> {
    let values = args.map(|a| a.values.0).unwrap_or_default();
    let count = stmt.parameter_count();
    let order = match first_appearances {
        Some(order) if order.len() == count => Cow::Borrowed(order),
        _ => (1..=count)
            .map(
                |i| match stmt.parameter_name(i).map(|n| n[1..].parse::<usize>()) {
                    Some(Ok(n)) if n >= 1 => Ok(n),
                    _ => Err(Error::Protocol(format!(
                        "parameter {i} is not numbered ($N) in {sql}"
                    ))),
                },
            )
            .collect::<Result<Vec<_>, _>>()
            .map(Cow::Owned)?,
    };
    for (index, &n) in order.iter().enumerate() {
        let index = index + 1;
        let Some(v) = values.get(n - 1) else {
            return Err(Error::Protocol(format!(
                "parameter ${n} has no argument ({} given)",
                values.len()
            )));
        };
        let r = match v {
            AnyValueKind::Null(_) => stmt.raw_bind_parameter(index, rusqlite::types::Null),
            AnyValueKind::Bool(b) => stmt.raw_bind_parameter(index, *b as i64),
            AnyValueKind::SmallInt(i) => stmt.raw_bind_parameter(index, *i as i64),
            AnyValueKind::Integer(i) => stmt.raw_bind_parameter(index, *i as i64),
            AnyValueKind::BigInt(i) => stmt.raw_bind_parameter(index, *i),
            AnyValueKind::Real(r) => stmt.raw_bind_parameter(index, *r as f64),
            AnyValueKind::Double(d) => stmt.raw_bind_parameter(index, *d),
            AnyValueKind::Text(t) => stmt.raw_bind_parameter(index, t.as_ref()),
            AnyValueKind::Blob(b) => stmt.raw_bind_parameter(index, b.as_ref()),
            other => {
                return Err(Error::Protocol(format!(
                    "argument of an unsupported kind: {other:?}"
                )))
            }
        };
        r.map_err(to_sqlx)?;
    }
    Ok(())
}

/// The distinct `$N` of `sql` in the order they first appear, outside
/// quotes and comments; `None` if it uses any other kind of parameter.
fn first_appearances(sql: &str) -> Option<Vec<usize>> {
    let b = sql.as_bytes();
    let mut order: Vec<usize> = Vec::new();
    let mut seen: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'?' | b':' | b'@' => return None,
            b'$' => {
                let start = i + 1;
                let mut end = start;
                while end < b.len() && b[end].is_ascii_digit() {
                    end += 1;
                }
                let n: usize = sql[start..end].parse().ok()?;
                if n == 0 || (end < b.len() && (b[end].is_ascii_alphabetic() || b[end] == b'_')) {
                    return None;
                }
                if seen.len() <= n {
                    seen.resize(n + 1, false);
                }
                if !std::mem::replace(&mut seen[n], true) {
                    order.push(n);
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Some(order)
}

/// A SQLite error, told apart as sqlx's driver tells it apart (so
/// `is_unique_violation` and friends work the same on both paths).
#[derive(Debug)]
pub struct SqliteError {
    code: i32,
    message: String,
}

impl std::fmt::Display for SqliteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SqliteError {}

impl DatabaseError for SqliteError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

pub fn to_sqlx(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::SqliteFailure(f, message) => Error::Database(Box::new(SqliteError {
            code: f.extended_code,
            message: message.unwrap_or_else(|| f.to_string()),
        })),
        other => Error::Protocol(other.to_string()),
    }
}

/// sqlx's `fetch_optional` for a query run in place (with `first_only`).
pub fn first<'e>(
    result: Result<(Vec<AnyRow>, AnyQueryResult), Error>,
) -> futures::future::BoxFuture<'e, Result<Option<AnyRow>, Error>> {
    let first = result.map(|(rows, _)| rows.into_iter().next());
    Box::pin(std::future::ready(first))
}

/// sqlx's `fetch_many` for a query run in place: its rows, then its result.
pub fn as_stream<'e>(
    result: Result<(Vec<AnyRow>, AnyQueryResult), Error>,
) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, Error>> {
    let items: Vec<Result<Either<AnyQueryResult, AnyRow>, Error>> = match result {
        Ok((rows, done)) => rows
            .into_iter()
            .map(|r| Ok(Either::Right(r)))
            .chain(std::iter::once(Ok(Either::Left(done))))
            .collect(),
        Err(e) => vec![Err(e)],
    };
    futures::stream::iter(items).boxed()
}

#[cfg(test)]
mod tests {
    use super::{first_appearances, run};
    use sqlx::Row;

    fn scratch() -> (tempfile::TempDir, rusqlite::Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(rusqlite::Connection::open(&path).unwrap()); // `Db::connect` creates it
        let conn = super::connect(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, raw BLOB)",
        )
        .unwrap();
        (dir, conn)
    }

    #[test]
    fn queries_bind_by_number_and_decode_as_sqlx_does() {
        let (_dir, conn) = scratch();
        let insert =
            sqlx::query("INSERT INTO t (score, name, raw) VALUES ($3, $1, $2) RETURNING id")
                .bind("ana")
                .bind(vec![1u8, 2])
                .bind(2.5f64);
        let (rows, done) = run(&conn, insert, false).unwrap();
        assert_eq!((rows.len(), done.rows_affected()), (1, 1));
        let (rows, _) = run(
            &conn,
            sqlx::query("SELECT id, name, score, raw, NULL AS absent FROM t WHERE name = $1")
                .bind("ana"),
            false,
        )
        .unwrap();
        let row = &rows[0];
        assert_eq!(row.get::<i64, _>("id"), 1);
        assert_eq!(row.get::<String, _>("name"), "ana");
        assert_eq!(row.get::<f64, _>("score"), 2.5);
        assert_eq!(row.get::<Vec<u8>, _>("raw"), vec![1, 2]);
        assert_eq!(row.get::<Option<String>, _>("absent"), None);
    }

    #[test]
    fn a_duplicate_is_a_unique_violation_as_with_sqlx() {
        let (_dir, conn) = scratch();
        let insert = || sqlx::query("INSERT INTO t (name) VALUES ($1)").bind("ana");
        run(&conn, insert(), false).unwrap();
        let Err(e) = run(&conn, insert(), false) else {
            panic!("a second insert of the same name succeeded");
        };
        assert!(crate::store::is_unique_violation(&e), "{e:?}");
    }

    #[test]
    fn parameters_are_numbered_by_first_appearance() {
        assert_eq!(first_appearances("SELECT $1, $2"), Some(vec![1, 2]));
        assert_eq!(
            first_appearances("UPDATE t SET a = $2 WHERE b = $1 AND c = $2"),
            Some(vec![2, 1])
        );
        assert_eq!(
            first_appearances("SELECT '$9', \"$8\" -- $7\n, /* $6 */ $3"),
            Some(vec![3])
        );
        assert_eq!(first_appearances("SELECT ?"), None);
        assert_eq!(first_appearances("SELECT :name"), None);
        assert_eq!(first_appearances("SELECT $a"), None);
        assert_eq!(first_appearances("SELECT $1a"), None);
    }
}
