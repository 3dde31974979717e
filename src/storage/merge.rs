//! Combining station logs into a tour log: idempotent, collision-checked, all or nothing.
//!
//! Each input is read in place inside one read transaction (a consistent snapshot, so a log
//! a station is still writing can be merged); an older-version input is first copied
//! through the backup API and upgraded in the copy. Sessions are appended with `ATTACH` and
//! `INSERT … SELECT`, their integer keys shifted past the tour's (no key can collide), and
//! a session already in the tour is replaced only by a copy with a higher revision.
//!
//! The tour remembers the fingerprint of every input it took (its sessions' ids and
//! revisions), so an input merged before and unchanged since is skipped without being read
//! again. The tour log is built in a temporary file next to it, checked, synced, and only
//! then renamed over the old one; when nothing changes the old file is left byte for byte
//! as it was.

use crate::storage::schema::{self, Kind};
use crate::storage::{StorageError, db};
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Sessions added.
    pub added: u64,
    /// Sessions replaced by a more recent copy (a live log merged earlier).
    pub updated: u64,
    /// Sessions already present, unchanged.
    pub unchanged: u64,
    /// Inputs skipped because the tour already holds them as they are.
    pub skipped: u64,
    /// Whether the output file was written.
    pub written: bool,
}

/// Columns of `sessions` after its key, in the order of the schema.
const SESSION_COLS: &str = "id, station, seq, tour, stop, context, source, scenario, trade, lang, pass_id, situation, age_band, started_wall_ms, started_mono_ms, clock_offset_ms, ended_wall_ms, ended_mono_ms, outcome, rev";

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch_near(out: &Path) -> Result<Scratch, StorageError> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut b = [0u8; 6];
    crate::domain::ids::fill_random(&mut b).map_err(|e| StorageError::Io {
        path: dir.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    let name = format!(
        ".{}.merge-{}",
        out.file_name().and_then(|f| f.to_str()).unwrap_or("tour"),
        crate::domain::ids::to_hex(&b)
    );
    let p = dir.join(name);
    std::fs::create_dir_all(&p).map_err(|e| StorageError::Io {
        path: p.clone(),
        source: e,
    })?;
    Ok(Scratch(p))
}

/// The fingerprint of a log's content: SHA-256 of its sessions' ids and revisions, in key
/// order, and how many sessions it has. Every write to a session bumps its revision, and a
/// purge removes ids, so equal fingerprints mean equal content. `db` is `main` or `src`.
fn fingerprint(conn: &Connection, db: &str) -> rusqlite::Result<(String, u64)> {
    let mut h = Sha256::new();
    let mut n = 0u64;
    let mut stmt = conn.prepare(&format!("SELECT id, rev FROM {db}.sessions ORDER BY k"))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        h.update(r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?);
        h.update(b":");
        h.update(r.get::<_, i64>(1)?.to_le_bytes());
        h.update(b"\n");
        n += 1;
    }
    Ok((crate::domain::ids::to_hex(&h.finalize()), n))
}

