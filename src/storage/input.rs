//! Logs that come from elsewhere (a USB stick, another machine) are untrusted input.
//!
//! [`open`] is the one way to read such a log; merge, stats, report, export and purge all
//! go through it (or, for a connection that must write, through [`open_in_place`]):
//! - the file is opened `immutable` when nothing sits beside it; a log with a `-wal` or a
//!   `-journal` (a station still writing, or switched off at the plug) is first copied,
//!   with its side files, into a private folder (mode 0700), and the copy is opened.
//!   Nothing is ever written beside an input, so read-only media work;
//! - the connection is hardened by [`harden`] before SQLite reads the schema: defensive
//!   mode, untrusted schema, no views, no triggers, cell size checks, no mmap, and a time
//!   limit through the progress handler;
//! - the schema must be exactly one this software wrote ([`check_schema`]), for the
//!   version the file claims: no view, no trigger, no extra or changed object.

use crate::storage::StorageError;
use crate::storage::schema::{self, SchemaRow};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Time any input may take, whatever its size: far more than a real log needs.
const TIME_BASE: Duration = Duration::from_secs(60);
/// Extra time per byte of the file: one second per megabyte. A real 40 MB station log
/// merges in about a second.
const BYTES_PER_SECOND: u64 = 1 << 20;
/// The progress handler runs every this many virtual machine steps.
const PROGRESS_STEPS: std::ffi::c_int = 100_000;
/// How many times a log still being written is copied again when it changed meanwhile.
const COPY_ATTEMPTS: u32 = 20;

/// The time allowed to read a file of `bytes` bytes.
pub fn time_limit(bytes: u64) -> Duration {
    TIME_BASE + Duration::from_secs(bytes / BYTES_PER_SECOND)
}

/// A folder only this user can enter (mode 0700), removed with everything in it on drop.
#[derive(Debug)]
pub struct PrivateDir(PathBuf);

