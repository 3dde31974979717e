//! `klub push`: logs into the warehouse, checked as `klub merge` checks them.
//!
//! 1. Every input is opened where it lies, with the input rules of `storage::input` (exact
//!    schema, no views or triggers, defensive mode), and every row is tested against the
//!    log's CHECKs, as [`open_inputs`] does, on other threads while the push starts:
//!    nothing is committed before every input passed, so a refused input leaves the
//!    database as it was.
//! 2. Every (id, station, seq) is then checked against the warehouse and the other inputs:
//!    a session that claims another station or number than the one stored is refused, and
//!    a station log holds one station only.
//! 3. One push runs at a time (an advisory lock, which `klub purge` takes too), so what it
//!    read of the warehouse stays true: it decides itself which sessions are new, which
//!    replace an older revision (de-duplicated by id, highest revision kept) and which are
//!    older than the purge fence, and sends only those, with binary `COPY` straight into
//!    the warehouse's tables, whose CHECKs and keys test every row. Sessions go by batches
//!    (10,000 by default), each in its own transaction; a push that is killed keeps the
//!    batches it committed, and pushing again loads the rest, so every session ends up
//!    there once.

use crate::storage::input::{self, InputLog, PrivateDir};
use crate::storage::{StorageError, db, merge, schema};
use crate::warehouse::{WarehouseError, pg};
use postgres::{Client, Transaction};
use rusqlite::types::ValueRef;
use std::collections::HashMap;
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

/// Input logs, checked, read where they lie; an older log is read from its upgraded copy
/// in a private folder.
pub struct Inputs {
    // Declared first: the connections close before the folder is removed.
    /// Each input's path and its log.
    pub logs: Vec<(PathBuf, InputLog)>,
    _scratch: Option<PrivateDir>,
}

/// A private folder in the temporary directory, for upgraded or merged copies.
fn scratch() -> Result<PrivateDir, StorageError> {
    PrivateDir::create_in(&std::env::temp_dir(), "klub-warehouse-")
}

/// Opens every input with the rules of `klub merge`: [`input::open`] (schema, hardened
/// connection), then `quick_check` and every row against the CHECKs
/// ([`merge::check_bytes`]). A log of an older version is upgraded in a private copy
/// first (as the merge does); an empty file holds nothing and is left out. The warehouse
/// reads logs only through here or [`open_one`].
pub fn open_inputs(paths: &[PathBuf]) -> Result<Inputs, StorageError> {
    let opened = open_unchecked(paths)?;
    opened.check().wait()?;
    Ok(opened)
}

/// [`open_inputs`] without the rows' check, which [`Inputs::check`] starts.
fn open_unchecked(paths: &[PathBuf]) -> Result<Inputs, StorageError> {
    let mut out = Inputs {
        logs: vec![],
        _scratch: None,
    };
    for (k, path) in paths.iter().enumerate() {
        let log = input::open(path)?;
        let log = match log.version() {
            0 => continue,
            v if v == schema::LATEST => log,
            _ => {
                if out._scratch.is_none() {
                    out._scratch = Some(scratch()?);
                }
                let dir = out
                    ._scratch
                    .as_ref()
                    .map(|d| d.path())
                    .unwrap_or(Path::new("."));
                let copy = dir.join(format!("in-{k}.db"));
                drop(db::snapshot_from(&log, path, &copy)?);
                drop(log);
                input::open(&copy)?
            }
        };
        db::configure(&log, false).map_err(|e| input::classify(e, path, log.limit()))?;
        out.logs.push((path.clone(), log));
    }
    Ok(out)
}

/// The rows' check of inputs, running on threads of its own (none: nothing to check).
#[derive(Default)]
pub struct Checking(Option<std::thread::JoinHandle<Result<(), StorageError>>>);

impl Checking {
    /// Waits for the check: `Ok` when every input passed.
    pub fn wait(self) -> Result<(), StorageError> {
        match self.0 {
            None => Ok(()),
            Some(h) => h.join().unwrap_or_else(|_| {
                Err(StorageError::Invalid(
                    "vérification des lignes interrompue / row verification crashed".into(),
                ))
            }),
        }
    }
}

