//! Outputs never destroy inputs: `report`, `doctor --test-card`, `export` and `site build`
//! refuse an output that is one of their inputs, an existing SQLite file (unless `--force`)
//! or a symbolic link, and never write through a link planted in their output folder.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;
use support::sticks::{Run, klub, link};

const LIMIT: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Run {
    klub(&root(), args, LIMIT)
}

fn is_sqlite(p: &Path) -> bool {
    std::fs::read(p).is_ok_and(|b| b.starts_with(b"SQLite format 3\0"))
}

/// A station log with a few simulated sessions, in a temp folder.
fn log() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let r = run(&[
        "simulate",
        "--db",
        db.to_str().unwrap(),
        "--station",
        "borne-1",
        "--visitors",
        "3",
        "--seed",
        "7",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.text);
    assert!(is_sqlite(&db));
    (dir, db)
}

#[test]
fn report_refuses_to_write_over_its_log_or_another_log() {
    let (dir, db) = log();
    let before = std::fs::read(&db).unwrap();
    let d = db.to_str().unwrap();
    let r = run(&["report", d, "-o", d]);
    assert_eq!(r.code, Some(2), "{}", r.text);
    assert!(r.text.contains("est aussi une entrée"), "{}", r.text);
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // Another log: refused unless --force.
    let other = dir.path().join("autre.db");
    std::fs::copy(&db, &other).unwrap();
    let o = other.to_str().unwrap();
    let r = run(&["report", d, "-o", o]);
    assert_eq!(r.code, Some(2), "{}", r.text);
    assert!(
        r.text.contains("base SQLite") && r.text.contains("--force"),
        "{}",
        r.text
    );
    assert!(is_sqlite(&other));
    let r = run(&["report", d, "-o", o, "--force"]);
    assert_eq!(r.code, Some(0), "{}", r.text);
    assert!(std::fs::read_to_string(&other).unwrap().contains("<html"));
    // A link to the log: refused, even with --force.
    let html = dir.path().join("rapport.html");
    link(&db, &html);
    let r = run(&["report", d, "-o", html.to_str().unwrap(), "--force"]);
    assert_eq!(r.code, Some(2), "{}", r.text);
    assert!(r.text.contains("lien symbolique"), "{}", r.text);
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn the_test_card_refuses_to_write_over_a_log() {
    let (dir, db) = log();
    let before = std::fs::read(&db).unwrap();
    let r = run(&[
        "doctor",
        "--config",
        "kiosk-config/default.toml",
        "--test-card",
        db.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(2), "{}", r.text);
    assert!(r.text.contains("base SQLite"), "{}", r.text);
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // Nor over its own config.
    let cfg = dir.path().join("station.toml");
    std::fs::copy(root().join("kiosk-config/default.toml"), &cfg).unwrap();
    let c = cfg.to_str().unwrap();
    let r = run(&["doctor", "--config", c, "--test-card", c]);
    assert_eq!(r.code, Some(2), "{}", r.text);
    assert!(r.text.contains("est aussi une entrée"), "{}", r.text);
    // A fresh file is written.
    let png = dir.path().join("carte.png");
    let r = run(&[
        "doctor",
        "--config",
        "kiosk-config/default.toml",
        "--test-card",
        png.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.text);
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn export_never_writes_through_a_planted_link() {
    let (dir, db) = log();
    let victim = dir.path().join("victime.txt");
    std::fs::write(&victim, "précieux").unwrap();
    let out = dir.path().join("export");
    std::fs::create_dir_all(&out).unwrap();
    link(&victim, &out.join("sessions.csv"));
    let args = |out: &Path| {
        run(&[
            "export",
            db.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let r = args(&out);
    assert_eq!(r.code, Some(2), "{}", r.text);
    assert!(r.text.contains("lien symbolique"), "{}", r.text);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "précieux");
    // The output folder itself a link: refused too.
    let real = dir.path().join("vrai");
    std::fs::create_dir_all(&real).unwrap();
    let linked = dir.path().join("lien");
    link(&real, &linked);
    let r = args(&linked);
    assert_eq!(r.code, Some(2), "{}", r.text);
    assert_eq!(std::fs::read_dir(&real).unwrap().count(), 0);
    // Without links, the export goes through and leaves no temporary file.
    std::fs::remove_file(out.join("sessions.csv")).unwrap();
    let r = args(&out);
    assert_eq!(r.code, Some(0), "{}", r.text);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "profiles.csv",
            "profiles.jsonl",
            "sessions.csv",
            "sessions.jsonl",
            "steps.csv",
            "steps.jsonl"
        ]
    );
}

#[test]
fn site_build_never_writes_through_a_planted_link() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victime.txt");
    std::fs::write(&victim, "précieux").unwrap();
    let out = dir.path().join("site");
    std::fs::create_dir_all(&out).unwrap();
    let build = || {
        run(&[
            "site",
            "build",
            "-o",
            out.to_str().unwrap(),
            "--tour",
            "kiosk-config/tour.toml",
        ])
    };
    // Where the page used to be written first, and the page itself.
    link(&victim, &out.join("index.tmp~"));
    link(&victim, &out.join("index.html"));
    let r = build();
    assert_eq!(r.code, Some(2), "{}", r.text);
    assert!(r.text.contains("lien symbolique"), "{}", r.text);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "précieux");
    std::fs::remove_file(out.join("index.html")).unwrap();
    let r = build();
    assert_eq!(r.code, Some(0), "{}", r.text);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "précieux");
    assert!(
        std::fs::read_to_string(out.join("index.html"))
            .unwrap()
            .contains("<html")
    );
    // An archived tour planted as a link is refused, its target untouched.
    let tour = std::fs::read_dir(out.join("tours"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    link(&victim, &tour);
    let r = build();
    assert_ne!(r.code, Some(0), "{}", r.text);
    assert!(r.text.contains("lien symbolique"), "{}", r.text);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "précieux");
}
