//! The log's schema: an append-only list of migrations, the version kept in `user_version`.
//!
//! Every TEXT column has a CHECK that admits only an enumeration or an id pattern, so that
//! nothing typed by a person (a name, an address) can ever be stored. Answers are written
//! in a compact form made of digits only (`choice:2`, `multi:0,3`, `scale:4`,
//! `game:3/5:2`, `seen`), and the skills of a profile as a JSON array of numbers.

use crate::storage::StorageError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;
use std::sync::OnceLock;

/// `PRAGMA application_id` of a Klub log ("KLUB"), so a foreign SQLite file is told apart.
pub const APP_ID: i64 = 0x4B4C_5542;

/// A content or station id, as `domain::ids::is_id` accepts.
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

/// Version 3: a leaner log for fast merges.
///
/// - Sessions get an integer key `k` (their rowid), which the other tables use instead of
///   the 32-hex id, and a revision `rev` that every write to the session increments, so a
///   merge can tell a more recent copy of a session from an older one.
/// - `steps` holds one row per step shown (not per event): its answer if answered, how it
///   was left (`answered`, `skipped` or `back`; none while on screen or when the session
///   ended there) and the time spent on it.
/// - `merged` remembers, in a tour log, the fingerprint of every input already merged.
///
/// Old tables are renamed (which also renames the references to them), copied, dropped.
const V3: &str = concat!(
    "DROP INDEX sessions_by_stop;
    DROP INDEX sessions_by_start;
    DROP INDEX sessions_by_pass;
    ALTER TABLE sessions RENAME TO sessions_v2;
    ALTER TABLE steps RENAME TO steps_v2;
    ALTER TABLE profiles RENAME TO profiles_v2;
    ALTER TABLE top_trades RENAME TO top_trades_v2;
    CREATE TABLE sessions (
        k INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE CHECK ", hex_check!("id", 32), ",
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
        rev INTEGER NOT NULL DEFAULT 0 CHECK (rev >= 0),
        UNIQUE (station, seq)
    ) STRICT;
    CREATE TABLE steps (
        session INTEGER NOT NULL REFERENCES sessions (k) ON DELETE CASCADE,
        n INTEGER NOT NULL CHECK (n >= 0),
        step INTEGER NOT NULL CHECK (step >= 0),
        step_id TEXT CHECK ", id_check!("step_id"), ",
        left_by TEXT CHECK (left_by IN ('answered', 'skipped', 'back')),
        answer TEXT CHECK (length(answer) <= 120 AND (answer = 'seen'
            OR (answer GLOB 'choice:[0-9]*' AND substr(answer, 8) NOT GLOB '*[^0-9]*')
            OR (answer GLOB 'scale:[0-9]*' AND substr(answer, 7) NOT GLOB '*[^0-9]*')
            OR (answer GLOB 'multi:*' AND substr(answer, 7) NOT GLOB '*[^0-9,]*')
            OR (answer GLOB 'game:[0-9]*/[0-9]*:[0-9-]' AND substr(answer, 6) NOT GLOB '*[^0-9/:-]*'))),
        ms INTEGER CHECK (ms >= 0),
        wall_ms INTEGER NOT NULL,
        mono_ms INTEGER NOT NULL CHECK (mono_ms >= 0),
        CHECK ((answer IS NOT NULL) = (left_by IS 'answered')),
        PRIMARY KEY (session, n)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE profiles (
        session INTEGER PRIMARY KEY REFERENCES sessions (k) ON DELETE CASCADE,
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
        session INTEGER NOT NULL REFERENCES sessions (k) ON DELETE CASCADE,
        rank INTEGER NOT NULL CHECK (rank >= 1),
        trade TEXT NOT NULL CHECK ", id_check!("trade"), ",
        PRIMARY KEY (session, rank)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE merged (
        fingerprint TEXT PRIMARY KEY NOT NULL CHECK ", hex_check!("fingerprint", 64), ",
        sessions INTEGER NOT NULL CHECK (sessions >= 0),
        merged_wall_ms INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    INSERT INTO sessions (k, id, station, seq, tour, stop, context, source, scenario, trade, lang, pass_id, situation, age_band, started_wall_ms, started_mono_ms, clock_offset_ms, ended_wall_ms, ended_mono_ms, outcome, rev)
        SELECT row_number() OVER (ORDER BY station, seq), id, station, seq, tour, stop, context, source, scenario, trade, lang, pass_id, situation, age_band, started_wall_ms, started_mono_ms, clock_offset_ms, ended_wall_ms, ended_mono_ms, outcome,
            (SELECT count(*) FROM steps_v2 e WHERE e.session_id = s.id) + (outcome IS NOT NULL)
            + EXISTS (SELECT 1 FROM profiles_v2 p WHERE p.session_id = s.id)
        FROM sessions_v2 s ORDER BY station, seq;
    INSERT INTO steps (session, n, step, step_id, left_by, answer, ms, wall_ms, mono_ms)
        SELECT s.k, row_number() OVER (PARTITION BY e.session_id ORDER BY e.n) - 1, e.step, e.step_id,
            CASE WHEN e.kind = 'shown' THEN nx.kind ELSE e.kind END,
            CASE WHEN e.kind = 'shown' THEN nx.answer ELSE e.answer END,
            CASE WHEN e.kind <> 'shown' THEN e.ms
                WHEN nx.kind = 'back' THEN max(nx.mono_ms - e.mono_ms, 0)
                WHEN nx.kind IS NOT NULL THEN nx.ms
                WHEN s.ended_mono_ms IS NOT NULL AND e.n = (SELECT max(l.n) FROM steps_v2 l WHERE l.session_id = e.session_id)
                    THEN max(s.ended_mono_ms - e.mono_ms, 0) END,
            CASE WHEN e.kind = 'shown' THEN e.wall_ms ELSE e.wall_ms - coalesce(e.ms, 0) END,
            CASE WHEN e.kind = 'shown' THEN e.mono_ms ELSE max(e.mono_ms - coalesce(e.ms, 0), 0) END
        FROM steps_v2 e JOIN sessions s ON s.id = e.session_id
        LEFT JOIN steps_v2 nx ON nx.session_id = e.session_id AND nx.n = e.n + 1 AND nx.step = e.step AND nx.kind <> 'shown'
        WHERE e.kind = 'shown' OR (e.kind IN ('answered', 'skipped') AND NOT EXISTS (
            SELECT 1 FROM steps_v2 p WHERE p.session_id = e.session_id AND p.n = e.n - 1 AND p.step = e.step AND p.kind = 'shown'))
        ORDER BY s.k, e.n;
    INSERT INTO profiles SELECT s.k, p.reading, p.strongest, p.holland, p.r, p.r_n, p.i, p.i_n, p.a, p.a_n, p.s, p.s_n, p.e, p.e_n, p.c, p.c_n, p.skills
        FROM profiles_v2 p JOIN sessions s ON s.id = p.session_id ORDER BY s.k;
    INSERT INTO top_trades SELECT s.k, t.rank, t.trade FROM top_trades_v2 t JOIN sessions s ON s.id = t.session_id ORDER BY s.k, t.rank;
    DROP TABLE top_trades_v2;
    DROP TABLE profiles_v2;
    DROP TABLE steps_v2;
    DROP TABLE sessions_v2;
    CREATE INDEX sessions_by_stop ON sessions (stop, station, seq);
    CREATE INDEX sessions_by_start ON sessions (started_wall_ms);
    CREATE INDEX sessions_by_pass ON sessions (pass_id) WHERE pass_id IS NOT NULL;"
);

/// The migrations: entry `i` takes a log from version `i` to `i + 1`. Append only.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3];

/// The version this code writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// One row of `sqlite_schema` as compared: (type, name, tbl_name, sql). The root page is
/// left out: it depends on the file's history, not on what the schema says.
pub type SchemaRow = (String, String, String, Option<String>);

/// The `sqlite_schema` rows of a log at `version`, for every version this code ever wrote
/// (0 is a file with nothing in it): generated once by applying the migrations to an
/// in-memory database, so an appended migration needs no hand edit here.
pub fn expected(version: u32) -> Option<&'static [SchemaRow]> {
    static SETS: OnceLock<Vec<Vec<SchemaRow>>> = OnceLock::new();
    SETS.get_or_init(|| {
        let conn = Connection::open_in_memory().expect("an in-memory database opens");
        let mut sets = vec![vec![]];
        for m in MIGRATIONS {
            conn.execute_batch(m)
                .expect("the migrations apply to an empty database");
            sets.push(schema_rows(&conn, "main").expect("sqlite_schema reads"));
        }
        sets
    })
    .get(version as usize)
    .map(Vec::as_slice)
}

/// The `sqlite_schema` rows of database `db` (`main` or an attached name), sorted.
pub fn schema_rows(conn: &Connection, db: &str) -> rusqlite::Result<Vec<SchemaRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT type, name, tbl_name, sql FROM \"{db}\".sqlite_schema ORDER BY type, name, tbl_name, sql"
    ))?;
    // Read whatever a hostile file stored (a blob, a number), so it is compared, not fatal.
    let text = |r: &rusqlite::Row<'_>, i| -> rusqlite::Result<Option<String>> {
        use rusqlite::types::ValueRef;
        Ok(match r.get_ref(i)? {
            ValueRef::Null => None,
            ValueRef::Integer(n) => Some(format!("integer:{n}")),
            ValueRef::Real(x) => Some(format!("real:{x}")),
            ValueRef::Text(b) => Some(String::from_utf8_lossy(b).into_owned()),
            ValueRef::Blob(b) => Some(format!("blob:{}", String::from_utf8_lossy(b))),
        })
    };
    stmt.query_map([], |r| {
        Ok((
            text(r, 0)?.unwrap_or_default(),
            text(r, 1)?.unwrap_or_default(),
            text(r, 2)?.unwrap_or_default(),
            text(r, 3)?,
        ))
    })?
    .collect()
}

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