/// The fingerprints of the inputs a tour log already took (none when it is missing, or not
/// a current log: the merge then reports what is wrong with it).
fn merged_before(out: &Path) -> HashSet<String> {
    let read = || -> Result<HashSet<String>, StorageError> {
        let conn = Connection::open_with_flags(
            out,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        if schema::inspect(&conn, out)? != Kind::Ours(schema::LATEST) {
            return Ok(HashSet::new());
        }
        let mut stmt = conn.prepare("SELECT fingerprint FROM merged")?;
        let set = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(set)
    };
    if out.is_file() {
        read().unwrap_or_default()
    } else {
        HashSet::new()
    }
}

/// Merges the inputs into `out` (created if missing).
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<MergeReport, StorageError> {
    let known = merged_before(out);
    let mut report = MergeReport::default();
    let scratch = scratch_near(out)?;
    let tmp = scratch.0.join("tour.db");
    // Check every input before touching anything. A current-version input is read in
    // place, inside the merge transaction (a consistent snapshot even while a station
    // writes it); an older one is copied through the backup API and upgraded in the copy.
    let mut todo = vec![];
    for (k, input) in inputs.iter().enumerate() {
        if !input.is_file() {
            return Err(StorageError::Io {
                path: input.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "fichier absent / no such file",
                ),
            });
        }
        let conn = Connection::open_with_flags(
            input,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| schema::classify(e, input))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let kind = schema::inspect(&conn, input)?;
        let snap = if kind == Kind::Ours(schema::LATEST) {
            let (fp, n) = fingerprint(&conn, "main").map_err(|e| schema::classify(e, input))?;
            if known.contains(&fp) {
                // Taken before and unchanged since: nothing in it can be new.
                report.skipped += 1;
                report.unchanged += n;
                continue;
            }
            db::check(&conn, input)?;
            input.clone()
        } else {
            drop(conn);
            let snap = scratch.0.join(format!("in-{k}.db"));
            let conn = db::open_snapshot(input, &snap)?;
            let (fp, n) = fingerprint(&conn, "main")?;
            if known.contains(&fp) {
                report.skipped += 1;
                report.unchanged += n;
                continue;
            }
            snap
        };
        todo.push((input.clone(), snap));
    }
    let existed = out.exists();
    if existed && todo.is_empty() {
        return Ok(report);
    }
    let mut conn = if existed {
        let [wal, _] = db::side_files(out);
        db::open_snapshot(out, &tmp)?;
        if wal.exists() {
            // Open it once read-write so SQLite checkpoints and removes its WAL.
            drop(db::open_rw(out)?);
            if wal.exists() {
                return Err(StorageError::Invalid(format!(
                    "{} est ouvert par un autre programme ; fermez-le / is open in another program; close it",
                    out.display()
                )));
            }
        }
        db::open_rw(&tmp)?.0
    } else {
        db::open_rw(&tmp)?.0
    };
    // The temporary file is thrown away on any error and synced before the rename, so it
    // needs neither a WAL nor a sync per commit: bulk inserts then write each page once.
    conn.pragma_update_and_check(None, "journal_mode", "MEMORY", |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    // A large page cache saves re-reading index pages.
    conn.pragma_update(None, "cache_size", -262_144)?;
    // Evaluating the privacy CHECKs per row would triple the merge's time, and SQLite's
    // `quick_check` skips CHECKs on a read-only connection. So a second thread tests every
    // input row against the tour's own CHECK expressions, on the other core, while this one
    // copies; a row that breaks one (a log edited by hand) fails the whole merge.
    let tests = violation_tests(&conn)?;
    let verifier = {
        let todo = todo.clone();
        std::thread::spawn(move || verify_rows(&todo, &tests))
    };
    conn.pragma_update(None, "ignore_check_constraints", "ON")?;
    // No per-row parent lookup: a step, profile or trade is only ever copied with its
    // session (through `take`), so none can end up without one.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let copied = todo
        .iter()
        .try_for_each(|(input, snap)| merge_one(&mut conn, input, snap, &mut report));
    let verified = verifier.join().unwrap_or_else(|_| {
        Err(StorageError::Invalid(
            "vérification des lignes interrompue / row verification crashed".into(),
        ))
    });
    copied?;
    verified?;
    if existed && report.added == 0 && report.updated == 0 {
        return Ok(report);
    }
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
    db::check(&conn, &tmp)?;
    drop(conn);
    let f = std::fs::File::open(&tmp).map_err(|e| StorageError::Io {
        path: tmp.clone(),
        source: e,
    })?;
    f.sync_all().map_err(|e| StorageError::Io {
        path: tmp.clone(),
        source: e,
    })?;
    for side in db::side_files(&tmp) {
        let _ = std::fs::remove_file(side);
    }
    std::fs::rename(&tmp, out).map_err(|e| StorageError::Io {
        path: out.to_owned(),
        source: e,
    })?;
    db::sync_dir(out.parent().unwrap_or(Path::new(".")));
    report.written = true;
    Ok(report)
}

/// For each table of the tour, one SQL condition true for a row that breaks any of its
/// CHECKs (taken from the tour's own schema, not from the input's).
fn violation_tests(conn: &Connection) -> Result<Vec<(String, String)>, StorageError> {
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM main.sqlite_schema WHERE type = 'table' AND sql IS NOT NULL",
    )?;
    let tables = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(tables
        .into_iter()
        .filter_map(|(name, sql)| {
            let tests: Vec<String> = check_exprs(&sql)
                .iter()
                .map(|c| format!("NOT ({c})"))
                .collect();
            (!tests.is_empty()).then(|| (name, tests.join(" OR ")))
        })
        .collect())
}

