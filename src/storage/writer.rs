//! The station's log writer: a thread that owns the SQLite connection, fed by a channel, so
//! that no frame ever waits for the disk.
//!
//! # API (stable; the Bevy station uses it)
//!
//! ```no_run
//! use klub_kiosk::storage::record::{Clock, Record, SessionStart};
//! use klub_kiosk::storage::writer::{LogWriter, StationInfo};
//! # fn demo(scenario: &klub_kiosk::domain::scenario::Scenario) -> Result<(), klub_kiosk::storage::StorageError> {
//! use klub_kiosk::domain::session::{Session, SessionId, Source};
//! use klub_kiosk::domain::text::Lang;
//! let clock = Clock::default();
//! let (log, report) = LogWriter::open("data/klub-log.db".as_ref(), StationInfo { station_id: "borne-1".into() })?;
//! // Tell the facilitator if `report.moved_aside` is set or `report.interrupted > 0`.
//! let id = SessionId::random().expect("the OS random generator");
//! let (mut session, events) = Session::start(scenario, id, Source::Visitor, Lang::Fr, 0);
//! let mut start = SessionStart::new(scenario, id, Source::Visitor, Lang::Fr, clock.now());
//! start.stop = Some("chartres".into()); // and tour, context, situation, age_band, pass, clock_offset_ms
//! log.send(Record::Start(Box::new(start)));
//! log.send_events(id, events, clock.now());    // every Vec<Event> a Session method returns
//! // … at the end: `Record::Result` with the profile and top trades (before or after `Ended`).
//! let status = log.status();                  // each frame or each second: warn if !status.healthy
//! # Ok(()) }
//! ```
//!
//! - [`LogWriter::open`] checks the file (moving a damaged one aside as
//!   `<db>.damaged-<UTC time>`, never deleting it), refuses a newer or foreign one, upgrades
//!   an older one, and marks the sessions a power cut left open as `interrupted`.
//! - [`LogWriter::send`] never blocks. Records are committed in order, in small
//!   transactions; each commit is synced to disk (WAL, `synchronous=FULL`), normally a few
//!   milliseconds after the tap.
//! - On a disk full or an I/O error, nothing is lost from memory: the writer keeps the
//!   records, retries with a growing pause (up to 2 s), and [`LogWriter::status`] says
//!   `healthy: false` with the error for the facilitator panel. A record the schema refuses
//!   (which the station should never produce) is dropped and counted in `rejected`.
//! - [`LogWriter::wait_durable`] and [`LogWriter::flush`] block until records are on disk:
//!   for `klub simulate`, tests and shutdown only, never in a frame.
//! - Dropping the writer flushes what it can within 3 s.

use crate::domain::ids::is_id;
use crate::domain::session::{Event, SessionId};
use crate::storage::record::{self, Record, Stamp};
use crate::storage::{StorageError, db, schema};
use rusqlite::{Connection, params};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Most records written in one transaction.
const BATCH: usize = 2_000;
/// Longest pause between retries after a disk error.
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// How long dropping the writer waits for pending records.
const DROP_FLUSH: Duration = Duration::from_secs(3);
/// Ended sessions remembered, so a late `Result` still finds its session.
const RECENT: usize = 256;

/// What the log needs to know about the station.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StationInfo {
    /// Station id, as in its config (`borne-1`).
    pub station_id: String,
}

/// What happened when the log was opened, for the facilitator.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenReport {
    /// Where a damaged file was moved, if it was.
    pub moved_aside: Option<PathBuf>,
    /// What was wrong with it.
    pub damage: Option<String>,
    /// Sessions left open by a power cut or crash, now marked `interrupted`.
    pub interrupted: usize,
    /// Whether the log was created.
    pub created: bool,
    /// The schema version an older log was upgraded from.
    pub upgraded_from: Option<u32>,
    /// `PRAGMA journal_mode` read back from the writer's connection.
    pub journal_mode: String,
    /// `PRAGMA synchronous` read back (2 = FULL).
    pub synchronous: i64,
}

/// A record's place in the log's order, to wait for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ticket(pub u64);