impl PrivateDir {
    /// Creates `<parent>/<prefix><pid>-<n>`. `mkdir` fails on any existing name, a planted
    /// symlink included, so the name need not be secret.
    pub fn create_in(parent: &Path, prefix: &str) -> Result<PrivateDir, StorageError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        use std::os::unix::fs::DirBuilderExt;
        let mut last = None;
        for _ in 0..1000 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let p = parent.join(format!("{prefix}{}-{n}", std::process::id()));
            match std::fs::DirBuilder::new().mode(0o700).create(&p) {
                Ok(()) => return Ok(PrivateDir(p)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(StorageError::Io { path: p, source: e }),
            }
        }
        Err(StorageError::Io {
            path: parent.to_owned(),
            source: last.unwrap_or_else(|| std::io::Error::other("mkdir")),
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A foreign log, open read-only with every guard set, its schema checked.
#[derive(Debug)]
pub struct InputLog {
    // Declared first: the connection closes before the private copy is removed.
    conn: Connection,
    version: u32,
    opened: PathBuf,
    copy: Option<PrivateDir>,
    limit: Duration,
}

impl InputLog {
    /// The schema version of the log (0: a file with nothing in it).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The time allowed to read it, for another connection that attaches it.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// Whether the log was copied (a `-wal` or `-journal` sat beside it).
    pub fn copied(&self) -> bool {
        self.copy.is_some()
    }

    /// A URI that opens the same bytes read-only, for `ATTACH`: the original immutable,
    /// or the private copy.
    pub fn uri(&self) -> String {
        uri(&self.opened, self.copy.is_none())
    }
}

impl std::ops::Deref for InputLog {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

/// A read-only `file:` URI, `immutable` if asked.
pub fn uri(p: &Path, immutable: bool) -> String {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let mut s = String::from("file:");
    for b in abs.as_os_str().as_encoded_bytes() {
        match *b {
            b'%' | b'?' | b'#' | b'"' | b'\'' | 0..=b' ' | 0x7f.. => {
                s.push_str(&format!("%{b:02X}"))
            }
            c => s.push(c as char),
        }
    }
    s.push_str("?mode=ro");
    if immutable {
        s.push_str("&immutable=1");
    }
    s
}

/// Sets the guards an untrusted file needs on a connection, before SQLite reads its schema:
/// defensive mode, no trust in functions the schema names, no views, no triggers, cell size
/// checks, no memory map, and a time limit.
pub fn harden(conn: &Connection, limit: Duration) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_VIEW, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    conn.pragma_update(None, "cell_size_check", "ON")?;
    conn.pragma_update(None, "mmap_size", 0)?;
    limit_time(conn, limit);
    Ok(())
}

/// From now on, any statement on `conn` stops with `SQLITE_INTERRUPT` once `limit` has
/// passed (a recursive view or a crafted file must not hang the organiser's command).
pub fn limit_time(conn: &Connection, limit: Duration) {
    let deadline = Instant::now() + limit;
    conn.progress_handler(PROGRESS_STEPS, Some(move || Instant::now() > deadline));
}

/// Maps SQLite's errors on an input: an interrupt is the time limit, the rest as
/// [`schema::classify`] does.
pub fn classify(e: rusqlite::Error, path: &Path, limit: Duration) -> StorageError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && f.code == rusqlite::ErrorCode::OperationInterrupted
    {
        return StorageError::TimeLimit {
            path: path.to_owned(),
            seconds: limit.as_secs(),
        };
    }
    schema::classify(e, path)
}

/// Checks that database `db` on `conn` (`main` or an attached name) holds exactly the schema
/// this software writes at the version it claims; returns that version (0: nothing in it).
pub fn check_schema(conn: &Connection, db: &str, path: &Path) -> Result<u32, StorageError> {
    let read = || -> rusqlite::Result<(i64, i64, Vec<SchemaRow>)> {
        let app = conn.query_row(&format!("PRAGMA \"{db}\".application_id"), [], |r| r.get(0))?;
        let version = conn.query_row(&format!("PRAGMA \"{db}\".user_version"), [], |r| r.get(0))?;
        Ok((app, version, schema::schema_rows(conn, db)?))
    };
    let (app, version, rows) = read().map_err(|e| schema::classify(e, path))?;
    if app == 0 && version == 0 && rows.is_empty() {
        return Ok(0);
    }
    if app != schema::APP_ID {
        return Err(StorageError::Foreign {
            path: path.to_owned(),
        });
    }
    if version > i64::from(schema::LATEST) {
        return Err(StorageError::Newer {
            path: path.to_owned(),
            found: u32::try_from(version).unwrap_or(u32::MAX),
            supported: schema::LATEST,
        });
    }
    let unexpected = |fr: String, en: String| StorageError::Unexpected {
        path: path.to_owned(),
        version,
        detail: fr,
        detail_en: en,
    };
    let Some(want) = u32::try_from(version).ok().and_then(schema::expected) else {
        return Err(unexpected(
            "version inconnue".into(),
            "unknown version".into(),
        ));
    };
    if rows == want {
        return Ok(version as u32);
    }
    // Every difference, views and triggers first (the telling ones), at most a few.
    let name = |r: &SchemaRow| {
        let n: String = format!("{} {}", r.0, r.1).chars().take(80).collect();
        crate::domain::text::printable(&n)
    };
    let same_name = |a: &SchemaRow, b: &SchemaRow| a.0 == b.0 && a.1 == b.1;
    let mut diffs: Vec<(bool, String, String)> = vec![];
    for r in rows.iter().filter(|r| !want.contains(r)) {
        let telling = r.0 == "view" || r.0 == "trigger";
        diffs.push(if want.iter().any(|w| same_name(w, r)) {
            (
                telling,
                format!("« {} » modifié", name(r)),
                format!("{} altered", name(r)),
            )
        } else {
            (
                telling,
                format!("« {} » en trop", name(r)),
                format!("extra {}", name(r)),
            )
        });
    }
    for w in want
        .iter()
        .filter(|w| !rows.iter().any(|r| same_name(r, w)))
    {
        diffs.push((
            false,
            format!("« {} » manquant", name(w)),
            format!("missing {}", name(w)),
        ));
    }
    diffs.sort_by_key(|d| !d.0);
    const SHOWN: usize = 4;
    let more = if diffs.len() > SHOWN { ", …" } else { "" };
    let (fr, en): (Vec<String>, Vec<String>) =
        diffs.into_iter().take(SHOWN).map(|d| (d.1, d.2)).unzip();
    Err(unexpected(
        format!("{}{more}", fr.join(", ")),
        format!("{}{more}", en.join(", ")),
    ))
}

/// The side files that make SQLite read more than the file itself.
fn side(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Opens a foreign log read-only: see the module doc.
pub fn open(path: &Path) -> Result<InputLog, StorageError> {
    let io = |e: std::io::Error| StorageError::Io {
        path: path.to_owned(),
        source: e,
    };
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            io(std::io::Error::new(
                e.kind(),
                "fichier absent / no such file",
            ))
        } else {
            io(e)
        }
    })?;
    if !meta.is_file() {
        return Err(io(std::io::Error::other(
            "pas un fichier ordinaire / not a regular file",
        )));
    }
    let limit = time_limit(meta.len());
    let mut copy = None;
    for attempt in 0..COPY_ATTEMPTS {
        let live = ["-wal", "-journal"].iter().any(|s| side(path, s).exists());
        if !live {
            break;
        }
        let dir = PrivateDir::create_in(&std::env::temp_dir(), "klub-input-")?;
        if copy_consistent(path, dir.path())? {
            copy = Some(dir);
            break;
        }
        if attempt + 1 == COPY_ATTEMPTS {
            return Err(StorageError::Invalid(format!(
                "{} : le journal change sans cesse pendant sa copie ; réessayez / the log kept changing while it was copied; try again",
                path.display()
            )));
        }
        std::thread::sleep(Duration::from_millis(20 * u64::from(attempt + 1)));
    }
    let opened = match &copy {
        Some(dir) => dir.path().join("log.db"),
        None => path.to_owned(),
    };
    let conn = Connection::open_with_flags(
        uri(&opened, copy.is_none()),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| schema::classify(e, path))?;
    harden(&conn, limit).map_err(|e| classify(e, path, limit))?;
    let version = check_schema(&conn, "main", path).map_err(|e| match e {
        StorageError::Sql(e) => classify(e, path, limit),
        e => e,
    })?;
    Ok(InputLog {
        conn,
        version,
        opened,
        copy,
        limit,
    })
}

