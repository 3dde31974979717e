//! The organiser's commands on real files: merge, export (read back by Python's csv module
//! and LibreOffice), report, stats and purge.

mod support;

use klub_kiosk::domain::config::{AgeBand, Situation};
use klub_kiosk::domain::pass::PassId;
use klub_kiosk::domain::scoring::Answer;
use klub_kiosk::domain::session::{Event, Outcome, Source};
use klub_kiosk::storage::record::{Record, Stamp};
use klub_kiosk::storage::writer::{LogWriter, StationInfo};
use rusqlite::Connection;
use std::path::Path;
use std::time::Duration;
use support::logs::*;
use support::spreadsheet::{csv_rows, libreoffice_xlsx, xlsx_rows};

/// Reads a `;` CSV written by `klub export` (quoted text, bare numbers).
fn read_csv(p: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(p).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("UTF-8 BOM");
    text.lines()
        .map(|l| {
            l.split(';')
                .map(|c| c.trim_matches('"').to_owned())
                .collect()
        })
        .collect()
}

fn col(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let k = rows[0].iter().position(|h| h == name).unwrap();
    rows[1..].iter().map(|r| r[k].clone()).collect()
}

#[test]
fn merge_is_idempotent_and_orders_by_stop_then_station_sequence() {
    let dir = tempfile::tempdir().unwrap();
    // Station a's clock is right; station b's is five days behind, and jumps back once.
    let (a, a_ids) = station(
        dir.path(),
        "borne-a",
        &[
            visit("chartres", T0),
            visit("chartres", T0 + 3_600_000),
            visit("bourges", T0 + 3 * DAY),
        ],
    );
    let skew = -5 * DAY;
    let (b, b_ids) = station(
        dir.path(),
        "borne-b",
        &[
            visit("chartres", T0 + skew + 7_200_000),
            visit("chartres", T0 + skew),
            visit("bourges", T0 + 3 * DAY + skew),
        ],
    );
    let tour = dir.path().join("tour.db");
    let out = klub_ok(&["merge", s(&a), s(&b), "-o", s(&tour)]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("6 sessions ajoutées"));
    let before = std::fs::read(&tour).unwrap();
    // Same inputs again, in another order, twice: nothing changes, not even the file.
    for _ in 0..2 {
        let out = klub(&["merge", s(&b), s(&a), "-o", s(&tour)]);
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("0 sessions ajoutées"));
    }
    assert_eq!(std::fs::read(&tour).unwrap(), before);
    let c = Connection::open(&tour).unwrap();
    let n = count(&c, "SELECT count(*) FROM sessions", []);
    assert_eq!(n, 6);
    drop(c);
    let exp = dir.path().join("exp");
    assert!(
        klub(&["export", s(&tour), "--out", s(&exp)])
            .status
            .success()
    );
    let rows = read_csv(&exp.join("sessions.csv"));
    let ids = col(&rows, "session_id");
    let want: Vec<String> = [a_ids[0], a_ids[1], b_ids[0], b_ids[1], a_ids[2], b_ids[2]]
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(ids, want);
    // By timestamps alone, b's sessions would come first and its second before its first.
    let started = col(&rows, "started_wall_ms");
    assert!(started[2] > started[3]);
}

