//! `klub simulate` and the proof that what it calls committed is on disk: under `strace`,
//! and through repeated SIGKILLs (`KLUB_SOAK=1` for the 500-kill soak).

mod support;

use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::logs::count;

const KLUB: &str = env!("CARGO_BIN_EXE_klub");

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn simulate(db: &Path, visitors: u64, extra: &[&str]) -> Command {
    let mut c = Command::new(KLUB);
    c.arg("simulate")
        .arg("--db")
        .arg(db)
        .args(["--station", "borne-3", "--visitors", &visitors.to_string()])
        .arg("--scenarios")
        .arg(scenarios())
        .args(extra);
    if !extra.contains(&"--seed") {
        c.args(["--seed", "7"]);
    }
    c
}

fn committed_ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("committed "))
        .filter(|id| id.len() == 32)
        .map(str::to_owned)
        .collect()
}

/// What [`digests`] and [`digest`] read of a session, table by table: each row starts with
/// the session id (column 0).
const DIGEST_SQL: [&str; 4] = [
    "SELECT s.id, s.* FROM sessions s",
    "SELECT s.id, x.* FROM steps x JOIN sessions s ON s.k = x.session",
    "SELECT s.id, x.* FROM profiles x JOIN sessions s ON s.k = x.session",
    "SELECT s.id, x.* FROM top_trades x JOIN sessions s ON s.k = x.session",
];
const DIGEST_ORDER: [&str; 4] = ["s.k", "x.session, x.n", "x.session", "x.session, x.rank"];

fn push_rows(c: &Connection, sql: &str, params: &[&str], out: &mut HashMap<String, String>) {
    let mut st = c.prepare(sql).unwrap();
    let n = st.column_count();
    let mut rows = st.query(rusqlite::params_from_iter(params)).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let id: String = r.get(0).unwrap();
        let e = out.entry(id).or_default();
        for k in 1..n {
            let v: rusqlite::types::Value = r.get(k).unwrap();
            e.push_str(&format!("{v:?}|"));
        }
        e.push('\n');
    }
}

/// Everything stored about each session, as text, keyed by id.
fn digests(db: &Path) -> HashMap<String, String> {
    let c = Connection::open(db).unwrap();
    let mut out: HashMap<String, String> = HashMap::new();
    let tables = count(
        &c,
        "SELECT count(*) FROM sqlite_schema WHERE name = 'sessions'",
        [],
    );
    if tables == 0 {
        // Killed before the log was created.
        return out;
    }
    for (sql, order) in DIGEST_SQL.iter().zip(DIGEST_ORDER) {
        push_rows(&c, &format!("{sql} ORDER BY {order}"), &[], &mut out);
    }
    out
}

/// [`digests`] of one session only: the same text, without reading the whole log.
fn digest(c: &Connection, id: &str) -> String {
    let mut out: HashMap<String, String> = HashMap::new();
    for (sql, order) in DIGEST_SQL.iter().zip(DIGEST_ORDER) {
        push_rows(
            c,
            &format!("{sql} WHERE s.id = ?1 ORDER BY {order}"),
            &[id],
            &mut out,
        );
    }
    out.remove(id).unwrap_or_default()
}