impl Inputs {
    /// Starts checking every input's rows as the merge does ([`merge::check_bytes`], on
    /// connections of its own to the same bytes), while this thread may read them.
    pub fn check(&self) -> Checking {
        let todo: Vec<(String, PathBuf, std::time::Duration)> = self
            .logs
            .iter()
            .map(|(p, l)| (l.uri(), p.clone(), l.limit()))
            .collect();
        Checking(Some(std::thread::spawn(move || {
            todo.iter()
                .try_for_each(|(uri, path, limit)| merge::check_bytes(uri, path, *limit))
        })))
    }
}

/// One log to export, and its check under way: the single input itself, read while it is
/// checked, or several merged (so no session is written twice, and checked as they are
/// merged) into a private folder, as `klub export` does for CSV.
pub fn open_one(paths: &[PathBuf]) -> Result<(Inputs, Checking), StorageError> {
    if paths.len() == 1 {
        let one = open_unchecked(paths)?;
        if !one.logs.is_empty() {
            let checking = one.check();
            return Ok((one, checking));
        }
    }
    let dir = scratch()?;
    let tour = dir.path().join("export.db");
    merge::merge(paths, &tour)?;
    let log = db::open_ro(&tour)?;
    Ok((
        Inputs {
            logs: vec![(tour, log)],
            _scratch: Some(dir),
        },
        Checking(None),
    ))
}

/// Pushes the logs, `batch` sessions per transaction; `progress` hears about every
/// committed batch.
pub fn push(
    target: &pg::Target,
    inputs: &[PathBuf],
    batch: usize,
    mut progress: impl FnMut(&Path, &PushReport),
) -> Result<PushReport, WarehouseError> {
    // The rows are checked on other threads while the push starts; nothing is committed
    // before every input passed (see `push_log`).
    let opened = open_unchecked(inputs)?;
    let mut checking = Some(opened.check());
    for (input, log) in &opened.logs {
        one_station_per_station_log(log, input)?;
    }
    let mut client = target.connect()?;
    // Held until this connection closes; `migrate` and `purge` take it too.
    client.execute("SELECT pg_advisory_lock($1)", &[&pg::LOCK])?;
    if pg::version(&mut client)? != pg::latest() {
        // A migration commits: only once the inputs passed.
        checking.take().unwrap_or_default().wait()?;
        pg::migrate(&mut client)?;
    }
    let mut known = check_identities(&mut client, &opened.logs)?;
    let fence = pg::purged_before(&mut client)?;
    let mut report = PushReport::default();
    for (input, log) in &opened.logs {
        push_log(
            &mut client,
            (log, input),
            (fence, batch.max(1)),
            &mut known,
            &mut checking,
            &mut report,
            &mut progress,
        )?;
    }
    // Inputs without a session to send were still checked.
    checking.take().unwrap_or_default().wait()?;
    client.execute("SELECT pg_advisory_unlock($1)", &[&pg::LOCK])?;
    Ok(report)
}

/// A station's own log (one that merged nothing) holds that station's sessions only.
fn one_station_per_station_log(log: &InputLog, input: &Path) -> Result<(), WarehouseError> {
    let merged: i64 = log.query_row("SELECT count(*) FROM merged", [], |r| r.get(0))?;
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

/// The type of a column sent to PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    /// `text`.
    Text,
    /// `bigint`.
    Int,
}

use Col::{Int, Text};

