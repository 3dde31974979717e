//! The station's log: schema, privacy, pragmas, migrations, writer durability and failures.

mod support;

use klub_kiosk::domain::config::{AgeBand, Situation, VisitContext};
use klub_kiosk::domain::scoring::{Answer, DimScore, Profile};
use klub_kiosk::domain::session::{Event, Outcome, SessionId, Source};
use klub_kiosk::domain::text::Lang;
use klub_kiosk::storage::record::{Record, SessionResult, SessionStart, Stamp};
use klub_kiosk::storage::writer::{LogWriter, StationInfo};
use klub_kiosk::storage::{StorageError, db, schema};
use rusqlite::Connection;
use std::path::Path;
use std::time::{Duration, Instant};
use support::logs::count;

const MARIE: &str = "Marie Dupont, 12 rue des Lilas";

fn start(id: SessionId, wall: i64) -> SessionStart {
    SessionStart {
        id,
        pass: None,
        scenario: "talents-express".into(),
        trade: None,
        step_ids: vec!["accueil".into(), "atelier".into(), "fin".into()],
        lang: Lang::Fr,
        source: Source::Visitor,
        tour: Some("printemps-2026".into()),
        stop: Some("chartres".into()),
        context: VisitContext::College,
        situation: Situation::College,
        age_band: AgeBand::Moins16,
        clock_offset_ms: 0,
        at: Stamp {
            wall_ms: wall,
            mono_ms: 10,
        },
    }
}

fn at(ms: u64) -> Stamp {
    Stamp {
        wall_ms: 1_780_000_000_000 + ms as i64,
        mono_ms: ms,
    }
}

/// Sends a full three-step session; returns its id.
fn full_session(log: &LogWriter) -> SessionId {
    let id = SessionId::random().unwrap();
    log.send(Record::Start(Box::new(start(id, 1_780_000_000_000))));
    log.send_events(id, vec![Event::Shown { step: 0 }], at(10));
    log.send_events(
        id,
        vec![
            Event::Answered {
                step: 0,
                answer: Answer::Seen,
                ms: 900,
            },
            Event::Shown { step: 1 },
        ],
        at(910),
    );
    log.send_events(
        id,
        vec![
            Event::Answered {
                step: 1,
                answer: Answer::Multi(vec![0, 2]),
                ms: 4000,
            },
            Event::Shown { step: 2 },
        ],
        at(4910),
    );
    log.send_events(
        id,
        vec![Event::Answered {
            step: 2,
            answer: Answer::Choice(1),
            ms: 1000,
        }],
        at(5910),
    );
    let mut profile = Profile {
        areas: [DimScore {
            score: 50,
            evidence: 2,
        }; 6],
        skills: vec![DimScore {
            score: 100,
            evidence: 1,
        }],
    };
    profile.areas[0] = DimScore {
        score: 90,
        evidence: 3,
    };
    log.send(Record::Result(Box::new(SessionResult {
        id,
        profile,
        top_trades: vec!["soudeur".into(), "infirmier".into()],
    })));
    log.send_events(
        id,
        vec![Event::Ended {
            outcome: Outcome::Completed,
        }],
        at(6000),
    );
    id
}

/// Everything stored about a session, as text, to check it never changes.
fn digest(conn: &Connection, id: &str) -> String {
    let mut out = String::new();
    for sql in [
        "SELECT * FROM sessions WHERE id = ?1",
        "SELECT * FROM steps WHERE session = (SELECT k FROM sessions WHERE id = ?1) ORDER BY n",
        "SELECT * FROM profiles WHERE session = (SELECT k FROM sessions WHERE id = ?1)",
        "SELECT * FROM top_trades WHERE session = (SELECT k FROM sessions WHERE id = ?1) ORDER BY rank",
    ] {
        let mut st = conn.prepare(sql).unwrap();
        let n = st.column_count();
        let mut rows = st.query([id]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for k in 0..n {
                let v: rusqlite::types::Value = r.get(k).unwrap();
                out.push_str(&format!("{v:?}|"));
            }
            out.push('\n');
        }
    }
    out
}