/// A committed session is complete: ended, its steps numbered without gaps, each step but
/// the last left (with an answer exactly when answered), and a profile when it was
/// completed, whose every step was left.
fn assert_complete(c: &Connection, id: &str) {
    let (outcome, source): (Option<String>, String) = c
        .query_row(
            "SELECT outcome, source FROM sessions WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|e| panic!("committed session {id} missing: {e}"));
    assert_eq!(source, "simulated");
    let outcome = outcome.unwrap_or_else(|| panic!("committed session {id} has no outcome"));
    let (n, max, open, timed): (i64, Option<i64>, i64, i64) = c
        .query_row(
            "SELECT count(*), max(n), count(*) - count(left_by), count(ms) FROM steps
             WHERE session = (SELECT k FROM sessions WHERE id = ?1)",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert!(n > 0 && max == Some(n - 1), "{id}: {n} steps, max {max:?}");
    // Ended: every step has its time; at most the last one was not left.
    assert_eq!(timed, n, "{id}: a step without its time");
    let last_open: i64 = c
        .query_row(
            "SELECT count(*) FROM steps WHERE session = (SELECT k FROM sessions WHERE id = ?1) AND left_by IS NULL AND n = ?2",
            rusqlite::params![id, n - 1],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        open, last_open,
        "{id}: a step before the last was never left"
    );
    if outcome == "completed" {
        assert_eq!(open, 0, "{id}: completed with a step not left");
        let p = count(
            c,
            "SELECT count(*) FROM profiles WHERE session = (SELECT k FROM sessions WHERE id = ?1)",
            [id],
        );
        assert_eq!(p, 1, "{id}: completed without profile");
    }
}

#[test]
fn simulate_writes_simulated_sessions_and_says_when_each_is_committed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sim.db");
    let out = simulate(
        &db,
        40,
        &["--stops", "chartres,bourges", "--tour", "t-2026"],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids = committed_ids(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(ids.len(), 40);
    let c = Connection::open(&db).unwrap();
    let sources: Vec<(String, i64)> = c
        .prepare("SELECT source, count(*) FROM sessions GROUP BY 1")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(sources, vec![("simulated".into(), 40)]);
    for id in &ids {
        assert_complete(&c, id);
    }
    // The real engine played real scenarios: step ids come from the bundled files.
    let steps: i64 = c
        .query_row("SELECT count(DISTINCT step_id) FROM steps", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(steps > 5);
}

#[test]
fn simulate_refuses_a_log_holding_visitor_sessions() {
    use klub_kiosk::domain::session::{SessionId, Source};
    use klub_kiosk::storage::record::{Record, SessionStart, Stamp};
    use klub_kiosk::storage::writer::{LogWriter, StationInfo};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("station.db");
    {
        let (log, _) = LogWriter::open(
            &db,
            StationInfo {
                station_id: "borne-1".into(),
            },
        )
        .unwrap();
        let set = klub_kiosk::content::set::ContentSet::load(&scenarios()).unwrap();
        let s = &set.scenarios[0];
        log.send(Record::Start(Box::new(SessionStart::new(
            s,
            SessionId::random().unwrap(),
            Source::Visitor,
            klub_kiosk::domain::text::Lang::Fr,
            Stamp {
                wall_ms: 1,
                mono_ms: 1,
            },
        ))));
        assert!(log.flush(Duration::from_secs(5)));
    }
    {
        let c = Connection::open(&db).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let out = simulate(&db, 5, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("vrais visiteurs"), "{err}");
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let out = simulate(&db, 5, &["--lang", "en"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("real visitor sessions"));
}

/// Parses `strace -f -y` output and checks that, at each `committed` line written to
/// stdout, no write to the log or its WAL is still waiting for a sync.
fn check_trace(trace: &str) -> (usize, usize) {
    let mut dirty: HashMap<String, usize> = HashMap::new();
    let mut pending: HashMap<String, (String, String)> = HashMap::new();
    let (mut committed, mut syncs) = (0, 0);
    for line in trace.lines() {
        let (pid, rest) = line.split_once(' ').unwrap_or(("", line));
        let rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<... ") {
            let call = r.split_whitespace().next().unwrap_or("");
            if let Some((c, path)) = pending.remove(pid)
                && c == call
                && (c == "fsync" || c == "fdatasync")
                && r.trim_end().ends_with("= 0")
            {
                dirty.remove(&path);
                syncs += 1;
            }
            continue;
        }
        let Some((call, args)) = rest.split_once('(') else {
            continue;
        };
        let path = args
            .split_once('<')
            .and_then(|(_, p)| p.split_once('>'))
            .map(|(p, _)| p.to_owned())
            .unwrap_or_default();
        let is_log = path.ends_with(".db") || path.ends_with(".db-wal");
        match call {
            "write" | "pwrite64" | "pwritev" if is_log => {
                *dirty.entry(path).or_default() += 1;
            }
            "write" if args.starts_with("1<") && args.contains("committed ") => {
                committed += 1;
                assert!(syncs > 0, "committed line before any sync: {line}");
                assert!(
                    dirty.is_empty(),
                    "committed line while writes await a sync {dirty:?}: {line}"
                );
            }
            "fsync" | "fdatasync" if is_log => {
                if rest.contains("<unfinished") {
                    pending.insert(pid.to_owned(), (call.to_owned(), path));
                } else if rest.trim_end().ends_with("= 0") {
                    dirty.remove(&path);
                    syncs += 1;
                }
            }
            _ => {}
        }
    }
    (committed, syncs)
}

#[test]
fn under_strace_every_committed_line_follows_a_sync() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sim.db");
    let trace = dir.path().join("trace.txt");
    let status = Command::new("strace")
        .args([
            "-f",
            "-y",
            "-s",
            "80",
            "-e",
            "trace=write,pwrite64,pwritev,fsync,fdatasync",
            "-o",
        ])
        .arg(&trace)
        .arg(KLUB)
        .args(simulate(&db, 25, &["--wait-each"]).get_args())
        .stdout(Stdio::piped())
        .output()
        .expect("strace (Debian package strace) must be installed");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = std::fs::read_to_string(&trace).unwrap();
    let (committed, syncs) = check_trace(&text);
    assert_eq!(committed, 25);
    assert!(syncs >= 25, "{syncs} syncs for 25 sessions");
    // The checker itself catches a commit without sync.
    let fake = "1 pwrite64(5</x/log.db-wal>, \"\"..., 4096, 0) = 4096\n1 write(1<pipe:[1]>, \"committed 00\"..., 42) = 42\n";
    assert!(
        std::panic::catch_unwind(|| check_trace(&format!(
            "1 fdatasync(5</x/log.db-wal>) = 0\n{fake}"
        )))
        .is_err()
    );
}

#[test]
fn sigkill_at_random_moments_loses_nothing_committed() {
    // The soak: `KLUB_SOAK=1 cargo test --release --no-default-features --test
    // storage_durability -- sigkill --nocapture` (a release `klub` starts and checks its
    // growing log faster; each kill is checked the same way).
    let soak = std::env::var("KLUB_SOAK").is_ok_and(|v| v == "1");
    let kills = if soak { 500 } else { 30 };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kill.db");
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x6b696c6c);
    let mut known: HashMap<String, String> = HashMap::new();
    let t0 = Instant::now();
    for round in 0..kills {
        let mut child = simulate(&db, 1_000_000, &["--seed", &round.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(String::new()));
        let reader = {
            let lines = lines.clone();
            let out = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                for l in BufReader::new(out).lines().map_while(Result::ok) {
                    let mut g = lines.lock().unwrap();
                    g.push_str(&l);
                    g.push('\n');
                }
            })
        };
        if round % 5 == 0 {
            // Anywhere, start-up and log opening included.
            std::thread::sleep(Duration::from_millis(rng.random_range(0..700)));
        } else {
            // Mid-stream: once sessions flow, at a random moment.
            let started = Instant::now();
            while lines.lock().unwrap().is_empty() && started.elapsed() < Duration::from_secs(5) {
                std::thread::sleep(Duration::from_millis(2));
            }
            std::thread::sleep(Duration::from_micros(rng.random_range(0..250_000)));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        let printed = committed_ids(&lines.lock().unwrap());
        let c = Connection::open(&db).unwrap();
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "round {round}");
        for id in &printed {
            assert_complete(&c, id);
            // Ids are random, so a repeat would be a session printed twice: it must not
            // have changed either.
            let d = digest(&c, id);
            if let Some(before) = known.insert(id.clone(), d.clone()) {
                assert_eq!(before, d, "round {round}: session {id} changed");
            }
        }
        drop(c);
        // Every session committed so far, unchanged: each round in the suite, every 25
        // rounds and at the end in the soak (the log grows, so this read grows too).
        let check_all = !soak || round % 25 == 24 || round + 1 == kills;
        if check_all {
            let now = digests(&db);
            for (id, d) in &known {
                assert_eq!(now.get(id), Some(d), "round {round}: session {id} changed");
            }
        }
        if soak && round % 25 == 24 {
            eprintln!(
                "{} kills, {} committed sessions, {:.0} s",
                round + 1,
                known.len(),
                t0.elapsed().as_secs_f64()
            );
        }
    }
    assert!(
        known.len() > kills,
        "only {} sessions committed in {kills} runs",
        known.len()
    );
    eprintln!(
        "{kills} SIGKILLs, {} committed sessions checked, {:.1} s",
        known.len(),
        t0.elapsed().as_secs_f64()
    );
}