/// The expressions inside the `CHECK (…)` clauses of a `CREATE TABLE` statement. (A CHECK
/// passes when its expression is NULL, and so does `NOT (…)` in a WHERE: same rule.)
pub fn check_exprs(sql: &str) -> Vec<String> {
    let b = sql.as_bytes();
    let upper = sql.to_ascii_uppercase();
    let mut out = vec![];
    let mut from = 0;
    while let Some(i) = upper[from..].find("CHECK") {
        let start = from + i;
        from = start + "CHECK".len();
        if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
            continue;
        }
        let open = from
            + (b[from..]
                .iter()
                .take_while(|c| c.is_ascii_whitespace())
                .count());
        if b.get(open) != Some(&b'(') {
            continue;
        }
        let (mut depth, mut quoted) = (0u32, false);
        for (k, &c) in b.iter().enumerate().skip(open) {
            match c {
                b'\'' => quoted = !quoted,
                b'(' if !quoted => depth += 1,
                b')' if !quoted => {
                    depth -= 1;
                    if depth == 0 {
                        out.push(sql[open + 1..k].to_owned());
                        from = k;
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Tests every row of every input against `tests`, on a connection of its own.
fn verify_rows(
    todo: &[(PathBuf, PathBuf)],
    tests: &[(String, String)],
) -> Result<(), StorageError> {
    for (input, snap) in todo {
        let conn = Connection::open_with_flags(
            snap,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| schema::classify(e, input))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        for (table, test) in tests {
            let bad: i64 = conn
                .query_row(
                    &format!("SELECT count(*) FROM main.\"{table}\" WHERE {test}"),
                    [],
                    |r| r.get(0),
                )
                .map_err(|e| schema::classify(e, input))?;
            if bad > 0 {
                return Err(StorageError::Damaged {
                    path: input.clone(),
                    detail: format!(
                        "{bad} ligne(s) de « {table} » enfreignent les règles du journal (CHECK) : fichier modifié à la main ? / {bad} row(s) of {table} break the log's CHECK rules: edited by hand?"
                    ),
                });
            }
        }
    }
    Ok(())
}

fn merge_one(
    conn: &mut Connection,
    input: &Path,
    snap: &Path,
    report: &mut MergeReport,
) -> Result<(), StorageError> {
    conn.execute("ATTACH DATABASE ?1 AS src", [uri_ro(snap)])?;
    let res = (|| -> Result<(), StorageError> {
        let tx = conn.transaction()?;
        let find = |sql: &str| -> Option<(String, String, i64)> {
            tx.query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .ok()
        };
        let collision = find(
            "SELECT s.id, s.station, s.seq FROM src.sessions s JOIN main.sessions m ON m.id = s.id
             WHERE m.station <> s.station OR m.seq <> s.seq LIMIT 1",
        )
        .or_else(|| {
            find(
                "SELECT s.id, s.station, s.seq FROM src.sessions s JOIN main.sessions m
                   ON m.station = s.station AND m.seq = s.seq WHERE m.id <> s.id LIMIT 1",
            )
        });
        if let Some((id, station, seq)) = collision {
            return Err(StorageError::Invalid(format!(
                "{} : collision sur la session {id} (borne {station}, n° {seq}) : deux bornes portent-elles le même identifiant ? / collision on session {id} (station {station}, no. {seq}): do two stations share an id?",
                input.display()
            )));
        }
        // Read inside the transaction: the fingerprint is that of exactly what is merged.
        let (fp, total) = fingerprint(&tx, "src").map_err(|e| schema::classify(e, input))?;
        let base: i64 = tx.query_row("SELECT coalesce(max(k), 0) FROM main.sessions", [], |r| {
            r.get(0)
        })?;
        tx.execute_batch(
            "CREATE TEMP TABLE take (k INTEGER PRIMARY KEY, fresh INTEGER NOT NULL);
             INSERT INTO take SELECT s.k, 1 FROM src.sessions s
               WHERE NOT EXISTS (SELECT 1 FROM main.sessions m WHERE m.id = s.id);
             INSERT INTO take SELECT s.k, 0 FROM src.sessions s JOIN main.sessions m ON m.id = s.id
               WHERE s.rev > m.rev;
             CREATE TEMP TABLE stale (k INTEGER PRIMARY KEY);
             INSERT INTO stale SELECT m.k FROM main.sessions m JOIN src.sessions s ON s.id = m.id
               JOIN take t ON t.k = s.k WHERE t.fresh = 0;
             DELETE FROM main.steps WHERE session IN (SELECT k FROM stale);
             DELETE FROM main.profiles WHERE session IN (SELECT k FROM stale);
             DELETE FROM main.top_trades WHERE session IN (SELECT k FROM stale);
             DELETE FROM main.sessions WHERE k IN (SELECT k FROM stale);
             DROP TABLE temp.stale;",
        )?;
        let (fresh, updated): (i64, i64) = tx.query_row(
            "SELECT coalesce(sum(fresh), 0), coalesce(sum(1 - fresh), 0) FROM take",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if fresh + updated > 0 {
            // Only the sessions taken, and only rows whose session is taken: `base` is past
            // every key of the tour, so shifted keys cannot collide. (`base` is an integer
            // read above, so formatting it into the SQL is safe.)
            tx.execute_batch(&format!(
                "INSERT INTO main.sessions (k, {SESSION_COLS}) SELECT s.k + {base}, {SESSION_COLS} FROM src.sessions s
                   WHERE s.k IN (SELECT k FROM temp.take) ORDER BY s.k;
                 INSERT INTO main.steps (session, n, step, step_id, left_by, answer, ms, wall_ms, mono_ms)
                   SELECT x.session + {base}, x.n, x.step, x.step_id, x.left_by, x.answer, x.ms, x.wall_ms, x.mono_ms FROM src.steps x
                   WHERE x.session IN (SELECT k FROM temp.take);
                 INSERT INTO main.profiles SELECT x.session + {base}, x.reading, x.strongest, x.holland, x.r, x.r_n, x.i, x.i_n, x.a, x.a_n, x.s, x.s_n, x.e, x.e_n, x.c, x.c_n, x.skills
                   FROM src.profiles x WHERE x.session IN (SELECT k FROM temp.take);
                 INSERT INTO main.top_trades SELECT x.session + {base}, x.rank, x.trade FROM src.top_trades x
                   WHERE x.session IN (SELECT k FROM temp.take);",
            ))?;
        }
        tx.execute(
            "INSERT OR IGNORE INTO main.merged (fingerprint, sessions, merged_wall_ms) VALUES (?1, ?2, ?3)",
            rusqlite::params![fp, total as i64, crate::storage::time::now_ms()],
        )?;
        // A tour merged into another: what it took counts as taken.
        tx.execute_batch(
            "INSERT OR IGNORE INTO main.merged SELECT * FROM src.merged; DROP TABLE temp.take;",
        )?;
        tx.commit()?;
        report.added += fresh as u64;
        report.updated += updated as u64;
        report.unchanged += (total as i64 - fresh - updated).max(0) as u64;
        Ok(())
    })();
    conn.execute("DETACH DATABASE src", [])?;
    res
}
/// A read-only `file:` URI for ATTACH.
fn uri_ro(p: &Path) -> String {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let mut s = String::from("file:");
    for c in abs.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' | ' ' | '"' | '\'' => s.push_str(&format!("%{:02X}", c as u32)),
            c => s.push(c),
        }
    }
    s.push_str("?mode=ro");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn check_clauses_are_found_whole_with_quotes_and_nesting() {
        let sql = "CREATE TABLE t (a TEXT CHECK (a IN ('x)', 'it''s')), b INTEGER check(b >= 0),
                   rechecked INTEGER, CHECK ((a IS NULL) = (b IS NULL))) STRICT";
        assert_eq!(
            super::check_exprs(sql),
            [
                "a IN ('x)', 'it''s')",
                "b >= 0",
                "(a IS NULL) = (b IS NULL)"
            ]
        );
    }
}
