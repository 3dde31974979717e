//! The log's schema: an append-only list of migrations, the version kept in `user_version`.
//!
//! Every TEXT column has a CHECK that admits only an enumeration or an id pattern, so that
//! nothing typed by a person (a name, an address) can ever be stored. Answers are written
//! in a compact form made of digits only (`choice:2`, `multi:0,3`, `scale:4`,
//! `game:3/5:2`, `seen`), and the skills of a profile as a JSON array of numbers.

use crate::storage::StorageError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// `PRAGMA application_id` of a Klub log ("KLUB"), so a foreign SQLite file is told apart.
pub const APP_ID: i64 = 0x4B4C_5542;

/// A content or station id, as `content::reader::is_id` accepts.
macro_rules! id_check {
    ($c:literal) => {
        concat!(
            "(",
            $c,
            " GLOB '[a-z0-9]*' AND ",
            $c,
            " NOT GLOB '*[^a-z0-9-]*' AND length(",
            $c,
            ") <= 40)"
        )
    };
}

/// A random id of `n` lowercase hex digits.
macro_rules! hex_check {
    ($c:literal, $n:literal) => {
        concat!(
            "(length(",
            $c,
            ") = ",
            $n,
            " AND ",
            $c,
            " NOT GLOB '*[^0-9a-f]*')"
        )
    };
}

/// Version 1: sessions, their step events, their profiles and top trades.
const V1: &str = concat!(
    "CREATE TABLE sessions (
        id TEXT PRIMARY KEY NOT NULL CHECK ", hex_check!("id", 32), ",
        station TEXT NOT NULL CHECK ", id_check!("station"), ",
        seq INTEGER NOT NULL CHECK (seq >= 1),
        tour TEXT CHECK ", id_check!("tour"), ",
        stop TEXT CHECK ", id_check!("stop"), ",
        context TEXT NOT NULL CHECK (context IN ('tout_public', 'college', 'lycee', 'mission_locale', 'france_travail', 'autre')),
        source TEXT NOT NULL CHECK (source IN ('visitor', 'rehearsal', 'replay', 'simulated')),
        scenario TEXT NOT NULL CHECK ", id_check!("scenario"), ",
        trade TEXT CHECK ", id_check!("trade"), ",
        lang TEXT NOT NULL CHECK (lang IN ('fr', 'en')),
        pass_id TEXT CHECK ", hex_check!("pass_id", 16), ",
        situation TEXT NOT NULL DEFAULT 'non_dit' CHECK (situation IN ('non_dit', 'college', 'lycee', 'etudes', 'cherche_emploi', 'travaille', 'autre')),
        age_band TEXT NOT NULL DEFAULT 'non_dit' CHECK (age_band IN ('non_dit', 'moins_16', '16_25', '26_44', '45_plus')),
        started_wall_ms INTEGER NOT NULL,
        started_mono_ms INTEGER NOT NULL CHECK (started_mono_ms >= 0),
        clock_offset_ms INTEGER NOT NULL DEFAULT 0,
        ended_wall_ms INTEGER,
        ended_mono_ms INTEGER CHECK (ended_mono_ms >= 0),
        outcome TEXT CHECK (outcome IN ('completed', 'abandoned', 'idle_timeout', 'interrupted')),
        UNIQUE (station, seq)
    ) STRICT;
    CREATE TABLE steps (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE CHECK ", hex_check!("session_id", 32), ",
        n INTEGER NOT NULL CHECK (n >= 0),
        kind TEXT NOT NULL CHECK (kind IN ('shown', 'answered', 'skipped', 'back')),
        step INTEGER NOT NULL CHECK (step >= 0),
        step_id TEXT CHECK ", id_check!("step_id"), ",
        to_step INTEGER CHECK (to_step >= 0),
        answer TEXT CHECK (length(answer) <= 120 AND (answer = 'seen'
            OR (answer GLOB 'choice:[0-9]*' AND substr(answer, 8) NOT GLOB '*[^0-9]*')
            OR (answer GLOB 'scale:[0-9]*' AND substr(answer, 7) NOT GLOB '*[^0-9]*')
            OR (answer GLOB 'multi:*' AND substr(answer, 7) NOT GLOB '*[^0-9,]*')
            OR (answer GLOB 'game:[0-9]*/[0-9]*:[0-9-]' AND substr(answer, 6) NOT GLOB '*[^0-9/:-]*'))),
        ms INTEGER CHECK (ms >= 0),
        wall_ms INTEGER NOT NULL,
        mono_ms INTEGER NOT NULL CHECK (mono_ms >= 0),
        PRIMARY KEY (session_id, n)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE profiles (
        session_id TEXT PRIMARY KEY NOT NULL REFERENCES sessions (id) ON DELETE CASCADE CHECK ", hex_check!("session_id", 32), ",
        reading TEXT NOT NULL CHECK (reading IN ('too_few_answers', 'no_clear_preference', 'strengths')),
        strongest TEXT NOT NULL CHECK (length(strongest) <= 6 AND strongest NOT GLOB '*[^RIASEC]*'),
        holland TEXT NOT NULL CHECK (holland GLOB '[RIASEC][RIASEC][RIASEC]'),
        r INTEGER NOT NULL CHECK (r BETWEEN 0 AND 100), r_n INTEGER NOT NULL CHECK (r_n >= 0),
        i INTEGER NOT NULL CHECK (i BETWEEN 0 AND 100), i_n INTEGER NOT NULL CHECK (i_n >= 0),
        a INTEGER NOT NULL CHECK (a BETWEEN 0 AND 100), a_n INTEGER NOT NULL CHECK (a_n >= 0),
        s INTEGER NOT NULL CHECK (s BETWEEN 0 AND 100), s_n INTEGER NOT NULL CHECK (s_n >= 0),
        e INTEGER NOT NULL CHECK (e BETWEEN 0 AND 100), e_n INTEGER NOT NULL CHECK (e_n >= 0),
        c INTEGER NOT NULL CHECK (c BETWEEN 0 AND 100), c_n INTEGER NOT NULL CHECK (c_n >= 0),
        skills TEXT NOT NULL CHECK (length(skills) <= 4000 AND json_valid(skills) AND skills NOT GLOB '*[^],[0-9]*')
    ) STRICT;
    CREATE TABLE top_trades (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE CHECK ", hex_check!("session_id", 32), ",
        rank INTEGER NOT NULL CHECK (rank >= 1),
        trade TEXT NOT NULL CHECK ", id_check!("trade"), ",
        PRIMARY KEY (session_id, rank)
    ) STRICT, WITHOUT ROWID;"
);

