//! Combining station logs into a tour log: idempotent, collision-checked, all or nothing.
//!
//! Every input is untrusted ([`input::open`]): its schema must be exactly one we wrote, it
//! is read immutable or from a private copy, never written. A current-version input is
//! attached as it is; an older one is copied through the backup API and upgraded in the
//! copy. Sessions are appended with `ATTACH` and `INSERT … SELECT`, their integer keys
//! shifted past the tour's (no key can collide), and a session already in the tour is
//! replaced only by a copy with a higher revision.
//!
//! The privacy CHECKs are not evaluated as rows are inserted (that would triple the time).
//! Instead, once an input's rows are committed to the temporary tour, a second thread tests
//! those rows, where they landed, against the tour's own CHECK expressions, while this one
//! copies the next input. What is tested is what was copied, whatever an input may do.
//!
//! The tour remembers the fingerprint of every input it took (its sessions' ids and
//! revisions), so an input merged before and unchanged since is skipped without being read
//! again. Fingerprints are only ever computed by the tour itself, never taken from an
//! input. The tour log is built in a private folder next to it, checked, synced, and only
//! then renamed over the old one; when nothing changes the old file is left byte for byte
//! as it was. The folder goes on every exit path.

use crate::storage::input::{self, InputLog, PrivateDir};
use crate::storage::{StorageError, db, schema};
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

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

/// How long the copier and the verifier wait for each other's statement on the temporary
/// tour (each holds it for one input's rows at most).
const VERIFY_WAIT: Duration = Duration::from_secs(600);

/// Columns of `sessions` after its key, in the order of the schema.
const SESSION_COLS: &str = "id, station, seq, tour, stop, context, source, scenario, trade, lang, pass_id, situation, age_band, started_wall_ms, started_mono_ms, clock_offset_ms, ended_wall_ms, ended_mono_ms, outcome, rev";

/// The private folder for the new tour, next to it so the final rename stays on one disk.
fn scratch_near(out: &Path) -> Result<PrivateDir, StorageError> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out.file_name().and_then(|f| f.to_str()).unwrap_or("tour");
    PrivateDir::create_in(dir, &format!(".{name}.merge-"))
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

/// An input ready to copy: the checked log itself, or its upgraded copy in the scratch.
enum Source {
    Log(Box<InputLog>),
    Upgraded(PathBuf),
}

impl Source {
    fn uri(&self) -> String {
        match self {
            Source::Log(l) => l.uri(),
            Source::Upgraded(p) => input::uri(p, false),
        }
    }
}

/// The rows of one input as they landed in the tour: session keys in `(lo, hi]`.
struct Landed {
    input: PathBuf,
    lo: i64,
    hi: i64,
}