/// Copies a log and its side files into `dir` as `log.db`, `log.db-wal`, `log.db-journal`.
/// Returns `false` when the log changed during the copy (a checkpoint wrote the file, or
/// the WAL restarted): the copy could then mix two states, so the caller tries again.
/// WAL frames are only appended between restarts, and SQLite keeps only the frames whose
/// checksums chain from the header, so a copy taken while frames are appended is the state
/// at some commit.
fn copy_consistent(path: &Path, dir: &Path) -> Result<bool, StorageError> {
    let dest = dir.join("log.db");
    let Some(before) = copy_hashing(path, Some(&dest))? else {
        return Ok(false);
    };
    let wal = side(path, "-wal");
    let mut header = None;
    if wal.exists() {
        if copy_hashing(&wal, Some(&side(&dest, "-wal")))?.is_none() {
            return Ok(false);
        }
        header = Some(read_head(&side(&dest, "-wal")));
    }
    let journal = side(path, "-journal");
    if journal.exists() && copy_hashing(&journal, Some(&side(&dest, "-journal")))?.is_none() {
        return Ok(false);
    }
    let after = copy_hashing(path, None)?;
    let header_now = header.as_ref().map(|_| read_head(&wal));
    Ok(after == Some(before) && header == header_now)
}

/// The first 32 bytes of a file (a WAL header: its salts change when the WAL restarts).
fn read_head(p: &Path) -> Vec<u8> {
    let mut b = vec![];
    if let Ok(f) = std::fs::File::open(p) {
        let _ = f.take(32).read_to_end(&mut b);
    }
    b
}

/// Copies `src` to `dest` (or only reads it when `dest` is `None`) and returns its SHA-256;
/// `None` when `src` vanished meanwhile (a station closing its WAL).
fn copy_hashing(src: &Path, dest: Option<&Path>) -> Result<Option<[u8; 32]>, StorageError> {
    let mut from = match std::fs::File::open(src) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(StorageError::Io {
                path: src.to_owned(),
                source: e,
            });
        }
    };
    let mut to = match dest {
        Some(d) => Some(
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(d)
                .map_err(|e| StorageError::Io {
                    path: d.to_owned(),
                    source: e,
                })?,
        ),
        None => None,
    };
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = from.read(&mut buf).map_err(|e| StorageError::Io {
            path: src.to_owned(),
            source: e,
        })?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        if let (Some(to), Some(d)) = (to.as_mut(), dest) {
            to.write_all(&buf[..n]).map_err(|e| StorageError::Io {
                path: d.to_owned(),
                source: e,
            })?;
        }
    }
    Ok(Some(h.finalize().into()))
}

