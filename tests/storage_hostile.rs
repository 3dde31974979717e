//! Station logs as untrusted input (issue 14): logs crafted to trap `klub merge`, `stats`
//! and `purge`, logs on read-only media, and terminal escapes. Each attack worked on the
//! code before the fix.

mod support;

use rusqlite::Connection;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::logs::*;

/// A private temporary folder for the `klub` process, to prove it leaves nothing there.
fn tmp_env(dir: &Path) -> PathBuf {
    let t = dir.join("tmp");
    std::fs::create_dir_all(&t).unwrap();
    t
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Runs a hostile merge into `tour`, expects a refusal saying `says` and a tour left byte
/// for byte as it was, with no temporary folder or copy left anywhere.
fn refused(input: &Path, tour: &Path, says: &str) {
    let dir = tour.parent().unwrap();
    let tmp = tmp_env(dir);
    let before = std::fs::read(tour).unwrap();
    let out = klub_env(&["merge", s(input), "-o", s(tour)], &[("TMPDIR", &tmp)]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains(says), "{}", stderr(&out));
    assert_eq!(std::fs::read(tour).unwrap(), before);
    assert!(
        litter(dir, "merge").is_empty(),
        "{:?}",
        litter(dir, "merge")
    );
    assert!(litter(&tmp, "").is_empty(), "{:?}", litter(&tmp, ""));
}

#[test]
fn a_view_serving_clean_rows_to_the_checker_and_hostile_ones_to_the_copier_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = station(dir.path(), "borne-a", &[visit("chartres", T0)]);
    let tour = dir.path().join("tour.db");
    assert!(klub(&["merge", s(&a), "-o", s(&tour)]).status.success());
    // The attack of the review: `sessions` renamed, and a view in its place that returns
    // the clean rows to a connection that has written nothing yet (a verifier) and the
    // hostile ones to a connection that has (the copier, once it filled its `take` table).
    let (h, _) = station(dir.path(), "borne-h", &[visit("chartres", T0)]);
    Connection::open(&h)
        .unwrap()
        .execute_batch(
            "ALTER TABLE sessions RENAME TO sessions_real;
             CREATE TABLE sessions_evil AS SELECT * FROM sessions_real;
             UPDATE sessions_evil SET stop = '=HYPERLINK(\"http://x\",\"<img src=x onerror=alert(1)>\")';
             CREATE VIEW sessions AS
               SELECT * FROM sessions_real WHERE total_changes() = 0
               UNION ALL SELECT * FROM sessions_evil WHERE total_changes() > 0;",
        )
        .unwrap();
    refused(&h, &tour, "« view sessions » en trop");
    let c = Connection::open(&tour).unwrap();
    let hostile = count(
        &c,
        "SELECT count(*) FROM sessions WHERE stop NOT GLOB '[a-z]*'",
        [],
    );
    assert_eq!(hostile, 0);
    drop(c);
    let out = klub(&["--lang", "en", "stats", s(&h)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unexpected structure for a Klub log")
            && stderr(&out).contains("extra view sessions"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn extra_or_changed_schema_objects_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = station(dir.path(), "borne-a", &[visit("chartres", T0)]);
    let tour = dir.path().join("tour.db");
    assert!(klub(&["merge", s(&a), "-o", s(&tour)]).status.success());
    let cases: [(&str, &str, &str); 3] = [
        (
            "CREATE INDEX extra ON sessions (stop)",
            "« index extra » en trop",
            "extra index extra",
        ),
        (
            "CREATE TRIGGER t AFTER INSERT ON sessions BEGIN SELECT 1; END",
            "« trigger t » en trop",
            "extra trigger t",
        ),
        (
            "DROP INDEX sessions_by_pass",
            "« index sessions_by_pass » manquant",
            "missing index",
        ),
    ];
    for (k, (sql, fr, en)) in cases.iter().enumerate() {
        let (h, _) = station(dir.path(), &format!("borne-h{k}"), &[visit("chartres", T0)]);
        // Still open elsewhere: a `-wal` sits beside it, so it is read from a private copy,
        // which must go too.
        let c = Connection::open(&h).unwrap();
        c.execute_batch(sql).unwrap();
        let mut wal = h.as_os_str().to_owned();
        wal.push("-wal");
        assert!(Path::new(&wal).exists());
        refused(&h, &tour, fr);
        drop(c);
        let out = klub(&["--lang", "en", "merge", s(&h), "-o", s(&tour)]);
        assert!(stderr(&out).contains(en), "{}", stderr(&out));
    }
    // A table whose CHECKs were loosened (its SQL rewritten in place).
    let (h, _) = station(dir.path(), "borne-w", &[visit("chartres", T0)]);
    {
        let c = Connection::open(&h).unwrap();
        c.execute_batch(
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (seq >= 1)', 'CHECK (seq >= 0)')
               WHERE name = 'sessions';",
        )
        .unwrap();
    }
    refused(&h, &tour, "« table sessions » modifié");
}

#[test]
fn a_planted_fingerprint_does_not_make_merge_skip_another_stations_log() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = station(dir.path(), "borne-a", &[visit("chartres", T0)]);
    let (b, b_ids) = station(dir.path(), "borne-b", &[visit("chartres", T0 + 60_000)]);
    // b's fingerprint, as a tour records it on taking b.
    let probe = dir.path().join("probe.db");
    assert!(klub(&["merge", s(&b), "-o", s(&probe)]).status.success());
    let fp: String = Connection::open(&probe)
        .unwrap()
        .query_row("SELECT fingerprint FROM merged", [], |r| r.get(0))
        .unwrap();
    // a claims to have taken b already.
    Connection::open(&a)
        .unwrap()
        .execute(
            "INSERT INTO merged (fingerprint, sessions, merged_wall_ms) VALUES (?1, 1, 0)",
            [&fp],
        )
        .unwrap();
    let tour = dir.path().join("tour.db");
    assert!(klub(&["merge", s(&a), "-o", s(&tour)]).status.success());
    let out = klub(&["merge", s(&b), "-o", s(&tour)]);
    assert!(
        stdout(&out).contains("1 sessions ajoutées"),
        "{}",
        stdout(&out)
    );
    let c = Connection::open(&tour).unwrap();
    let (n, has_b): (i64, bool) = c
        .query_row(
            "SELECT count(*), sum(id = ?1) > 0 FROM sessions",
            [b_ids[0].to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, has_b), (2, true));
    // The tour's fingerprints are its own: a's and b's, not a's claim.
    let claimed = count(&c, "SELECT count(*) FROM merged", []);
    assert_eq!(claimed, 2);
}

/// A log in a read-only folder: `name` and, if given, the side files copied beside it.
fn read_only_copy(from: &Path, to_dir: &Path, sides: &[&str]) -> PathBuf {
    std::fs::create_dir_all(to_dir).unwrap();
    let p = to_dir.join("stick.db");
    std::fs::copy(from, &p).unwrap();
    for side in sides {
        let mut src = from.as_os_str().to_owned();
        src.push(side);
        let mut dst = p.as_os_str().to_owned();
        dst.push(side);
        std::fs::copy(PathBuf::from(src), PathBuf::from(dst)).unwrap();
    }
    for f in std::fs::read_dir(to_dir).unwrap() {
        let f = f.unwrap().path();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(to_dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    p
}

/// The names in a folder with a hash of each file's bytes.
fn listing(dir: &Path) -> Vec<(String, u64)> {
    use std::hash::{Hash, Hasher};
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(e.path()).unwrap().hash(&mut h);
            (e.file_name().to_string_lossy().into_owned(), h.finish())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_log_on_read_only_media_is_read_and_nothing_is_written_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tmp_env(dir.path());
    let (a, _) = station(
        dir.path(),
        "borne-a",
        &[visit("chartres", T0), visit("chartres", T0 + 60_000)],
    );
    // A station switched off at the plug leaves its last sessions in the WAL only: copy
    // the log and its WAL while the writer still holds them.
    let live = dir.path().join("live.db");
    let (log, _) = klub_kiosk::storage::writer::LogWriter::open(
        &live,
        klub_kiosk::storage::writer::StationInfo {
            station_id: "borne-l".into(),
        },
    )
    .unwrap();
    write(
        &log,
        &[
            visit("bourges", T0),
            visit("bourges", T0 + 60_000),
            visit("bourges", T0 + 120_000),
        ],
    );
    let clean = read_only_copy(&a, &dir.path().join("stick1"), &[]);
    let cut = read_only_copy(&live, &dir.path().join("stick2"), &["-wal"]);
    drop(log);
    for (k, (stick, sessions)) in [(&clean, "2 sessions"), (&cut, "3 sessions")]
        .into_iter()
        .enumerate()
    {
        let folder = stick.parent().unwrap();
        let before = listing(folder);
        let env = [("TMPDIR", tmp.as_path())];
        let out = klub_env(&["stats", s(stick)], &env);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(sessions), "{}", stdout(&out));
        let tour = dir.path().join(format!("tour-{k}.db"));
        let out = klub_env(&["merge", s(stick), "-o", s(&tour)], &env);
        assert!(out.status.success(), "{}", stderr(&out));
        let exp = dir.path().join(format!("exp-{k}"));
        let out = klub_env(&["export", s(stick), "--out", s(&exp)], &env);
        assert!(out.status.success(), "{}", stderr(&out));
        let html = dir.path().join(format!("r-{k}.html"));
        let out = klub_env(&["report", s(stick), "-o", s(&html)], &env);
        assert!(out.status.success(), "{}", stderr(&out));
        // No -wal, no -shm, no byte changed.
        assert_eq!(listing(folder), before);
        assert!(litter(&tmp, "").is_empty(), "{:?}", litter(&tmp, ""));
    }
    for d in ["stick1", "stick2"] {
        std::fs::set_permissions(dir.path().join(d), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
}

#[test]
fn a_recursive_view_does_not_hang_merge_or_stats() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tmp_env(dir.path());
    let (h, _) = station(dir.path(), "borne-h", &[visit("chartres", T0)]);
    Connection::open(&h)
        .unwrap()
        .execute_batch(
            "ALTER TABLE sessions RENAME TO sessions_real;
             CREATE VIEW sessions AS SELECT r.* FROM sessions_real r,
               (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c);",
        )
        .unwrap();
    let tour = dir.path().join("tour.db");
    for args in [vec!["merge", s(&h), "-o", s(&tour)], vec!["stats", s(&h)]] {
        let mut child = Command::new(KLUB)
            .args(&args)
            .env("TMPDIR", &tmp)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break Some(st);
            }
            if t0.elapsed() > Duration::from_secs(30) {
                child.kill().unwrap();
                child.wait().unwrap();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(
            status.and_then(|s| s.code()),
            Some(2),
            "{args:?} hung or did not refuse"
        );
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        assert!(err.contains("structure inattendue"), "{err}");
    }
    assert!(!tour.exists());
    assert!(litter(dir.path(), "merge").is_empty());
    assert!(litter(&tmp, "").is_empty());
}

#[test]
fn purge_refuses_a_log_with_a_planted_trigger_and_counts_the_sessions_really_gone() {
    let dir = tempfile::tempdir().unwrap();
    let now = klub_kiosk::storage::time::now_ms();
    let visits = [
        visit("chartres", now - 400 * DAY),
        visit("chartres", now - 300 * DAY),
        visit("chartres", now - DAY),
    ];
    let (h, _) = station(dir.path(), "borne-h", &visits);
    // Every session deleted is put back at once: SQLite still counts it as deleted.
    Connection::open(&h)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER back AFTER DELETE ON sessions BEGIN
               INSERT INTO sessions VALUES (old.k, old.id, old.station, old.seq, old.tour, old.stop,
                 old.context, old.source, old.scenario, old.trade, old.lang, old.pass_id,
                 old.situation, old.age_band, old.started_wall_ms, old.started_mono_ms,
                 old.clock_offset_ms, old.ended_wall_ms, old.ended_mono_ms, old.outcome, old.rev);
             END;",
        )
        .unwrap();
    let count = |p: &Path| -> (i64, i64) {
        Connection::open(p)
            .unwrap()
            .query_row(
                "SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM steps)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    let today = klub_kiosk::storage::time::paris_day_hour(now - 30 * DAY).0;
    let out = klub(&["purge", s(&h), "--before", &today]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("« trigger back » en trop"),
        "{}",
        stderr(&out)
    );
    assert_eq!(count(&h), (3, 6));
    // The same log without the trap: the count printed is the sessions gone.
    let (g, _) = station(dir.path(), "borne-g", &visits);
    let out = klub(&["purge", s(&g), "--before", &today]);
    assert!(
        stdout(&out).starts_with("2 sessions effacées"),
        "{}",
        stdout(&out)
    );
    assert_eq!(count(&g), (1, 2));
}

#[test]
fn strings_from_logs_and_file_names_reach_the_terminal_without_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = station(dir.path(), "borne-a", &[visit("chartres", T0)]);
    // A log edited around its CHECKs: stats reads without evaluating them.
    {
        let c = Connection::open(&a).unwrap();
        c.execute_batch(
            "PRAGMA ignore_check_constraints = ON;
             UPDATE sessions SET station = 'borne' || char(27) || ']0;pwned' || char(7) || char(27) || '[2J',
                                 stop = 'x' || char(155) || '31m' || char(8238);",
        )
        .unwrap();
    }
    let out = klub(&["stats", s(&a)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("borne]0;pwned[2J"), "{text}");
    for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(bad), "{text:?}");
    }
    // A file name from a stick, quoted in an error.
    let weird = dir.path().join("x\u{1b}[2Jy.db");
    std::fs::write(&weird, b"not a database, just text long enough to be read as a header....................................................").unwrap();
    let tour = dir.path().join("tour.db");
    let out = klub(&["merge", s(&weird), "-o", s(&tour)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("x[2Jy.db") && !err.contains('\u{1b}'),
        "{err:?}"
    );
}