/// Merges the inputs into `out` (created if missing).
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<MergeReport, StorageError> {
    let mut report = MergeReport::default();
    let scratch = scratch_near(out)?;
    let tmp = scratch.path().join("tour.db");
    // The tour as it is: its own fingerprints, and the base of the new one. Read through
    // the same guards as an input; a tour another program holds open is not replaced.
    let old = if out.exists() {
        let [wal, _] = db::side_files(out);
        if wal.exists() {
            drop(input::open(out)?);
            // Open it once read-write so SQLite checkpoints and removes its WAL.
            drop(db::open_rw(out)?);
            if wal.exists() {
                return Err(StorageError::Invalid(format!(
                    "{} est ouvert par un autre programme ; fermez-le / is open in another program; close it",
                    out.display()
                )));
            }
        }
        Some(input::open(out)?)
    } else {
        None
    };
    let known: HashSet<String> = match &old {
        Some(t) if t.version() == schema::LATEST => {
            let mut stmt = t.prepare("SELECT fingerprint FROM merged")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()
                .map_err(|e| input::classify(e, out, t.limit()))?
        }
        _ => HashSet::new(),
    };
    // Check every input before touching anything.
    let mut todo = vec![];
    for (k, path) in inputs.iter().enumerate() {
        let log = input::open(path)?;
        let source = match log.version() {
            0 => continue,
            v if v == schema::LATEST => {
                let (fp, n) =
                    fingerprint(&log, "main").map_err(|e| input::classify(e, path, log.limit()))?;
                if known.contains(&fp) {
                    // Taken before and unchanged since: nothing in it can be new.
                    report.skipped += 1;
                    report.unchanged += n;
                    continue;
                }
                db::check(&log, path)?;
                Source::Log(Box::new(log))
            }
            _ => {
                let snap = scratch.path().join(format!("in-{k}.db"));
                let conn = db::snapshot_from(&log, path, &snap)?;
                drop(log);
                let (fp, n) = fingerprint(&conn, "main")?;
                if known.contains(&fp) {
                    report.skipped += 1;
                    report.unchanged += n;
                    continue;
                }
                Source::Upgraded(snap)
            }
        };
        todo.push((path.clone(), source));
    }
    let existed = old.is_some();
    if existed && todo.is_empty() {
        return Ok(report);
    }
    let mut conn = match &old {
        Some(t) => db::snapshot_from(t, out, &tmp)?,
        None => db::open_rw(&tmp)?.0,
    };
    drop(old);
    // This connection reads the inputs: the same guards as theirs.
    input::harden(&conn, input::time_limit(0))?;
    // Its commits wait for the verifier's current statement, however large the input.
    conn.busy_timeout(VERIFY_WAIT)?;
    // The temporary file is thrown away on any error and synced before the rename, so it
    // needs no sync per commit. It runs in WAL mode so that the verifier reading an input's
    // rows and the copier writing the next one's never wait for each other (with a
    // rollback journal the copier's commit waits for the verifier: 2 s more on the bench);
    // one checkpoint at the end.
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    // A large page cache saves re-reading index pages.
    conn.pragma_update(None, "cache_size", -262_144)?;
    conn.pragma_update(None, "ignore_check_constraints", "ON")?;
    // No per-row parent lookup: a step, profile or trade is only ever copied with its
    // session (through `take`), so none can end up without one.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let tests = violation_tests(&conn)?;
    let (landed, arrivals) = mpsc::channel::<Landed>();
    let verifier = {
        let tmp = tmp.clone();
        std::thread::spawn(move || verify_landed(&tmp, &tests, arrivals))
    };
    let copied = todo.iter().try_for_each(|(path, source)| {
        if verifier.is_finished() {
            // It stops early only on a bad row: no use copying more; its error is reported.
            return Err(StorageError::Invalid("verification stopped".into()));
        }
        merge_one(&mut conn, path, source, &mut report, &landed)
    });
    drop(landed);
    input::limit_time(
        &conn,
        input::time_limit(std::fs::metadata(&tmp).map_or(0, |m| m.len())),
    );
    let verified = verifier.join().unwrap_or_else(|_| {
        Err(StorageError::Invalid(
            "vérification des lignes interrompue / row verification crashed".into(),
        ))
    });
    drop(todo);
    verified?;
    copied?;
    if existed && report.added == 0 && report.updated == 0 {
        return Ok(report);
    }
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
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

/// For each table of the tour that rows are copied into, its session key column and one SQL
/// condition true for a row that breaks any of its CHECKs (taken from the tour's own
/// schema, not from the input's).
fn violation_tests(conn: &Connection) -> Result<Vec<(String, String, String)>, StorageError> {
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM main.sqlite_schema WHERE type = 'table' AND sql IS NOT NULL",
    )?;
    let tables = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = vec![];
    for (name, sql) in tables {
        let has_session: bool = conn.query_row(
            "SELECT count(*) > 0 FROM pragma_table_info(?1) WHERE name = 'session'",
            [&name],
            |r| r.get(0),
        )?;
        let key = match name.as_str() {
            "sessions" => "k",
            _ if has_session => "session",
            // Not copied from inputs (`merged` holds the tour's own fingerprints).
            _ => continue,
        };
        let tests: Vec<String> = check_exprs(&sql)
            .iter()
            .map(|c| format!("NOT ({c})"))
            .collect();
        if !tests.is_empty() {
            out.push((name, key.to_owned(), tests.join(" OR ")));
        }
    }
    Ok(out)
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

/// Tests the rows of each input, as they landed in the temporary tour, against `tests`, on
/// a connection of its own, as the copying thread reports them.
fn verify_landed(
    tour: &Path,
    tests: &[(String, String, String)],
    arrivals: mpsc::Receiver<Landed>,
) -> Result<(), StorageError> {
    let conn = Connection::open_with_flags(
        tour,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // The copier's commits wait for this reader's statement to end, and the reverse.
    conn.busy_timeout(VERIFY_WAIT)?;
    for Landed { input, lo, hi } in arrivals {
        rows_pass(&conn, &input, tests, Some((lo, hi)))?;
    }
    Ok(())
}

/// Checks one current-version input where it lies, as the merge checks what it copies:
/// `quick_check`, then every row against the CHECKs of this software's own schema (not the
/// input's). For readers that take a single log as it is (the warehouse's push and export)
/// rather than merging it. It opens connections of its own to `uri` ([`InputLog::uri`]:
/// the same bytes, hardened the same way), so it can run on another thread while the log
/// is read; the step rows, most of the work, are tested on a second one, in parallel.
pub fn check_bytes(uri: &str, path: &Path, limit: Duration) -> Result<(), StorageError> {
    let mut model = Connection::open_in_memory()?;
    schema::migrate(&mut model, Path::new(":memory:"))?;
    let (steps, rest): (Vec<_>, Vec<_>) = violation_tests(&model)?
        .into_iter()
        .partition(|(table, _, _)| table == "steps");
    let open = move |uri: &str, p: &Path| -> Result<Connection, StorageError> {
        let conn = Connection::open_with_flags(
            uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| schema::classify(e, p))?;
        input::harden(&conn, limit).map_err(|e| input::classify(e, p, limit))?;
        if input::check_schema(&conn, "main", p)? != schema::LATEST {
            return Err(StorageError::Invalid(format!(
                "{} : le journal a changé pendant sa lecture / the log changed while it was read",
                p.display()
            )));
        }
        Ok(conn)
    };
    let (u, p) = (uri.to_owned(), path.to_owned());
    let second = std::thread::spawn(move || -> Result<(), StorageError> {
        let conn = open(&u, &p)?;
        rows_pass(&conn, &p, &steps, None).map_err(|e| in_input(e, &p, limit))
    });
    let first = open(uri, path).and_then(|conn| {
        db::check(&conn, path)
            .and_then(|()| rows_pass(&conn, path, &rest, None))
            .map_err(|e| in_input(e, path, limit))
    });
    let second = second.join().unwrap_or_else(|_| {
        Err(StorageError::Invalid(
            "vérification des lignes interrompue / row verification crashed".into(),
        ))
    });
    first.and(second)
}

/// An SQLite error while reading an input, as [`input::classify`] words it.
fn in_input(e: StorageError, path: &Path, limit: Duration) -> StorageError {
    match e {
        StorageError::Sql(e) => input::classify(e, path, limit),
        e => e,
    }
}

/// Fails on the first table with a row that breaks its CHECKs (`tests` as from
/// [`violation_tests`]), among the rows whose session key is in `(lo, hi]` if given.
fn rows_pass(
    conn: &Connection,
    path: &Path,
    tests: &[(String, String, String)],
    within: Option<(i64, i64)>,
) -> Result<(), StorageError> {
    for (table, key, test) in tests {
        let (range, bounds) = match within {
            Some((lo, hi)) => (format!("{key} > ?1 AND {key} <= ?2 AND "), vec![lo, hi]),
            None => (String::new(), vec![]),
        };
        let bad: i64 = conn.query_row(
            &format!("SELECT count(*) FROM main.\"{table}\" WHERE {range}({test})"),
            rusqlite::params_from_iter(bounds),
            |r| r.get(0),
        )?;
        if bad > 0 {
            return Err(StorageError::Damaged {
                path: path.to_owned(),
                detail: format!(
                    "{bad} ligne(s) de « {table} » enfreignent les règles du journal (CHECK) : fichier modifié à la main ? / {bad} row(s) of {table} break the log's CHECK rules: edited by hand?"
                ),
            });
        }
    }
    Ok(())
}

fn merge_one(
    conn: &mut Connection,
    input: &Path,
    source: &Source,
    report: &mut MergeReport,
    landed: &mpsc::Sender<Landed>,
) -> Result<(), StorageError> {
    let limit = match source {
        Source::Log(l) => l.limit(),
        Source::Upgraded(p) => input::time_limit(std::fs::metadata(p).map_or(0, |m| m.len())),
    };
    input::limit_time(conn, limit);
    conn.execute("ATTACH DATABASE ?1 AS src", [source.uri()])
        .map_err(|e| input::classify(e, input, limit))?;
    let res = (|| -> Result<(), StorageError> {
        let tx = conn.transaction()?;
        // What this connection reads must be what was checked on the input's own.
        if input::check_schema(&tx, "src", input)? != schema::LATEST {
            return Err(StorageError::Invalid(format!(
                "{} : le journal a changé pendant la fusion / the log changed during the merge",
                input.display()
            )));
        }
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
            let p = crate::domain::text::printable;
            return Err(StorageError::Invalid(format!(
                "{} : collision sur la session {} (borne {}, n° {seq}) : deux bornes portent-elles le même identifiant ? / collision on session {} (station {}, no. {seq}): do two stations share an id?",
                input.display(),
                p(&id),
                p(&station),
                p(&id),
                p(&station),
            )));
        }
        // Read inside the transaction: the fingerprint is that of exactly what is merged.
        let (fp, total) = fingerprint(&tx, "src").map_err(|e| input::classify(e, input, limit))?;
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
        )
        .map_err(|e| input::classify(e, input, limit))?;
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
            ))
            .map_err(|e| input::classify(e, input, limit))?;
        }
        // The tour's own fingerprint of what it took; an input's `merged` table is never
        // read (a log could claim another station's log as taken).
        tx.execute(
            "INSERT OR IGNORE INTO main.merged (fingerprint, sessions, merged_wall_ms) VALUES (?1, ?2, ?3)",
            rusqlite::params![fp, total as i64, crate::storage::time::now_ms()],
        )?;
        tx.execute_batch("DROP TABLE temp.take;")?;
        let hi: i64 = tx.query_row("SELECT coalesce(max(k), 0) FROM main.sessions", [], |r| {
            r.get(0)
        })?;
        tx.commit()?;
        if hi > base {
            // The verifier has stopped only if it found a bad row: its error is reported.
            let _ = landed.send(Landed {
                input: input.to_owned(),
                lo: base,
                hi,
            });
        }
        report.added += fresh as u64;
        report.updated += updated as u64;
        report.unchanged += (total as i64 - fresh - updated).max(0) as u64;
        Ok(())
    })();
    conn.execute("DETACH DATABASE src", [])?;
    res
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