/// Opens a log that will be changed in place (`purge`): the same guards and schema check
/// as [`open`] on a read-write connection, then the usual pragmas and migrations.
pub fn open_in_place(path: &Path) -> Result<Connection, StorageError> {
    let meta = std::fs::metadata(path).map_err(|e| StorageError::Io {
        path: path.to_owned(),
        source: e,
    })?;
    if !meta.is_file() {
        return Err(StorageError::Io {
            path: path.to_owned(),
            source: std::io::Error::other("pas un fichier ordinaire / not a regular file"),
        });
    }
    let limit = time_limit(meta.len());
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| schema::classify(e, path))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    harden(&conn, limit).map_err(|e| classify(e, path, limit))?;
    if check_schema(&conn, "main", path)? == 0 {
        return Err(StorageError::Foreign {
            path: path.to_owned(),
        });
    }
    crate::storage::db::configure(&conn, true).map_err(|e| classify(e, path, limit))?;
    schema::migrate(&mut conn, path)?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_limit_stops_a_runaway_query() {
        let conn = Connection::open_in_memory().unwrap();
        harden(&conn, Duration::from_millis(200)).unwrap();
        let t0 = Instant::now();
        let e = conn
            .query_row(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_err();
        assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
        let e = classify(e, Path::new("x.db"), Duration::from_millis(200));
        assert!(matches!(e, StorageError::TimeLimit { .. }), "{e}");
    }

    #[test]
    fn views_and_triggers_are_off_and_defensive_is_on() {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("h.db")).unwrap();
        conn.execute_batch("CREATE TABLE t (a); CREATE VIEW v AS SELECT 1;")
            .unwrap();
        harden(&conn, Duration::from_secs(5)).unwrap();
        assert!(conn.query_row("SELECT * FROM v", [], |_| Ok(())).is_err());
        for flag in [
            DbConfig::SQLITE_DBCONFIG_ENABLE_VIEW,
            DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER,
            DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA,
        ] {
            assert!(!conn.db_config(flag).unwrap(), "{flag:?}");
        }
        assert!(conn.db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE).unwrap());
        let pragma = |p: &str| {
            conn.pragma_query_value(None, p, |r| r.get::<_, i64>(0))
                .unwrap()
        };
        assert_eq!((pragma("cell_size_check"), pragma("mmap_size")), (1, 0));
    }

    #[test]
    fn the_expected_schemas_are_those_the_migrations_write() {
        assert_eq!(schema::expected(0), Some(&[][..]));
        assert!(schema::expected(schema::LATEST + 1).is_none());
        // A log written through the migrations, at each version, passes.
        for v in 1..=schema::LATEST {
            let mut conn = Connection::open_in_memory().unwrap();
            schema::migrate_with(&mut conn, Path::new("m"), &schema::MIGRATIONS[..v as usize])
                .unwrap();
            assert_eq!(check_schema(&conn, "main", Path::new("m")).unwrap(), v);
            let tables = schema::expected(v)
                .unwrap()
                .iter()
                .filter(|r| r.0 == "table")
                .count();
            assert!(tables >= 4, "{v}");
        }
    }

    #[test]
    fn integrity_check_evaluates_checks_read_write_only() {
        // The claim the merge relies on: a read-write connection's integrity_check tests
        // CHECK constraints, a read-only one's does not (SQLite drops them on parsing).
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.db");
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch(
                "CREATE TABLE t (a INTEGER CHECK (a >= 0));
                 PRAGMA ignore_check_constraints = ON; INSERT INTO t VALUES (-1);",
            )
            .unwrap();
        }
        let check = |flags| {
            let c = Connection::open_with_flags(&p, flags).unwrap();
            c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
                .unwrap()
        };
        assert!(check(OpenFlags::SQLITE_OPEN_READ_WRITE).contains("CHECK constraint failed"));
        assert_eq!(check(OpenFlags::SQLITE_OPEN_READ_ONLY), "ok");
    }
}