fn open(path: &Path) -> (LogWriter, klub_kiosk::storage::writer::OpenReport) {
    LogWriter::open(
        path,
        StationInfo {
            station_id: "borne-1".into(),
        },
    )
    .unwrap()
}

#[test]
fn pragmas_are_set_on_every_connection() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("log.db");
    let (log, report) = open(&p);
    assert_eq!(
        (report.journal_mode.as_str(), report.synchronous),
        ("wal", 2)
    );
    full_session(&log);
    assert!(log.flush(Duration::from_secs(5)));
    drop(log);
    let (rw, _) = db::open_rw(&p).unwrap();
    assert_eq!(db::pragmas(&rw).unwrap(), ("wal".into(), 2, 1));
    drop(rw);
    // A log opened to be read is untrusted input, read `immutable` (nothing written beside
    // it): SQLite reads the file alone, and the file stays in WAL mode.
    let ro = db::open_ro(&p).unwrap();
    let (_, sync, fk) = db::pragmas(&ro).unwrap();
    assert_eq!((sync, fk), (2, 1));
    assert_eq!(std::fs::read(&p).unwrap()[18..20], [2, 2]);
    let snap = db::open_snapshot(&p, &dir.path().join("snap.db")).unwrap();
    assert_eq!(db::pragmas(&snap).unwrap(), ("wal".into(), 2, 1));
}

/// The session the privacy test's rows belong to, and the one it adds for each column.
const SESSION: &str = "0123456789abcdef0123456789abcdef";
const OTHER: &str = "fedcba9876543210fedcba9876543210";

/// A valid value for each column, by name, for a row of session `id`.
fn valid(col: &str, id: &str) -> rusqlite::types::Value {
    use rusqlite::types::Value::{Integer, Null, Text};
    match col {
        "id" => Text(id.into()),
        "k" | "session" => Integer(if id == SESSION { 1 } else { 2 }),
        "fingerprint" => Text(format!("{id}{id}")),
        "station" => Text("borne-1".into()),
        "tour" => Text("tour-1".into()),
        "stop" => Text("chartres".into()),
        "context" => Text("college".into()),
        "source" => Text("visitor".into()),
        "scenario" | "trade" | "step_id" => Text("soudure".into()),
        "lang" => Text("fr".into()),
        "pass_id" => Text("0123456789abcdef".into()),
        "situation" | "age_band" => Text("non_dit".into()),
        "outcome" => Text("completed".into()),
        "left_by" => Text("answered".into()),
        "answer" => Text("multi:0,2".into()),
        "reading" => Text("strengths".into()),
        "strongest" => Text("RI".into()),
        "holland" => Text("RIA".into()),
        "skills" => Text("[[50,1],[0,0]]".into()),
        "rank" | "seq" | "sessions" => Integer(1),
        _ if col.ends_with("_ms") || col == "n" || col == "step" || col.len() <= 3 => Integer(1),
        _ => Null,
    }
}