/// Version 2: indexes for the organiser's merge, purge and report.
const V2: &str = "CREATE INDEX sessions_by_stop ON sessions (stop, station, seq);
    CREATE INDEX sessions_by_start ON sessions (started_wall_ms);
    CREATE INDEX sessions_by_pass ON sessions (pass_id) WHERE pass_id IS NOT NULL;";

/// The migrations: entry `i` takes a log from version `i` to `i + 1`. Append only.
pub const MIGRATIONS: &[&str] = &[V1, V2];

/// The version this code writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// What a file holds, read before anything is changed in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// No table yet: a new log.
    Empty,
    /// A Klub log at this version.
    Ours(u32),
}

/// Reads the application id, version and table count without writing anything.
pub fn inspect(conn: &Connection, path: &Path) -> Result<Kind, StorageError> {
    let read = || -> rusqlite::Result<(i64, u32, i64)> {
        let app: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
        let version: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
        Ok((app, version, tables))
    };
    let (app, version, tables) = read().map_err(|e| classify(e, path))?;
    if app == APP_ID {
        if version > LATEST {
            return Err(StorageError::Newer {
                path: path.to_owned(),
                found: version,
                supported: LATEST,
            });
        }
        Ok(Kind::Ours(version))
    } else if app == 0 && tables == 0 && version == 0 {
        Ok(Kind::Empty)
    } else {
        Err(StorageError::Foreign {
            path: path.to_owned(),
        })
    }
}

/// Maps "not a database" and "corrupt" to [`StorageError::Damaged`].
pub fn classify(e: rusqlite::Error, path: &Path) -> StorageError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && matches!(
            f.code,
            rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
        )
    {
        return StorageError::Damaged {
            path: path.to_owned(),
            detail: e.to_string(),
        };
    }
    StorageError::Sql(e)
}

/// Brings a log to [`LATEST`] in one transaction; returns the version it was at.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<u32, StorageError> {
    migrate_with(conn, path, MIGRATIONS)
}

/// [`migrate`] with an explicit list, so tests can check that a failing step rolls back.
pub fn migrate_with(
    conn: &mut Connection,
    path: &Path,
    migrations: &[&str],
) -> Result<u32, StorageError> {
    let latest = migrations.len() as u32;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let from = match inspect(&tx, path)? {
        Kind::Empty => 0,
        Kind::Ours(v) => v,
    };
    if from > latest {
        return Err(StorageError::Newer {
            path: path.to_owned(),
            found: from,
            supported: latest,
        });
    }
    if from == latest {
        return Ok(from);
    }
    for m in &migrations[from as usize..] {
        tx.execute_batch(m)?;
    }
    tx.pragma_update(None, "application_id", APP_ID)?;
    tx.pragma_update(None, "user_version", latest)?;
    tx.commit()?;
    Ok(from)
}

/// Every TEXT column of the schema, as (table, column): the privacy test walks them.
pub fn text_columns(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut tables = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let names: Vec<String> = tables
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = vec![];
    for t in names {
        let mut cols = conn.prepare("SELECT name, type FROM pragma_table_info(?1)")?;
        for row in cols.query_map([&t], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })? {
            let (name, ty) = row?;
            if ty.eq_ignore_ascii_case("TEXT") {
                out.push((t.clone(), name));
            }
        }
    }
    Ok(out)
}
