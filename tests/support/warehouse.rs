//! Logs for the warehouse tests, made by the real `klub simulate`, and a way to run `klub`.
#![allow(dead_code, reason = "each test binary uses part of the helpers")]

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `klub` binary of this build.
pub const KLUB: &str = env!("CARGO_BIN_EXE_klub");

/// Runs `klub` and returns its output.
pub fn klub(args: &[&str]) -> Output {
    Command::new(KLUB).args(args).output().unwrap()
}

/// Runs `klub` and panics with its messages when it fails; returns stdout.
pub fn klub_ok(args: &[&str]) -> String {
    let out = klub(args);
    assert!(
        out.status.success(),
        "klub {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A path as `&str`.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A station log of `visitors` simulated sessions over four stops of tour `tour`, from
/// 2026-03-02 (`dir/STATION.db`).
pub fn simulate(dir: &Path, station: &str, visitors: u64, seed: u64, tour: &str) -> PathBuf {
    let db = dir.join(format!("{station}.db"));
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    klub_ok(&[
        "simulate",
        "--db",
        s(&db),
        "--station",
        station,
        "--visitors",
        &visitors.to_string(),
        "--seed",
        &seed.to_string(),
        "--scenarios",
        s(&scenarios),
        "--stops",
        "chartres,bourges,tours,blois",
        "--tour",
        tour,
        "--per-day",
        "40",
        "--start",
        "2026-03-02",
    ]);
    db
}

/// Relabels a simulated log's sessions as visitors' (what the report and open data count),
/// as a new revision of each.
pub fn as_visitors(db: &Path) {
    Connection::open(db)
        .unwrap()
        .execute("UPDATE sessions SET source = 'visitor', rev = rev + 1", [])
        .unwrap();
}

/// Session ids and revisions of a log, sorted.
pub fn ids(db: &Path) -> Vec<(String, i64)> {
    let c = Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT id, rev FROM sessions ORDER BY id")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}