fn insert(
    conn: &Connection,
    table: &str,
    cols: &[String],
    vals: &[rusqlite::types::Value],
) -> rusqlite::Result<usize> {
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        cols.join(", "),
        (1..=cols.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    conn.execute(&sql, rusqlite::params_from_iter(vals.iter()))
}

#[test]
fn every_text_column_refuses_a_name_and_an_address() {
    let dir = tempfile::tempdir().unwrap();
    let (conn, _) = db::open_rw(&dir.path().join("log.db")).unwrap();
    let text_cols = schema::text_columns(&conn).unwrap();
    // sessions 13, steps 3, profiles 4, top_trades 1, merged 1: a new TEXT column must be
    // listed here and constrained.
    assert_eq!(text_cols.len(), 22, "{text_cols:?}");
    let session = SESSION;
    let tables = ["sessions", "steps", "profiles", "top_trades", "merged"];
    let cols_of = |t: &str| -> Vec<String> {
        let mut st = conn
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .unwrap();
        st.query_map([t], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    // Valid rows go in, so a refusal below is the free text's doing.
    for t in tables {
        let cols = cols_of(t);
        let vals: Vec<_> = cols.iter().map(|c| valid(c, session)).collect();
        insert(&conn, t, &cols, &vals).unwrap_or_else(|e| panic!("valid row of {t}: {e}"));
    }
    let mut refused = 0;
    for (t, col) in &text_cols {
        let cols = cols_of(t);
        let other = OTHER;
        if *t != "sessions" && *t != "merged" {
            // A parent session for the row (its own id must be valid unless it is the column tested).
            let scols = cols_of("sessions");
            let mut svals: Vec<_> = scols.iter().map(|c| valid(c, other)).collect();
            svals[scols.iter().position(|c| c == "seq").unwrap()] =
                rusqlite::types::Value::Integer(2);
            let _ = insert(&conn, "sessions", &scols, &svals);
        }
        let mut vals: Vec<_> = cols.iter().map(|c| valid(c, other)).collect();
        if *t == "sessions" {
            vals[cols.iter().position(|c| c == "seq").unwrap()] =
                rusqlite::types::Value::Integer(3);
        }
        vals[cols.iter().position(|c| c == col).unwrap()] =
            rusqlite::types::Value::Text(MARIE.into());
        let err = insert(&conn, t, &cols, &vals).expect_err(&format!("{t}.{col} took free text"));
        assert!(
            err.to_string().contains("CHECK constraint failed"),
            "{t}.{col}: {err}"
        );
        refused += 1;
        conn.execute("DELETE FROM sessions WHERE id = ?1", [other])
            .unwrap();
    }
    assert_eq!(refused, 22);
    let stored = count(
        &conn,
        "SELECT count(*) FROM sessions WHERE instr(id || station || coalesce(stop, ''), 'Marie') > 0",
        [],
    );
    assert_eq!(stored, 0);
    // Every TEXT column also refuses other free text: a lowercase word in an answer.
    let bad = conn.execute(
        "INSERT INTO steps (session, n, left_by, step, answer, wall_ms, mono_ms) VALUES (1, 9, 'answered', 0, 'choice:marie', 0, 0)",
        [],
    );
    assert!(bad.is_err());
    // An answer goes with `answered`, and only with it.
    for (left_by, answer) in [("skipped", "'seen'"), ("answered", "NULL")] {
        let bad = conn.execute(
            &format!("INSERT INTO steps (session, n, left_by, step, answer, wall_ms, mono_ms) VALUES (1, 9, '{left_by}', 0, {answer}, 0, 0)"),
            [],
        );
        assert!(bad.is_err(), "{left_by} with {answer}");
    }
}

fn hash(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn a_newer_log_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("log.db");
    {
        let (log, _) = open(&p);
        full_session(&log);
    }
    {
        let c = Connection::open(&p).unwrap();
        c.pragma_update(None, "user_version", schema::LATEST + 1)
            .unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    let before = hash(&p);
    let err = LogWriter::open(
        &p,
        StationInfo {
            station_id: "borne-1".into(),
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, StorageError::Newer { found, .. } if found == schema::LATEST + 1),
        "{err}"
    );
    assert!(err.to_string().contains("version plus récente"));
    assert!(matches!(db::open_rw(&p), Err(StorageError::Newer { .. })));
    assert_eq!(hash(&p), before);
    let moved: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("damaged"))
        .collect();
    assert!(moved.is_empty());
}

#[test]
fn a_foreign_sqlite_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("other.db");
    {
        let c = Connection::open(&p).unwrap();
        c.execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');")
            .unwrap();
    }
    let before = hash(&p);
    let err = LogWriter::open(
        &p,
        StationInfo {
            station_id: "borne-1".into(),
        },
    )
    .unwrap_err();
    assert!(matches!(err, StorageError::Foreign { .. }), "{err}");
    assert_eq!(hash(&p), before);
}

fn seed_v1(p: &Path) -> String {
    let c = Connection::open(p).unwrap();
    c.execute_batch(schema::MIGRATIONS[0]).unwrap();
    c.pragma_update(None, "application_id", schema::APP_ID)
        .unwrap();
    c.pragma_update(None, "user_version", 1).unwrap();
    let id = "00112233445566778899aabbccddeeff";
    c.execute(
        "INSERT INTO sessions (id, station, seq, context, source, scenario, lang, started_wall_ms, started_mono_ms) VALUES (?1, 'borne-1', 1, 'autre', 'visitor', 'talents', 'fr', 1, 1)",
        [id],
    )
    .unwrap();
    id.into()
}

#[test]
fn an_older_log_is_upgraded_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v1.db");
    let id = seed_v1(&p);
    let (log, report) = open(&p);
    assert_eq!(report.upgraded_from, Some(1));
    assert!(!report.created);
    // The open session of v1 was cut by the upgrade's "power cut": marked interrupted.
    assert_eq!(report.interrupted, 1);
    drop(log);
    let c = Connection::open(&p).unwrap();
    let v: u32 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, schema::LATEST);
    let idx = count(
        &c,
        "SELECT count(*) FROM sqlite_schema WHERE name = 'sessions_by_stop'",
        [],
    );
    assert_eq!(idx, 1);
    let outcome: String = c
        .query_row("SELECT outcome FROM sessions WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(outcome, "interrupted");
    // A fresh file is created at the latest version.
    let (_, r) = open(&dir.path().join("new.db"));
    assert!(r.created);
    assert_eq!(r.upgraded_from, None);
}

#[test]
fn a_failing_migration_rolls_back_entirely() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v1.db");
    seed_v1(&p);
    let mut c = Connection::open(&p).unwrap();
    let broken = [
        schema::MIGRATIONS[0],
        "CREATE INDEX half_done ON sessions (stop); CREATE TABLE broken (;",
    ];
    assert!(schema::migrate_with(&mut c, &p, &broken).is_err());
    let v: u32 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1);
    let idx = count(
        &c,
        "SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'",
        [],
    );
    assert_eq!(idx, 0);
}