#[test]
fn merge_refuses_foreign_damaged_newer_and_colliding_inputs_and_leaves_the_tour_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = station(dir.path(), "borne-a", &[visit("chartres", T0)]);
    let tour = dir.path().join("tour.db");
    assert!(klub(&["merge", s(&a), "-o", s(&tour)]).status.success());
    let before = std::fs::read(&tour).unwrap();
    let foreign = dir.path().join("contacts.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE c (name TEXT)")
        .unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x42u8; 10_000]).unwrap();
    let (newer, _) = station(dir.path(), "borne-n", &[visit("chartres", T0)]);
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    // Another station configured with the same id: same (station, seq), other session.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let (twin, _) = station(&other, "borne-a", &[visit("chartres", T0)]);
    let (fine, _) = station(dir.path(), "borne-f", &[visit("chartres", T0)]);
    // A log edited by hand around its CHECKs: merge copies rows without re-checking each
    // one, so the input's own check must catch it.
    let (tampered, _) = station(dir.path(), "borne-t", &[visit("chartres", T0)]);
    {
        let c = Connection::open(&tampered).unwrap();
        c.pragma_update(None, "ignore_check_constraints", "ON")
            .unwrap();
        let n = c
            .execute(
                "UPDATE sessions SET stop = 'Marie Dupont, 12 rue des Lilas'",
                [],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    for (bad, says) in [
        (&tampered, "endommagé"),
        (&foreign, "pas un journal du Klub"),
        (&junk, "endommagé"),
        (&newer, "version plus récente"),
        (&twin, "collision"),
        (&dir.path().join("absent.db"), "absent"),
    ] {
        // A good input before the bad one must not be half-merged either.
        let out = klub(&["merge", s(&fine), s(bad), "-o", s(&tour)]);
        assert_eq!(out.status.code(), Some(2), "{}", bad.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{}: {err}", bad.display());
        assert_eq!(std::fs::read(&tour).unwrap(), before, "{}", bad.display());
    }
    let left = litter(dir.path(), "merge");
    assert!(left.is_empty(), "{left:?}");
    let out = klub(&["--lang", "en", "merge", s(&foreign), "-o", s(&tour)]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Klub log"));
}

#[test]
fn merge_takes_a_consistent_snapshot_of_a_log_still_being_written() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("live.db");
    let (log, _) = LogWriter::open(
        &p,
        StationInfo {
            station_id: "borne-l".into(),
        },
    )
    .unwrap();
    let mut open = visit("chartres", T0);
    open.complete = false;
    let first = write(&log, &[open])[0];
    let tour = dir.path().join("tour.db");
    // The station keeps writing while the merge runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let log = std::sync::Arc::new(log);
        let l2 = log.clone();
        (
            std::thread::spawn(move || {
                let mut k = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    write(&l2, &[visit("chartres", T0 + k * 60_000)]);
                    k += 1;
                }
            }),
            log,
        )
    };
    for _ in 0..3 {
        klub_ok(&["merge", s(&p), "-o", s(&tour)]);
        let c = Connection::open(&tour).unwrap();
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        // Every merged completed session is whole: its two steps shown, both answered.
        let broken = count(&c, "SELECT count(*) FROM sessions s WHERE outcome = 'completed' AND ((SELECT count(*) FROM steps WHERE session = s.k) <> 2
               OR (SELECT count(*) FROM steps WHERE session = s.k AND left_by = 'answered') <> 2
               OR NOT EXISTS (SELECT 1 FROM profiles WHERE session = s.k))", []);
        assert_eq!(broken, 0);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.0.join().unwrap();
    let log = writer.1;
    // The session open at the first merge ends; the next merge completes it.
    let at = Stamp {
        wall_ms: T0 + 70_000,
        mono_ms: 70_000,
    };
    log.send_events(
        first,
        vec![Event::Answered {
            step: 1,
            answer: Answer::Choice(0),
            ms: 1,
        }],
        at,
    );
    log.send_events(
        first,
        vec![Event::Ended {
            outcome: Outcome::Abandoned,
        }],
        at,
    );
    assert!(log.flush(Duration::from_secs(5)));
    let out = klub(&["merge", s(&p), "-o", s(&tour)]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 complétées"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let c = Connection::open(&tour).unwrap();
    let (o, n): (String, i64) = c.query_row("SELECT outcome, (SELECT count(*) FROM steps WHERE session = s.k AND left_by = 'answered') FROM sessions s WHERE id = ?1", [first.to_string()], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((o.as_str(), n), ("abandoned", 2));
}

#[test]
fn export_is_read_back_unchanged_by_python_csv_and_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    let pass = PassId([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
    let mut v = visit("007", T0);
    v.pass = Some(pass);
    v.situation = Situation::Lycee;
    // Ids a spreadsheet would take for numbers: station 12e45, stop 007, tour 3e5.
    let (db, ids) = station(dir.path(), "12e45", &[v, visit("007", T0 + 60_000)]);
    let exp = dir.path().join("exp");
    assert!(klub(&["export", s(&db), "--out", s(&exp)]).status.success());
    for f in ["sessions", "steps", "profiles"] {
        assert!(exp.join(format!("{f}.jsonl")).is_file());
        assert!(
            std::fs::read(exp.join(format!("{f}.csv")))
                .unwrap()
                .starts_with("\u{feff}".as_bytes())
        );
    }
    let rows = csv_rows(&exp.join("sessions.csv"), ";");
    let header = rows[0].clone();
    let at =
        |name: &str, r: usize| rows[r][header.iter().position(|h| *h == name).unwrap()].clone();
    assert_eq!(at("session_id", 1), ids[0].to_string());
    assert_eq!(
        (
            at("station", 1).as_str(),
            at("stop", 1).as_str(),
            at("tour", 1).as_str()
        ),
        ("12e45", "007", "3e5")
    );
    assert_eq!(at("situation", 1), "lycee");
    // Pass ids are hashed with a key: the raw id appears nowhere.
    let hashed = at("pass", 1);
    assert!(hashed.starts_with('h') && hashed.len() == 17, "{hashed}");
    for f in [
        "sessions.csv",
        "sessions.jsonl",
        "steps.csv",
        "profiles.csv",
    ] {
        assert!(
            !std::fs::read_to_string(exp.join(f))
                .unwrap()
                .contains(&pass.to_string())
        );
    }
    let keep = dir.path().join("keep");
    assert!(
        klub(&[
            "export",
            s(&db),
            "--out",
            s(&keep),
            "--keep-pass-ids",
            "--sep",
            ","
        ])
        .status
        .success()
    );
    let rows2 = csv_rows(&keep.join("sessions.csv"), ",");
    assert_eq!(
        rows2[1][header.iter().position(|h| *h == "pass").unwrap()],
        pass.to_string()
    );
    assert_eq!(
        rows2[1][header.iter().position(|h| *h == "station").unwrap()],
        "12e45"
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(exp.join("sessions.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["station"], "12e45");
    assert_eq!(lines[0]["seq"], 1);
    let steps = csv_rows(&exp.join("steps.csv"), ";");
    // One row per step shown: two sessions of two steps.
    assert_eq!(steps.len(), 1 + 2 * 2);
    // LibreOffice, reading quoted fields as text, keeps every cell.
    let sheet = xlsx_rows(&libreoffice_xlsx(
        &exp.join("sessions.csv"),
        "59,34,76,1,,0,true",
        dir.path(),
    ));
    assert_eq!(sheet.len(), rows.len());
    for (r, row) in rows.iter().enumerate() {
        let values: Vec<&str> = sheet[r]
            .iter()
            .map(|c| c.value.as_str())
            .filter(|x| !x.is_empty())
            .collect();
        let want: Vec<&str> = row
            .iter()
            .map(String::as_str)
            .filter(|x| !x.is_empty())
            .collect();
        assert_eq!(values, want, "row {r}");
    }
    let station_cell = &sheet[1][header.iter().position(|h| *h == "station").unwrap()];
    assert_eq!(
        station_cell.kind, "s",
        "12e45 must stay text: {station_cell:?}"
    );
}

#[test]
fn report_counts_visitors_only_hides_small_cells_and_stamps_simulated_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut visits: Vec<Visit> = (0..12)
        .map(|k| {
            let mut v = visit("chartres", T0 + k * 600_000);
            v.situation = Situation::Emploi;
            v.age = if k < 9 {
                AgeBand::De26a44
            } else {
                AgeBand::Plus45
            };
            v.pass = Some(PassId([k as u8; 8]));
            v
        })
        .collect();
    let mut sim = visit("chartres", T0);
    sim.source = Source::Simulated;
    sim.situation = Situation::College;
    visits.push(sim);
    let mut imm = visit("chartres", T0);
    imm.trade = Some("soudeur");
    visits.push(imm);
    let (a, _) = station(dir.path(), "borne-a", &visits);
    let (b, _) = station(
        dir.path(),
        "borne-b",
        &(0..6)
            .map(|k| {
                let mut v = visit("chartres", T0 + DAY + k);
                v.pass = Some(PassId([k as u8; 8]));
                v
            })
            .collect::<Vec<_>>(),
    );
    let tour = dir.path().join("tour.db");
    assert!(
        klub(&["merge", s(&a), s(&b), "-o", s(&tour)])
            .status
            .success()
    );
    let html_path = dir.path().join("r.html");
    klub_ok(&["report", s(&tour), "-o", s(&html_path)]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("pas des personnes"));
    assert!(html.contains("<svg"));
    // Self-contained: nothing fetched.
    for bad in [
        "<script", " src=", "href=", "url(", "@import", "<link", "<img",
    ] {
        assert!(!html.contains(bad), "{bad}");
    }
    assert!(!html.contains("données simulées"));
    // 19 visitor sessions, shown rounded to 20; the simulated one is not counted.
    assert!(
        html.contains("<li>Sessions: 20</li>"),
        "{}",
        &html[..html.len().min(3000)]
    );
    // Situation × age: 9 job seekers 26–44 shown as 10, 3 job seekers 45+ hidden.
    assert!(html.contains("<td>10</td>") && !html.contains("<td>9</td>"));
    assert!(!html.contains("<td>3</td>"));
    assert!(html.contains("<td>&lt; 5</td>"));
    // 6 passes seen at both stations.
    assert!(html.contains("borne-a → borne-b"));
    let sim_path = dir.path().join("sim.html");
    let png = dir.path().join("png");
    assert!(
        klub(&[
            "--lang",
            "en",
            "report",
            s(&tour),
            "-o",
            s(&sim_path),
            "--include-simulated",
            "--png",
            s(&png)
        ])
        .status
        .success()
    );
    let sim_html = std::fs::read_to_string(&sim_path).unwrap();
    assert!(sim_html.contains("not people"));
    let charts: Vec<&str> = sim_html.split("<svg").skip(1).collect();
    assert!(charts.len() >= 14, "{} charts", charts.len());
    for c in &charts {
        assert!(c.contains("données simulées"));
    }
    assert!(sim_html.contains("<li>Sessions: 20</li>"));
    let pngs: Vec<_> = std::fs::read_dir(&png)
        .unwrap()
        .filter_map(Result::ok)
        .collect();
    assert_eq!(pngs.len(), charts.len());
    for p in pngs {
        assert!(std::fs::read(p.path()).unwrap().starts_with(b"\x89PNG"));
    }
}

#[test]
fn stats_summarises_and_purge_applies_the_retention_period() {
    let dir = tempfile::tempdir().unwrap();
    let now = klub_kiosk::storage::time::now_ms();
    let (db, _) = station(
        dir.path(),
        "borne-p",
        &[
            visit("chartres", now - 400 * DAY),
            visit("chartres", now - 40 * DAY),
            visit("chartres", now - DAY),
        ],
    );
    let out = klub(&["stats", s(&db)]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("3 sessions") && text.contains("completed") && text.contains("borne-p"),
        "{text}"
    );
    let cfg = dir.path().join("station.toml");
    std::fs::write(
        &cfg,
        "station_id = \"borne-p\"\n\n[data]\nretention_days = 30\n",
    )
    .unwrap();
    let out = klub_ok(&["purge", s(&db), "--config", s(&cfg)]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("2 sessions effacées") && text.contains("30 jours"),
        "{text}"
    );
    let c = Connection::open(&db).unwrap();
    let (n, steps): (i64, i64) = c
        .query_row(
            "SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM steps)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, steps), (1, 2));
    drop(c);
    let today = klub_kiosk::storage::time::paris_day_hour(now + DAY).0;
    let out = klub(&["purge", s(&db), "--before", &today]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 sessions effacées"));
    let out = klub(&["purge", s(&db), "--before", "2026-02-30"]);
    assert_eq!(out.status.code(), Some(2));
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "station_id = \"borne-p\"\n[data]\nretention_days = \"un an\"\n",
    )
    .unwrap();
    let out = klub(&["purge", s(&db), "--config", s(&bad)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bad.toml:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn merge_upgrades_an_older_station_log_in_a_copy_and_leaves_the_original_alone() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    {
        let c = Connection::open(&old).unwrap();
        c.execute_batch(klub_kiosk::storage::schema::MIGRATIONS[0])
            .unwrap();
        c.pragma_update(None, "application_id", klub_kiosk::storage::schema::APP_ID)
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute(
            "INSERT INTO sessions (id, station, seq, stop, context, source, scenario, lang, started_wall_ms, started_mono_ms, outcome) VALUES ('00112233445566778899aabbccddeeff', 'borne-o', 1, 'tours', 'autre', 'visitor', 'talents', 'fr', 1, 1, 'abandoned')",
            [],
        )
        .unwrap();
    }
    let before = std::fs::read(&old).unwrap();
    let tour = dir.path().join("tour.db");
    klub_ok(&["merge", s(&old), "-o", s(&tour)]);
    assert_eq!(std::fs::read(&old).unwrap(), before);
    let c = Connection::open(&tour).unwrap();
    let v: u32 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, klub_kiosk::storage::schema::LATEST);
    let stop: String = c
        .query_row("SELECT stop FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stop, "tours");
}

#[test]
fn merge_skips_an_input_already_merged_and_unchanged_and_takes_newer_copies() {
    let dir = tempfile::tempdir().unwrap();
    let pa = dir.path().join("borne-a.db");
    let (log_a, _) = LogWriter::open(
        &pa,
        StationInfo {
            station_id: "borne-a".into(),
        },
    )
    .unwrap();
    let a_ids = write(
        &log_a,
        &[visit("chartres", T0), visit("chartres", T0 + 60_000)],
    );
    let (b, _) = station(dir.path(), "borne-b", &[visit("chartres", T0)]);
    let tour = dir.path().join("tour.db");
    let merge = |en: bool| {
        let mut args = vec![];
        if en {
            args.extend(["--lang", "en"]);
        }
        args.extend(["merge", s(&pa), s(&b), "-o", s(&tour)]);
        let out = klub_ok(&args);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let out = merge(false);
    assert!(
        out.contains("3 sessions ajoutées") && !out.contains("déjà fusionnés"),
        "{out}"
    );
    let before = std::fs::read(&tour).unwrap();
    // Both inputs unchanged: neither is read again, and the tour is not touched.
    let out = merge(true);
    assert!(
        out.contains(
            "0 sessions added, 0 completed, 3 already there (2 logs already merged and unchanged"
        ),
        "{out}"
    );
    assert_eq!(std::fs::read(&tour).unwrap(), before);
    // A new session at a, and a late declaration on a session already ended there: a is
    // merged again (its newer copy of that session replaces the tour's), b is skipped.
    write(&log_a, &[visit("bourges", T0 + DAY)]);
    log_a.send(Record::Declared {
        id: a_ids[0],
        situation: Situation::Travail,
        age_band: AgeBand::Plus45,
    });
    assert!(log_a.flush(Duration::from_secs(5)));
    let out = merge(false);
    assert!(
        out.contains(
            "1 sessions ajoutées, 1 complétées, 2 déjà présentes (1 journaux déjà fusionnés"
        ),
        "{out}"
    );
    let c = Connection::open(&tour).unwrap();
    let (situation, steps, profile): (String, i64, i64) = c
        .query_row(
            "SELECT situation, (SELECT count(*) FROM steps WHERE session = s.k), (SELECT count(*) FROM profiles WHERE session = s.k) FROM sessions s WHERE id = ?1",
            [a_ids[0].to_string()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((situation.as_str(), steps, profile), ("travaille", 2, 1));
    let (n, merged, orphans): (i64, i64, i64) = c
        .query_row(
            "SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM merged),
                    (SELECT count(*) FROM steps WHERE session NOT IN (SELECT k FROM sessions))",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    // Fingerprints of a before and after, and of b.
    assert_eq!((n, merged, orphans), (4, 3, 0));
    drop(c);
    // A tour merged into another: its fingerprints are its own and do not travel (an input
    // could claim anything), so a and b are read again there, and found already present.
    let tour2 = dir.path().join("tour2.db");
    assert!(klub(&["merge", s(&tour), "-o", s(&tour2)]).status.success());
    let before = std::fs::read(&tour2).unwrap();
    let out = klub(&["merge", s(&pa), s(&b), "-o", s(&tour2)]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("0 sessions ajoutées, 0 complétées, 4 déjà présentes (fichier inchangé)"),
        "{text}"
    );
    assert_eq!(std::fs::read(&tour2).unwrap(), before);
}