/// A warehouse table, the query that reads its rows from a log (the session key first,
/// then the warehouse's columns, after `session_id` for a child table), their types.
type Table = (&'static str, &'static str, &'static [Col]);

const SESSIONS: &Table = &(
    "sessions",
    "SELECT k, id, station, seq, tour, stop, context, source, scenario, trade, lang, pass_id, situation, age_band, started_wall_ms, started_mono_ms, clock_offset_ms, ended_wall_ms, ended_mono_ms, outcome, rev FROM sessions WHERE k BETWEEN ?1 AND ?2 ORDER BY k",
    &[
        Text, Text, Int, Text, Text, Text, Text, Text, Text, Text, Text, Text, Text, Int, Int, Int,
        Int, Int, Text, Int,
    ],
);
const CHILDREN: &[Table] = &[
    (
        "steps",
        "SELECT session, n, step, step_id, left_by, answer, ms, wall_ms, mono_ms FROM steps WHERE session BETWEEN ?1 AND ?2",
        &[Int, Int, Text, Text, Text, Int, Int, Int],
    ),
    (
        "profiles",
        "SELECT session, reading, strongest, holland, r, r_n, i, i_n, a, a_n, s, s_n, e, e_n, c, c_n, skills FROM profiles WHERE session BETWEEN ?1 AND ?2",
        &[
            Text, Text, Text, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Text,
        ],
    ),
    (
        "top_trades",
        "SELECT session, rank, trade FROM top_trades WHERE session BETWEEN ?1 AND ?2",
        &[Int, Text],
    ),
];

/// Refuses any session whose id, station or number clashes with the warehouse or another
/// input (the merge's collision rule), before anything is loaded. Returns the revision
/// of every input session the warehouse already holds.
fn check_identities(
    client: &mut Client,
    logs: &[(PathBuf, InputLog)],
) -> Result<HashMap<String, i64>, WarehouseError> {
    let mut tx = client.transaction()?;
    tx.batch_execute(
        "CREATE TEMP TABLE keys (id text NOT NULL, station text NOT NULL, seq bigint NOT NULL, log bigint NOT NULL) ON COMMIT DROP",
    )?;
    for (k, (input, log)) in logs.iter().enumerate() {
        let mut copy = BinaryCopy::start(&mut tx, "COPY keys FROM STDIN (FORMAT binary)")?;
        let mut stmt = log.prepare("SELECT id, station, seq FROM sessions")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            copy.row(4);
            for (c, col) in [Text, Text, Int].into_iter().enumerate() {
                copy.value(r.get_ref(c)?, col, input)?;
            }
            copy.int(k as i64);
            copy.flush_if_full()?;
        }
        copy.finish()?;
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
        let (id, station, seq, log): (String, String, i64, i64) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        let p = crate::domain::text::printable;
        return Err(WarehouseError::Refused(format!(
            "{} : la session {} (borne {}, n° {seq}) se dit d'une autre borne ou d'un autre numéro que dans l'entrepôt ou un autre journal : rien n'a été chargé / session {} (station {}, no. {seq}) claims another station or number than in the warehouse or another log: nothing was loaded",
            logs[log as usize].0.display(),
            p(&id),
            p(&station),
            p(&id),
            p(&station)
        )));
    }
    let stored = tx
        .query(
            "SELECT DISTINCT m.id, m.rev FROM keys a JOIN klub.sessions m ON m.id = a.id",
            &[],
        )?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    tx.commit()?;
    Ok(stored)
}

/// Loads one log, batch by batch. `known` holds the revision of every session of the
/// inputs that the warehouse holds, this push's included; `checking`, until it is waited
/// for before the first commit, the inputs' check still under way.
fn push_log(
    client: &mut Client,
    (log, input): (&InputLog, &Path),
    (fence, batch): (i64, usize),
    known: &mut HashMap<String, i64>,
    checking: &mut Option<Checking>,
    report: &mut PushReport,
    progress: &mut impl FnMut(&Path, &PushReport),
) -> Result<(), WarehouseError> {
    let keys: Vec<i64> = log
        .prepare("SELECT k FROM sessions ORDER BY k")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for chunk in keys.chunks(batch) {
        let range = [chunk[0], chunk[chunk.len() - 1]];
        // Each batch's reads get the input's whole time limit (not one for the push).
        input::limit_time(log, log.limit());
        let (taken, stale) = choose(log, range, fence, known, report)?;
        let mut tx = client.transaction()?;
        if !stale.is_empty() {
            // Their steps, profile and trades go with them (ON DELETE CASCADE).
            tx.execute("DELETE FROM klub.sessions WHERE id = ANY($1)", &[&stale])?;
        }
        if !taken.is_empty() {
            let mut reach = Reach::default();
            copy_rows(&mut tx, log, input, SESSIONS, range, &taken, &mut reach)?;
            for table in CHILDREN {
                copy_rows(&mut tx, log, input, table, range, &taken, &mut reach)?;
            }
            reach.copy(&mut tx)?;
        }
        if let Some(c) = checking.take() {
            // A refused input drops this first transaction: nothing was committed.
            c.wait()?;
        }
        tx.commit()?;
        report.batches += 1;
        progress(input, report);
    }
    Ok(())
}