#[test]
fn each_event_is_durable_within_100_ms_of_the_tap() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("log.db");
    let (log, _) = open(&p);
    let id = SessionId::random().unwrap();
    log.send(Record::Start(Box::new(start(id, 1))));
    let mut worst = Duration::ZERO;
    for k in 0..100u64 {
        let t0 = Instant::now();
        let t = log.send(Record::Event {
            id,
            event: Event::Shown {
                step: (k % 3) as usize,
            },
            at: at(k),
        });
        let send = t0.elapsed();
        assert!(send < Duration::from_millis(5), "send took {send:?}");
        assert!(log.wait_durable(t, Duration::from_secs(2)));
        worst = worst.max(t0.elapsed());
        std::thread::sleep(Duration::from_millis(3));
    }
    assert!(worst < Duration::from_millis(100), "worst {worst:?}");
    // Durable means readable by another connection, i.e. committed.
    let c = Connection::open(&p).unwrap();
    let n = count(
        &c,
        "SELECT count(*) FROM steps WHERE session = (SELECT k FROM sessions WHERE id = ?1)",
        [id.to_string()],
    );
    assert_eq!(n, 100);
}

#[test]
fn a_full_disk_keeps_the_station_running_retries_and_damages_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("log.db");
    let (log, _) = open(&p);
    let first = full_session(&log);
    assert!(log.flush(Duration::from_secs(5)));
    let before = digest(&Connection::open(&p).unwrap(), &first.to_string());
    // Cap the file at its current size: the next pages cannot be allocated.
    log.set_page_limit(Some(1));
    let id = SessionId::random().unwrap();
    log.send(Record::Start(Box::new(start(id, 2))));
    let t0 = Instant::now();
    for k in 0..3000u64 {
        log.send(Record::Event {
            id,
            event: Event::Answered {
                step: 1,
                answer: Answer::Multi(vec![0, 1, 2, 3, 4, 5]),
                ms: k,
            },
            at: at(k),
        });
    }
    assert!(
        t0.elapsed() < Duration::from_millis(500),
        "sending blocked: {:?}",
        t0.elapsed()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let st = loop {
        let st = log.status();
        if !st.healthy || Instant::now() > deadline {
            break st;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!st.healthy, "{st:?}");
    let err = st.last_error.clone().unwrap();
    assert!(err.contains("full"), "{err}");
    assert!(st.pending > 0);
    assert!(!log.flush(Duration::from_millis(300)));
    {
        let c = Connection::open(&p).unwrap();
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        assert_eq!(digest(&c, &first.to_string()), before);
    }
    // Space again: the retries get everything through.
    log.set_page_limit(None);
    assert!(log.flush(Duration::from_secs(15)), "{:?}", log.status());
    let st = log.status();
    assert!(
        st.healthy && st.last_error.is_none() && st.pending == 0 && st.rejected == 0,
        "{st:?}"
    );
    let c = Connection::open(&p).unwrap();
    let n = count(
        &c,
        "SELECT count(*) FROM steps WHERE session = (SELECT k FROM sessions WHERE id = ?1)",
        [id.to_string()],
    );
    assert_eq!(n, 3000);
    assert_eq!(digest(&c, &first.to_string()), before);
}

#[test]
fn a_damaged_file_is_moved_aside_and_a_fresh_log_started() {
    let dir = tempfile::tempdir().unwrap();
    // Not a database at all.
    let p = dir.path().join("log.db");
    let junk: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&p, &junk).unwrap();
    let (log, report) = open(&p);
    let aside = report.moved_aside.clone().expect("moved aside");
    assert!(
        aside
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("log.db.damaged-")
    );
    assert_eq!(std::fs::read(&aside).unwrap(), junk);
    assert!(report.created);
    full_session(&log);
    assert!(log.flush(Duration::from_secs(5)));
    drop(log);
    // A real log with a page overwritten.
    let q = dir.path().join("log2.db");
    {
        let (log, _) = open(&q);
        for _ in 0..40 {
            full_session(&log);
        }
    }
    {
        let c = Connection::open(&q).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    let mut bytes = std::fs::read(&q).unwrap();
    assert!(bytes.len() > 4096 * 6);
    for b in &mut bytes[4096 * 3..4096 * 5] {
        *b = 0x5a;
    }
    std::fs::write(&q, &bytes).unwrap();
    let (_, report) = open(&q);
    let aside = report.moved_aside.expect("moved aside");
    assert_eq!(std::fs::read(&aside).unwrap(), bytes);
    assert!(report.damage.is_some());
}

#[test]
fn sessions_left_open_are_marked_interrupted_at_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("log.db");
    let id = SessionId::random().unwrap();
    {
        let (log, _) = open(&p);
        let done = full_session(&log);
        log.send(Record::Start(Box::new(start(id, 5))));
        log.send_events(id, vec![Event::Shown { step: 0 }], at(1));
        assert!(log.flush(Duration::from_secs(5)));
        let _ = done;
    }
    let (_, report) = open(&p);
    assert_eq!(report.interrupted, 1);
    let c = Connection::open(&p).unwrap();
    let o: String = c
        .query_row(
            "SELECT outcome FROM sessions WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(o, "interrupted");
    let seqs: Vec<i64> = c
        .prepare("SELECT seq FROM sessions ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(seqs, vec![1, 2]);
}

#[test]
fn a_refused_record_does_not_hold_back_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("log.db");
    let (log, _) = open(&p);
    let stranger = SessionId::random().unwrap();
    log.send(Record::Event {
        id: stranger,
        event: Event::Shown { step: 0 },
        at: at(0),
    });
    let mut bad = start(SessionId::random().unwrap(), 1);
    bad.scenario = MARIE.into();
    log.send(Record::Start(Box::new(bad)));
    let ok = full_session(&log);
    assert!(log.flush(Duration::from_secs(5)));
    let st = log.status();
    assert_eq!(st.rejected, 2, "{st:?}");
    assert!(st.healthy);
    let c = Connection::open(&p).unwrap();
    let o: String = c
        .query_row(
            "SELECT outcome FROM sessions WHERE id = ?1",
            [ok.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(o, "completed");
    let (holland, r, trades): (String, i64, i64) = c
        .query_row("SELECT holland, r, (SELECT count(*) FROM top_trades t WHERE t.session = p.session) FROM profiles p WHERE session = (SELECT k FROM sessions WHERE id = ?1)", [ok.to_string()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap();
    assert!(holland.starts_with('R'));
    assert_eq!((r, trades), (90, 2));
}

#[test]
fn the_visitor_can_declare_situation_and_age_band_after_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("log.db");
    let (log, _) = open(&p);
    let id = SessionId::random().unwrap();
    let mut s = start(id, 1);
    s.situation = Situation::NonDit;
    s.age_band = AgeBand::NonDit;
    log.send(Record::Start(Box::new(s)));
    log.send(Record::Declared {
        id,
        situation: Situation::Emploi,
        age_band: AgeBand::Plus45,
    });
    assert!(log.flush(Duration::from_secs(5)));
    let c = Connection::open(&p).unwrap();
    let got: (String, String) = c
        .query_row(
            "SELECT situation, age_band FROM sessions WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(got, ("cherche_emploi".into(), "45_plus".into()));
}

/// The step rows of a session: (step, step_id, left_by, answer, ms, mono_ms) in order shown.
type StepTuple = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    i64,
);

fn step_rows(c: &Connection, id: &str) -> Vec<StepTuple> {
    let mut st = c
        .prepare(
            "SELECT x.n, x.step, x.step_id, x.left_by, x.answer, x.ms, x.mono_ms FROM steps x
             JOIN sessions s ON s.k = x.session WHERE s.id = ?1 ORDER BY x.n",
        )
        .unwrap();
    st.query_map([id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            (
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .enumerate()
    .map(|(k, (n, row))| {
        // Rows are numbered in the order shown, without gaps.
        assert_eq!(n, k as i64);
        row
    })
    .collect()
}

fn some(s: &str) -> Option<String> {
    Some(s.into())
}

#[test]
fn one_row_per_step_shown_with_its_answer_how_it_was_left_and_the_time_spent() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("log.db");
    let (log, _) = open(&p);
    let done = full_session(&log);
    // Shown 0, answered; shown 1, back to 0; 0 answered again; 1 skipped; 2 left by a timeout.
    let id = SessionId::random().unwrap();
    log.send(Record::Start(Box::new(start(id, 1))));
    log.send_events(id, vec![Event::Shown { step: 0 }], at(0));
    let answered = |ms| Event::Answered {
        step: 0,
        answer: Answer::Choice(2),
        ms,
    };
    log.send_events(id, vec![answered(1000), Event::Shown { step: 1 }], at(1000));
    log.send_events(
        id,
        vec![Event::Back { from: 1, to: 0 }, Event::Shown { step: 0 }],
        at(3500),
    );
    log.send_events(id, vec![answered(700), Event::Shown { step: 1 }], at(4200));
    log.send_events(
        id,
        vec![
            Event::Skipped { step: 1, ms: 300 },
            Event::Shown { step: 2 },
        ],
        at(4500),
    );
    log.send_events(
        id,
        vec![Event::Ended {
            outcome: Outcome::IdleTimeout,
        }],
        at(64_500),
    );
    assert!(log.flush(Duration::from_secs(5)));
    drop(log);
    let c = Connection::open(&p).unwrap();
    assert_eq!(
        step_rows(&c, &done.to_string()),
        vec![
            (
                0,
                some("accueil"),
                some("answered"),
                some("seen"),
                Some(900),
                10
            ),
            (
                1,
                some("atelier"),
                some("answered"),
                some("multi:0,2"),
                Some(4000),
                910
            ),
            (
                2,
                some("fin"),
                some("answered"),
                some("choice:1"),
                Some(1000),
                4910
            ),
        ]
    );
    assert_eq!(
        step_rows(&c, &id.to_string()),
        vec![
            (
                0,
                some("accueil"),
                some("answered"),
                some("choice:2"),
                Some(1000),
                0
            ),
            (1, some("atelier"), some("back"), None, Some(2500), 1000),
            (
                0,
                some("accueil"),
                some("answered"),
                some("choice:2"),
                Some(700),
                3500
            ),
            (1, some("atelier"), some("skipped"), None, Some(300), 4200),
            // The session ended on it: not left, but the time until the end is kept.
            (2, some("fin"), None, None, Some(60_000), 4500),
        ]
    );
    // Every write to a session raised its revision (start 0, then each record).
    let rev = count(
        &c,
        "SELECT rev FROM sessions WHERE id = ?1",
        [id.to_string()],
    );
    assert_eq!(rev, 10);
}

/// A version-2 log (one row per event), as the previous release wrote it.
fn seed_v2(p: &Path) {
    let c = Connection::open(p).unwrap();
    c.execute_batch(schema::MIGRATIONS[0]).unwrap();
    c.execute_batch(schema::MIGRATIONS[1]).unwrap();
    c.pragma_update(None, "application_id", schema::APP_ID)
        .unwrap();
    c.pragma_update(None, "user_version", 2).unwrap();
    c.execute_batch(
        "INSERT INTO sessions (id, station, seq, stop, context, source, scenario, lang, pass_id, situation, age_band, started_wall_ms, started_mono_ms, ended_wall_ms, ended_mono_ms, outcome)
           VALUES ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'borne-1', 1, 'chartres', 'college', 'visitor', 'talents', 'fr', '0123456789abcdef', 'college', 'moins_16', 1000, 0, 9000, 8000, 'completed'),
                  ('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'borne-1', 2, 'chartres', 'college', 'visitor', 'talents', 'en', NULL, 'non_dit', 'non_dit', 20000, 19000, 80000, 79000, 'abandoned'),
                  ('cccccccccccccccccccccccccccccccc', 'borne-2', 1, 'tours', 'autre', 'rehearsal', 'talents', 'fr', NULL, 'non_dit', 'non_dit', 5, 5, NULL, NULL, NULL);
         INSERT INTO steps (session_id, n, kind, step, step_id, to_step, answer, ms, wall_ms, mono_ms) VALUES
           ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 0, 'shown', 0, 'accueil', NULL, NULL, NULL, 1000, 0),
           ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 1, 'answered', 0, 'accueil', NULL, 'seen', 900, 1900, 900),
           ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 2, 'shown', 1, 'atelier', NULL, NULL, NULL, 1900, 900),
           ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 3, 'back', 1, 'atelier', 0, NULL, NULL, 3000, 2000),
           ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 4, 'shown', 0, 'accueil', NULL, NULL, NULL, 3000, 2000),
           ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 5, 'answered', 0, 'accueil', NULL, 'seen', 500, 3500, 2500),
           ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 6, 'shown', 1, 'atelier', NULL, NULL, NULL, 3500, 2500),
           ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 7, 'skipped', 1, 'atelier', NULL, NULL, 400, 3900, 2900),
           ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 8, 'shown', 2, 'fin', NULL, NULL, NULL, 3900, 2900),
           ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 9, 'answered', 2, 'fin', NULL, 'game:3/5:2', 5000, 8900, 7900),
           ('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 0, 'shown', 0, 'accueil', NULL, NULL, NULL, 20000, 19000),
           ('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 1, 'answered', 0, 'accueil', NULL, 'scale:4', 1000, 21000, 20000),
           ('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 2, 'shown', 1, 'atelier', NULL, NULL, NULL, 21000, 20000),
           ('cccccccccccccccccccccccccccccccc', 0, 'answered', 1, 'atelier', NULL, 'multi:1,2', 50, 60, 60);
         INSERT INTO profiles VALUES ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'strengths', 'R', 'RIA', 90, 3, 50, 2, 50, 2, 50, 2, 50, 2, 50, 2, '[[100,1]]');
         INSERT INTO top_trades VALUES ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 1, 'soudeur'), ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 2, 'infirmier');",
    )
    .unwrap();
}