/// The writer's health, for the facilitator panel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// False while writes fail (disk full, I/O error); they are being retried.
    pub healthy: bool,
    /// The last write error, kept until a write succeeds.
    pub last_error: Option<String>,
    /// Records sent but not yet on disk.
    pub pending: u64,
    /// Every record up to this ticket is on disk (or was rejected).
    pub durable: u64,
    /// Records committed since open.
    pub committed: u64,
    /// Records the log refused, and why the last one was.
    pub rejected: u64,
    /// Why the last rejected record was refused.
    pub last_rejection: Option<String>,
}

struct Shared {
    status: Mutex<Status>,
    cv: Condvar,
}

enum Msg {
    Rec(u64, Record),
    PageLimit(Option<u32>),
    Stop,
}

/// The station's handle on its log. `Send + Sync`: keep it in a Bevy resource.
pub struct LogWriter {
    tx: Mutex<(u64, Sender<Msg>)>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    path: PathBuf,
}

impl std::fmt::Debug for LogWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogWriter")
            .field("path", &self.path)
            .finish()
    }
}

/// Moves a damaged log and its side files aside; returns the new name.
fn move_aside(path: &Path) -> Result<PathBuf, StorageError> {
    let stamp = crate::storage::time::utc_stamp(crate::storage::time::now_ms());
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".damaged-{stamp}"));
    let mut aside = PathBuf::from(name);
    let mut k = 1;
    while aside.exists() {
        let mut n = path.as_os_str().to_owned();
        n.push(format!(".damaged-{stamp}-{k}"));
        aside = PathBuf::from(n);
        k += 1;
    }
    std::fs::rename(path, &aside).map_err(|e| StorageError::Io {
        path: path.to_owned(),
        source: e,
    })?;
    for (side, suffix) in db::side_files(path).iter().zip(["-wal", "-shm"]) {
        if side.exists() {
            let mut n = aside.as_os_str().to_owned();
            n.push(suffix);
            let _ = std::fs::rename(side, PathBuf::from(n));
        }
    }
    db::sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(aside)
}

/// Checks an existing file before anything writes to it.
fn precheck(path: &Path) -> Result<(), StorageError> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| schema::classify(e, path))?;
    conn.busy_timeout(Duration::from_secs(10))?;
    schema::inspect(&conn, path)?;
    db::check(&conn, path)
}

impl LogWriter {
    /// Opens (or creates) the log and starts the writer thread. See the module doc.
    pub fn open(path: &Path, info: StationInfo) -> Result<(LogWriter, OpenReport), StorageError> {
        if !is_id(&info.station_id) {
            return Err(StorageError::Invalid(format!(
                "identifiant de borne invalide « {} » / invalid station id",
                info.station_id
            )));
        }
        let mut report = OpenReport::default();
        let exists = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        if exists {
            match precheck(path) {
                Ok(()) => {}
                Err(StorageError::Damaged { detail, .. }) => {
                    report.moved_aside = Some(move_aside(path)?);
                    report.damage = Some(detail);
                }
                Err(e) => return Err(e),
            }
        }
        let (conn, from) = db::open_rw(path)?;
        report.created = from == 0 && !exists || report.moved_aside.is_some();
        if from > 0 && from < schema::LATEST {
            report.upgraded_from = Some(from);
        }
        let (mode, sync, _) = db::pragmas(&conn)?;
        report.journal_mode = mode;
        report.synchronous = sync;
        report.interrupted = conn.execute(
            "UPDATE sessions SET outcome = 'interrupted', rev = rev + 1 WHERE station = ?1 AND outcome IS NULL",
            [&info.station_id],
        )?;
        let next_seq: i64 = conn.query_row(
            "SELECT coalesce(max(seq), 0) + 1 FROM sessions WHERE station = ?1",
            [&info.station_id],
            |r| r.get(0),
        )?;
        let next_key: i64 =
            conn.query_row("SELECT coalesce(max(k), 0) + 1 FROM sessions", [], |r| {
                r.get(0)
            })?;
        let shared = Arc::new(Shared {
            status: Mutex::new(Status {
                healthy: true,
                ..Status::default()
            }),
            cv: Condvar::new(),
        });
        let (tx, rx) = mpsc::channel();
        let worker = Worker {
            conn,
            station: info.station_id,
            next_seq,
            next_key,
            live: HashMap::new(),
            recent: VecDeque::new(),
            queue: VecDeque::new(),
            rx,
            shared: shared.clone(),
            stopping: None,
        };
        let thread = std::thread::Builder::new()
            .name("klub-log".into())
            .spawn(move || worker.run())
            .map_err(|e| StorageError::Io {
                path: path.to_owned(),
                source: e,
            })?;
        Ok((
            LogWriter {
                tx: Mutex::new((0, tx)),
                shared,
                thread: Some(thread),
                path: path.to_owned(),
            },
            report,
        ))
    }