/// Chooses the sessions of keys `range` to send: those the warehouse lacks or holds at an
/// older revision, none from before the purge fence. Returns their ids by key, and the
/// ids of the stored sessions they replace.
fn choose(
    log: &InputLog,
    range: [i64; 2],
    fence: i64,
    known: &mut HashMap<String, i64>,
    report: &mut PushReport,
) -> Result<(HashMap<i64, Vec<u8>>, Vec<String>), WarehouseError> {
    let mut taken = HashMap::new();
    let mut stale = vec![];
    let mut stmt = log.prepare_cached(
        "SELECT k, id, started_wall_ms, clock_offset_ms, rev FROM sessions WHERE k BETWEEN ?1 AND ?2",
    )?;
    let mut rows = stmt.query(range)?;
    while let Some(r) = rows.next()? {
        let (k, id): (i64, String) = (r.get(0)?, r.get(1)?);
        let (wall, offset, rev): (i64, i64, i64) = (r.get(2)?, r.get(3)?, r.get(4)?);
        if wall.saturating_add(offset) < fence {
            report.past_retention += 1;
            continue;
        }
        match known.get(&id) {
            Some(had) if *had >= rev => {
                report.unchanged += 1;
                continue;
            }
            Some(_) => {
                report.updated += 1;
                stale.push(id.clone());
            }
            None => report.added += 1,
        }
        taken.insert(k, id.clone().into_bytes());
        known.insert(id, rev);
    }
    Ok((taken, stale))
}

/// Each sent session's reach (`klub.session_reach`), gathered from its step rows as they
/// are sent (by session, then order shown).
#[derive(Default)]
struct Reach(Vec<(Vec<u8>, SessionReach)>);

/// The steps a session showed, each with the id of its first row, and its last one.
#[derive(Default)]
struct SessionReach {
    first_ids: std::collections::BTreeMap<i64, Option<Vec<u8>>>,
    last: i64,
}

impl Reach {
    fn add(&mut self, id: &[u8], step: i64, step_id: Option<&[u8]>) {
        if self.0.last().is_none_or(|(last, _)| last.as_slice() != id) {
            self.0.push((id.to_vec(), SessionReach::default()));
        }
        if let Some((_, r)) = self.0.last_mut() {
            r.first_ids
                .entry(step)
                .or_insert_with(|| step_id.map(<[u8]>::to_vec));
            r.last = step;
        }
    }

    fn copy(self, tx: &mut Transaction<'_>) -> Result<(), WarehouseError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let mut copy = BinaryCopy::start(
            tx,
            "COPY klub.session_reach (session_id, steps, step_ids, last_step) FROM STDIN (FORMAT binary)",
        )?;
        for (id, r) in self.0 {
            copy.row(4);
            copy.text(&id);
            copy.array(
                INT8,
                r.first_ids.keys().map(|s| Some(s.to_be_bytes().to_vec())),
            );
            copy.array(TEXT, r.first_ids.into_values());
            copy.int(r.last);
            copy.flush_if_full()?;
        }
        copy.finish()
    }
}

/// PostgreSQL's type ids of `bigint` and `text`, for binary arrays.
const INT8: u32 = 20;
const TEXT: u32 = 25;

/// Sends the rows of one table whose session was taken: a child table's rows under their
/// session's id, first column; step rows also go to `reach`.
fn copy_rows(
    tx: &mut Transaction<'_>,
    log: &InputLog,
    input: &Path,
    (table, sql, cols): &Table,
    range: [i64; 2],
    taken: &HashMap<i64, Vec<u8>>,
    reach: &mut Reach,
) -> Result<(), WarehouseError> {
    let mut copy = BinaryCopy::start(tx, &format!("COPY klub.{table} FROM STDIN (FORMAT binary)"))?;
    let child = *table != "sessions";
    let steps = *table == "steps";
    let fields = cols.len() + usize::from(child);
    let mut stmt = log.prepare_cached(sql)?;
    let mut rows = stmt.query(range)?;
    let (mut current, mut id) = (i64::MIN, None);
    while let Some(r) = rows.next()? {
        let k: i64 = r.get(0)?;
        if k != current {
            current = k;
            id = taken.get(&k);
        }
        let Some(id) = id else { continue };
        copy.row(fields);
        if child {
            copy.text(id);
        }
        for (c, col) in cols.iter().enumerate() {
            copy.value(r.get_ref(c + 1)?, *col, input)?;
        }
        if steps {
            // (session, n, step, step_id, …): the types were just checked.
            reach.add(
                id,
                r.get(2)?,
                r.get_ref(3)?
                    .as_bytes_or_null()
                    .map_err(rusqlite::Error::from)?,
            );
        }
        copy.flush_if_full()?;
    }
    copy.finish()
}