#[test]
fn a_version_2_log_is_upgraded_to_one_row_per_step_shown_and_keeps_all_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v2.db");
    seed_v2(&p);
    let (log, report) = LogWriter::open(
        &p,
        StationInfo {
            station_id: "borne-2".into(),
        },
    )
    .unwrap();
    assert_eq!(report.upgraded_from, Some(2));
    assert_eq!(report.interrupted, 1);
    // The writer goes on after the upgraded rows.
    let id = SessionId::random().unwrap();
    log.send(Record::Start(Box::new(start(id, 1))));
    log.send_events(id, vec![Event::Shown { step: 0 }], at(0));
    assert!(log.flush(Duration::from_secs(5)));
    drop(log);
    let c = Connection::open(&p).unwrap();
    let (a, b, cc) = (
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "cccccccccccccccccccccccccccccccc",
    );
    assert_eq!(
        step_rows(&c, a),
        vec![
            (
                0,
                some("accueil"),
                some("answered"),
                some("seen"),
                Some(900),
                0
            ),
            (1, some("atelier"), some("back"), None, Some(1100), 900),
            (
                0,
                some("accueil"),
                some("answered"),
                some("seen"),
                Some(500),
                2000
            ),
            (1, some("atelier"), some("skipped"), None, Some(400), 2500),
            (
                2,
                some("fin"),
                some("answered"),
                some("game:3/5:2"),
                Some(5000),
                2900
            ),
        ]
    );
    assert_eq!(
        step_rows(&c, b),
        vec![
            (
                0,
                some("accueil"),
                some("answered"),
                some("scale:4"),
                Some(1000),
                19000
            ),
            (1, some("atelier"), None, None, Some(59_000), 20000),
        ]
    );
    // An answer with no step shown before it keeps its row, shown when it began.
    assert_eq!(
        step_rows(&c, cc),
        vec![(
            1,
            some("atelier"),
            some("answered"),
            some("multi:1,2"),
            Some(50),
            10
        )]
    );
    let sessions: Vec<(i64, String, String, i64, Option<String>, String, String, Option<String>, i64)> = c
        .prepare("SELECT k, id, station, seq, pass_id, situation, age_band, outcome, rev FROM sessions ORDER BY k")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(sessions.len(), 4);
    assert_eq!(
        sessions[0],
        (
            1,
            a.into(),
            "borne-1".into(),
            1,
            some("0123456789abcdef"),
            "college".into(),
            "moins_16".into(),
            some("completed"),
            12
        )
    );
    assert_eq!(sessions[1].1, b);
    assert_eq!(sessions[1].7.as_deref(), Some("abandoned"));
    // The open session was marked interrupted at the writer's start, raising its revision.
    assert_eq!(
        (
            sessions[2].1.as_str(),
            sessions[2].7.as_deref(),
            sessions[2].8
        ),
        (cc, Some("interrupted"), 2)
    );
    assert_eq!((sessions[3].0, sessions[3].3), (4, 2));
    let profile: (i64, String, i64, String) = c
        .query_row(
            "SELECT session, holland, r, skills FROM profiles",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(profile, (1, "RIA".into(), 90, "[[100,1]]".into()));
    let trades: Vec<(i64, i64, String)> = c
        .prepare("SELECT session, rank, trade FROM top_trades ORDER BY rank")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        trades,
        vec![(1, 1, "soudeur".into()), (1, 2, "infirmier".into())]
    );
    let old = count(
        &c,
        "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%_v2' OR sql LIKE '%session_id%'",
        [],
    );
    assert_eq!(old, 0);
    let fk: i64 = c
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(fk, 0);
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}
