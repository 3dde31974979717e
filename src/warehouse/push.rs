//! `klub push`: logs into the warehouse, checked as `klub merge` checks them.
//!
//! 1. Every input is read through [`open_input`] (the merge's own checks: schema, CHECKs,
//!    hostile-log rules), all of them before anything is sent: a refused input leaves the
//!    database as it was.
//! 2. Every (id, station, seq) is then checked against the warehouse and the other inputs:
//!    a session that claims another station or number than the one stored is refused, and
//!    a station log holds one station only.
//! 3. Sessions go by batches (10,000 by default), each in its own transaction: `COPY` into temporary
//!    staging tables, then one promotion that keeps the newest revision of each session and
//!    lets the warehouse's CHECKs test every row. A push that is killed keeps the batches it
//!    committed; pushing again loads the rest (a session already there at the same revision
//!    is left alone), so every session ends up there once.

use crate::storage::{StorageError, db, merge};
use crate::warehouse::{WarehouseError, pg};
use postgres::{Client, Transaction};
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a push did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PushReport {
    /// Sessions added.
    pub added: u64,
    /// Sessions replaced by a newer revision.
    pub updated: u64,
    /// Sessions already there, at the same or a newer revision.
    pub unchanged: u64,
    /// Sessions older than the warehouse's purge fence, not loaded.
    pub past_retention: u64,
    /// Transactions committed.
    pub batches: u64,
}

