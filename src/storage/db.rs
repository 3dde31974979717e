//! Opening a log: pragmas on every connection, checks before any change, snapshots.

use crate::storage::StorageError;
use crate::storage::input::{self, InputLog};
use crate::storage::schema;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a connection waits for another one's lock (a station writing, a purge).
const BUSY: Duration = Duration::from_secs(10);

/// Sets the pragmas every connection needs: WAL, `synchronous=FULL`, foreign keys.
/// `journal_mode` is persistent, but is set each time so no file ever runs without it.
pub fn configure(conn: &Connection, writable: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY)?;
    if writable {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "journal_mode={mode}"
            )));
        }
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    Ok(())
}

/// The pragmas as SQLite reports them: (journal_mode, synchronous, foreign_keys).
pub fn pragmas(conn: &Connection) -> rusqlite::Result<(String, i64, i64)> {
    Ok((
        conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?,
        conn.pragma_query_value(None, "synchronous", |r| r.get(0))?,
        conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?,
    ))
}

/// Opens (or creates) a log for writing, checks it is ours and not newer, then migrates.
/// Returns the connection and the version it was at before (0 for a new log).
pub fn open_rw(path: &Path) -> Result<(Connection, u32), StorageError> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| schema::classify(e, path))?;
    conn.busy_timeout(BUSY)?;
    // Refuse foreign and newer files before the first pragma that could write.
    schema::inspect(&conn, path)?;
    configure(&conn, true).map_err(|e| schema::classify(e, path))?;
    let from = schema::migrate(&mut conn, path)?;
    Ok((conn, from))
}

/// Opens an existing file read-only, without creating it when it is missing.
fn open_existing_ro(path: &Path) -> Result<Connection, StorageError> {
    if !path.is_file() {
        return Err(StorageError::Io {
            path: path.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "fichier absent / no such file",
            ),
        });
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| schema::classify(e, path))?;
    conn.busy_timeout(BUSY)?;
    Ok(conn)
}

/// Opens a log read-only, at the current version, as the untrusted input it may be
/// ([`input::open`]: schema checked, nothing written beside it). An older one is refused:
/// `klub merge` upgrades it in a copy.
pub fn open_ro(path: &Path) -> Result<InputLog, StorageError> {
    let log = input::open(path)?;
    if log.version() != schema::LATEST {
        return Err(StorageError::Invalid(format!(
            "{} : journal à mettre à jour, passez par klub merge / log needs an upgrade, use klub merge",
            path.display()
        )));
    }
    configure(&log, false).map_err(|e| input::classify(e, path, log.limit()))?;
    Ok(log)
}

/// `PRAGMA quick_check`: `Ok` when SQLite finds nothing wrong.
pub fn check(conn: &Connection, path: &Path) -> Result<(), StorageError> {
    let mut stmt = conn
        .prepare("PRAGMA quick_check")
        .map_err(|e| schema::classify(e, path))?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| schema::classify(e, path))?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(StorageError::Damaged {
            path: path.to_owned(),
            detail: rows.into_iter().take(3).collect::<Vec<_>>().join("; "),
        })
    }
}

/// A consistent copy of a log, possibly still being written by a station, through the
/// backup API; the copy is checked and migrated to the current version. For the station's
/// own log (backups); a foreign log goes through [`input::open`] and [`snapshot_from`].
pub fn open_snapshot(src: &Path, dest: &Path) -> Result<Connection, StorageError> {
    let from = open_existing_ro(src)?;
    schema::inspect(&from, src)?;
    snapshot_from(&from, src, dest)
}

/// Copies the database open on `from` (read from `src`) into `dest` in one backup step (a
/// consistent snapshot), checks the copy and migrates it to the current version.
pub fn snapshot_from(
    from: &Connection,
    src: &Path,
    dest: &Path,
) -> Result<Connection, StorageError> {
    let _ = std::fs::remove_file(dest);
    {
        let mut to = Connection::open(dest)?;
        let backup = rusqlite::backup::Backup::new(from, &mut to)?;
        // One step copies every page inside one read transaction: a consistent snapshot.
        backup.step(-1).map_err(|e| schema::classify(e, src))?;
    }
    let conn = Connection::open(dest)?;
    check(&conn, src)?;
    drop(conn);
    let (conn, _) = open_rw(dest).map_err(|e| match e {
        StorageError::Damaged { detail, .. } => StorageError::Damaged {
            path: src.to_owned(),
            detail,
        },
        other => other,
    })?;
    Ok(conn)
}

/// The side files SQLite keeps next to a log.
pub fn side_files(path: &Path) -> [PathBuf; 2] {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let mut shm = path.as_os_str().to_owned();
    shm.push("-shm");
    [PathBuf::from(wal), PathBuf::from(shm)]
}

/// Fsyncs a directory, so a rename or a new file in it survives a power cut.
pub use crate::fsio::sync_dir;

/// Counts the sessions of a source in a log, without changing it (0 for no file yet).
pub fn count_source(
    path: &Path,
    source: crate::domain::session::Source,
) -> Result<u64, StorageError> {
    if !std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        return Ok(0);
    }
    let log = input::open(path)?;
    if log.version() == 0 {
        return Ok(0);
    }
    let n: i64 = log
        .query_row(
            "SELECT count(*) FROM sessions WHERE source = ?1",
            [source.id()],
            |r| r.get(0),
        )
        .map_err(|e| input::classify(e, path, log.limit()))?;
    Ok(n as u64)
}