/// PostgreSQL's binary `COPY` format, written by hand into a buffer sent by megabytes.
struct BinaryCopy<'a> {
    writer: postgres::CopyInWriter<'a>,
    buf: Vec<u8>,
}

/// The binary format's signature, flags and header extension length.
const COPY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

impl<'a> BinaryCopy<'a> {
    fn start(tx: &'a mut Transaction<'_>, sql: &str) -> Result<BinaryCopy<'a>, WarehouseError> {
        let mut buf = Vec::with_capacity(1 << 21);
        buf.extend_from_slice(COPY_HEADER);
        Ok(BinaryCopy {
            writer: tx.copy_in(sql)?,
            buf,
        })
    }

    fn row(&mut self, fields: usize) {
        self.buf
            .extend_from_slice(&i16::try_from(fields).unwrap_or(i16::MAX).to_be_bytes());
    }

    fn int(&mut self, n: i64) {
        self.buf.extend_from_slice(&8i32.to_be_bytes());
        self.buf.extend_from_slice(&n.to_be_bytes());
    }

    fn text(&mut self, t: &[u8]) {
        self.buf
            .extend_from_slice(&i32::try_from(t.len()).unwrap_or(i32::MAX).to_be_bytes());
        self.buf.extend_from_slice(t);
    }

    /// One value of a log, of the type its column must have (STRICT tables, but a file
    /// could be crafted): anything else is refused.
    fn value(&mut self, v: ValueRef<'_>, col: Col, input: &Path) -> Result<(), WarehouseError> {
        match (v, col) {
            (ValueRef::Null, _) => self.buf.extend_from_slice(&(-1i32).to_be_bytes()),
            (ValueRef::Integer(n), Int) => self.int(n),
            (ValueRef::Text(t), Text) => self.text(t),
            _ => {
                return Err(WarehouseError::Refused(format!(
                    "{} : valeur d'un type inattendu dans le journal / value of an unexpected type in the log",
                    input.display()
                )));
            }
        }
        Ok(())
    }

    /// A one-dimensional array of `elem` values (each already in binary form, or NULL).
    fn array(&mut self, elem: u32, values: impl ExactSizeIterator<Item = Option<Vec<u8>>>) {
        let n = values.len();
        let mut body = Vec::with_capacity(20 + 12 * n);
        body.extend_from_slice(&1i32.to_be_bytes());
        let flags = body.len();
        body.extend_from_slice(&0i32.to_be_bytes());
        body.extend_from_slice(&elem.to_be_bytes());
        body.extend_from_slice(&i32::try_from(n).unwrap_or(i32::MAX).to_be_bytes());
        body.extend_from_slice(&1i32.to_be_bytes());
        for v in values {
            match v {
                Some(b) => {
                    body.extend_from_slice(
                        &i32::try_from(b.len()).unwrap_or(i32::MAX).to_be_bytes(),
                    );
                    body.extend_from_slice(&b);
                }
                None => {
                    body[flags + 3] = 1;
                    body.extend_from_slice(&(-1i32).to_be_bytes());
                }
            }
        }
        self.text(&body);
    }

    fn flush_if_full(&mut self) -> Result<(), WarehouseError> {
        if self.buf.len() >= 1 << 20 {
            self.writer.write_all(&self.buf).map_err(copy_io)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), WarehouseError> {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        self.writer.write_all(&self.buf).map_err(copy_io)?;
        self.writer.finish()?;
        Ok(())
    }
}

fn copy_io(e: std::io::Error) -> WarehouseError {
    WarehouseError::Io {
        path: PathBuf::from("COPY"),
        source: e,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn binary_copy_header_is_postgres_signature() {
        assert_eq!(super::COPY_HEADER.len(), 19);
        assert!(super::COPY_HEADER.starts_with(b"PGCOPY\n\xff\r\n\0"));
    }
}