/// A scratch directory in the temporary folder, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// Creates one.
    pub fn new() -> Result<Scratch, WarehouseError> {
        // A push killed mid-way (power cut, SIGKILL) leaves its scratch: remove those of
        // processes that no longer run.
        if Path::new("/proc/self").exists()
            && let Ok(entries) = std::fs::read_dir(std::env::temp_dir())
        {
            for e in entries.flatten() {
                let name = e.file_name();
                let pid = name
                    .to_str()
                    .and_then(|n| n.strip_prefix("klub-warehouse-"))
                    .and_then(|n| n.split('-').next())
                    .and_then(|p| p.parse::<u32>().ok());
                if let Some(pid) = pid
                    && !Path::new("/proc").join(pid.to_string()).exists()
                {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let mut b = [0u8; 6];
        crate::domain::ids::fill_random(&mut b).map_err(|e| WarehouseError::Io {
            path: std::env::temp_dir(),
            source: std::io::Error::other(e),
        })?;
        let p = std::env::temp_dir().join(format!(
            "klub-warehouse-{}-{}",
            std::process::id(),
            crate::domain::ids::to_hex(&b)
        ));
        std::fs::create_dir_all(&p).map_err(|e| WarehouseError::Io {
            path: p.clone(),
            source: e,
        })?;
        Ok(Scratch(p))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Opens input logs with the rules of `klub merge`: they are merged into a scratch tour
/// log `dest` (schema, quick_check, every row against the CHECKs, collisions, the
/// hostile-log rules), which is then read. The warehouse reads logs only through here.
pub fn open_input(
    inputs: &[PathBuf],
    dest: &Path,
) -> Result<crate::storage::input::InputLog, StorageError> {
    merge::merge(inputs, dest)?;
    db::open_ro(dest)
}

/// Temporary staging tables, shaped like the warehouse's without its CHECKs, emptied at
/// every commit.
const STAGING: &str = "
    CREATE TEMP TABLE IF NOT EXISTS stage_sessions (LIKE klub.sessions) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS stage_steps (LIKE klub.steps) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS stage_profiles (LIKE klub.profiles) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS stage_top_trades (LIKE klub.top_trades) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS take (id text PRIMARY KEY, fresh boolean NOT NULL) ON COMMIT DELETE ROWS;";

/// Columns read from a log, in the order of the warehouse's tables.
const SESSIONS: &str = "SELECT id, station, seq, tour, stop, context, source, scenario, trade, lang, pass_id, situation, age_band, started_wall_ms, started_mono_ms, clock_offset_ms, ended_wall_ms, ended_mono_ms, outcome, rev FROM sessions WHERE k BETWEEN ?1 AND ?2";
const STEPS: &str = "SELECT s.id, x.n, x.step, x.step_id, x.left_by, x.answer, x.ms, x.wall_ms, x.mono_ms FROM steps x JOIN sessions s ON s.k = x.session WHERE x.session BETWEEN ?1 AND ?2";
const PROFILES: &str = "SELECT s.id, x.reading, x.strongest, x.holland, x.r, x.r_n, x.i, x.i_n, x.a, x.a_n, x.s, x.s_n, x.e, x.e_n, x.c, x.c_n, x.skills FROM profiles x JOIN sessions s ON s.k = x.session WHERE x.session BETWEEN ?1 AND ?2";
const TRADES: &str = "SELECT s.id, x.rank, x.trade FROM top_trades x JOIN sessions s ON s.k = x.session WHERE x.session BETWEEN ?1 AND ?2";

/// Pushes the logs, `batch` sessions per transaction; `progress` hears about every
/// committed batch.
pub fn push(
    target: &pg::Target,
    inputs: &[PathBuf],
    batch: usize,
    mut progress: impl FnMut(&Path, &PushReport),
) -> Result<PushReport, WarehouseError> {
    let scratch = Scratch::new()?;
    let mut logs = vec![];
    for (k, input) in inputs.iter().enumerate() {
        let conn = open_input(
            std::slice::from_ref(input),
            &scratch.0.join(format!("in-{k}.db")),
        )?;
        one_station_per_station_log(&conn, input, merged_inputs(input)?)?;
        logs.push((input.clone(), conn));
    }
    let mut client = target.connect()?;
    pg::migrate(&mut client)?;
    client.batch_execute(STAGING)?;
    check_identities(&mut client, &logs)?;
    let fence = pg::purged_before(&mut client)?;
    let mut report = PushReport::default();
    for (input, log) in &logs {
        push_log(
            &mut client,
            log,
            input,
            (fence, batch),
            &mut report,
            &mut progress,
        )?;
    }
    Ok(report)
}

/// How many logs the input itself says it merged: none for a station's own log. The merge
/// into the scratch log never carries an input's fingerprints over, so ask the input.
fn merged_inputs(input: &Path) -> Result<i64, WarehouseError> {
    let own = db::open_ro(input)?;
    Ok(own.query_row("SELECT count(*) FROM merged", [], |r| r.get(0))?)
}

/// A station's own log (one that merged nothing) holds that station's sessions only.
fn one_station_per_station_log(
    log: &Connection,
    input: &Path,
    merged: i64,
) -> Result<(), WarehouseError> {
    let stations: Vec<String> = log
        .prepare("SELECT DISTINCT station FROM sessions ORDER BY station LIMIT 2")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if merged == 0 && stations.len() > 1 {
        return Err(WarehouseError::Refused(format!(
            "{} : journal de borne dont des sessions se disent d'une autre borne ({}) : refusé / a station log whose sessions claim another station ({}): refused",
            input.display(),
            stations.join(", "),
            stations.join(", ")
        )));
    }
    Ok(())
}

/// Refuses any session whose id, station or number clashes with the warehouse or another
/// input (the merge's collision rule), before anything is loaded.
fn check_identities(
    client: &mut Client,
    logs: &[(PathBuf, crate::storage::input::InputLog)],
) -> Result<(), WarehouseError> {
    let mut tx = client.transaction()?;
    tx.batch_execute(
        "CREATE TEMP TABLE keys (id text NOT NULL, station text NOT NULL, seq bigint NOT NULL, log integer NOT NULL) ON COMMIT DROP",
    )?;
    for (k, (_, log)) in logs.iter().enumerate() {
        let sql = format!("SELECT id, station, seq, {k} FROM sessions WHERE k BETWEEN ?1 AND ?2");
        copy_rows(
            log,
            &sql,
            (i64::MIN, i64::MAX),
            &mut tx,
            "COPY keys FROM STDIN",
        )?;
    }
    tx.batch_execute(
        "CREATE INDEX ON keys (id); CREATE INDEX ON keys (station, seq); ANALYZE keys;",
    )?;
    let clash = tx.query_opt(
        "SELECT a.id, a.station, a.seq, a.log FROM keys a JOIN klub.sessions m ON m.id = a.id
           WHERE m.station <> a.station OR m.seq <> a.seq
         UNION ALL
         SELECT a.id, a.station, a.seq, a.log FROM keys a JOIN klub.sessions m
           ON m.station = a.station AND m.seq = a.seq WHERE m.id <> a.id
         UNION ALL
         SELECT a.id, a.station, a.seq, a.log FROM keys a JOIN keys b ON b.id = a.id
           WHERE b.station <> a.station OR b.seq <> a.seq
         UNION ALL
         SELECT a.id, a.station, a.seq, a.log FROM keys a JOIN keys b
           ON b.station = a.station AND b.seq = a.seq WHERE b.id <> a.id
         LIMIT 1",
        &[],
    )?;
    if let Some(r) = clash {
        let (id, station, seq, log): (String, String, i64, i32) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        return Err(WarehouseError::Refused(format!(
            "{} : la session {id} (borne {station}, n° {seq}) se dit d'une autre borne ou d'un autre numéro que dans l'entrepôt ou un autre journal : rien n'a été chargé / session {id} (station {station}, no. {seq}) claims another station or number than in the warehouse or another log: nothing was loaded",
            logs[log as usize].0.display()
        )));
    }
    tx.commit()?;
    Ok(())
}

fn push_log(
    client: &mut Client,
    log: &Connection,
    input: &Path,
    (fence, batch): (i64, usize),
    report: &mut PushReport,
    progress: &mut impl FnMut(&Path, &PushReport),
) -> Result<(), WarehouseError> {
    let keys: Vec<i64> = log
        .prepare("SELECT k FROM sessions ORDER BY k")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for chunk in keys.chunks(batch) {
        let range = (chunk[0], chunk[chunk.len() - 1]);
        let mut tx = client.transaction()?;
        let staged = copy_rows(
            log,
            SESSIONS,
            range,
            &mut tx,
            "COPY stage_sessions FROM STDIN",
        )?;
        copy_rows(log, STEPS, range, &mut tx, "COPY stage_steps FROM STDIN")?;
        copy_rows(
            log,
            PROFILES,
            range,
            &mut tx,
            "COPY stage_profiles FROM STDIN",
        )?;
        copy_rows(
            log,
            TRADES,
            range,
            &mut tx,
            "COPY stage_top_trades FROM STDIN",
        )?;
        let (added, updated, past) = promote(&mut tx, fence).map_err(|e| {
            WarehouseError::Refused(format!(
                "{} : refusé par l'entrepôt ({}) / refused by the warehouse",
                input.display(),
                crate::warehouse::pg_message(&e)
            ))
        })?;
        tx.commit()?;
        report.added += added;
        report.updated += updated;
        report.past_retention += past;
        report.unchanged += staged - added - updated - past;
        report.batches += 1;
        progress(input, report);
    }
    Ok(())
}

/// Moves the staged batch into the warehouse: new sessions and newer revisions only
/// (de-duplicated by id, highest revision first), none from before the purge fence. The
/// warehouse's CHECKs and keys test every row. Returns (added, updated, past retention).
fn promote(tx: &mut Transaction<'_>, fence: i64) -> Result<(u64, u64, u64), postgres::Error> {
    let past = tx
        .query_one(
            "SELECT count(*) FROM stage_sessions WHERE started_wall_ms + clock_offset_ms < $1",
            &[&fence],
        )?
        .get::<_, i64>(0) as u64;
    tx.execute(
        "INSERT INTO take (id, fresh)
           SELECT DISTINCT ON (s.id) s.id, m.id IS NULL FROM stage_sessions s
           LEFT JOIN klub.sessions m ON m.id = s.id
           WHERE (m.id IS NULL OR s.rev > m.rev) AND s.started_wall_ms + s.clock_offset_ms >= $1
           ORDER BY s.id, s.rev DESC",
        &[&fence],
    )?;
    tx.batch_execute(
        "DELETE FROM klub.sessions m USING take t WHERE m.id = t.id AND NOT t.fresh;
         INSERT INTO klub.sessions SELECT DISTINCT ON (s.id) s.* FROM stage_sessions s JOIN take t ON t.id = s.id ORDER BY s.id, s.rev DESC;
         INSERT INTO klub.steps SELECT x.* FROM stage_steps x JOIN take t ON t.id = x.session_id;
         INSERT INTO klub.profiles SELECT x.* FROM stage_profiles x JOIN take t ON t.id = x.session_id;
         INSERT INTO klub.top_trades SELECT x.* FROM stage_top_trades x JOIN take t ON t.id = x.session_id;",
    )?;
    let r = tx.query_one(
        "SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM take",
        &[],
    )?;
    Ok((r.get::<_, i64>(0) as u64, r.get::<_, i64>(1) as u64, past))
}

/// Streams the rows of an SQLite query (keys `range.0..=range.1`) into a PostgreSQL `COPY`
/// in text format; returns how many rows were sent.
fn copy_rows(
    log: &Connection,
    sql: &str,
    range: (i64, i64),
    tx: &mut Transaction<'_>,
    copy: &str,
) -> Result<u64, WarehouseError> {
    let mut stmt = log.prepare_cached(sql)?;
    let cols = stmt.column_count();
    let mut rows = stmt.query([range.0, range.1])?;
    let mut w = tx.copy_in(copy)?;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut n = 0u64;
    let io = |e| WarehouseError::Io {
        path: PathBuf::from("COPY"),
        source: e,
    };
    while let Some(r) = rows.next()? {
        for c in 0..cols {
            if c > 0 {
                buf.push(b'\t');
            }
            match r.get_ref(c)? {
                ValueRef::Null => buf.extend_from_slice(b"\\N"),
                ValueRef::Integer(i) => {
                    let _ = write!(buf, "{i}");
                }
                ValueRef::Text(t) => escape_into(&mut buf, t),
                ValueRef::Real(_) | ValueRef::Blob(_) => {
                    return Err(WarehouseError::Refused(
                        "valeur d'un type inattendu dans le journal / value of an unexpected type in the log".into(),
                    ));
                }
            }
        }
        buf.push(b'\n');
        n += 1;
        if buf.len() >= 1 << 20 {
            w.write_all(&buf).map_err(io)?;
            buf.clear();
        }
    }
    w.write_all(&buf).map_err(io)?;
    w.finish()?;
    Ok(n)
}

/// Text-format COPY escaping: backslash, tab, newline and carriage return.
fn escape_into(buf: &mut Vec<u8>, t: &[u8]) {
    for &b in t {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn copy_text_escapes_its_separators() {
        let mut b = vec![];
        super::escape_into(&mut b, b"a\tb\\c\nd\re");
        assert_eq!(b, b"a\\tb\\\\c\\nd\\re");
    }
}