    /// Queues a record; never blocks on the disk.
    pub fn send(&self, record: Record) -> Ticket {
        let mut g = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        g.0 += 1;
        let t = g.0;
        if g.1.send(Msg::Rec(t, record)).is_err() {
            let mut s = self.lock();
            s.healthy = false;
            s.last_error = Some("le journal est arrêté / the log writer has stopped".into());
        }
        Ticket(t)
    }

    /// Queues the events a [`crate::domain::session::Session`] method returned.
    pub fn send_events(&self, id: SessionId, events: Vec<Event>, at: Stamp) -> Ticket {
        let mut last = Ticket(self.tx.lock().unwrap_or_else(|e| e.into_inner()).0);
        for event in events {
            last = self.send(Record::Event { id, event, at });
        }
        last
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Status> {
        self.shared.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The writer's health and how far it got.
    pub fn status(&self) -> Status {
        let sent = self.tx.lock().unwrap_or_else(|e| e.into_inner()).0;
        let mut s = self.lock().clone();
        s.pending = sent.saturating_sub(s.durable);
        s
    }

    /// Waits until a record is on disk (or rejected); false on timeout.
    pub fn wait_durable(&self, t: Ticket, timeout: Duration) -> bool {
        let g = self.lock();
        let (g, _) = self
            .shared
            .cv
            .wait_timeout_while(g, timeout, |s| s.durable < t.0)
            .unwrap_or_else(|e| e.into_inner());
        g.durable >= t.0
    }

    /// Waits until everything sent so far is on disk; false on timeout.
    pub fn flush(&self, timeout: Duration) -> bool {
        let sent = self.tx.lock().unwrap_or_else(|e| e.into_inner()).0;
        self.wait_durable(Ticket(sent), timeout)
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Test hook: caps the file at `pages` pages (`PRAGMA max_page_count` on the writer's
    /// connection) to make the disk look full; `None` lifts the cap.
    #[doc(hidden)]
    pub fn set_page_limit(&self, pages: Option<u32>) {
        let g = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        let _ = g.1.send(Msg::PageLimit(pages));
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        let _ = self
            .tx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A record turned into rows, with its keys and sequence numbers fixed, so a retry writes
/// the very same rows. `k` is the session's integer key; every op also bumps its `rev`.
enum Op {
    Start(Box<record::SessionStart>, i64, i64),
    /// A new row in `steps`: a step shown (`left_by` empty), or a step left without a row
    /// on screen for it (which the session engine never produces), so nothing is lost.
    Step {
        k: i64,
        n: i64,
        step: i64,
        step_id: Option<String>,
        left_by: Option<&'static str>,
        answer: Option<String>,
        ms: Option<i64>,
        at: Stamp,
    },
    /// The step on screen (row `n`) was left.
    Leave {
        k: i64,
        n: i64,
        left_by: &'static str,
        answer: Option<String>,
        ms: i64,
    },
    /// A left event with no row to carry it (`back` from the end screen): only the revision.
    Touch(i64),
    End {
        k: i64,
        outcome: &'static str,
        at: Stamp,
        /// The row still on screen and the time spent on it.
        open: Option<(i64, i64)>,
    },
    Declared {
        k: i64,
        situation: &'static str,
        age_band: &'static str,
    },
    Result(Box<record::SessionResult>, i64),
    Rejected(String),
}

/// The step row on screen: its number, step index and when it was shown.
#[derive(Clone, Copy)]
struct Open {
    n: i64,
    step: usize,
    mono_ms: u64,
}

struct Live {
    k: i64,
    next_n: i64,
    open: Option<Open>,
    step_ids: Arc<Vec<String>>,
}

struct Worker {
    conn: Connection,
    station: String,
    next_seq: i64,
    next_key: i64,
    live: HashMap<SessionId, Live>,
    recent: VecDeque<(SessionId, Live)>,
    queue: VecDeque<(u64, Op)>,
    rx: Receiver<Msg>,
    shared: Arc<Shared>,
    stopping: Option<Instant>,
}

fn opt_id(s: &Option<String>, what: &'static str) -> Result<(), StorageError> {
    match s {
        Some(v) if !is_id(v) => Err(StorageError::BadId { fr: what, en: what }),
        _ => Ok(()),
    }
}

impl Worker {
    fn lock(&self) -> std::sync::MutexGuard<'_, Status> {
        self.shared.status.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a record refused at the head of the queue.
    fn reject(&self, ticket: u64, why: String) {
        let mut s = self.lock();
        s.rejected += 1;
        s.last_rejection = Some(why);
        s.durable = s.durable.max(ticket);
        self.shared.cv.notify_all();
    }

    fn session(&mut self, id: &SessionId) -> Option<&mut Live> {
        if self.live.contains_key(id) {
            return self.live.get_mut(id);
        }
        self.recent
            .iter_mut()
            .find(|(k, _)| k == id)
            .map(|(_, l)| l)
    }

    fn prepare(&mut self, r: Record) -> Result<Op, StorageError> {
        match r {
            Record::Start(s) => {
                if !is_id(&s.scenario) {
                    return Err(StorageError::BadId {
                        fr: "scénario",
                        en: "scenario",
                    });
                }
                opt_id(&s.trade, "trade")?;
                opt_id(&s.tour, "tour")?;
                opt_id(&s.stop, "stop")?;
                if self.session(&s.id).is_some() {
                    return Err(StorageError::AlreadyStarted(s.id));
                }
                let seq = self.next_seq;
                self.next_seq += 1;
                let k = self.next_key;
                self.next_key += 1;
                let ids = s
                    .step_ids
                    .iter()
                    .map(|i| if is_id(i) { i.clone() } else { String::new() })
                    .collect();
                self.live.insert(
                    s.id,
                    Live {
                        k,
                        next_n: 0,
                        open: None,
                        step_ids: Arc::new(ids),
                    },
                );
                Ok(Op::Start(s, seq, k))
            }
            Record::Event { id, event, at } => {
                if let Some(outcome) = record::ended(&event) {
                    let live = self.session(&id).ok_or(StorageError::UnknownSession(id))?;
                    let k = live.k;
                    let open = live.open.take().map(|o| {
                        (
                            o.n,
                            at.mono_ms.saturating_sub(o.mono_ms).min(i64::MAX as u64) as i64,
                        )
                    });
                    if let Some(l) = self.live.remove(&id) {
                        self.recent.push_back((id, l));
                        if self.recent.len() > RECENT {
                            self.recent.pop_front();
                        }
                    }
                    return Ok(Op::End {
                        k,
                        outcome: outcome.id(),
                        at,
                        open,
                    });
                }
                let live = self.session(&id).ok_or(StorageError::UnknownSession(id))?;
                let k = live.k;
                let clamp = |m: u64| m.min(i64::MAX as u64) as i64;
                let (step, left_by, answer, ms) = match &event {
                    Event::Shown { step } => {
                        let n = live.next_n;
                        live.next_n += 1;
                        live.open = Some(Open {
                            n,
                            step: *step,
                            mono_ms: at.mono_ms,
                        });
                        return Ok(Op::Step {
                            k,
                            n,
                            step: *step as i64,
                            step_id: live.step_ids.get(*step).filter(|s| !s.is_empty()).cloned(),
                            left_by: None,
                            answer: None,
                            ms: None,
                            at,
                        });
                    }
                    Event::Answered { step, answer, ms } => (
                        *step,
                        "answered",
                        Some(record::encode_answer(answer)),
                        clamp(*ms),
                    ),
                    Event::Skipped { step, ms } => (*step, "skipped", None, clamp(*ms)),
                    Event::Back { from, .. } => {
                        let spent = live
                            .open
                            .map_or(0, |o| clamp(at.mono_ms.saturating_sub(o.mono_ms)));
                        (*from, "back", None, spent)
                    }
                    Event::Ended { .. } => unreachable!("handled above"),
                };
                match live.open {
                    Some(o) if o.step == step => {
                        live.open = None;
                        Ok(Op::Leave {
                            k,
                            n: o.n,
                            left_by,
                            answer,
                            ms,
                        })
                    }
                    // `back` from the end screen: the step shown next says where it went.
                    _ if left_by == "back" => Ok(Op::Touch(k)),
                    _ => {
                        let n = live.next_n;
                        live.next_n += 1;
                        Ok(Op::Step {
                            k,
                            n,
                            step: step as i64,
                            step_id: live.step_ids.get(step).filter(|s| !s.is_empty()).cloned(),
                            left_by: Some(left_by),
                            answer,
                            ms: Some(ms),
                            // Shown when it was left, less the time spent on it.
                            at: Stamp {
                                wall_ms: at.wall_ms.saturating_sub(ms),
                                mono_ms: at.mono_ms.saturating_sub(ms as u64),
                            },
                        })
                    }
                }
            }
            Record::Declared {
                id,
                situation,
                age_band,
            } => {
                let k = self.session(&id).ok_or(StorageError::UnknownSession(id))?.k;
                Ok(Op::Declared {
                    k,
                    situation: situation.id(),
                    age_band: age_band.id(),
                })
            }
            Record::Result(r) => {
                let k = self
                    .session(&r.id)
                    .ok_or(StorageError::UnknownSession(r.id))?
                    .k;
                if r.top_trades.iter().any(|t| !is_id(t)) {
                    return Err(StorageError::BadId {
                        fr: "métier",
                        en: "trade",
                    });
                }
                Ok(Op::Result(r, k))
            }
        }
    }

    fn take(&mut self, m: Msg) {
        match m {
            Msg::Rec(t, r) => match self.prepare(r) {
                Ok(op) => self.queue.push_back((t, op)),
                // Kept in the queue so the durable watermark stays in order.
                Err(why) => self.queue.push_back((t, Op::Rejected(why.to_string()))),
            },
            Msg::PageLimit(p) => {
                let n = p.map_or(4_294_967_294_i64, i64::from);
                let _ = self.conn.pragma_update(None, "max_page_count", n);
            }
            Msg::Stop => {
                self.stopping.get_or_insert_with(Instant::now);
            }
        }
    }

    fn run(mut self) {
        let mut backoff = Duration::from_millis(50);
        loop {
            if self.queue.is_empty() {
                if self.stopping.is_some() {
                    return;
                }
                match self.rx.recv() {
                    Ok(m) => self.take(m),
                    Err(_) => return,
                }
            }
            while self.queue.len() < BATCH {
                match self.rx.try_recv() {
                    Ok(m) => self.take(m),
                    Err(_) => break,
                }
            }
            if self.queue.is_empty() {
                continue;
            }
            let n = self.queue.len().min(BATCH);
            match self.write(n) {
                Ok(()) => {
                    backoff = Duration::from_millis(50);
                    self.done(n);
                }
                Err(e) if !e.is_transient() => {
                    // One record the schema refuses must not hold the others back.
                    if let Err(e) = self.write_one_by_one(n) {
                        self.failed(&e);
                    }
                }
                Err(e) => {
                    self.failed(&e);
                    if self.stopping.is_some_and(|t| t.elapsed() > DROP_FLUSH) {
                        return;
                    }
                    match self.rx.recv_timeout(backoff) {
                        Ok(m) => self.take(m),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => {
                            self.stopping.get_or_insert_with(Instant::now);
                        }
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    fn failed(&self, e: &StorageError) {
        let mut s = self.lock();
        s.healthy = false;
        s.last_error = Some(e.to_string());
    }

    fn done(&mut self, n: usize) {
        let ops: Vec<(u64, Op)> = self.queue.drain(..n).collect();
        let mut s = self.shared.status.lock().unwrap_or_else(|e| e.into_inner());
        s.healthy = true;
        s.last_error = None;
        for (t, op) in ops {
            if let Op::Rejected(why) = op {
                s.rejected += 1;
                s.last_rejection = Some(why);
            } else {
                s.committed += 1;
            }
            s.durable = s.durable.max(t);
        }
        self.shared.cv.notify_all();
    }

    fn write_one_by_one(&mut self, n: usize) -> Result<(), StorageError> {
        for _ in 0..n {
            match self.write(1) {
                Ok(()) => self.done(1),
                Err(e) if !e.is_transient() => {
                    if let Some((t, op)) = self.queue.pop_front() {
                        if let Op::Start(s, _, _) = &op {
                            self.live.remove(&s.id);
                        }
                        self.reject(t, e.to_string());
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn write(&mut self, n: usize) -> Result<(), StorageError> {
        let res = self.try_write(n);
        if res.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        res
    }

    fn try_write(&mut self, n: usize) -> Result<(), StorageError> {
        let tx = self.conn.transaction()?;
        for (_, op) in self.queue.iter().take(n) {
            write_op(&tx, &self.station, op)?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Bumps a session's revision: a merge takes a copy of a session whose `rev` is higher.
fn touch(c: &Connection, k: i64) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE sessions SET rev = rev + 1 WHERE k = ?1")?
        .execute([k])?;
    Ok(())
}

fn write_op(c: &Connection, station: &str, op: &Op) -> rusqlite::Result<()> {
    match op {
        Op::Start(s, seq, k) => {
            c.prepare_cached(
                "INSERT INTO sessions (k, id, station, seq, tour, stop, context, source, scenario, trade, lang, pass_id, situation, age_band, started_wall_ms, started_mono_ms, clock_offset_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )?
            .execute(params![
                k,
                s.id.to_string(),
                station,
                seq,
                s.tour,
                s.stop,
                s.context.id(),
                s.source.id(),
                s.scenario,
                s.trade,
                s.lang.code(),
                s.pass.map(|p| p.to_string()),
                s.situation.id(),
                s.age_band.id(),
                s.at.wall_ms,
                s.at.mono_ms as i64,
                s.clock_offset_ms,
            ])?;
        }
        Op::Step {
            k,
            n,
            step,
            step_id,
            left_by,
            answer,
            ms,
            at,
        } => {
            c.prepare_cached(
                "INSERT INTO steps (session, n, step, step_id, left_by, answer, ms, wall_ms, mono_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                k,
                n,
                step,
                step_id,
                left_by,
                answer,
                ms,
                at.wall_ms,
                at.mono_ms as i64
            ])?;
            touch(c, *k)?;
        }
        Op::Leave {
            k,
            n,
            left_by,
            answer,
            ms,
        } => {
            c.prepare_cached(
                "UPDATE steps SET left_by = ?3, answer = ?4, ms = ?5 WHERE session = ?1 AND n = ?2",
            )?
            .execute(params![k, n, left_by, answer, ms])?;
            touch(c, *k)?;
        }
        Op::Touch(k) => touch(c, *k)?,
        Op::End {
            k,
            outcome,
            at,
            open,
        } => {
            c.prepare_cached(
                "UPDATE sessions SET outcome = ?2, ended_wall_ms = ?3, ended_mono_ms = ?4, rev = rev + 1 WHERE k = ?1 AND outcome IS NULL",
            )?
            .execute(params![k, outcome, at.wall_ms, at.mono_ms as i64])?;
            if let Some((n, ms)) = open {
                c.prepare_cached(
                    "UPDATE steps SET ms = ?3 WHERE session = ?1 AND n = ?2 AND left_by IS NULL",
                )?
                .execute(params![k, n, ms])?;
            }
        }
        Op::Declared {
            k,
            situation,
            age_band,
        } => {
            c.prepare_cached(
                "UPDATE sessions SET situation = ?2, age_band = ?3, rev = rev + 1 WHERE k = ?1",
            )?
            .execute(params![k, situation, age_band])?;
        }
        Op::Result(r, k) => {
            let p = &r.profile;
            let reading = p.reading();
            let skills = format!(
                "[{}]",
                p.skills
                    .iter()
                    .map(|d| format!("[{},{}]", d.score, d.evidence))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            c.prepare_cached(
                "INSERT OR REPLACE INTO profiles (session, reading, strongest, holland, r, r_n, i, i_n, a, a_n, s, s_n, e, e_n, c, c_n, skills)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )?
            .execute(params![
                k,
                record::reading_id(&reading),
                record::strongest_letters(&reading),
                p.holland_code(r.id.seed()),
                p.areas[0].score, p.areas[0].evidence,
                p.areas[1].score, p.areas[1].evidence,
                p.areas[2].score, p.areas[2].evidence,
                p.areas[3].score, p.areas[3].evidence,
                p.areas[4].score, p.areas[4].evidence,
                p.areas[5].score, p.areas[5].evidence,
                skills,
            ])?;
            c.prepare_cached("DELETE FROM top_trades WHERE session = ?1")?
                .execute([k])?;
            for (rank, t) in r.top_trades.iter().enumerate() {
                c.prepare_cached(
                    "INSERT INTO top_trades (session, rank, trade) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![k, rank as i64 + 1, t])?;
            }
            touch(c, *k)?;
        }
        Op::Rejected(_) => {}
    }
    Ok(())
}
